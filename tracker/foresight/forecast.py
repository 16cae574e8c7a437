"""Each item's forecast row (task_forecasts): kept up to date by the report operation,
rebuilt for every open item by the `forecasts` job (for any past day, with `run-job
forecasts --as-of`), and re-judged when a deadline moves. Lists join the row; nothing
loops over reports at list time. The fit is tracker.foresight.fit."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Any

from flask import current_app
from sqlalchemy import and_, delete, event, func, insert, inspect, select, update
from sqlalchemy.orm import Session, selectinload

from tracker import calendar, clock
from tracker.extensions import db
from tracker.foresight.fit import Fit, Point, forecast
from tracker.ledger import state, timeline
from tracker.ledger.lights import expected_progress
from tracker.models import Milestone, ProgressReport, Task, TaskForecast
from tracker.reports.periods import period_bounds


def _cfg() -> dict[str, Any]:
    return current_app.config["SETTINGS"]["foresight"]


@lru_cache(maxsize=4096)
def period_end(period: str) -> date:
    return period_bounds(period)[1]


def points_query(as_of: date | None, task_ids: list[int] | None = None):
    """The lead unit's reports (task id, period, progress, actual), oldest first; reports of
    periods ending after *as_of* or made after its end do not count yet."""
    query = (select(ProgressReport.task_id, ProgressReport.period, ProgressReport.progress,
                    ProgressReport.actual_value)
             .join(Task, and_(Task.id == ProgressReport.task_id,
                              Task.lead_unit_id == ProgressReport.unit_id))
             .order_by(ProgressReport.task_id, ProgressReport.submitted_at, ProgressReport.id))
    if as_of is not None:
        query = query.where(ProgressReport.submitted_at < clock.cutoff(as_of))
    if task_ids is not None:
        query = query.where(ProgressReport.task_id.in_(task_ids))
    return query


def points_by_task(rows: Iterable, as_of: date | None) -> dict[int, list[Point]]:
    """One point per period, the latest report of it; periods not over by *as_of* skipped."""
    out: dict[int, dict[date, Point]] = {}
    for task_id, period, progress, actual in rows:
        day = period_end(period)
        if as_of is None or day <= as_of:
            out.setdefault(task_id, {})[day] = Point(day, progress, actual)
    return {tid: list(points.values()) for tid, points in out.items()}


def judge(fit: Fit, due: date) -> tuple[int | None, bool]:
    """(late_by_workdays, is_late) of *fit* against the deadline *due*."""
    if fit.basis == "stalled":
        return None, True
    if fit.basis == "done" or fit.projected_date is None or fit.projected_date <= due:
        return 0, False
    late_by = calendar.workdays_between(due, fit.projected_date)
    return late_by, late_by > int(_cfg()["margin_workdays"])


def fit_task(task: Any, points: list[Point]) -> Fit | None:
    """The forecast of *task* (a Task, or anything with due_date, target_value, milestones,
    start_date and created_at) from its *points*."""
    cfg = _cfg()
    plan = (lambda day: expected_progress(task, day)) if task.milestones else None
    return forecast(points, target=task.target_value, window=int(cfg["window"]),
                    min_reports=int(cfg["min_reports"]), plan=plan, due=task.due_date)


def _row(task: Any, fit: Fit, as_of: date) -> dict[str, Any]:
    late_by, is_late = judge(fit, task.due_date)
    return {"task_id": task.id, "as_of": as_of, "basis": fit.basis,
            "projected_date": fit.projected_date, "confidence": fit.confidence,
            "reports": fit.reports, "slope": fit.slope, "due_date": task.due_date,
            "late_by_workdays": late_by, "is_late": is_late, "computed_at": clock.now()}


def refresh_task(task: Task, as_of: date | None = None) -> TaskForecast | None:
    """Recompute *task*'s row (after a report); none kept for items closed or paused."""
    as_of = as_of or clock.today()
    db.session.execute(delete(TaskForecast).where(TaskForecast.task_id == task.id))
    fit = None
    if task.status in state.CHASED_STATUSES:
        points = points_by_task(db.session.execute(points_query(as_of, [task.id])), as_of)
        fit = fit_task(task, points.get(task.id, []))
    if fit is None:
        db.session.expire(task, ["forecast"])
        return None
    db.session.execute(insert(TaskForecast), [_row(task, fit, as_of)])
    db.session.expire(task, ["forecast"])
    return db.session.get(TaskForecast, task.id)


def refresh_all(as_of: date | None = None) -> dict[str, int]:
    """Rebuild every open item's row as of *as_of* (default today): the reports known by
    the end of that day. Returns counts for the job's summary line."""
    as_of = as_of or clock.today()
    tasks = {t.id: t for t in db.session.scalars(select(Task).where(state.chased_clause()))}
    rows = _rows(tasks, {}, as_of)
    db.session.execute(delete(TaskForecast))
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(TaskForecast), rows[start:start + 5000])
    return {"items": len(rows), "late": sum(r["is_late"] for r in rows)}


def rows_as_of(as_of: date) -> list[dict[str, Any]]:
    """The rows `refresh_all` would have kept at the end of *as_of*, computed and not
    stored: the items open then (by their history), each judged against the deadline then
    in force, from the reports known by then. What a document dated *as_of* quotes, so
    reports made since do not move it."""
    cols = timeline.as_of(as_of)
    tasks, then = {}, {}
    # Joined to the history, not an IN list: a province holds ~100,000 open items.
    for task, due in db.session.execute(cols.join(select(Task, cols.due_date).select_from(Task))
                                        .where(cols.status.in_(state.CHASED_STATUSES))):
        tasks[task.id], then[task.id] = task, due
    return _rows(tasks, then, as_of)


def _rows(tasks: dict[int, Task], due_dates: dict[int, date], as_of: date) -> list[dict[str, Any]]:
    """Forecast rows of *tasks* from the reports known by the end of *as_of*; *due_dates*
    overrides an item's deadline (the one in force that day)."""
    milestones: dict[int, list[Milestone]] = {}
    for m in db.session.scalars(select(Milestone).order_by(Milestone.due_date)):
        milestones.setdefault(m.task_id, []).append(m)
    points = points_by_task(db.session.execute(points_query(as_of)), as_of)
    rows = []
    for task_id, task_points in points.items():
        task = tasks.get(task_id)
        if task is None:
            continue
        planned = _Planned(task, milestones.get(task_id, []), due_dates.get(task_id))
        fit = fit_task(planned, task_points)
        if fit is not None:
            rows.append(_row(planned, fit, as_of))
    return rows


class _Planned:
    """A task with its milestones given (the bulk run loads them once, not per item), and
    the deadline it is judged against (its own unless another is given)."""

    def __init__(self, task: Task, milestones: list[Milestone], due_date: date | None = None):
        self.id, self.due_date, self.target_value = task.id, due_date or task.due_date, task.target_value
        self.start_date, self.created_at, self.milestones = task.start_date, task.created_at, milestones


def late_clause(today: date):
    """预计逾期: open, not yet due, and a current forecast saying late. Join TaskForecast."""
    return and_(state.chased_clause(), Task.due_date >= today, TaskForecast.is_late.is_(True),
                TaskForecast.due_date == Task.due_date)


def late_items(today: date, limit: int, unit_id: int | None = None) -> tuple[list[Task], int]:
    """预计逾期 items (of the unit's lead, when given), soonest deadline first, at most
    *limit*, and how many there are in all."""
    where = [late_clause(today)] + ([Task.lead_unit_id == unit_id] if unit_id else [])
    base = select(Task).join(TaskForecast, TaskForecast.task_id == Task.id).where(*where)
    total = db.session.scalar(base.with_only_columns(func.count()))
    tasks = db.session.scalars(base.options(selectinload(Task.lead_unit), selectinload(Task.forecast))
                               .order_by(Task.due_date, Task.sort_key).limit(limit)).all()
    return list(tasks), total


def current(task: Task) -> TaskForecast | None:
    """*task*'s forecast row while it is open and not paused, else None."""
    return task.forecast if task.status in state.CHASED_STATUSES else None


def forecast_dict(task: Task) -> dict[str, Any] | None:
    """The API.md `forecast` of *task*: {projected_date, late_by_workdays, basis} and the
    confidence, the reports it rests on and whether that makes it 预计逾期; None without."""
    row = current(task)
    if row is None:
        return None
    return {"projected_date": row.projected_date and row.projected_date.isoformat(),
            "late_by_workdays": row.late_by_workdays, "basis": row.basis,
            "confidence": row.confidence, "reports": row.reports, "is_late": row.is_late,
            "as_of": row.as_of.isoformat()}


@event.listens_for(Session, "after_flush")
def _rejudge(session: Session, _context) -> None:
    """A deadline moved: judge the item's forecast against the new one."""
    moved = [t for t in session.dirty
             if isinstance(t, Task) and inspect(t).attrs.due_date.history.has_changes()]
    if not moved:
        return
    conn = session.connection()
    table = TaskForecast.__table__
    for task in moved:
        row = conn.execute(select(table).where(table.c.task_id == task.id)).first()
        if row is None:
            continue
        projected = task.due_date if row.basis == "milestones" else row.projected_date
        late_by, is_late = judge(Fit(row.basis, projected, row.confidence, row.reports, row.slope),
                                 task.due_date)
        conn.execute(update(table).where(table.c.task_id == task.id).values(
            due_date=task.due_date, projected_date=projected, late_by_workdays=late_by,
            is_late=is_late))
        forecast_row = session.identity_map.get(session.identity_key(TaskForecast, (task.id,)))
        if forecast_row is not None:
            session.expire(forecast_row)
