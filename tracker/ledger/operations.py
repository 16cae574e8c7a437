"""Ledger rules: creating and editing tasks, codes and the tree, and the task queries."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import Select, func, literal, not_, or_, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from flask_babel import lazy_gettext as _l

from tracker import audit, clock, locks, validation
from tracker.accounts.permissions import can_view_task, require_office, unit_filter, visible_to
from tracker.errors import Conflict, NotFound, ValidationError
from tracker.extensions import db
from tracker.labels import STATUSES
from tracker.ledger import state
from tracker.models import Milestone, Plan, Task, Unit, User

CODE_RE = re.compile(r"^[0-9A-Za-z]+(\.[0-9A-Za-z]+)*$")
# Fields an office edit may change.
EDITABLE = ("code", "title", "description", "parent_id", "lead_unit_id", "co_unit_ids", "leader",
            "start_date", "due_date", "target_value", "target_unit", "milestones")


def get_task(user: User, task_id: int) -> Task:
    """The task with *task_id* if *user* may see it; 404 otherwise, the same answer for an
    item of another unit as for no item at all (a refusal must not tell which ids exist)."""
    task = db.session.get(Task, task_id) if validation.is_integer(task_id) else None
    if task is None or not can_view_task(user, task):
        raise NotFound(f"task {task_id} does not exist",
                       text=_l("找不到该事项：它不存在，或不属于你的单位"))
    return task


def create_task(actor: User, *, title: str, due_date: date, lead_unit_id: int,
                code: str | None = None, description: str = "", parent_id: int | None = None,
                co_unit_ids: list[int] | None = None, leader: str = "",
                start_date: date | None = None, target_value: float | None = None,
                target_unit: str = "", milestones: list[dict] | None = None) -> Task:
    """Assign a new ledger item (office only)."""
    require_office(actor)
    parent = _parent(parent_id)
    plan = parent.plan if parent else plan_for_year(clock.today().year)
    task = Task(plan=plan, parent=parent, depth=parent.depth + 1 if parent else 0, progress=0,
                status="not_started", status_since=clock.now())
    values = {"title": title, "description": description, "lead_unit_id": lead_unit_id,
              "co_unit_ids": co_unit_ids or [], "leader": leader, "start_date": start_date,
              "due_date": due_date, "target_value": target_value, "target_unit": target_unit,
              "milestones": milestones or []}
    _apply(task, _validated(values, task))
    task.code = _checked_code(code, plan, parent, task) if code else next_code(plan, parent)
    task.sort_key = sort_key(task.code)
    db.session.add(task)
    db.session.flush()
    audit.record(actor, "task.create", task, task_id=task.id, detail=snapshot(task))
    return task


def update_task(actor: User, task: Task, version: Any, values: dict[str, Any]) -> Task:
    """Edit an item (office only). *version* must be the one the editor read: a stale
    edit raises Conflict and changes nothing. A changed due_date is recorded as a
    deadline change with the old date."""
    state.check(actor, task, "edit", clock.today())
    validation.integer(version, "version", "version is required (the version you read)")
    if version != task.version:
        raise Conflict(f"事项已被他人修改（当前版本 {task.version}，你读取的是 {version}），请刷新后重试 "
                       "(stale version)", "version",
                       text=_l("事项已被他人修改（当前第%(now)s版，你打开的是第%(read)s版），请刷新页面后重新修改",
                               now=task.version, read=version))
    unknown = set(values) - set(EDITABLE) - {"status", "reason"}
    if unknown:
        field = sorted(unknown)[0]
        raise ValidationError(f"{field} cannot be changed here", field)
    reason = values.pop("reason", None)
    if reason is not None and "status" not in values:
        raise ValidationError("reason goes with a status change (暂缓的理由)", "reason")
    before = snapshot(task)
    detail: dict[str, Any] = {}
    # No autoflush while editing: a concurrent writer must surface in flush_versioned (409),
    # not in a query's autoflush halfway through.
    with db.session.no_autoflush:
        if "status" in values:
            detail.update(_office_status_change(actor, task, values.pop("status"), reason))
        if "parent_id" in values:
            _reparent(task, values["parent_id"])
        if "code" in values and values["code"] != task.code:
            task.code = _checked_code(values["code"], task.plan, task.parent, task)
            task.sort_key = sort_key(task.code)
        _apply(task, _validated({k: v for k, v in values.items()
                                 if k not in ("code", "parent_id")}, task))
    task.updated_at = clock.now()
    detail.update(audit.changes(before, snapshot(task)))
    if not detail:
        return task
    flush_versioned()
    action = "task.deadline_change" if "due_date" in detail and len(detail) == 1 else "task.update"
    audit.record(actor, action, task, task_id=task.id, detail=detail)
    return task


def flush_versioned() -> None:
    """Flush, turning a concurrent writer's newer version into a Conflict."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict("事项已被他人修改，请刷新后重试 (stale version)", "version",
                       text=_l("事项已被他人修改，请刷新页面后重新修改")) from None


def _office_status_change(actor: User, task: Task, status: Any, reason: Any) -> dict[str, Any]:
    """The office may suspend (暂缓) an item or resume it; other statuses have their own
    actions. A reason given (the page requires one for 暂缓) goes into the audit trail,
    which the item's page shows."""
    if status == task.status:
        return {}
    if status not in ("suspended", "in_progress"):
        raise ValidationError("status can only be set to suspended or in_progress here; "
                              "sign-off has its own requests", "status")
    state.check(actor, task, "suspend" if status == "suspended" else "resume", clock.today())
    change = state.move(task, status, "暂缓" if status == "suspended" else "恢复推进")
    reason = validation.text(reason, "reason", 500)
    return {**change, "reason": reason} if reason else change


def _reparent(task: Task, parent_id: Any) -> None:
    parent = _parent(parent_id)
    node = parent
    while node is not None:
        if node.id == task.id:
            raise ValidationError("parent_id would put the task under itself", "parent_id",
                                  text=_l("上级事项不能是本事项或它的下级事项"))
        node = node.parent
    if parent is not None and parent.plan_id != task.plan_id:
        raise ValidationError("parent_id belongs to another year's plan", "parent_id",
                              text=_l("上级事项须属于同一年度的任务清单"))
    task.parent = parent
    depth = parent.depth + 1 if parent else 0
    if depth != task.depth and task.id is not None:
        _set_subtree_depth(task.id, depth)
    task.depth = depth


# Deeper than any ledger goes (stage goal → main task → key work → measure → …): the subtree
# walk stops there even if concurrent moves ever made a cycle.
MAX_DEPTH = 64


def _set_subtree_depth(task_id: int, depth: int) -> None:
    """Give every item below *task_id* (which now sits at *depth*) its level under it, in one
    UPDATE over the subtree (a recursive CTE carrying each one's new depth), so the
    counting level (`Task.depth`) stays right after a move. Absolute, not a shift: a depth
    another move wrote meanwhile is overwritten, not compounded."""
    below = (select(Task.id, literal(depth + 1).label("depth")).where(Task.parent_id == task_id)
             .cte("below", recursive=True))
    below = below.union_all(select(Task.id, (below.c.depth + 1).label("depth"))
                            .where(Task.parent_id == below.c.id, below.c.depth < MAX_DEPTH))
    new_depth = select(below.c.depth).where(below.c.id == Task.id).scalar_subquery()
    db.session.execute(update(Task).where(Task.id.in_(select(below.c.id))).values(depth=new_depth)
                       .execution_options(synchronize_session="fetch"))


def _parent(parent_id: Any) -> Task | None:
    if parent_id is None:
        return None
    validation.integer(parent_id, "parent_id")
    parent = db.session.get(Task, parent_id)
    if parent is None:
        raise ValidationError(f"parent_id {parent_id} is not a task", "parent_id",
                              text=_l("所选上级事项不存在，请重新选择"))
    return parent


def _validated(values: dict[str, Any], task: Task) -> dict[str, Any]:
    """Check field values (types already parsed) and return them ready to set."""
    out: dict[str, Any] = {}
    for field, value in values.items():
        if field == "title":
            out[field] = validation.text(value, field, 300, required=True)
        elif field == "description":
            out[field] = validation.text(value, field)
        elif field in ("leader", "target_unit"):
            out[field] = validation.text(value, field, 64 if field == "leader" else 20)
        elif field == "lead_unit_id":
            out[field] = _unit_id(value, field)
        elif field == "co_unit_ids":
            if not isinstance(value, list):
                raise ValidationError("co_unit_ids must be a list of unit ids", field)
            out[field] = [_unit_id(v, field) for v in dict.fromkeys(value)]
        elif field in ("start_date", "due_date"):
            out[field] = validation.day(value, field, required=field == "due_date")
        elif field == "target_value":
            out[field] = validation.number(value, field)
        elif field == "milestones":
            if not isinstance(value, list):
                raise ValidationError("milestones must be a list", field)
            out[field] = [_milestone(m) for m in value]
        else:
            raise ValidationError(f"{field} cannot be changed here", field)
    start = out.get("start_date", task.start_date)
    due = out.get("due_date", task.due_date)
    if start and due and start > due:
        raise ValidationError("start_date is after due_date", "start_date",
                              text=_l("开始日期不能晚于完成时限"))
    lead = out.get("lead_unit_id", task.lead_unit_id)
    if lead in out.get("co_unit_ids", ()):
        raise ValidationError("the lead unit cannot also be a co-unit", "co_unit_ids",
                              text=_l("牵头单位不能同时是配合单位"))
    return out


def _apply(task: Task, values: dict[str, Any]) -> None:
    for field, value in values.items():
        if field == "co_unit_ids":
            # By id from the session's identity map (the units were just checked to exist).
            task.co_units = sorted((db.session.get(Unit, unit_id) for unit_id in value),
                                   key=lambda unit: unit.id)
        elif field == "milestones":
            new = sorted(value, key=lambda m: m.due_date)
            # The edit form always sends the list: keep the rows when nothing in it changed.
            # (A new item always gets its list: read after the flush, it would be loaded.)
            if task.id is None or [milestone_text(m) for m in new] != \
                    [milestone_text(m) for m in task.milestones]:
                task.milestones = new
        else:
            setattr(task, field, value)


def _unit_id(value: Any, field: str) -> int:
    validation.integer(value, field, f"{field} must be a unit id (integer)", text=_l("请选择单位"))
    if db.session.get(Unit, value) is None:
        raise ValidationError(f"{field}: unit {value} does not exist", field,
                              text=_l("所选单位不存在，请重新选择"))
    return value


def _milestone(data: Any) -> Milestone:
    if not isinstance(data, dict):
        raise ValidationError("each milestone needs due_date and expected_progress", "milestones")
    due = data.get("due_date")
    expected = data.get("expected_progress")
    return Milestone(due_date=validation.day(due, "milestones", required=True), expected_progress=validation.percent(expected, "milestones"),
                     title=validation.text(data.get("title"), "milestones", 200))


# --- codes and the tree ------------------------------------------------------------------

def sort_key(code: str) -> str:
    """Zero-pad numeric code parts so "2.10" sorts after "2.9"."""
    return ".".join(p.zfill(4) if p.isdigit() else p for p in code.split("."))


def _hold_codes(plan: Plan) -> None:
    """Hold *plan*'s codes until this transaction ends (`locks.hold`), so that two items
    handed out or numbered at once cannot both take one code: the second waits, then
    reads the first's."""
    if plan.id is not None:  # a plan made in this transaction: nobody else can see it yet
        locks.hold(f"plan-codes:{plan.id}")


def next_code(plan: Plan, parent: Task | None) -> str:
    """The next free code under *parent* (or at the top of *plan*), the plan's codes held
    (`_hold_codes`)."""
    _hold_codes(plan)
    same_parent = Task.parent_id == parent.id if parent else Task.parent_id.is_(None)
    siblings = select(Task.code).where(Task.plan_id == plan.id, same_parent)
    last = 0
    for code in db.session.scalars(siblings):
        tail = code.rsplit(".", 1)[-1]
        if tail.isdigit():
            last = max(last, int(tail))
    return f"{parent.code}.{last + 1}" if parent else str(last + 1)


def _checked_code(code: Any, plan: Plan, parent: Task | None, task: Task) -> str:
    if not isinstance(code, str) or not CODE_RE.match(code) or len(code) > 40:
        raise ValidationError("code must look like 2.3.1 (letters or digits joined by dots)", "code",
                              text=_l("编号应为用点分隔的数字或字母，如 2.3.1"))
    _hold_codes(plan)
    clash = select(Task.id).where(Task.plan_id == plan.id, Task.code == code)
    if task.id is not None:
        clash = clash.where(Task.id != task.id)
    if db.session.scalar(clash) is not None:
        raise ValidationError(f"code {code} is already used in this plan", "code",
                              text=_l("编号 %(code)s 在本年度任务清单中已被使用", code=code))
    return code


def plan_for_year(year: int) -> Plan:
    """The year's plan, created on first use."""
    plan = db.session.scalar(select(Plan).where(Plan.year == year))
    if plan is None:
        plan = Plan(year=year, title=f"{year}年度任务清单")
        db.session.add(plan)
        db.session.flush()
    return plan


def snapshot(task: Task) -> dict[str, Any]:
    """The editable fields and status of *task*, for before/after audit details."""
    return audit.jsonable({
        "code": task.code, "title": task.title, "description": task.description,
        "parent_id": task.parent_id if task.parent is None else task.parent.id,
        "lead_unit_id": task.lead_unit_id, "co_unit_ids": [u.id for u in task.co_units],
        "leader": task.leader, "start_date": task.start_date, "due_date": task.due_date,
        "target_value": task.target_value, "target_unit": task.target_unit, "status": task.status,
        "milestones": [milestone_text(m) for m in task.milestones]})


def milestone_text(m: Milestone) -> str:
    """A milestone as one line, the way the item form takes it: "2026-12-31 60 主体完工"."""
    return f"{m.due_date.isoformat()} {m.expected_progress} {m.title}".strip()


# --- queries -----------------------------------------------------------------------------

def task_list(user: User, *, unit_id: int | None = None, status: str | None = None,
              overdue: bool | None = None, q: str | None = None, as_of: date | None = None,
              order: str = "ledger") -> Select:
    """Tasks *user* may see, filtered; a Select for the caller to paginate (list pages read
    it as plain rows: `tracker.ledger.rows`).

    order: "ledger" (tree order by code) or "due" (earliest deadline first)."""
    today = clock.today(as_of)
    query = visible_to(user, select(Task))
    if unit_id is not None:
        query = query.where(unit_filter(unit_id))
    if status is not None:
        validation.one_of(status, STATUSES, "status")
        query = query.where(Task.status == status)
    if overdue is True:
        query = query.where(state.overdue_clause(today))
    elif overdue is False:
        query = query.where(not_(state.overdue_clause(today)))
    if q:
        # The words are matched as typed: % and _ are not wildcards.
        pattern = f"%{validation.like_escaped(q.strip())}%"
        query = query.where(or_(*(column.like(pattern, escape="\\")
                                  for column in (Task.title, Task.code, Task.leader))))
    order_by = (Task.due_date, Task.id) if order == "due" else (Task.plan_id, Task.sort_key)
    return query.order_by(*order_by)


def task_query(user: User, **filters) -> Select:
    """`task_list` as ORM objects with their co-units, milestones and lead unit loaded."""
    return task_list(user, **filters).options(
        selectinload(Task.co_units), selectinload(Task.milestones), selectinload(Task.lead_unit))


def children(user: User, task: Task) -> list[Task]:
    """The item's direct sub-items that *user* may see, in ledger order."""
    return list(db.session.scalars(visible_to(user, select(Task)).where(Task.parent_id == task.id)
                                   .options(selectinload(Task.lead_unit), selectinload(Task.co_units),
                                            selectinload(Task.milestones))
                                   .order_by(Task.sort_key)))


def status_counts(query: Select) -> dict[str, int]:
    """{status: count} over the tasks a task query selects, computed in SQL."""
    sub = query.order_by(None).options().with_only_columns(Task.status).subquery()
    rows = db.session.execute(select(sub.c.status, func.count()).group_by(sub.c.status))
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: n for status, n in rows})
    return counts
