"""The weekly dispatch (周调度): the week's table in the ledger's layout, and the dispatch
meeting whose agreed items (议定事项) become tracked tasks."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from tracker import audit, clock, validation
from tracker.accounts.permissions import require_office
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.ledger.operations import create_task
from tracker.models import DispatchMeeting, ProgressReport, Task, User
from tracker.regime import cycles, sections
from tracker.regime.lights import COLOR_LABELS, light_of
from tracker.reports.periods import parse_period, period_bounds, period_of

COLUMNS = ["序号", "编号", "任务名称", "牵头单位", "责任领导", "完成时限", "本周进展", "存在问题",
           "下步计划", "状态", "亮灯", "报送情况"]


def dispatch_query(period: str, as_of: date | None = None) -> Select:
    """(Task, report state) for every item owing a report in *period*, in ledger order."""
    states = cycles.report_states(period, as_of).subquery()
    return (select(Task, states.c.state).join(states, states.c.task_id == Task.id)
            .options(selectinload(Task.milestones), selectinload(Task.lead_unit))
            .order_by(Task.sort_key, Task.id))


def dispatch_rows(pairs: list[tuple[Task, str]], period: str, today: date,
                  start: int = 1) -> list[list[Any]]:
    """Table rows for (task, state) pairs, with the lead unit's latest report of the week."""
    reports = _latest_reports([task.id for task, _ in pairs], period)
    rows = []
    for n, (task, state) in enumerate(pairs, start=start):
        report = reports.get(task.id)
        light = light_of(task, today)
        rows.append([n, task.code, task.title, task.lead_unit.name, task.leader,
                     task.due_date.isoformat(), report.text if report else "",
                     report.problems if report else "", report.next_steps if report else "",
                     task.status_label, f"{COLOR_LABELS[light.color]}（{light.reason}）",
                     cycles.STATES[state]])
    return rows


def _latest_reports(task_ids: list[int], period: str) -> dict[int, ProgressReport]:
    if not task_ids:
        return {}
    latest = (select(func.max(ProgressReport.id)).join(Task, Task.id == ProgressReport.task_id)
              .where(ProgressReport.period == period, ProgressReport.task_id.in_(task_ids),
                     ProgressReport.unit_id == Task.lead_unit_id)
              .group_by(ProgressReport.task_id))
    return {r.task_id: r for r in db.session.scalars(
        select(ProgressReport).where(ProgressReport.id.in_(latest)))}


def dispatch_content(period: str, as_of: date) -> dict[str, Any]:
    """The week's dispatch as bulletin content: last week's agreed items, then the table."""
    pairs = [tuple(row) for row in db.session.execute(dispatch_query(period, as_of))]
    counts = {state: 0 for state in cycles.STATES}
    for _, state in pairs:
        counts[state] += 1
    summary = "、".join(f"{label}{counts[state]}项" for state, label in cycles.STATES.items()
                       if counts[state] or state != "pending")
    year, week = parse_period(period)
    return {
        "title": f"{year}年第{week}周工作调度表",
        "sections": [
            agreed_review_section(period, as_of),
            sections.section("table", "二、本周调度表", [f"本周应报送{len(pairs)}项：{summary}。"],
                             COLUMNS, dispatch_rows(pairs, period, as_of)),
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
