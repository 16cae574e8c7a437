"""Reporting periods and their deadlines: ISO weeks ("2026-W47") always, months ("2026-11")
when `[reporting] monthly` is on. Both kinds go through the same functions; a period's
kind is read from its shape."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from flask import current_app

from tracker import calendar, clock
from tracker.config import ConfigError
from tracker.errors import ValidationError

PATTERNS = {"weekly": re.compile(r"^(\d{4})-W(\d{2})$"),
            "monthly": re.compile(r"^(\d{4})-(\d{2})$")}
EXAMPLES = {"weekly": "an ISO week like 2026-W47", "monthly": "a month like 2026-11"}
UNITS = {"weekly": "week", "monthly": "month"}
KINDS = tuple(PATTERNS)
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
    """The period of *kind* containing *day*, e.g. 2026-W47 or 2026-11."""
    if kind == "monthly":
        return f"{day.year}-{day.month:02d}"
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_period(period: object, field: str = "period",
                 kinds: tuple[str, ...] = WEEKLY) -> tuple[int, int]:
    """(year, week or month) of a period of one of *kinds*, or a ValidationError naming *field*."""
    return _parse(period, field, kinds)[1:]


def kind_of(period: str) -> str:
    """"weekly" or "monthly"; a ValidationError when *period* is neither."""
    return _parse(period, "period", KINDS)[0]


def _parse(period: object, field: str, kinds: tuple[str, ...]) -> tuple[str, int, int]:
    for kind in kinds:
        match = PATTERNS[kind].match(period) if isinstance(period, str) else None
        if match:
            year, number = int(match[1]), int(match[2])
            try:
                _first_day(kind, year, number)
            except ValueError:
                raise ValidationError(f"{field}: {period} is not a {UNITS[kind]} of {year}",
                                      field) from None
            return kind, year, number
    raise ValidationError(f"{field} must be {' or '.join(EXAMPLES[k] for k in kinds)}", field)


def _first_day(kind: str, year: int, number: int) -> date:
    return date(year, number, 1) if kind == "monthly" else date.fromisocalendar(year, number, 1)


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of the period (Monday and Sunday of a week)."""
    kind, year, number = _parse(period, "period", KINDS)
    first = _first_day(kind, year, number)
    if kind == "monthly":
        after = (first + timedelta(days=31)).replace(day=1)
    else:
        after = first + timedelta(days=7)
    return first, after - timedelta(days=1)


def next_period(period: str) -> str:
    """The period of the same kind right after *period*."""
    return period_of(period_bounds(period)[1] + timedelta(days=1), kind_of(period))


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
