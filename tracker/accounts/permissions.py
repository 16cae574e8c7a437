"""Who may do what. Every operation checks here; views and the API never decide alone."""
from __future__ import annotations

from sqlalchemy import Select, or_, select

from tracker.errors import PermissionDenied
from tracker.models import Task, User, task_co_units


def require_office(user: User) -> None:
    """Only the command office (指挥办) may do this."""
    if not user.is_office:
        raise PermissionDenied("只有指挥部办公室可以执行此操作 (office only)")


def require_view_unit(user: User, unit_id: int) -> None:
    """Office and leaders look at any unit's page; a unit user only at its own."""
    if not (user.is_office or user.is_leader or user.unit_id == unit_id):
        raise PermissionDenied("只能查看本单位的主页 (not your unit)")


def can_view_task(user: User, task: Task) -> bool:
    """Office and leaders see every item; a unit sees items it leads or co-handles."""
    return user.is_office or user.is_leader or task.involves(user.unit_id)


def can_report(user: User, task: Task) -> bool:
    """The lead unit and co-units report (a leader never changes anything)."""
    return not user.is_leader and task.involves(user.unit_id)


def require_report(user: User, task: Task) -> None:
    if not can_report(user, task):
        raise PermissionDenied("只有牵头单位或配合单位可以报送进展")


def is_lead(user: User, task: Task) -> bool:
    """Only the lead unit asks for sign-off or an extension."""
    return not user.is_leader and user.unit_id == task.lead_unit_id


def require_lead(user: User, task: Task) -> None:
    if not is_lead(user, task):
        raise PermissionDenied("只有牵头单位可以申请销号或延期")


def visible_to(user: User, query: Select) -> Select:
    """Narrow a task query to what *user* may see."""
    if user.is_office or user.is_leader:
        return query
    return query.where(unit_filter(user.unit_id))


def unit_filter(unit_id: int):
    """Tasks a unit leads or co-handles."""
    return or_(Task.lead_unit_id == unit_id,
               Task.id.in_(select(task_co_units.c.task_id).where(task_co_units.c.unit_id == unit_id)))
