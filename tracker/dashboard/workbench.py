"""A unit's workbench (its home page): what it owes and what came back, each entry with the
one form that resolves it.

- 本周应报送: the items whose lead-unit report for the period now due (the weekly one, and
  the monthly one when that cycle is on) has not come, with the deadline: the report form.
- 被退回: items whose latest sign-off request the office sent back, with the reason, until
  the unit reports on the item again: the report form.
- 新交办: items the unit was assigned whose 交办 notice nobody of the unit has opened yet and
  that it has not reported on: opening the notice (which signs for it) leads to the item.
- 即将到期: open items the unit leads due within the reminders' horizon (the largest of
  `[notify] deadline_offsets`, in working days), with the working days left: sign-off.
- 逾期: open items the unit leads past their deadline (but not those whose sign-off was asked
  by it), with the working days overdue: sign-off.
- 预计逾期: open items the unit leads, not yet due, whose forecast says they will be late
  (tracker.foresight), with the working days: the report form.
- 待协调问题: problems of the ledger assigned to the unit to help resolve, with their deadline.
Suspended items are paused and listed in none of them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import selectinload

from tracker import calendar
from tracker.extensions import db
from tracker.ledger import state
from tracker.foresight import forecast, problems
from tracker.models import Problem, ProgressReport, SignoffRequest, Task, TaskForecast, UnitNotice
from tracker.reports import cycles, periods


@dataclass(frozen=True)
class Owed:
    """One period's report owed: the period, its deadline and the items still without it."""

    period: str
    deadline: datetime
    tasks: list[Task]


@dataclass(frozen=True)
class Entry:
    """An item on a list, with what the list says of it (a reason, days, a notice)."""

    task: Task
    days: int | None = None
    reason: str = ""
    notice_id: int | None = None


@dataclass(frozen=True)
class Workbench:
    owed: list[Owed]
    sent_back: list[Entry]
    new: list[Entry]
    due_soon: list[Entry]
    overdue: list[Entry]
    late_forecast: list[Entry] = ()
    coordinating: list[Problem] = ()

    @property
    def is_empty(self) -> bool:
        return not (any(o.tasks for o in self.owed) or self.sent_back or self.new
                    or self.due_soon or self.overdue or self.late_forecast or self.coordinating)


def workbench(unit_id: int, today: date) -> Workbench:
    return Workbench(owed_reports(unit_id, today), sent_back(unit_id), newly_assigned(unit_id),
                     due_soon(unit_id, today), overdue(unit_id, today),
                     late_forecast(unit_id, today), problems.coordinating(unit_id))


def late_forecast(unit_id: int, today: date) -> list[Entry]:
    """预计逾期 items the unit leads, soonest deadline first."""
    rows = db.session.execute(select(Task, TaskForecast.late_by_workdays)
                              .join(TaskForecast, TaskForecast.task_id == Task.id)
                              .where(Task.lead_unit_id == unit_id, forecast.late_clause(today))
                              .order_by(Task.due_date, Task.sort_key)).all()
    return [Entry(task, days=days) for task, days in rows]


def _tasks(*where) -> list[Task]:
    return list(db.session.scalars(select(Task).where(*where)
                                   .options(selectinload(Task.lead_unit))
                                   .order_by(Task.due_date, Task.sort_key)))


def due_periods(today: date) -> list[str]:
    """The periods whose reports are due now: per reporting cycle, the first whose deadline
    has not passed."""
    out = []
    for kind in periods.enabled_kinds():
        period = periods.next_due(today, kind)
        if cycles.is_closed(period):
            period = periods.next_period(period)
        out.append(period)
    return out


def owed_reports(unit_id: int, today: date) -> list[Owed]:
    return [Owed(p, periods.period_deadline(p),
                 _tasks(Task.lead_unit_id == unit_id, cycles.unsent_clause(p)))
            for p in due_periods(today)]


def sent_back(unit_id: int) -> list[Entry]:
    """Items whose latest sign-off request was sent back and not reported on since."""
    latest = (select(func.max(SignoffRequest.id)).where(SignoffRequest.task_id == Task.id)
              .correlate(Task).scalar_subquery())
    reported = exists().where(ProgressReport.task_id == Task.id, ProgressReport.unit_id == unit_id,
                              ProgressReport.submitted_at > SignoffRequest.decided_at)
    rows = db.session.execute(
        select(Task, SignoffRequest.reason)
        .join(SignoffRequest, and_(SignoffRequest.task_id == Task.id, SignoffRequest.id == latest))
        .where(Task.lead_unit_id == unit_id, SignoffRequest.status == "rejected",
               Task.status == "in_progress", ~reported)
        .order_by(SignoffRequest.decided_at.desc())).all()
    return [Entry(task, reason=reason) for task, reason in rows]


def newly_assigned(unit_id: int) -> list[Entry]:
    """Items of the unit's unread 交办 notices, open and not paused, that the unit has not
    reported on yet."""
    notices = db.session.scalars(select(UnitNotice).where(
        UnitNotice.unit_id == unit_id, UnitNotice.rule == "assignment", UnitNotice.read_at.is_(None))
        .order_by(UnitNotice.created_at.desc(), UnitNotice.id.desc())).all()
    first = {}
    for notice in notices:
        for task_id in notice.task_ids:
            first.setdefault(task_id, notice.id)
    reported = exists().where(ProgressReport.task_id == Task.id, ProgressReport.unit_id == unit_id)
    tasks = {t.id: t for t in _tasks(Task.id.in_(list(first)), state.chased_clause(), ~reported)}
    return [Entry(tasks[tid], notice_id=nid) for tid, nid in first.items() if tid in tasks]


def horizon() -> int:
    """How many working days ahead 即将到期 looks: as far as the first deadline reminder."""
    return max(int(k) for k in current_app.config["SETTINGS"]["notify"]["deadline_offsets"])


def due_soon(unit_id: int, today: date) -> list[Entry]:
    last = calendar.add_workdays(today, horizon())
    tasks = _tasks(Task.lead_unit_id == unit_id, state.chased_clause(),
                   Task.due_date >= today, Task.due_date <= last)
    return [Entry(t, days=calendar.workdays_between(today, t.due_date)) for t in tasks]


def overdue(unit_id: int, today: date) -> list[Entry]:
    # An item whose sign-off was asked by its deadline is not overdue while it waits.
    tasks = _tasks(Task.lead_unit_id == unit_id, state.answerable_overdue_clause(today))
    return [Entry(t, days=calendar.workdays_between(t.due_date, today)) for t in tasks]

