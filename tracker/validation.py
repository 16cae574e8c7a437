"""Field checks shared by every operation; each failure names its field."""
from __future__ import annotations

from typing import Any

from flask import current_app

from tracker.errors import ValidationError


def text(value: Any, field: str, limit: int | None = None, required: bool = False) -> str:
    """Stripped text; "" for a missing optional value. *limit* defaults to
    `[app] max_text_length`."""
    if limit is None:
        limit = current_app.config["SETTINGS"]["app"]["max_text_length"]
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be text", field)
    value = value.strip()
    if required and not value:
        raise ValidationError(f"{field} is required", field)
    if len(value) > limit:
        raise ValidationError(f"{field} is longer than {limit} characters", field)
    return value


def is_integer(value: Any) -> bool:
    """True for an int that is not a bool (JSON true is not an id)."""
    return isinstance(value, int) and not isinstance(value, bool)


def integer(value: Any, field: str, message: str | None = None) -> int:
    """*value* as an int (a bool is not one), or a ValidationError naming *field*."""
    if not is_integer(value):
        raise ValidationError(message or f"{field} must be an integer", field)
    return value


def number(value: Any, field: str) -> float | None:
    """A non-negative quantity (目标值, 累计完成) or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(f"{field} must be a number", field)
    if not 0 <= value < 1e14:
        raise ValidationError(f"{field} must be between 0 and 10^14", field)
    return float(value)


def percent(value: Any, field: str) -> int:
    """A whole percentage 0–100."""
    integer(value, field, f"{field} must be a whole number from 0 to 100")
    if not 0 <= value <= 100:
        raise ValidationError(f"{field} must be from 0 to 100, got {value}", field)
    return value
