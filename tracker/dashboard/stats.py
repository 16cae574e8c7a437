"""Dashboard figures, each computed in SQL over the tasks a user may see."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Select, case, func, select

from tracker.accounts.permissions import unit_filter, visible_to
from tracker.extensions import db
from tracker.models import STATUSES, Task, Unit, User

DUE_SOON_DAYS = 7


def _open():
    return Task.status != "signed_off"


def _overdue(today: date):
    return (Task.due_date < today) & _open()


def _due_soon(today: date):
    return Task.due_date.between(today, today + timedelta(days=DUE_SOON_DAYS)) & _open()


def totals(user: User, today: date, unit_id: int | None = None) -> dict[str, int]:
    """Counts by status plus `total`, `overdue` and `due_soon` (due within 7 days, still open)."""
    query = visible_to(user, select(Task.status, func.count(),
                                    func.sum(case((_overdue(today), 1), else_=0)),
                                    func.sum(case((_due_soon(today), 1), else_=0))))
    if unit_id is not None:
        query = query.where(unit_filter(unit_id))
    out = dict.fromkeys(STATUSES, 0) | {"total": 0, "overdue": 0, "due_soon": 0}
    for status, count, overdue, due_soon in db.session.execute(query.group_by(Task.status)):
        out[status] = count
        out["total"] += count
        out["overdue"] += overdue or 0
        out["due_soon"] += due_soon or 0
    return out


def unit_table(today: date) -> Select:
    """Per lead unit: items, signed off, overdue and completion rate (%), worst first."""
    done = func.sum(case((Task.status == "signed_off", 1), else_=0))
    overdue = func.sum(case((_overdue(today), 1), else_=0))
    per_unit = (select(Task.lead_unit_id.label("unit_id"), func.count().label("total"),
                       done.label("done"), overdue.label("overdue"))
                .group_by(Task.lead_unit_id).subquery())
    rate = (100.0 * per_unit.c.done / per_unit.c.total).label("rate")
    return (select(Unit.id, Unit.name, per_unit.c.total, per_unit.c.done, per_unit.c.overdue, rate)
            .join(per_unit, per_unit.c.unit_id == Unit.id)
            .order_by(per_unit.c.overdue.desc(), rate, Unit.name))


def unit_home_query(user: User, unit_id: int, today: date) -> Select:
    """A unit's items: overdue first, then due within 7 days, then the rest, each by deadline."""
    from tracker.ledger.operations import task_query

    bucket = case((_overdue(today), 0), (_due_soon(today), 1), else_=2)
    return (task_query(user, unit_id=unit_id, as_of=today)
            .order_by(None).order_by(bucket, Task.due_date, Task.id))
