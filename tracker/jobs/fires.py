"""On which days the scheduler fires a job (`run-job` runs any job on any day).

Working-day rules live here: daily notices go out on working days only; a weekly notice
whose day is a holiday moves to the next working day.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app

from tracker import calendar
from tracker.reports import periods


def always(day: date) -> bool:
    return True


def every_workday(day: date) -> bool:
    return calendar.is_workday(day)


def weekly_notice_day(day: date) -> bool:
    """The configured weekday (default Monday), or the first working day after it."""
    weekday = int(current_app.config["SETTINGS"]["scheduler"]["weekly_notice_weekday"])
    nominal = day - timedelta(days=day.weekday()) + timedelta(days=weekday - 1)
    # A whole-week holiday can push last week's notice into this week.
    return day in (calendar.next_workday(nominal), calendar.next_workday(nominal - timedelta(days=7)))


def report_deadline_day(day: date) -> bool:
    """The (working) day last week's report is due."""
    return periods.deadline_day(periods.period_of(day - timedelta(days=7))) == day


def monthly_reminder_day(day: date) -> bool:
    """With the monthly cycle on: `[reporting] monthly_reminder_workdays` working days
    before the deadline of the month due next."""
    if "monthly" not in periods.enabled_kinds():
        return False
    before = int(current_app.config["SETTINGS"]["reporting"]["monthly_reminder_workdays"])
    due = periods.deadline_day(periods.next_due(day, "monthly"))
    return calendar.add_workdays(due, -before) == day


def _first_workday_of(kind: str, day: date) -> bool:
    return calendar.next_workday(periods.period_bounds(periods.period_of(day, kind))[0]) == day


def first_workday_of_month(day: date) -> bool:
    return _first_workday_of("monthly", day)


def first_workday_of_quarter(day: date) -> bool:
    return _first_workday_of("quarterly", day)


def first_workday_of_year(day: date) -> bool:
    return _first_workday_of("annual", day)
