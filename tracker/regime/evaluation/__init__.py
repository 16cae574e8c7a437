"""The annual evaluation (年考评): 100 points less rate-based deductions, ranked per series.

A unit is scored on the leaf items of the year's plan it leads, when it leads at least
`min_items` of them; the others are not scored (不参与评分) and listed apart, never ranked.
Each part is a weight × a rate (or a bounded deduction), so a unit with 3 items and one
with 30 compare fairly:

    score = base − Σ weight × (1 − rate) ± red/black placings ± office adjustments + cap

completion (items signed off ÷ items due), timeliness (lateness of the items due, in
working days, each capped at its share), reports (on-time reports ÷ reports owed over
the year's closed periods), quality (the office's rating). Every part is the sum of its
lines, each naming its item, month or the office's reason; `cap` brings the total back
within [floor, cap]. Units are ranked within their series (序列, as on the red/black list)
and graded (等次) by thresholds or quotas; a vetoed unit (一票否决) ranks below every other
unit of its series and is graded 较差. docs/regime.md explains the defaults.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any


from tracker import calendar, clock
from tracker.accounts.lookups import unit_names
from tracker.regime.evaluation import facts
from tracker.regime.evaluation.model import GRADES, PARTS, RATED, model
from tracker.regime.evaluation.ranking import rank_series
from tracker.regime.evaluation.scoring import score_unit
from tracker.regime.redblack import series_of, series_order

__all__ = ["GRADES", "PARTS", "RATED", "evaluate", "series_order"]


def evaluate(year: int, as_of: date | None = None) -> dict[str, Any]:
    """{year, as_of, grading, min_items, series: [{name, scored, unscored, grades}],
    items: [{unit_id, unit_name, series, score, rank, grade, grade_reason, parts, bottom,
    vetoed, veto_reason, lines, rates, counts}] (by series, best first),
    unscored: [{unit_id, unit_name, series, items, reason, vetoed, veto_reason}]}."""
    today = clock.today(as_of)
    cfg = model()
    # The year's report counts (the largest read) run aside while the items are read.
    reports = facts.report_counts(year, today)
    items = facts.plan_items(year, today)
    led: dict[int, list[facts.Item]] = defaultdict(list)
    for item in items:
        led[item.lead_unit_id].append(item)
    office = facts.office_judgements(year, today)
    kinds = facts.units()
    candidates = {u for u, kind in kinds.items() if kind != "office"} | set(led) | set(office)
    scored = sorted(u for u in candidates if len(led[u]) >= cfg["min_items"])
    series = series_of(candidates)
    counts = reports()  # waited for even when nobody is scored: no read outlives the call
    results = _scores(year, today, cfg, scored, led, office, counts) if scored else []
    unscored = [{"unit_id": u, "series": series[u], "items": len(led[u]),
                 "reason": f"不参与评分（本年度牵头事项{len(led[u])}项，不足{cfg['min_items']}项）",
                 "vetoed": u in office and office[u].veto is not None,
                 "veto_reason": office[u].veto or "" if u in office else ""}
                for u in sorted(candidates - set(scored))]
    order = {name: n for n, name in enumerate(series_order())}
    groups: dict[str, list[dict]] = defaultdict(list)
    for result in results:
        result["series"] = series[result["unit_id"]]
        groups[result["series"]].append(result)
    ranked = [r for name in sorted(groups, key=lambda s: (order.get(s, len(order)), s))
              for r in rank_series(groups[name], cfg)]
    unscored.sort(key=lambda r: (order.get(r["series"], len(order)), r["series"], r["unit_id"]))
    _name_units(ranked + unscored)
    return {"year": year, "as_of": today.isoformat(), "grading": cfg["grading"],
            "min_items": cfg["min_items"], "series": _series_summary(ranked, unscored),
            "items": ranked, "unscored": unscored}


def _scores(year: int, today: date, cfg: dict[str, Any], scored: list[int],
            led: dict[int, list], office: dict[int, facts.Office],
            reports: dict[int, dict[str, int]]) -> list[dict[str, Any]]:
    placed: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for end, (red, black) in sorted(facts.month_placings(year, today).items()):
        for unit_id in red:
            placed[unit_id].append((end, "red"))
        for unit_id in black:
            placed[unit_id].append((end, "black"))
    mine = [i for u in scored for i in led[u]]
    first = min([today, *(i.due_date for i in mine)])
    last = max([today, *(i.done_day for i in mine if i.done_day is not None)])
    days = calendar.WorkdayCounter(first, last)
    results = []
    for unit_id in scored:
        judged = office.get(unit_id)
        veto = judged.veto if judged else None
        results.append({"unit_id": unit_id, "rank": None, "bottom": False,
                        **score_unit(led[unit_id], reports, placed[unit_id], judged, cfg, today, days),
                        "vetoed": veto is not None, "veto_reason": veto or ""})
    return results


def _series_summary(ranked: list[dict], unscored: list[dict]) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for result in ranked:
        entry = out.setdefault(result["series"], {"name": result["series"], "scored": 0,
                                                  "unscored": 0, "grades": dict.fromkeys(GRADES, 0)})
        entry["scored"] += 1
        entry["grades"][result["grade"]] += 1
    for result in unscored:
        out.setdefault(result["series"], {"name": result["series"], "scored": 0, "unscored": 0,
                                          "grades": dict.fromkeys(GRADES, 0)})["unscored"] += 1
    order = {name: n for n, name in enumerate(series_order())}
    return sorted(out.values(), key=lambda e: (order.get(e["name"], len(order)), e["name"]))


def _name_units(entries: list[dict]) -> None:
    names = unit_names({e["unit_id"] for e in entries})
    for entry in entries:
        entry["unit_name"] = names.get(entry["unit_id"], "")
