"""Input bounds in one place: every value a user or a peer sends (API, forms, CLI, query
strings) is checked here, and each failure names its field.

- Text is normalised on the way in: Word's vertical tab becomes a line break; other control
  characters (all but tab and line breaks), lone surrogates and non-characters are removed;
  then "required" and the length are checked.
- Dates and periods lie within `[input] min_date` … `max_date` (2000-01-01 … 2099-12-31).
- Integers fit the database's INTEGER columns (ids, versions, counts: 32 bits on PostgreSQL);
  an id beyond them cannot exist (404, see lookup.require and web.BoundedInt).
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask import current_app
from wtforms import DateField
from wtforms.validators import ValidationError as FormError
from flask_babel import lazy_gettext as _l

from tracker.errors import ValidationError

# The largest (and, negated, smallest) integer an INTEGER column (every id) can hold.
MAX_INTEGER = 2**31 - 1
# What no stored text may hold: C0 controls but tab, line feed and carriage return, DEL,
# lone surrogates and the non-characters U+FFFE/U+FFFF (XML cannot carry them either).
_UNWANTED = re.compile("[\x00-\x08\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean(value: str) -> str:
    """*value* normalised: vertical tab (Word's manual line break) → line break, then every
    unwanted character removed."""
    return _UNWANTED.sub("", value.replace("\x0b", "\n"))


def text(value: Any, field: str, limit: int | None = None, required: bool = False) -> str:
    """Normalised, stripped text; "" for a missing optional value. *limit* defaults to
    `[app] max_text_length`."""
    if limit is None:
        limit = current_app.config["SETTINGS"]["app"]["max_text_length"]
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be text", field, text=_l("请填写文字"))
    value = clean(value).strip()
    if required and not value:
        raise ValidationError(f"{field} is required", field, text=_l("必填"))
    if len(value) > limit:
        raise ValidationError(f"{field} is longer than {limit} characters", field,
                              text=_l("不能超过 %(limit)s 个字", limit=limit))
    return value


def is_integer(value: Any) -> bool:
    """True for an int that is not a bool (JSON true is not an id) and fits an INTEGER column."""
    return isinstance(value, int) and not isinstance(value, bool) and -MAX_INTEGER <= value <= MAX_INTEGER


def integer(value: Any, field: str, message: str | None = None, text: Any = None) -> int:
    """*value* as an int (a bool is not one), or a ValidationError naming *field* (*text*:
    what a page says instead)."""
    if isinstance(value, int) and not isinstance(value, bool) and not is_integer(value):
        raise ValidationError(f"{field} is out of range", field, text=_l("数值超出范围"))
    if not is_integer(value):
        raise ValidationError(message or f"{field} must be an integer", field,
                              text=text or _l("请填写整数"))
    return value


def number(value: Any, field: str) -> float | None:
    """A non-negative quantity (目标值, 累计完成) or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(f"{field} must be a number", field, text=_l("请填写数字"))
    if not 0 <= value < 1e14:
        raise ValidationError(f"{field} must be between 0 and 10^14", field,
                              text=_l("须为不小于 0 的数"))
    return float(value)


def percent(value: Any, field: str) -> int:
    """A whole percentage 0–100."""
    integer(value, field, f"{field} must be a whole number from 0 to 100", text=_l("须为 0 到 100 的整数"))
    if not 0 <= value <= 100:
        raise ValidationError(f"{field} must be from 0 to 100, got {value}", field,
                              text=_l("须为 0 到 100 的整数"))
    return value


def one_of(value: Any, choices, field: str) -> str:
    """*value* when it is one of *choices* (names), else 400 naming *field* (also for a value
    that is not text: a JSON object is no kind, and must not reach a dict lookup)."""
    if not isinstance(value, str) or value not in choices:
        raise ValidationError(f"{field} must be one of {', '.join(choices)}", field,
                              text=_l("请从列表中选择"))
    return value


def like_escaped(words: str) -> str:
    """*words* for a LIKE pattern that matches them literally (escape character backslash)."""
    return words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def date_bounds() -> tuple[date, date]:
    """The first and last day any date or period may name (`[input] min_date`, `max_date`)."""
    cfg = current_app.config["SETTINGS"]["input"]
    return date.fromisoformat(cfg["min_date"]), date.fromisoformat(cfg["max_date"])


def day(value: Any, field: str, required: bool = False) -> date | None:
    """A date within the bounds, None for a missing optional one; 400 naming *field*."""
    if value is None and not required:
        return None
    if value is None:
        raise ValidationError(f"{field} is required", field, text=_l("必填"))
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationError(f"{field} must be a date YYYY-MM-DD", field,
                              text=_l("请填写日期，如 2026-11-30"))
    low, high = date_bounds()
    if not low <= value <= high:
        raise ValidationError(f"日期超出范围 {low} 至 {high} ({field} must be from {low} to {high})",
                              field, text=_l("日期须在 %(low)s 至 %(high)s 之间", low=low, high=high))
    return value


def parse_day(value: Any, field: str) -> date:
    """A date written YYYY-MM-DD within the bounds, or a ValidationError naming *field*."""
    if isinstance(value, str) and len(value) == 10:
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None:
            return day(parsed, field, required=True)
    raise ValidationError(f"{field} must be a date YYYY-MM-DD, got {value!r}", field)


class DateInput(DateField):
    """A form's date field that refuses a date outside the bounds, like every other entry."""

    def pre_validate(self, form) -> None:
        if self.data is not None:
            try:
                day(self.data, self.name)
            except ValidationError as exc:
                raise FormError(exc.message) from None
