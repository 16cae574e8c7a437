"""The one clock: "now" in UTC and "today" in the office's time zone.

Tests and `run-job --as-of` fix it; everything else asks it rather than the system.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """Current instant, timezone-aware UTC. `FIXED_NOW` in the app config pins it."""
    if has_app_context():
        fixed = current_app.config.get("FIXED_NOW")
        if fixed is not None:
            return fixed.astimezone(UTC)
    return datetime.now(UTC)


def today(as_of: date | None = None) -> date:
    """The office's calendar date (Asia/Shanghai), or *as_of* when given."""
    if as_of is not None:
        return as_of
    return now().astimezone(LOCAL_TZ).date()


def local(dt: datetime | None) -> datetime | None:
    """Show a stored UTC instant in Asia/Shanghai."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(LOCAL_TZ)


def local_datetime(day: date, at: time) -> datetime:
    """A local wall-clock time on *day*, as an aware UTC instant."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(UTC)


_DIGITS = "〇一二三四五六七八九"


def cn_date(day: date | None, style: str = "arabic") -> str:
    """A date as Chinese prose writes it: 2026年11月7日 ("" for None); in the "chinese" style
    (a bulletin's 成文日期 where so configured) 二〇二六年十一月七日. The one home of this
    wording: notices, pages (`web.prose_date`) and documents all call it."""
    if not day:
        return ""
    if style != "chinese":
        return f"{day.year}年{day.month}月{day.day}日"
    year = "".join(_DIGITS[int(c)] for c in str(day.year))
    return f"{year}年{_chinese_number(day.month)}月{_chinese_number(day.day)}日"


def _chinese_number(n: int) -> str:
    """1–31 in Chinese numerals: 一, 十, 十二, 二十一."""
    tens, ones = divmod(n, 10)
    return ("" if tens < 2 else _DIGITS[tens]) + ("十" if tens else "") + (_DIGITS[ones] if ones else "")


def cutoff(as_of: date | None = None) -> datetime:
    """The instant "as of" a day means: the end of that day, or just after now if that
    comes first (what was stamped now has happened)."""
    end = local_datetime(today(as_of) + timedelta(days=1), time(0, 0))
    return min(end, now() + timedelta(microseconds=1))
