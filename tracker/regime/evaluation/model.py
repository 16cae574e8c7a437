"""The scoring model of the annual evaluation, read from `[evaluation]` and checked."""
from __future__ import annotations

from typing import Any

from flask import current_app

from tracker import validation
from tracker.config import ConfigError
from tracker.i18n import N_

# The parts of a score, in the order they are printed; their values add up to the score.
PARTS = {"base": N_("起评分"), "completion": N_("完成率"), "timeliness": N_("按期完成"),
         "reports": N_("报送纪律"), "quality": N_("质量评价"), "redblack": N_("红黑榜"),
         "office": N_("加减分"), "cap": N_("封顶保底")}
# The rate-based parts: each loses weight × (1 − rate).
RATED = ("completion", "timeliness", "reports", "quality")
# 等次, best first; a unit below every threshold is the last.
GRADES = {"优秀": N_("优秀"), "良好": N_("良好"), "一般": N_("一般"), "较差": N_("较差")}
WORST = "较差"
GRADINGS = ("thresholds", "quotas")


def model() -> dict[str, Any]:
    """The configured model, checked: a wrong key fails loudly rather than scoring wrongly."""
    cfg = current_app.config["SETTINGS"]["evaluation"]
    weights = cfg["weights"]
    if set(weights) != set(RATED) or not all(_number(w) and w >= 0 for w in weights.values()):
        raise ConfigError(f"[evaluation] weights must give {', '.join(RATED)} each a number ≥ 0")
    for key in ("base", "cap", "floor", "red_placing", "black_placing", "redblack_limit",
                "unrated_quality"):
        if not _number(cfg[key]):
            raise ConfigError(f"[evaluation] {key} must be a number")
    if not 0 <= cfg["unrated_quality"] <= 1:
        raise ConfigError("[evaluation] unrated_quality must be a rate from 0 to 1")
    for key in ("min_items", "late_full_workdays", "bottom_n"):
        if not validation.is_integer(cfg[key]) or cfg[key] < (1 if key == "late_full_workdays" else 0):
            raise ConfigError(f"[evaluation] {key} must be a whole number")
    if cfg["grading"] not in GRADINGS:
        raise ConfigError(f"[evaluation] grading must be one of {', '.join(GRADINGS)}")
    upper = [g for g in GRADES if g != WORST]
    thresholds, quotas = cfg["thresholds"], cfg["quotas"]
    if set(thresholds) != set(upper) or not all(_number(v) for v in thresholds.values()) \
            or [thresholds[g] for g in upper] != sorted(thresholds.values(), reverse=True):
        raise ConfigError("[evaluation] thresholds must give 优秀 ≥ 良好 ≥ 一般 a minimum score")
    if not set(quotas) <= set(upper) or not all(_number(v) and 0 <= v <= 1 for v in quotas.values()):
        raise ConfigError("[evaluation] quotas must give 优秀, 良好 or 一般 a share from 0 to 1")
    return {**cfg, "weights": {part: float(weights[part]) for part in RATED},
            "thresholds": {g: float(thresholds[g]) for g in upper}}


def rating_rate(cfg: dict[str, Any], rating: str) -> float:
    """The quality part's rate for an office rating (a fraction of its weight)."""
    rate = cfg["ratings"][rating]
    if not _number(rate) or not 0 <= rate <= 1:
        raise ConfigError(f"[evaluation] ratings: {rating} must be a rate from 0 to 1")
    return float(rate)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)



