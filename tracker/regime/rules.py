"""The red/black list's rule set: documented presets, chosen and tuned in config.toml.

`[redblack] preset` names one of PRESETS; `[redblack] overrides` replaces any of its keys.
docs/regime.md describes each preset and key.
"""
from __future__ import annotations

from typing import Any

from flask import current_app

from tracker.config import ConfigError

PRESETS: dict[str, dict[str, Any]] = {
    # What most city offices publish monthly: top 3 and bottom 3 by completion index,
    # items more than 10 working days late, units late with reports two weeks running.
    "standard": {
        "red_top": 3, "black_bottom": 3, "black_below": 1.0, "overdue_workdays": 10,
        "missed_report_weeks": 2, "discipline_weeks": 4, "cycle": "month",
        "escalation": ["约谈分管领导", "组织部门约谈", "启动问责"],
    },
    # Offices under pressure to close the year: a longer black list, a shorter fuse.
    "strict": {
        "red_top": 3, "black_bottom": 5, "black_below": 1.0, "overdue_workdays": 5,
        "missed_report_weeks": 1, "discipline_weeks": 4, "cycle": "month",
        "escalation": ["约谈分管领导", "组织部门约谈", "启动问责"],
    },
    # Weekly dispatch offices: placings counted per week, only the worst named.
    "weekly": {
        "red_top": 5, "black_bottom": 1, "black_below": 0.8, "overdue_workdays": 15,
        "missed_report_weeks": 3, "discipline_weeks": 2, "cycle": "week",
        "escalation": ["书面督办", "约谈分管领导", "组织部门约谈", "启动问责"],
    },
}
CYCLES = ("month", "week")


def rule_set() -> dict[str, Any]:
    """The configured rules: the preset with its overrides applied and checked."""
    cfg = current_app.config["SETTINGS"]["redblack"]
    name = cfg["preset"]
    if name not in PRESETS:
        raise ConfigError(f"[redblack] preset must be one of {', '.join(PRESETS)}, got {name!r}")
    rules = dict(PRESETS[name], preset=name)
    for key, value in cfg.get("overrides", {}).items():
        if key not in PRESETS[name]:
            raise ConfigError(f"[redblack] overrides: unknown rule {key!r}")
        rules[key] = value
    if rules["cycle"] not in CYCLES or not rules["escalation"]:
        raise ConfigError("[redblack] cycle must be month or week and escalation not empty")
    return rules
