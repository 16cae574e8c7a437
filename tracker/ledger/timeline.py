"""The ledger as it stood: every item's status and deadline over time (task_states).

Writing: a flush listener records a stretch for every new item and, whenever an item's
status or deadline changes, closes the open stretch and opens the next, stamped with the
item's `updated_at` (the operations set it to the one clock). Every entry point goes
through the ORM, so none can forget; the bulk bench loader writes its stretches itself.

Reading: `states_as_of(day)` selects each item's (status, due_date) at the end of that day;
items created later have no row then and drop out of any join with it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, event, func, insert, inspect, or_, select, update
from sqlalchemy.orm import Session

from tracker import clock
from tracker.models import ProgressReport, Task, TaskState


@event.listens_for(Session, "after_flush")
def _record_changes(session: Session, _context) -> None:
    states = TaskState.__table__
    rows = []
    for task in session.new:
        if isinstance(task, Task):
            rows.append(_stretch(task, task.created_at))
    for task in session.dirty:
        if isinstance(task, Task) and _changed(task):
            at = _changed_at(task)
            session.connection().execute(update(states).where(
                states.c.task_id == task.id, states.c.valid_to.is_(None)).values(valid_to=at))
            rows.append(_stretch(task, at))
    if rows:
        session.connection().execute(insert(states), rows)


def _changed_at(task: Task):
    """When this change happened: the `updated_at` the operation stamped; a sign-off's own
    time when only that was set (bulk fixes, tests); else now."""
    attrs = inspect(task).attrs
    if attrs.updated_at.history.has_changes() and task.updated_at:
        return task.updated_at
    if task.status == "signed_off" and task.signed_off_at:
        return task.signed_off_at
    return clock.now()


def _changed(task: Task) -> bool:
    attrs = inspect(task).attrs
    return attrs.status.history.has_changes() or attrs.due_date.history.has_changes()


def _stretch(task: Task, since) -> dict:
    return {"task_id": task.id, "status": task.status, "due_date": task.due_date,
            "valid_from": since or clock.now(), "valid_to": None}


@dataclass(frozen=True)
class AsOf:
    """The columns a judgement reads, as they stood at the end of a day: `status`,
    `due_date`, `progress`, and `join(query)` to add what they need to a task query
    (items created later drop out). For today they are the ledger's own columns."""

    day: date
    status: Any
    due_date: Any
    progress: Any
    since: Any                 # when the item took that status
    states: Any = None

    def join(self, query: Select) -> Select:
        if self.states is None:
            return query
        return query.join(self.states, self.states.c.task_id == Task.id)


def as_of(day: date | None = None) -> AsOf:
    """The ledger as it stood at the end of *day* (default today: the ledger as it is).
    A past day's progress is the lead unit's latest report made by then."""
    today = clock.today()
    day = clock.today(day)
    if day >= today:
        return AsOf(day, Task.status, Task.due_date, Task.progress, Task.status_since)
    states = states_as_of(day)
    progress = (select(ProgressReport.progress)
                .where(ProgressReport.task_id == Task.id, ProgressReport.unit_id == Task.lead_unit_id,
                       ProgressReport.submitted_at < clock.cutoff(day))
                .order_by(ProgressReport.submitted_at.desc(), ProgressReport.id.desc())
                .limit(1).scalar_subquery())
    return AsOf(day, states.c.status, states.c.due_date, func.coalesce(progress, 0), states.c.valid_from,
                states)


def states_as_of(day: date | None = None):
    """Subquery (task_id, status, due_date): each item's state at the end of *day* (or now,
    if that comes first)."""
    return (select(TaskState.task_id, TaskState.status, TaskState.due_date, TaskState.valid_from)
            .where(in_stretch(clock.cutoff(day))).subquery("as_of"))


def in_stretch(at):
    """SQL: the history row is the item's state at the instant *at* (a value or a column)."""
    return and_(TaskState.valid_from < at, or_(TaskState.valid_to.is_(None), TaskState.valid_to >= at))
