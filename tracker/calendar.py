"""China's official working-day calendar (法定节假日 and 调休).

Backed by the `chinesecalendar` package. Days the office adds (config `[calendar]`, or
uploaded into `calendar_days`) override it; for a year the package does not know and
the office has not filled in, Monday–Friday are working days and `is_known_year`
says so, so callers can warn instead of failing.
"""
from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
from flask import current_app, has_app_context

_KNOWN_YEARS = range(min(chinese_calendar.constants.holidays).year,
                     max(chinese_calendar.constants.holidays).year + 1)


def is_known_year(year: int) -> bool:
    """True when the official schedule for *year* is known (package or office)."""
    return year in _KNOWN_YEARS or year in _office_years()


def is_workday(day: date) -> bool:
    """Whether *day* is an official working day."""
    overrides = _office_days()
    if day in overrides:
        return overrides[day]
    if day.year in _KNOWN_YEARS:
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def next_workday(day: date) -> date:
    """*day* itself when it is a working day, else the first working day after it."""
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def add_workdays(day: date, count: int) -> date:
    """The working day *count* working days after (negative: before) *day*."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    while remaining:
        day += timedelta(days=step)
        if is_workday(day):
            remaining -= 1
    return day


def workdays_between(start: date, end: date) -> int:
    """Working days in (start, end]: how many working days *end* is past *start*."""
    if end <= start:
        return 0
    return sum(1 for n in range(1, (end - start).days + 1) if is_workday(start + timedelta(days=n)))


def _office_days() -> dict[date, bool]:
    if not has_app_context():
        return {}
    cached = current_app.extensions.get("duban.calendar")
    if cached is None:
        cached = _load_office_days()
        current_app.extensions["duban.calendar"] = cached
    return cached


def _office_years() -> set[int]:
    return {d.year for d in _office_days()}


def _load_office_days() -> dict[date, bool]:
    cfg = current_app.config["SETTINGS"]["calendar"]
    days = {date.fromisoformat(d): False for d in cfg.get("holidays", [])}
    days.update({date.fromisoformat(d): True for d in cfg.get("workdays", [])})
    days.update(_stored_days())
    return days


def _stored_days() -> dict[date, bool]:
    """Days the office uploaded (calendar_days table), if that table exists yet."""
    from sqlalchemy import inspect, select

    from tracker.extensions import db
    from tracker.models import CalendarDay

    if not inspect(db.engine).has_table(CalendarDay.__tablename__):
        return {}
    return {row.day: row.is_workday for row in db.session.scalars(select(CalendarDay))}


def forget_office_days() -> None:
    """Drop the cached office days after they change."""
    if has_app_context():
        current_app.extensions.pop("duban.calendar", None)


