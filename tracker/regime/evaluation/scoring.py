"""One unit's score from its facts: lines (each naming its item, month or the office's
reason) summed into parts, the parts into the score."""
from __future__ import annotations

from datetime import date
from math import floor
from typing import Any

from tracker import calendar
from tracker.clock import cn_date
from tracker.numbers import percent_text
from tracker.regime.evaluation.facts import Item, Office
from tracker.regime.evaluation.model import PARTS, rating_rate


class Card:
    """A unit's lines in exact points; `settle` rounds them to hundredths so that the
    lines of a part add up to the part exactly."""

    def __init__(self):
        self.lines: list[dict[str, Any]] = []

    def add(self, part: str, points: float, reason: str, item: Item | None = None) -> None:
        if points:
            self.lines.append({"part": part, "points": points, "reason": reason,
                               "task_id": item.id if item is not None else None,
                               "task_code": item.code if item is not None else None})

    def settle(self) -> dict[str, float]:
        """Round every line to 0.01 by largest remainder within its part (so the lines
        of a part add up to it exactly); return the parts."""
        by_part: dict[str, list[dict[str, Any]]] = {part: [] for part in PARTS}
        for line in self.lines:
            by_part[line["part"]].append(line)
        cents = dict.fromkeys(PARTS, 0)
        for part, lines in by_part.items():
            exact = [line["points"] * 100 for line in lines]
            target = round(sum(exact))
            floors = [floor(x) for x in exact]
            order = sorted(range(len(lines)), key=lambda i: floors[i] - exact[i])
            for i in order[:target - sum(floors)]:
                floors[i] += 1
            for line, value in zip(lines, floors):
                line["points"] = value / 100
            cents[part] = target
        self.lines = [line for line in self.lines if line["points"]]
        return {part: value / 100 for part, value in cents.items()}


def score_unit(items: list[Item], reports: dict[int, dict[str, int]],
               placed: list[tuple[date, str]], office: Office | None, cfg: dict[str, Any],
               today: date, days: calendar.WorkdayCounter) -> dict[str, Any]:
    """{score, parts, lines, rates, counts} of a unit leading *items*."""
    card = Card()
    card.add("base", cfg["base"], f"起评分{cfg['base']:g}分")
    weights = cfg["weights"]
    due = [i for i in items if i.done_day is not None or i.due_date < today]
    done = [i for i in due if i.done_day is not None]
    share = 1 / len(due) if due else 0
    for item in due:
        if item.done_day is None:
            card.add("completion", -weights["completion"] * share,
                     f"{item.name}：逾期未完成（完成时限{cn_date(item.due_date)}）", item)
    lateness = 0.0
    for item in due:
        until = item.done_day if item.done_day is not None else today
        if until <= item.due_date:
            continue
        n = days.between(item.due_date, until)
        fraction = min(n / cfg["late_full_workdays"], 1)
        lateness += fraction
        if item.done_day is None:
            what = f"逾期{n}个工作日未完成（完成时限{cn_date(item.due_date)}）"
        else:
            what = (f"逾期{n}个工作日完成（完成时限{cn_date(item.due_date)}，"
                    f"{cn_date(item.done_day)}销号）")
        full = f"，满{cfg['late_full_workdays']}个工作日扣足该项分值" if fraction == 1 else ""
        card.add("timeliness", -weights["timeliness"] * share * fraction,
                 f"{item.name}：{what}{full}", item)
    on_time, owed = _report_lines(card, items, reports, weights["reports"])
    quality = _quality_line(card, office, cfg)
    _placing_lines(card, placed, cfg)
    for adj in office.adjustments if office else ():
        card.add("office", adj.points, f"加减分：{adj.reason}")
    parts = card.settle()
    total = round(sum(parts.values()), 2)
    bound = cfg["cap"] if total > cfg["cap"] else cfg["floor"] if total < cfg["floor"] else None
    if bound is not None:
        parts["cap"] = round(bound - total, 2)
        card.add("cap", parts["cap"], f"总分{'超过' if total > bound else '低于'}{bound:g}分，"
                                      f"按{bound:g}分计")
    rates = {"completion": len(done) / len(due) if due else 1.0,
             "timeliness": 1 - lateness * share if due else 1.0,
             "reports": on_time / owed if owed else 1.0, "quality": quality}
    return {"score": round(sum(parts.values()), 2), "parts": parts,
            "lines": card.lines, "rates": {k: round(v, 4) for k, v in rates.items()},
            "counts": {"items": len(items), "due": len(due), "completed": len(done),
                       "late": sum(1 for i in due if (i.done_day or today) > i.due_date),
                       "reports_owed": owed, "reports_on_time": on_time}}


def _report_lines(card: Card, items: list[Item], reports: dict[int, dict[str, int]],
                  weight: float) -> tuple[int, int]:
    """One line per item reported late or not at all; the part loses weight × the share of
    the unit's owed reports that were not on time. Returns (on time, owed)."""
    counts = [(item, reports[item.id]) for item in items if item.id in reports]
    owed = sum(n["on_time"] + n["late"] + n["missing"] for _, n in counts)
    on_time = sum(n["on_time"] for _, n in counts)
    for item, n in counts:
        if n["late"] or n["missing"]:
            card.add("reports", -weight * (n["late"] + n["missing"]) / owed,
                     f"{item.name}：迟报{n['late']}次、缺报{n['missing']}次", item)
    return on_time, owed


def _quality_line(card: Card, office: Office | None, cfg: dict[str, Any]) -> float:
    """The office's latest quality rating (or the unrated rate) as the quality part."""
    rating = office.rating if office else None
    if rating is not None:
        rate = rating_rate(cfg, rating.rating)
        reason = f"质量评价“{rating.rating}”（得分率{percent_text(rate)}）：{rating.reason}"
    else:
        rate = float(cfg["unrated_quality"])
        reason = f"办公室未作质量评价，按得分率{percent_text(rate)}计"
    card.add("quality", -cfg["weights"]["quality"] * (1 - rate), reason)
    return rate


def _placing_lines(card: Card, placed: list[tuple[date, str]], cfg: dict[str, Any]) -> None:
    """± per month on the red or black list, the part bounded to ± redblack_limit."""
    total = 0.0
    for end, colour in placed:
        points = cfg["red_placing"] if colour == "red" else cfg["black_placing"]
        total += points
        card.add("redblack", points, f"{end.year}年{end.month}月{'红' if colour == 'red' else '黑'}榜")
    limit = cfg["redblack_limit"]
    if abs(total) > limit:
        bound = limit if total > 0 else -limit
        card.add("redblack", bound - total, f"红黑榜加减分以±{limit:g}分为限")
