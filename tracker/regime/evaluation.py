"""The annual evaluation (年考评): a configurable scoring model over a year's plan.

Each unit's score is built from lines, each naming its item (or month, or the office's
reason) and its points; `parts` sums the lines per part, so the parts add up to the
score: base + completed + early + overdue + returned + reports + redblack + office + cap,
where cap brings a score above the ceiling back to it. A vetoed unit (一票否决) ranks
below every other unit.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, time
from typing import Any

from flask import current_app
from sqlalchemy import select

from tracker import calendar, clock
from tracker.accounts.lookups import unit_names
from tracker.extensions import db
from tracker.i18n import N_
from tracker.ledger import state
from tracker.ledger.levels import counted_clause
from tracker.models import EvaluationAdjustment, Plan, SignoffRequest, Task, task_co_units
from tracker.regime.redblack import placings, rule_set
from tracker.reports import cycles
from tracker.reports.periods import (enabled_kinds, next_period, parse_period, period_bounds,
                                     period_of)

PARTS = {"base": N_("基础分"), "completed": N_("完成加分"), "early": N_("提前完成加分"),
         "overdue": N_("逾期扣分"), "returned": N_("销号退回扣分"), "reports": N_("报送扣分"),
         "redblack": N_("红黑榜"), "office": N_("办公室评价"), "cap": N_("封顶调整")}


def evaluate(year: int, as_of: date | None = None) -> dict[str, Any]:
    """{year, as_of, items: [{unit_id, unit_name, score, rank, parts, bottom, vetoed,
    veto_reason, lines}]} best first."""
    today = clock.today(as_of)
    cfg = current_app.config["SETTINGS"]["evaluation"]
    card = Scorecard()
    plan = db.session.scalar(select(Plan).where(Plan.year == year))
    if plan is not None:
        items = _plan_items(plan)
        _item_lines(card, items, today, cfg)
        _returned_lines(card, plan, year, today, cfg)
        _report_lines(card, plan, items, year, today, cfg)
    _placing_lines(card, year, today, cfg)
    vetoes = _office_lines(card, year, cfg)
    results = [_result(unit_id, card.lines[unit_id], vetoes.get(unit_id), cfg)
               for unit_id in card.units]
    _rank(results, int(cfg["bottom_n"]))
    _name_units(results)
    return {"year": year, "as_of": today.isoformat(), "items": results}


class Scorecard:
    """Scoring lines per unit; every unit touched is evaluated, even with no lines."""

    def __init__(self):
        self.lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.units: set[int] = set()

    def touch(self, unit_id: int) -> None:
        self.units.add(unit_id)

    def add(self, unit_id: int, part: str, points: float, reason: str, item=None) -> None:
        self.units.add(unit_id)
        if points:
            self.lines[unit_id].append({
                "part": part, "points": points, "reason": reason,
                "task_id": item.id if item is not None else None,
                "task_code": item.code if item is not None else None})


def _plan_items(plan: Plan) -> dict[int, Any]:
    rows = db.session.execute(
        select(Task.id, Task.code, Task.title, Task.lead_unit_id, Task.due_date, Task.signed_off_at)
        .where(Task.plan_id == plan.id, state.judged_clause(), counted_clause())
        .order_by(Task.sort_key)).all()
    co: dict[int, list[int]] = defaultdict(list)
    for task_id, unit_id in db.session.execute(
            select(task_co_units.c.task_id, task_co_units.c.unit_id)
            .join(Task, Task.id == task_co_units.c.task_id).where(Task.plan_id == plan.id)):
        co[task_id].append(unit_id)
    return {row.id: (row, co.get(row.id, ())) for row in rows}


def _item_lines(card: Scorecard, items: dict, today: date, cfg: dict) -> None:
    """Completed (+lead/+co), early (+lead) and overdue (−lead/−co) per item."""
    cut = clock.cutoff(today)
    first_due = min((row.due_date for row, _ in items.values()), default=today)
    days = calendar.WorkdayCounter(min(first_due, today), max(today, first_due))
    for row, co_units in items.values():
        done = row.signed_off_at is not None and row.signed_off_at < cut
        done_day = clock.local(row.signed_off_at).date() if done else None
        name = f"{row.code} {row.title}"
        for unit_id in (row.lead_unit_id, *co_units):
            card.touch(unit_id)
        if done:
            card.add(row.lead_unit_id, "completed", cfg["completed_lead"], f"{name}：已销号（牵头）", row)
            for unit_id in co_units:
                card.add(unit_id, "completed", cfg["completed_co"], f"{name}：已销号（配合）", row)
            if done_day < row.due_date:
                card.add(row.lead_unit_id, "early", cfg["early_bonus"],
                         f"{name}：提前{(row.due_date - done_day).days}天完成", row)
        late_until = done_day if done else (today if row.due_date < today else None)
        if late_until is not None and late_until > row.due_date:
            n = days.between(row.due_date, min(late_until, days.end))
            what = "逾期完成" if done else "逾期未完成"
            card.add(row.lead_unit_id, "overdue", cfg["overdue_lead"],
                     f"{name}：{what}，逾期{n}个工作日（完成时限{row.due_date}）", row)
            for unit_id in co_units:
                card.add(unit_id, "overdue", cfg["overdue_co"],
                         f"{name}：{what}，逾期{n}个工作日（配合）", row)


def _returned_lines(card: Scorecard, plan: Plan, year: int, today: date, cfg: dict) -> None:
    rows = db.session.execute(
        select(SignoffRequest.unit_id, SignoffRequest.reason, Task.id, Task.code, Task.title)
        .join(Task, Task.id == SignoffRequest.task_id)
        .where(Task.plan_id == plan.id, SignoffRequest.status == "rejected",
               SignoffRequest.decided_at >= clock.local_datetime(date(year, 1, 1), time(0, 0)),
               SignoffRequest.decided_at < clock.cutoff(today))
        .order_by(SignoffRequest.decided_at)).all()
    for row in rows:
        card.add(row.unit_id, "returned", cfg["returned_signoff"],
                 f"{row.code} {row.title}：销号申请被退回（{row.reason}）", row)


def _report_lines(card: Scorecard, plan: Plan, items: dict, year: int, today: date,
                  cfg: dict) -> None:
    """One line per item: its late and missing reports over the year's closed periods."""
    counts = cycles.item_counts(_year_periods(year, today), today, Task.plan_id == plan.id)
    for task_id, n in counts.items():
        if not (n["late"] or n["missing"]):
            continue
        row = items[task_id][0]
        points = n["late"] * cfg["late_report"] + n["missing"] * cfg["missing_report"]
        card.add(row.lead_unit_id, "reports", points,
                 f"{row.code} {row.title}：迟报{n['late']}次、缺报{n['missing']}次", row)


def _year_periods(year: int, today: date) -> list[str]:
    """The ISO weeks of *year* and, when the monthly cycle is on, its months, whose report
    deadline has passed by *today*."""
    out = []
    for kind in enabled_kinds():
        period = period_of(date(year, 1, 4), kind)  # 4 January always lies in ISO week 1
        while parse_period(period, kinds=(kind,))[0] == year and cycles.is_closed(period, today):
            out.append(period)
            period = next_period(period)
    return out


def _placing_lines(card: Scorecard, year: int, today: date, cfg: dict) -> None:
    """± per month of the year on the red or black list (months ended by *today*)."""
    ends = [end for end in (period_bounds(f"{year}-{month:02d}")[1] for month in range(1, 13))
            if end <= today]
    for end, (red, black) in placings(ends, rule_set()).items():
        for unit_id in red:
            card.add(unit_id, "redblack", cfg["red_placing"], f"{year}年{end.month}月红榜")
        for unit_id in black:
            card.add(unit_id, "redblack", cfg["black_placing"], f"{year}年{end.month}月黑榜")


def _office_lines(card: Scorecard, year: int, cfg: dict) -> dict[int, str]:
    """The office's ratings and adjustments as lines; returns {unit_id: veto reason}."""
    vetoes: dict[int, str] = {}
    for adj in db.session.scalars(select(EvaluationAdjustment).where(EvaluationAdjustment.year == year)
                                  .order_by(EvaluationAdjustment.id)):
        if adj.kind == "veto":
            card.touch(adj.unit_id)
            vetoes[adj.unit_id] = adj.reason
        elif adj.kind == "rating":
            card.add(adj.unit_id, "office", cfg["ratings"][adj.rating],
                     f"质量评价“{adj.rating}”：{adj.reason}")
        else:
            card.add(adj.unit_id, "office", adj.points, f"加减分：{adj.reason}")
    return vetoes


def _result(unit_id: int, lines: list[dict], veto: str | None, cfg: dict) -> dict[str, Any]:
    parts = dict.fromkeys(PARTS, 0.0)
    parts["base"] = float(cfg["base"])
    for line in lines:
        parts[line["part"]] += line["points"]
    parts = {k: round(v, 2) for k, v in parts.items()}
    total = round(sum(parts.values()), 2)
    if total > cfg["cap"]:
        parts["cap"] = round(cfg["cap"] - total, 2)
    return {"unit_id": unit_id, "score": round(sum(parts.values()), 2), "rank": None,
            "parts": parts, "bottom": False, "vetoed": veto is not None, "veto_reason": veto or "",
            "lines": lines}


def _rank(results: list[dict], bottom_n: int) -> None:
    """Competition ranks (1, 1, 3 …), vetoed units last; bottom N flagged with ties."""
    results.sort(key=lambda r: (r["vetoed"], -r["score"], r["unit_id"]))
    keys = [(r["vetoed"], -r["score"]) for r in results]
    for position, result in enumerate(results):
        result["rank"] = keys.index(keys[position]) + 1
    worst = list(reversed(keys))
    for position, result in enumerate(results):
        result["bottom"] = worst.index(keys[position]) < bottom_n


def _name_units(results: list[dict]) -> None:
    ids = [r["unit_id"] for r in results]
    names = unit_names(ids)
    for result in results:
        result["unit_name"] = names.get(result["unit_id"], "")
