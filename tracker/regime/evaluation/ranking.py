"""Ranks within a series (序列), the bottom flag and the grade (等次)."""
from __future__ import annotations

from fractions import Fraction
from math import floor
from typing import Any

from tracker.numbers import percent_text
from tracker.regime.evaluation.model import GRADES, WORST


def rank_series(members: list[dict[str, Any]], cfg: dict[str, Any]) -> list[dict[str, Any]]:
    """Sort one series' scored units best first and set rank (1 best, equal scores share:
    1, 1, 3 …; vetoed units below every other), bottom and grade with its reason."""
    members.sort(key=lambda r: (r["vetoed"], -r["score"], r["unit_id"]))
    keys = [(r["vetoed"], -r["score"]) for r in members]
    rank = 0
    for position, result in enumerate(members):
        if position == 0 or keys[position] != keys[position - 1]:
            rank = position + 1
        result["rank"] = rank
    worse = 0
    for position in range(len(members) - 1, -1, -1):
        if position < len(members) - 1 and keys[position] != keys[position + 1]:
            worse = len(members) - 1 - position
        # No unit is both the best of its series and its bottom.
        members[position]["bottom"] = worse < cfg["bottom_n"] and members[position]["rank"] > 1
    _grade(members, cfg)
    return members


def _grade(members: list[dict[str, Any]], cfg: dict[str, Any]) -> None:
    """By thresholds; with grading "quotas", a grade's excess goes down a grade, worst first,
    and a tie that would overflow the quota goes down whole."""
    thresholds = cfg["thresholds"]
    for result in members:
        if result["vetoed"]:
            result["grade"], result["grade_reason"] = WORST, f"一票否决：{result['veto_reason']}"
            continue
        grade = next((g for g, minimum in thresholds.items() if result["score"] >= minimum), WORST)
        result["grade"] = grade
        result["grade_reason"] = (f"得分{result['score']:g}分，达到{grade}标准（{thresholds[grade]:g}分以上）"
                                  if grade != WORST else
                                  f"得分{result['score']:g}分，低于{thresholds['一般']:g}分")
    if cfg["grading"] != "quotas":
        return
    order = list(GRADES)
    for grade, share in ((g, cfg["quotas"][g]) for g in order if g in cfg["quotas"]):
        allowed = floor(Fraction(str(share)) * len(members))
        holders = [r for r in members if r["grade"] == grade]
        if len(holders) <= allowed:
            continue
        cut = allowed
        while 0 < cut and holders[cut]["rank"] == holders[cut - 1]["rank"]:
            cut -= 1
        lower = order[order.index(grade) + 1]
        for result in holders[cut:]:
            result["grade"] = lower
            result["grade_reason"] = (f"得分{result['score']:g}分，{grade}名额已满（不超过本序列"
                                      f"{percent_text(share)}即{allowed}个），评为{lower}")
