"""Periods and their deadlines. Reports describe ISO weeks ("2026-W47") always and months
("2026-11") when `[reporting] monthly` is on; bulletins also cover quarters ("2026-Q4") and
years ("2026"). Every kind goes through the same functions; a period's kind is read from
its shape."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l

from tracker import calendar, clock, validation
from tracker.config import ConfigError
from tracker.errors import ValidationError

PATTERNS = {"weekly": re.compile(r"^(\d{4})-W(\d{2})$"),
            "monthly": re.compile(r"^(\d{4})-(\d{2})$"),
            "quarterly": re.compile(r"^(\d{4})-Q(\d)$"),
            "annual": re.compile(r"^(\d{4})()$")}
EXAMPLES = {"weekly": "an ISO week like 2026-W47", "monthly": "a month like 2026-11",
            "quarterly": "a quarter like 2026-Q4", "annual": "a year like 2026"}
# How a page shows each kind's shape.
SHAPES = {"weekly": "2026-W47", "monthly": "2026-11", "quarterly": "2026-Q4", "annual": "2026"}
UNITS = {"weekly": "week", "monthly": "month", "quarterly": "quarter", "annual": "year"}
ALL_KINDS = tuple(PATTERNS)
# The kinds a progress report can describe.
KINDS = ("weekly", "monthly")
WEEKLY = ("weekly",)
# A deadline comes well within this many days after its period began (a month, then at
# most the 28th of the next month, then a holiday's roll).
DEADLINE_REACH = timedelta(days=62)


def _cfg() -> dict:
    return current_app.config["SETTINGS"]["reporting"]


def enabled_kinds() -> tuple[str, ...]:
    """The reporting cycles that are on: weekly always, monthly when configured."""
    return KINDS if _cfg()["monthly"] else WEEKLY


def period_of(day: date, kind: str = "weekly") -> str:
    """The period of *kind* containing *day*, e.g. 2026-W47, 2026-11, 2026-Q4 or 2026."""
    if kind == "monthly":
        return f"{day.year}-{day.month:02d}"
    if kind == "quarterly":
        return f"{day.year}-Q{(day.month + 2) // 3}"
    if kind == "annual":
        return str(day.year)
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


QUARTERS = "一二三四"


@lru_cache(maxsize=4096)
def period_label(period: str) -> str:
    """A period as people write it: 第47周（11月16日—22日）, 2026年11月, 2026年第四季度, 2026年."""
    kind, year, number = _parse(period, "period", ALL_KINDS)
    if kind == "weekly":
        first, last = period_bounds(period)
        end = f"{last.day}日" if last.month == first.month else f"{last.month}月{last.day}日"
        return f"第{number}周（{first.month}月{first.day}日—{end}）"
    if kind == "monthly":
        return f"{year}年{number}月"
    if kind == "quarterly":
        return f"{year}年第{QUARTERS[number - 1]}季度"
    return f"{year}年"


def previous_period(day: date, kind: str) -> str:
    """The period of *kind* before the one containing *day* (last month, last quarter …)."""
    return period_of(period_bounds(period_of(day, kind))[0] - timedelta(days=1), kind)


def parse_period(period: object, field: str = "period",
                 kinds: tuple[str, ...] = WEEKLY) -> tuple[int, int]:
    """(year, week or month) of a period of one of *kinds*, or a ValidationError naming *field*."""
    return _parse(period, field, kinds)[1:]


def kind_of(period: str, kinds: tuple[str, ...] = KINDS) -> str:
    """The kind of *period* among *kinds* (default: the reporting kinds, weekly or monthly);
    a ValidationError when it is none of them."""
    return _parse(period, "period", kinds)[0]


def _parse(period: object, field: str, kinds: tuple[str, ...]) -> tuple[str, int, int]:
    for kind in kinds:
        match = PATTERNS[kind].match(period) if isinstance(period, str) else None
        if match:
            year, number = int(match[1]), int(match[2] or 1)
            try:
                first = _first_day(kind, year, number)
            except ValueError:
                raise ValidationError(f"{field}: {period} is not a {UNITS[kind]} of {year}",
                                      field, text=_l("%(year)s年没有“%(period)s”这一期，请检查周次或月份",
                                                     year=year, period=period)) from None
            low, high = validation.date_bounds()
            if not low.year <= year <= high.year or not low <= first <= high:
                raise ValidationError(f"时段超出范围 {low} 至 {high} ({field}: {period} is outside "
                                      f"{low} … {high})", field,
                                      text=_l("期间须在 %(low)s 至 %(high)s 之间", low=low, high=high))
            return kind, year, number
    raise ValidationError(f"{field} must be {' or '.join(EXAMPLES[k] for k in kinds)}", field,
                          text=_l("期间应写作 %(examples)s", examples=" / ".join(SHAPES[k] for k in kinds)))


def _first_day(kind: str, year: int, number: int) -> date:
    """The period's first day; ValueError when *number* is out of range for *kind*."""
    if kind == "weekly":
        return date.fromisocalendar(year, number, 1)
    if kind == "quarterly":
        if not 1 <= number <= 4:
            raise ValueError(number)
        number = 3 * number - 2
    return date(year, number, 1)


def _months_after(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of the period (Monday and Sunday of a week)."""
    kind, year, number = _parse(period, "period", ALL_KINDS)
    first = _first_day(kind, year, number)
    if kind == "weekly":
        after = first + timedelta(days=7)
    else:
        after = _months_after(first, {"monthly": 1, "quarterly": 3, "annual": 12}[kind])
    return first, after - timedelta(days=1)


def next_period(period: str) -> str:
    """The period of the same kind right after *period*."""
    return period_of(period_bounds(period)[1] + timedelta(days=1), kind_of(period, ALL_KINDS))


def period_deadline(period: str) -> datetime:
    """When the period's report is due, as an aware UTC instant, moved to the next working
    day when the nominal day is not one. A week: the configured weekday and time of the
    following week. A month: the configured day and time of the following month."""
    cfg = _cfg()
    kind = kind_of(period)
    after = period_bounds(period)[1] + timedelta(days=1)
    if kind == "monthly":
        nominal = after.replace(day=_monthly_deadline_day(cfg))
    else:
        nominal = after + timedelta(days=int(cfg["weekly_deadline_weekday"]) - 1)
    return clock.local_datetime(calendar.next_workday(nominal),
                                time.fromisoformat(cfg[f"{kind}_deadline_time"]))


def _monthly_deadline_day(cfg: dict) -> int:
    day = int(cfg["monthly_deadline_day"])
    if not 1 <= day <= 28:
        raise ConfigError(f"[reporting] monthly_deadline_day must be 1–28, got {day}")
    return day


def deadline_day(period: str) -> date:
    """The local day the period's report is due."""
    return clock.local(period_deadline(period)).date()


def next_due(day: date, kind: str) -> str:
    """The period of *kind* whose deadline is the first to fall on or after *day*."""
    period = period_of(day - DEADLINE_REACH, kind)
    while deadline_day(period) < day:
        period = next_period(period)
    return period


def periods_in(first: date, last: date, kind: str) -> list[str]:
    """Periods of *kind* whose first day falls within [first, last]."""
    out, period = [], period_of(first, kind)
    if period_bounds(period)[0] < first:
        period = next_period(period)
    while period_bounds(period)[0] <= last:
        out.append(period)
        period = next_period(period)
    return out


def due_within(first: date, last: date, kind: str) -> list[str]:
    """Periods of *kind* whose report is due within [first, last]."""
    out, period = [], next_due(first, kind)
    while deadline_day(period) <= last:
        out.append(period)
        period = next_period(period)
    return out


def reporting_period(today: date) -> str:
    """The period a report made on *today* is for by default: the current ISO week."""
    return period_of(today)
