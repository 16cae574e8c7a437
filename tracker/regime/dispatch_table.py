"""The weekly dispatch table (周调度表): one row per item owing a report in the week, in the
ledger's layout, for the page, its .xlsx and the weekly bulletin."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Select, func, select

from tracker import clock
from tracker.accounts.lookups import unit_names
from tracker.extensions import db
from tracker.labels import REPORT_STATES
from tracker.labels import LIGHTS
from tracker.ledger import timeline
from tracker.ledger.lights import expected_progress, light_of
from tracker.models import Milestone, ProgressReport, Task
from tracker.reports import cycles
from tracker.reports.periods import period_of

COLUMNS = ["序号", "编号", "任务名称", "牵头单位", "责任领导", "完成时限", "年度目标", "累计完成",
           "完成率", "序时进度", "亮灯", "本周进展", "存在问题", "下步计划", "报送情况"]
FORMATS = ["int", "text", "text", "text", "text", "date", "text", "number", "percent", "percent",
           "text", "text", "text", "text", "text"]
# The long text columns (本周进展, 存在问题, 下步计划), printed as written.
PROSE = (12, 13, 14)


def dispatch_query(period: str, as_of: date | None = None) -> Select:
    """One row per item owing a report in *period* (leaf items), grouped by lead unit and in
    ledger order within it: what the table and the item's light need, its target and
    cumulative actual, its report state, and the lead unit's latest report of the week
    (text, problems, next_steps, reported_progress: None without one). Plain columns, no ORM objects: the
    .xlsx streams every row of the week."""
    states = cycles.report_states(period, as_of).subquery()
    latest = (select(ProgressReport.task_id, func.max(ProgressReport.id).label("id"))
              .join(Task, Task.id == ProgressReport.task_id)
              .where(ProgressReport.period == period, ProgressReport.unit_id == Task.lead_unit_id,
                     ProgressReport.submitted_at < clock.cutoff(as_of))
              .group_by(ProgressReport.task_id).subquery())
    cols = timeline.as_of(as_of)
    return cols.join(
        select(Task.id, Task.code, Task.title, Task.lead_unit_id, Task.leader,
               cols.due_date.label("due_date"), cols.status.label("status"),
               cols.progress.label("progress"), Task.start_date, Task.created_at, Task.target_value,
               Task.target_unit, Task.actual_value, cols.since.label("status_since"), states.c.state,
               ProgressReport.text, ProgressReport.problems, ProgressReport.next_steps,
               ProgressReport.progress.label("reported_progress"))
        .join(states, states.c.task_id == Task.id)
        .outerjoin(latest, latest.c.task_id == Task.id)
        .outerjoin(ProgressReport, ProgressReport.id == latest.c.id)
        .order_by(Task.lead_unit_id, Task.sort_key, Task.id))


class _Item(NamedTuple):
    """What light_of reads of a task."""

    status: str
    due_date: date
    progress: int
    start_date: date | None
    created_at: datetime
    milestones: list
    status_since: datetime | None = None


def dispatch_rows(rows: list, today: date, start: int = 1) -> list[list[Any]]:
    """Table rows, numbered from *start*, for rows of dispatch_query."""
    milestones = _milestones([row.id for row in rows])
    units = unit_names(row.lead_unit_id for row in rows)
    out = []
    for n, row in enumerate(rows, start=start):
        item = _Item(row.status, row.due_date, row.progress, row.start_date, row.created_at,
                     milestones.get(row.id, []), row.status_since)
        light = light_of(item, today)
        target = f"{row.target_value:g}{row.target_unit}" if row.target_value is not None else None
        progress = row.reported_progress if row.reported_progress is not None else row.progress
        done = (min(row.actual_value / row.target_value, 1.0) if row.target_value and row.actual_value is not None
                else progress / 100)
        out.append([n, row.code, row.title, units[row.lead_unit_id], row.leader, row.due_date.isoformat(),
                    target, row.actual_value, round(done, 4), expected_progress(item, today) / 100,
                    f"{LIGHTS[light.color]}（{light.reason}）", row.text or "", row.problems or "",
                    row.next_steps or "", REPORT_STATES[row.state]])
    return out


def _milestones(task_ids: list[int]) -> dict[int, list]:
    """{task_id: [(due_date, expected_progress)]} of the items that have milestones."""
    out: dict[int, list] = {}
    if task_ids:
        for row in db.session.execute(
                select(Milestone.task_id, Milestone.due_date, Milestone.expected_progress)
                .where(Milestone.task_id.in_(task_ids))):
            out.setdefault(row.task_id, []).append(row)
    return out


def current_period() -> str:
    """The week a dispatch looks at by default: last week, whose reports are in."""
    return period_of(clock.today() - timedelta(days=7))


def state_counts(query: Select) -> dict[str, int]:
    """{report state: items} over the rows of a dispatch query, counted in SQL."""
    states = query.order_by(None).subquery()
    return dict(db.session.execute(select(states.c.state, func.count()).group_by(states.c.state)).all())
