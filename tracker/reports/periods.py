"""Weekly reporting periods ("2026-W47") and their deadlines."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from flask import current_app

from tracker import calendar, clock
from tracker.errors import ValidationError

PERIOD_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def period_of(day: date) -> str:
    """The ISO week containing *day*, e.g. 2026-W47."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_period(period: object, field: str = "period") -> tuple[int, int]:
    """(year, week) of a period string, or a ValidationError naming *field*."""
    match = PERIOD_RE.match(period) if isinstance(period, str) else None
    if not match:
        raise ValidationError(f"{field} must be an ISO week like 2026-W47", field)
    year, week = int(match[1]), int(match[2])
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValidationError(f"{field}: {period} is not a week of {year}", field) from None
    return year, week


def period_bounds(period: str) -> tuple[date, date]:
    """Monday and Sunday of the period."""
    year, week = parse_period(period)
    monday = date.fromisocalendar(year, week, 1)
    return monday, monday + timedelta(days=6)


def period_deadline(period: str) -> datetime:
    """When the period's report is due, as an aware UTC instant: the configured weekday and
    time of the following week, moved to the next working day if that day is not one."""
    cfg = current_app.config["SETTINGS"]["reporting"]
    _, sunday = period_bounds(period)
    day = calendar.next_workday(sunday + timedelta(days=int(cfg["weekly_deadline_weekday"])))
    return clock.local_datetime(day, time.fromisoformat(cfg["weekly_deadline_time"]))


def reporting_period(today: date) -> str:
    """The period a report made on *today* is for by default: the current ISO week."""
    return period_of(today)
