"""Compiling bulletins: the weekly dispatch, monthly bulletin, quarterly review and annual
evaluation, each as of the end of its period (or today, if the period is still running)."""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.models import BULLETIN_KINDS, ExtensionRequest, Task, Unit
from tracker.regime import sections
from tracker.reports import cycles
from tracker.regime.evaluation import PARTS, evaluate
from tracker.regime.dispatch import dispatch_content
from tracker.ledger.lights import COLOR_LABELS, light_expression, light_of
from tracker.regime.redblack import redblack, report_summaries
from tracker.calendar.sql import day_number, local_day_number
from tracker.reports.periods import (due_within, enabled_kinds, parse_period, period_bounds,
                                     periods_in)

PERIOD_RE = {"weekly": re.compile(r"^\d{4}-W\d{2}$"), "monthly": re.compile(r"^(\d{4})-(\d{2})$"),
             "quarterly": re.compile(r"^(\d{4})-Q([1-4])$"), "annual": re.compile(r"^(\d{4})$")}
MIDNIGHT = time(0, 0)
EXAMPLES = {"weekly": "2026-W47", "monthly": "2026-11", "quarterly": "2026-Q4", "annual": "2026"}


def period_span(kind: Any, period: Any) -> tuple[date, date]:
    """First and last day of a bulletin period; 400 naming the field when malformed."""
    if kind not in BULLETIN_KINDS:
        raise ValidationError(f"kind must be one of {', '.join(BULLETIN_KINDS)}", "kind")
    match = PERIOD_RE[kind].match(period) if isinstance(period, str) else None
    if not match:
        raise ValidationError(f"period of a {kind} bulletin looks like {EXAMPLES[kind]}", "period")
    if kind == "weekly":
        parse_period(period)
        return period_bounds(period)
    year = int(match[1])
    if kind == "annual":
        return date(year, 1, 1), date(year, 12, 31)
    first_month = int(match[2]) if kind == "monthly" else 3 * int(match[2]) - 2
    if not 1 <= first_month <= 12:
        raise ValidationError(f"period {period} has no such month", "period")
    last_month = first_month + (0 if kind == "monthly" else 2)
    return date(year, first_month, 1), _month_end(year, last_month)


def _month_end(year: int, month: int) -> date:
    return (date(year, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def report_periods(first: date, last: date) -> list[str]:
    """The periods whose reports a bulletin over [first, last] quotes: the ISO weeks whose
    Monday falls within it and, when the monthly cycle is on, its months."""
    return [p for kind in enabled_kinds() for p in periods_in(first, last, kind)]


def rated_periods(first: date, last: date, as_of: date) -> list[str]:
    """The closed periods a bulletin's on-time report rate covers: the ISO weeks whose
    Monday falls within [first, last] and, when the monthly cycle is on, the months whose
    reports were due within it (a month's reports come due after it, so a monthly
    bulletin rates the month before)."""
    months = due_within(first, last, "monthly") if "monthly" in enabled_kinds() else []
    return [p for p in periods_in(first, last, "weekly") + months if cycles.is_closed(p, as_of)]


def compile_content(kind: str, period: str, today: date | None = None) -> dict[str, Any]:
    """The bulletin's content as of the end of its period, or *today* if sooner (a weekly
    dispatch: as of *today*)."""
    first, last = period_span(kind, period)
    # A week's reports are due in the week after it, so the dispatch judges it as of today.
    as_of = clock.today(today) if kind == "weekly" else min(last, clock.today(today))
    body = COMPILERS[kind](period, first, last, as_of)
    return {"kind": kind, "period": period, "as_of": as_of.isoformat(),
            "compiled_at": clock.local(clock.now()).isoformat(), "chart": None, **body}


def monthly(period: str, first: date, last: date, as_of: date) -> dict[str, Any]:
    summaries = report_summaries(as_of)
    stats = sections.overall(as_of, rated_periods(first, last, as_of), summaries)
    units, chart = sections.unit_table(as_of, stats)
    next_last = _month_end((last + timedelta(days=1)).year, (last + timedelta(days=1)).month)
    return {
        "title": f"{first.year}年{first.month}月工作推进情况通报", "chart": chart,
        "sections": [
            sections.overall_section("overall", "一、总体进展", stats, as_of, "本月"), units,
            *sections.redblack_sections(redblack(as_of, summaries), "三、红榜", "四、黑榜"),
            sections.problems_section("problems", "五、需协调解决的问题", report_periods(first, last)),
            sections.items_due_section("next", "六、下月工作重点", last + timedelta(days=1), next_last),
        ]}


def quarterly(period: str, first: date, last: date, as_of: date) -> dict[str, Any]:
    quarter = (first.month + 2) // 3
    return {
        "title": f"{first.year}年第{quarter}季度工作推进情况",
        "sections": [
            _tree_section(), _quarter_units_section(first, last, as_of),
            _lagging_section(first, as_of),
            sections.problems_section("problems", "四、尚未解决的协调问题",
                                      report_periods(first, last)),
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
    """Per lead unit: the quarter's items due, done on time, done late, still open."""
    done = Task.signed_off_at < cycles.cutoff(as_of)
    on_time = and_(done, local_day_number(Task.signed_off_at) <= day_number(Task.due_date))
    rows = db.session.execute(
        select(Unit.name, func.count(Task.id), func.sum(case((on_time, 1), else_=0)),
               func.sum(case((done, 1), else_=0)))
        .join(Task, Task.lead_unit_id == Unit.id)
        .where(Task.due_date >= first, Task.due_date <= last, Task.status != "suspended")
        .group_by(Unit.id, Unit.name).order_by(Unit.id)).all()
    table = [[n, name, due, int(timely), int(signed) - int(timely), due - int(signed),
              sections.share(int(timely), due)]
             for n, (name, due, timely, signed) in enumerate(rows, start=1)]
    return sections.section("units", "二、各单位本季度完成情况",
                            ["本季度到期任务的完成情况（截至统计日），完成率按按时完成计。"],
                            ["序号", "单位", "本季度到期", "按时完成", "逾期完成", "未完成", "完成率"],
                            table)


def _lagging_section(first: date, as_of: date) -> dict[str, Any]:
    """Open items lit yellow or red whose deadline is in or after this quarter."""
    tasks = db.session.scalars(
        select(Task).options(selectinload(Task.milestones), selectinload(Task.lead_unit))
        .where(light_expression(as_of) != "green", Task.due_date >= first)
        .order_by(Task.due_date, Task.sort_key)).all()
    table = []
    for n, task in enumerate(tasks, start=1):
        light = light_of(task, as_of)
        table.append([n, task.code, task.title, task.lead_unit.name, task.due_date.isoformat(),
                      COLOR_LABELS[light.color], light.reason])
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
    return sections.section("extensions", "五、本季度批准的延期", [] if table else ["本季度无批准的延期。"],
                            ["序号", "编号", "任务名称", "原完成时限", "新完成时限", "理由"], table)


def annual(period: str, first: date, last: date, as_of: date) -> dict[str, Any]:
    stats = sections.overall(as_of, rated_periods(first, last, as_of))
    result = evaluate(first.year, as_of)
    rows = [[r["rank"], r["unit_name"], r["score"], *(r["parts"][p] for p in PARTS),
             "是" if r["bottom"] else "", r["veto_reason"]] for r in result["items"]]
    chart = {"title": "各单位年度考评得分", "labels": [r["unit_name"] for r in result["items"][:30]],
             "values": [r["score"] for r in result["items"][:30]]}
    return {
        "title": f"{first.year}年度考评结果通报", "chart": chart,
        "sections": [
            sections.overall_section("overall", "一、年度总体情况", stats, as_of, "全年"),
            sections.section("evaluation", "二、年度考评得分与排名",
                             ["得分由各项得分相加而成，逐项扣分明细见考评页面。"],
                             ["排名", "单位", "得分", *PARTS.values(), "末位", "一票否决"], rows),
        ]}


def weekly(period: str, first: date, last: date, as_of: date) -> dict[str, Any]:
    return dispatch_content(period, as_of)


COMPILERS = {"weekly": weekly, "monthly": monthly, "quarterly": quarterly, "annual": annual}
