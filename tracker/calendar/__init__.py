"""China's official working-day calendar (法定节假日 and 调休).

Backed by the `chinesecalendar` package. Days the office adds (config `[calendar]`, or
uploaded into `calendar_days`) override it; for a year the package does not know and
the office has not filled in, Monday–Friday are working days and `is_known_year`
says so, so callers can warn instead of failing.

Counting is fast: per year, a running count of working days is built once (per app,
until the office's days change), so `workdays_between` costs a lookup, not a loop.
`WorkdayCounter` counts for many days at once; `tracker.calendar.sql` does day arithmetic
inside SQL; `tracker.calendar.imports` reads the office's uploaded lists of days.
"""
from __future__ import annotations

import time
from datetime import date, timedelta

import chinese_calendar
from flask import current_app, has_app_context

# Other processes (the scheduler, other web workers) see an upload within this many seconds.
RELOAD_SECONDS = 300
_KNOWN_YEARS = range(min(chinese_calendar.constants.holidays).year,
                     max(chinese_calendar.constants.holidays).year + 1)


class _Calendar:
    """The office's own days plus, per year, cumulative working-day counts."""

    def __init__(self, office_days: dict[date, bool]):
        self.loaded_at = time.monotonic()
        self.office_days = office_days
        self.office_years = {d.year for d in office_days}
        self._running: dict[int, list[int]] = {}

    def is_workday(self, day: date) -> bool:
        if day in self.office_days:
            return self.office_days[day]
        if day.year in _KNOWN_YEARS:
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def through(self, day: date) -> int:
        """Working days from 1 January of *day*'s year through *day*."""
        return self._year(day.year)[day.timetuple().tm_yday]

    def in_year(self, year: int) -> int:
        return self._year(year)[-1]

    def _year(self, year: int) -> list[int]:
        running = self._running.get(year)
        if running is None:
            running = [0]
            first = date(year, 1, 1)
            # Counted by offset: stepping past 31 December 9999 would overflow.
            for offset in range(date(year, 12, 31).toordinal() - first.toordinal() + 1):
                running.append(running[-1] + self.is_workday(first + timedelta(days=offset)))
            self._running[year] = running
        return running


def is_known_year(year: int) -> bool:
    """True when the official schedule for *year* is known (package or office)."""
    return year in _KNOWN_YEARS or year in _current().office_years


def unknown_year_warning(*days: date) -> str | None:
    """A warning naming the years among *days* whose official schedule is unknown, or None."""
    years = sorted({d.year for d in days if not is_known_year(d.year)})
    if not years:
        return None
    listed = "、".join(str(y) for y in years)
    return (f"{listed}年的法定节假日安排尚未知晓，暂按周一至周五为工作日计算；"
            f"请在“任务调度”页上传当年节假日安排 (calendar for {listed} unknown: Monday–Friday assumed)")


def is_workday(day: date) -> bool:
    """Whether *day* is an official working day."""
    return _current().is_workday(day)


def office_days() -> dict[date, bool]:
    """The days the office set itself (config and uploads): {day: is a working day}."""
    return dict(_current().office_days)


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


def reply_by(as_of: date) -> date:
    """The day a unit named in a notice or bulletin must answer by: `[documents]
    reply_workdays` working days after *as_of*."""
    return add_workdays(as_of, int(current_app.config["SETTINGS"]["documents"]["reply_workdays"]))


def workdays_between(start: date, end: date) -> int:
    """Working days in (start, end]: how many working days *end* is past *start*."""
    if end <= start:
        return 0
    cal = _current()
    total = cal.through(end) - cal.through(start)
    for year in range(start.year, end.year):
        total += cal.in_year(year)
    return total


def _current() -> _Calendar:
    if not has_app_context():
        return _Calendar({})
    cached = current_app.extensions.get("duban.calendar")
    if cached is None or time.monotonic() - cached.loaded_at > RELOAD_SECONDS:
        cached = _Calendar(_load_office_days())
        current_app.extensions["duban.calendar"] = cached
    return cached


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


class WorkdayCounter:
    """workdays_between(day, end) for many days at once, by prefix counts."""

    def __init__(self, start: date, end: date):
        self.end = end
        self.start = start
        self.counts = [0]
        for n in range((end - start).days):
            self.counts.append(self.counts[-1] + is_workday(start + timedelta(days=n + 1)))

    def after(self, day: date) -> int:
        """Working days in (day, end]."""
        return self.between(day, self.end)

    def between(self, first: date, last: date) -> int:
        """Working days in (first, last], both within [start, end]."""
        return self.counts[(last - self.start).days] - self.counts[(first - self.start).days]
