"""The weekly dispatch (周调度) as bulletin content: last week's agreed items, then the
week's dispatch table."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.labels import REPORT_STATES
from tracker.labels import LIGHTS
from tracker.ledger.lights import light_of
from tracker.models import DispatchMeeting, Task
from tracker.regime.compilers import sections
from tracker.regime.dispatch_table import COLUMNS, FORMATS, dispatch_query, dispatch_rows
from tracker.reports.periods import parse_period, period_bounds, period_label, period_of


def compile_weekly(period: str, first: date, last: date, as_of: date) -> dict[str, Any]:
    """The week's dispatch as bulletin content: last week's agreed items, then the table."""
    rows = db.session.execute(dispatch_query(period, as_of)).all()
    counts = {state: 0 for state in REPORT_STATES}
    for row in rows:
        counts[row.state] += 1
    summary = "、".join(f"{label}{counts[state]}项" for state, label in REPORT_STATES.items()
                       if counts[state] or state != "pending")
    year, week = parse_period(period)
    return {
        "title": f"{year}年第{week}周工作调度表",
        "sections": [
            agreed_review_section(period, as_of),
            _table_section(rows, summary, as_of),
        ]}


def _table_section(rows: list, summary: str, as_of: date) -> dict[str, Any]:
    out = sections.section("table", "二、本周调度表", [f"本周应报送{len(rows)}项：{summary}。"],
                           COLUMNS, dispatch_rows(rows, as_of))
    out["table"]["formats"] = FORMATS
    out["landscape"] = True
    return out


def agreed_review_section(period: str, as_of: date,
                          visible: Callable[[list[Task]], list[Task]] | None = None) -> dict[str, Any]:
    """How the agreed items of the previous week's dispatch meetings went; *visible* narrows
    each meeting's items to those the reader may see (the page; a bulletin lists them all)."""
    previous = period_of(period_bounds(period)[0] - timedelta(days=7))
    meetings = db.session.scalars(
        select(DispatchMeeting).where(DispatchMeeting.period == previous)
        .options(selectinload(DispatchMeeting.agreed_items).selectinload(Task.lead_unit),
                 selectinload(DispatchMeeting.agreed_items).selectinload(Task.milestones))
        .order_by(DispatchMeeting.held_on, DispatchMeeting.id)).all()
    rows = []
    for meeting in meetings:
        for task in visible(meeting.agreed_items) if visible else meeting.agreed_items:
            light = light_of(task, as_of)
            rows.append([len(rows) + 1, meeting.title, task.code, task.title, task.lead_unit.name,
                         task.due_date.isoformat(), task.status_label, f"{task.progress}%",
                         LIGHTS[light.color]])
    return sections.section(
        "agreed", "一、上周议定事项落实情况", [] if rows else [f"{period_label(previous)}无议定事项。"],
        ["序号", "会议", "编号", "议定事项", "牵头单位", "完成时限", "状态", "进度", "亮灯"], rows)
