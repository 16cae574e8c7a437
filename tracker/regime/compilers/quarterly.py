"""The quarterly review (季推进): stage goals and main tasks, units' quarter, lagging items,
items forecast late per series, open problems by category and age with the coordinating
units' record (tracker.foresight.documents) and the quarter's approved extensions."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, time, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.calendar.sql import day_number, local_day_number
from tracker.extensions import db
from tracker.labels import LIGHTS
from tracker.ledger import state, timeline
from tracker.ledger.levels import counted_clause
from tracker.ledger.lights import light_expression, light_of
from tracker.models import ExtensionRequest, Task, Unit
from tracker.foresight import documents as foresight
from tracker.regime.compilers import sections

MIDNIGHT = time(0, 0)


def compile_quarterly(period: str, first: date, last: date, as_of: date) -> dict[str, Any]:
    quarter = (first.month + 2) // 3
    return {
        "title": f"{first.year}年第{quarter}季度工作推进情况",
        "sections": [
            _tree_section(), _quarter_units_section(first, last, as_of),
            _lagging_section(first, as_of),
            foresight.late_forecast_section("forecast", "四、预计不能按期完成的事项", as_of),
            foresight.ages_section("problems", "五、尚未解决的协调问题", as_of),
            foresight.coordinators_section("coordinators", "六、协调单位办理情况", first, as_of),
            _extensions_section(first, last, as_of),
        ]}


def _tree_section() -> dict[str, Any]:
    """Stage goals and main tasks with progress rolled up from their children (each child
    weighs the same; a signed-off item counts 100)."""
    rows = db.session.execute(select(Task.id, Task.parent_id, Task.depth, Task.code, Task.title,
                                     Task.progress, Task.status).order_by(Task.sort_key)).all()
    children: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        if row.parent_id is not None:
            children[row.parent_id].append(row.id)
    rolled: dict[int, float] = {}
    for row in sorted(rows, key=lambda r: -r.depth):
        kids = children.get(row.id)
        own = 100 if row.status == "signed_off" else row.progress
        rolled[row.id] = sum(rolled[k] for k in kids) / len(kids) if kids else own
    table = [[row.code, row.title, "阶段目标" if row.depth == 0 else "主要任务",
              len(children.get(row.id, ())), f"{rolled[row.id]:.1f}%"]
             for row in rows if row.depth <= 1]
    return sections.section("tree", "一、阶段目标和主要任务推进情况",
                            ["进度按下级任务平均汇总，已销号任务按100%计。"],
                            ["编号", "名称", "层级", "下级任务数", "加权进度"], table)


def _quarter_units_section(first: date, last: date, as_of: date) -> dict[str, Any]:
    """Per lead unit: the quarter's items due, done on time, done late, still open, as the
    ledger stood at the end of *as_of* (the deadlines then in force)."""
    cols = timeline.as_of(as_of)
    done = cols.status == "signed_off"
    on_time = and_(done, local_day_number(Task.signed_off_at) <= day_number(cols.due_date))
    rows = db.session.execute(cols.join(
        select(Unit.name, func.count(Task.id), func.sum(case((on_time, 1), else_=0)),
               func.sum(case((done, 1), else_=0)))
        .select_from(Task).join(Unit, Unit.id == Task.lead_unit_id))
        .where(cols.due_date >= first, cols.due_date <= last, state.judged_clause(cols.status),
               counted_clause(as_of))
        .group_by(Unit.id, Unit.name).order_by(Unit.id)).all()
    table = [[n, name, due, int(timely), int(signed) - int(timely), due - int(signed),
              sections.share(int(timely), due)]
             for n, (name, due, timely, signed) in enumerate(rows, start=1)]
    return sections.section("units", "二、各单位本季度完成情况",
                            ["本季度到期任务的完成情况（截至统计日）。按时完成率为按时完成事项占本季度到期事项的比例。"],
                            ["序号", "单位", "本季度到期", "按时完成", "逾期完成", "未完成", "按时完成率"],
                            table)


def _lagging_section(first: date, as_of: date) -> dict[str, Any]:
    """Open items lit yellow or red whose deadline is in or after this quarter, as the
    ledger stood at the end of *as_of*."""
    cols = timeline.as_of(as_of)
    rows = db.session.execute(cols.join(
        select(Task, cols.status, cols.due_date, cols.progress, cols.since).select_from(Task)
        .options(selectinload(Task.milestones), selectinload(Task.lead_unit)))
        .where(light_expression(as_of, cols) != "green", cols.due_date >= first, counted_clause(as_of))
        .order_by(cols.due_date, Task.sort_key)).all()
    table = []
    for n, (task, status, due, progress, since) in enumerate(rows, start=1):
        then = SimpleNamespace(status=status, due_date=due, progress=progress, status_since=since,
                               start_date=task.start_date, created_at=task.created_at,
                               milestones=task.milestones)
        light = light_of(then, as_of)
        table.append([n, task.code, task.title, task.lead_unit.name, due.isoformat(),
                      LIGHTS[light.color], light.reason])
    return sections.section("lagging", "三、滞后和新增逾期事项", [] if table else ["无滞后事项。"],
                            ["序号", "编号", "任务名称", "牵头单位", "完成时限", "亮灯", "原因"], table)


def _extensions_section(first: date, last: date, as_of: date) -> dict[str, Any]:
    end = min(last, as_of) + timedelta(days=1)
    rows = db.session.execute(
        select(Task.code, Task.title, ExtensionRequest.old_due_date, ExtensionRequest.new_due_date,
               ExtensionRequest.reason)
        .join(Task, Task.id == ExtensionRequest.task_id)
        .where(ExtensionRequest.status == "approved",
               ExtensionRequest.decided_at >= clock.local_datetime(first, MIDNIGHT),
               ExtensionRequest.decided_at < clock.local_datetime(end, MIDNIGHT))
        .order_by(ExtensionRequest.decided_at)).all()
    table = [[n, code, title, old.isoformat(), new.isoformat(), reason]
             for n, (code, title, old, new, reason) in enumerate(rows, start=1)]
    return sections.section("extensions", "七、本季度批准的延期", [] if table else ["本季度无批准的延期。"],
                            ["序号", "编号", "任务名称", "原完成时限", "新完成时限", "理由"], table)
