"""The weekly dispatch (周调度): the week's table in the ledger's layout, and the dispatch
meeting whose agreed items (议定事项) become tracked tasks."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from tracker import audit, clock, validation
from tracker.accounts.permissions import require_office
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.ledger.operations import create_task
from tracker.models import STATUSES, DispatchMeeting, Milestone, ProgressReport, Task, Unit, User
from tracker.regime import sections
from tracker.reports import cycles
from tracker.ledger.lights import COLOR_LABELS, light_of
from tracker.reports.periods import parse_period, period_bounds, period_of

COLUMNS = ["序号", "编号", "任务名称", "牵头单位", "责任领导", "完成时限", "本周进展", "存在问题",
           "下步计划", "状态", "亮灯", "报送情况"]


def dispatch_query(period: str, as_of: date | None = None) -> Select:
    """One row per item owing a report in *period*, in ledger order: what the table and the
    item's light need, its report state, and the lead unit's latest report of the week
    (text, problems, next_steps: None without one). Plain columns, no ORM objects: the
    .xlsx streams every row of the week."""
    states = cycles.report_states(period, as_of).subquery()
    latest = (select(ProgressReport.task_id, func.max(ProgressReport.id).label("id"))
              .join(Task, Task.id == ProgressReport.task_id)
              .where(ProgressReport.period == period, ProgressReport.unit_id == Task.lead_unit_id)
              .group_by(ProgressReport.task_id).subquery())
    return (select(Task.id, Task.code, Task.title, Task.lead_unit_id, Task.leader, Task.due_date,
                   Task.status, Task.progress, Task.start_date, Task.created_at, states.c.state,
                   ProgressReport.text, ProgressReport.problems, ProgressReport.next_steps)
            .join(states, states.c.task_id == Task.id)
            .outerjoin(latest, latest.c.task_id == Task.id)
            .outerjoin(ProgressReport, ProgressReport.id == latest.c.id)
            .order_by(Task.sort_key, Task.id))


class _Item(NamedTuple):
    """What light_of reads of a task."""

    status: str
    due_date: date
    progress: int
    start_date: date | None
    created_at: datetime
    milestones: list


def dispatch_rows(rows: list, today: date, start: int = 1) -> list[list[Any]]:
    """Table rows, numbered from *start*, for rows of dispatch_query."""
    milestones = _milestones([row.id for row in rows])
    units = dict(db.session.execute(select(Unit.id, Unit.name).where(
        Unit.id.in_({row.lead_unit_id for row in rows}))).all())
    out = []
    for n, row in enumerate(rows, start=start):
        light = light_of(_Item(row.status, row.due_date, row.progress, row.start_date,
                               row.created_at, milestones.get(row.id, [])), today)
        out.append([n, row.code, row.title, units[row.lead_unit_id], row.leader, row.due_date.isoformat(),
                    row.text or "", row.problems or "", row.next_steps or "",
                    STATUSES[row.status], f"{COLOR_LABELS[light.color]}（{light.reason}）",
                    cycles.STATES[row.state]])
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


def dispatch_content(period: str, as_of: date) -> dict[str, Any]:
    """The week's dispatch as bulletin content: last week's agreed items, then the table."""
    rows = db.session.execute(dispatch_query(period, as_of)).all()
    counts = {state: 0 for state in cycles.STATES}
    for row in rows:
        counts[row.state] += 1
    summary = "、".join(f"{label}{counts[state]}项" for state, label in cycles.STATES.items()
                       if counts[state] or state != "pending")
    year, week = parse_period(period)
    return {
        "title": f"{year}年第{week}周工作调度表",
        "sections": [
            agreed_review_section(period, as_of),
            sections.section("table", "二、本周调度表", [f"本周应报送{len(rows)}项：{summary}。"],
                             COLUMNS, dispatch_rows(rows, as_of)),
        ]}


def agreed_review_section(period: str, as_of: date) -> dict[str, Any]:
    """How the agreed items of the previous week's dispatch meetings went."""
    previous = period_of(period_bounds(period)[0] - timedelta(days=7))
    meetings = db.session.scalars(
        select(DispatchMeeting).where(DispatchMeeting.period == previous)
        .options(selectinload(DispatchMeeting.agreed_items).selectinload(Task.lead_unit),
                 selectinload(DispatchMeeting.agreed_items).selectinload(Task.milestones))
        .order_by(DispatchMeeting.held_on, DispatchMeeting.id)).all()
    rows = []
    for meeting in meetings:
        for task in meeting.agreed_items:
            light = light_of(task, as_of)
            rows.append([len(rows) + 1, meeting.title, task.code, task.title, task.lead_unit.name,
                         task.due_date.isoformat(), task.status_label, f"{task.progress}%",
                         COLOR_LABELS[light.color]])
    return sections.section(
        "agreed", "一、上周议定事项落实情况", [] if rows else [f"{previous}无议定事项。"],
        ["序号", "会议", "编号", "议定事项", "牵头单位", "完成时限", "状态", "进度", "亮灯"], rows)


def record_meeting(actor: User, *, period: Any, held_on: Any, title: Any, notes: Any = "",
                   items: list[dict[str, Any]] | None = None) -> DispatchMeeting:
    """Record a dispatch meeting; each agreed item becomes a task assigned by the office."""
    require_office(actor)
    parse_period(period)
    if not isinstance(held_on, date):
        raise ValidationError("held_on must be a date YYYY-MM-DD", "held_on")
    meeting = DispatchMeeting(period=period, held_on=held_on, created_by_id=actor.id,
                              title=validation.text(title, "title", 200, required=True),
                              notes=validation.text(notes, "notes"))
    if not items:
        raise ValidationError("a dispatch meeting records at least one agreed item", "items")
    for item in items:
        meeting.agreed_items.append(create_task(
            actor, title=item.get("title"), due_date=item.get("due_date"),
            lead_unit_id=item.get("lead_unit_id"), leader=item.get("leader") or "",
            description=f"{held_on.isoformat()} {meeting.title}议定事项"))
    db.session.add(meeting)
    db.session.flush()
    audit.record(actor, "dispatch.meeting", meeting,
                 detail={"period": period, "title": meeting.title,
                         "task_ids": [t.id for t in meeting.agreed_items]})
    return meeting


def meetings_query(period: str) -> Select:
    return (select(DispatchMeeting).where(DispatchMeeting.period == period)
            .options(selectinload(DispatchMeeting.agreed_items))
            .order_by(DispatchMeeting.held_on, DispatchMeeting.id))


def current_period() -> str:
    """The week a dispatch looks at by default: last week, whose reports are in."""
    return period_of(clock.today() - timedelta(days=7))
