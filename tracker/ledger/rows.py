"""List pages read plain rows: the columns a list shows, then one query each for the page's
co-units, milestones and forecasts by task id (no ORM objects, no unit scan), and the total
counted over task ids alone. A row answers like a Task wherever a list uses one (light_of,
is_overdue, task_dict, the task table). The statements run on the session's connection
(Core, no ORM result processing), and the page's ids go as one parameter (`ids_in`)."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ARRAY, Integer, Select, any_, bindparam, func, select, text

from tracker.extensions import db
from tracker.models import Milestone, Task, TaskForecast, Unit, task_co_units
from tracker.paging import Page

COLUMNS = (Task.id, Task.code, Task.title, Task.description, Task.parent_id, Task.lead_unit_id,
           Task.leader, Task.start_date, Task.due_date, Task.target_value, Task.target_unit,
           Task.actual_value, Task.progress, Task.status, Task.status_since, Task.version,
           Task.depth, Task.created_at)


@dataclass(frozen=True, slots=True)
class UnitRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class MilestoneRow:
    due_date: date
    expected_progress: int
    title: str


@dataclass(slots=True)
class TaskRow:
    id: int
    code: str
    title: str
    description: str
    parent_id: int | None
    lead_unit_id: int
    leader: str
    start_date: date | None
    due_date: date
    target_value: float | None
    target_unit: str
    actual_value: float | None
    progress: int
    status: str
    status_since: datetime | None
    version: int
    depth: int
    created_at: datetime
    lead_unit: UnitRef | None = None
    co_units: list[UnitRef] = field(default_factory=list)
    milestones: list[MilestoneRow] = field(default_factory=list)
    forecast: Any = None   # the item's task_forecasts row (tracker.foresight), if any


def page_of_rows(query: Select, page: int, per_page: int, *, clamp: bool = True) -> Page:
    """Page *page* of the tasks a `task_list` query selects, as TaskRows. *clamp*: a page
    past the end shows the last one (pages); otherwise it is empty (the API)."""
    conn = db.session.connection()
    ids_only = query.with_only_columns(Task.id).order_by(None)
    total = conn.execute(select(func.count()).select_from(ids_only.subquery())).scalar_one()
    out = Page(total, page, per_page)
    offset = out.offset if clamp else (page - 1) * per_page
    found = conn.execute(query.with_only_columns(*COLUMNS).limit(per_page).offset(offset)).all()
    out.items = rows_of(found)
    return out


def ids_in(column, ids: list[int]):
    """SQL: *column* is one of *ids*, passed as one parameter (a JSON array SQLite reads with
    json_each, an array for PostgreSQL) rather than one per id, which SQLAlchemy would
    expand and render anew for each page."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", list(ids), type_=ARRAY(Integer)))
    return column.in_(select(text("value")).select_from(
        func.json_each(bindparam("ids", json.dumps(list(ids))))))


def rows_of(found: list[Any]) -> list[TaskRow]:
    rows = [TaskRow(*r) for r in found]
    if not rows:
        return rows
    conn = db.session.connection()
    ids = [r.id for r in rows]
    co: dict[int, list[UnitRef]] = defaultdict(list)
    for task_id, unit_id, name in conn.execute(
            select(task_co_units.c.task_id, Unit.id, Unit.name)
            .join(Unit, Unit.id == task_co_units.c.unit_id)
            .where(ids_in(task_co_units.c.task_id, ids))
            .order_by(task_co_units.c.task_id, task_co_units.c.unit_id)):
        co[task_id].append(UnitRef(unit_id, name))
    marks: dict[int, list[MilestoneRow]] = defaultdict(list)
    for task_id, *fields in conn.execute(
            select(Milestone.task_id, Milestone.due_date, Milestone.expected_progress, Milestone.title)
            .where(ids_in(Milestone.task_id, ids)).order_by(Milestone.task_id, Milestone.due_date)):
        marks[task_id].append(MilestoneRow(*fields))
    leads = {uid: UnitRef(uid, name) for uid, name in conn.execute(
        select(Unit.id, Unit.name).where(ids_in(Unit.id, sorted({r.lead_unit_id for r in rows}))))}
    forecasts = {f.task_id: f for f in conn.execute(
        select(TaskForecast.__table__).where(ids_in(TaskForecast.task_id, ids)))}
    for row in rows:
        row.lead_unit, row.co_units, row.milestones = leads.get(row.lead_unit_id), co[row.id], marks[row.id]
        row.forecast = forecasts.get(row.id)
    return rows
