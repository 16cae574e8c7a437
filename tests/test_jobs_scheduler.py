"""When jobs fire: working days, the National Day week of 2026, the lease, catch-up."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from conftest import NOW
from tracker import calendar
from tracker.clock import LOCAL_TZ
from tracker.extensions import db
from tracker.jobs import fires, lease, notices, runner, scheduler
from tracker.models import JobRun, Notification


def runs(job=None):
    query = select(JobRun).order_by(JobRun.id)
    return list(db.session.scalars(query.where(JobRun.job == job) if job else query))


@pytest.mark.parametrize("day, expected", [
    (date(2026, 10, 5), False),   # Monday of National Day week: holiday
    (date(2026, 10, 8), True),    # Thursday: the week's first working day
    (date(2026, 10, 9), False),
    (date(2026, 10, 12), True),   # a normal Monday
    (date(2026, 11, 16), True),
    (date(2026, 11, 17), False),
])
def test_weekly_notice_moves_to_the_first_working_day_of_a_holiday_week(app, day, expected):
    assert fires.weekly_notice_day(day) is expected


def test_national_day_week_2026_daily_jobs_and_report_deadline(app):
    assert [fires.every_workday(date(2026, 10, d)) for d in range(1, 12)] == \
        [False] * 7 + [True, True, True, False]  # Sat 10 Oct is a make-up working day
    # 2026-W40's report is due Tue 6 Oct, a holiday: due (and reminded) Thu 8 Oct instead.
    assert not fires.report_deadline_day(date(2026, 10, 6))
    assert fires.report_deadline_day(date(2026, 10, 8))


def test_national_day_week_shifts_working_day_offsets(app, make_task, make_unit):
    unit = make_unit()
    due_13 = make_task(unit, due=date(2026, 10, 13))
    due_holiday = make_task(unit, due=date(2026, 10, 3))
    overdue = make_task(unit, due=date(2026, 9, 30))

    def reminded(day):
        counts_before = {n.id for n in db.session.scalars(select(Notification))}
        notices.deadline_reminders(day)
        new = [n for n in db.session.scalars(select(Notification)) if n.id not in counts_before]
        return sorted(tid for n in new for tid in n.task_ids)

    unit.email = "unit@gov.test"
    db.session.commit()
    # From Wed 30 Sep the working days are 8, 9, 10 (Sat), 12, 13 Oct: 13 Oct is 5 away, and
    # an item due on a holiday (3 Oct) has no working day left, like one due today.
    assert reminded(date(2026, 9, 30)) == sorted([due_13.id, due_holiday.id, overdue.id])
    assert reminded(date(2026, 10, 10)) == [due_13.id]  # 2 working days: 12 and 13 Oct
    assert reminded(date(2026, 10, 9)) == []
    assert calendar.workdays_between(date(2026, 9, 30), date(2026, 10, 8)) == 1
    # due 30 Sep or on the holiday: chased first on Thu 8 Oct, escalated (3 working days
    # overdue) on Sat 10 Oct, a make-up working day
    assert notices.overdue_notices(date(2026, 10, 1))["items"] == 0
    assert notices.overdue_notices(date(2026, 10, 8))["items"] == 2
    assert notices.overdue_notices(date(2026, 10, 9))["items"] == 0
    assert notices.overdue_notices(date(2026, 10, 10))["items"] == 2
    [chase] = db.session.scalars(select(Notification).where(
        Notification.rule == "overdue-notice", Notification.period == "2026-10-10")).all()
    assert sorted(chase.task_ids) == sorted([overdue.id, due_holiday.id]) and "逾期3个工作日" in chase.body


def test_workdays_between_counts_across_years_and_unknown_years(app):
    assert calendar.workdays_between(date(2026, 12, 30), date(2027, 1, 4)) == 3  # 31 Dec, 1 and 4 Jan
    assert not calendar.is_known_year(2027)
    assert calendar.is_workday(date(2027, 3, 5)) and not calendar.is_workday(date(2027, 3, 6))


def test_only_one_holder_of_the_lease_until_it_lapses(app):
    assert lease.acquire("scheduler-a")
    assert not lease.acquire("scheduler-b")
    assert lease.acquire("scheduler-a")  # renewal
    app.config["FIXED_NOW"] = NOW + timedelta(seconds=app.config["SETTINGS"]["scheduler"]["lease_seconds"] + 1)
    assert lease.acquire("scheduler-b")
    assert not lease.acquire("scheduler-a")


def test_a_missed_weekly_run_is_caught_up_once_after_restart(app, make_task, make_unit):
    unit = make_unit(email="unit@gov.test")
    make_task(unit, due=date(2026, 11, 10))
    app.config["SETTINGS"]["mail"].update(host="127.0.0.1", port=9)  # delivery fails: still queued
    runner.run("weekly-overdue-notice", date(2026, 11, 9), trigger="schedule")  # ran last week
    # Down over Monday 16 Nov 09:00; back on Tuesday 17 Nov at 10:00.
    app.config["FIXED_NOW"] = datetime(2026, 11, 17, 10, 0, tzinfo=LOCAL_TZ)
    done = scheduler.catch_up(app)
    assert ("weekly-overdue-notice", date(2026, 11, 16)) in done
    [_, weekly] = runs("weekly-overdue-notice")
    assert weekly.as_of == date(2026, 11, 16) and weekly.trigger == "catch-up"
    assert weekly.counts["items"] == 1
    # restarted again: nothing is run twice, nothing queued twice
    assert scheduler.catch_up(app) == []
    assert len(runs("weekly-overdue-notice")) == 2
    weekly_rows = db.session.scalars(select(Notification).where(
        Notification.rule == "weekly-overdue-notice", Notification.period == "2026-W47")).all()
    assert len(weekly_rows) == 1


def test_a_fresh_install_catches_up_nothing(app, make_task, make_unit):
    make_task(make_unit(email="unit@gov.test"), due=date(2026, 11, 10))
    app.config["FIXED_NOW"] = datetime(2026, 11, 17, 10, 0, tzinfo=LOCAL_TZ)
    assert scheduler.catch_up(app) == []
    assert runs() == []


def test_no_catch_up_beyond_the_grace_period(app):
    app.config["SETTINGS"]["scheduler"]["catch_up_grace_hours"] = 12
    app.config["FIXED_NOW"] = datetime(2026, 11, 18, 10, 0, tzinfo=LOCAL_TZ)  # Wed
    assert scheduler.last_firing(app, "weekly-overdue-notice", app.config["FIXED_NOW"]) is None
    assert scheduler.last_firing(app, "overdue-notices", app.config["FIXED_NOW"]) == date(2026, 11, 18)


def test_a_scheduled_firing_on_a_day_not_its_own_runs_nothing(app):
    app.config["FIXED_NOW"] = datetime(2026, 10, 5, 9, 0, tzinfo=LOCAL_TZ)  # National Day Monday
    scheduler.fire(app, "weekly-overdue-notice")
    scheduler.fire(app, "deadline-reminders")
    assert runs() == []
    app.config["FIXED_NOW"] = datetime(2026, 10, 8, 9, 0, tzinfo=LOCAL_TZ)
    scheduler.fire(app, "weekly-overdue-notice")
    scheduler.fire(app, "weekly-overdue-notice")  # a second firing the same day
    assert [(r.job, r.as_of, r.trigger) for r in runs()] == [
        ("weekly-overdue-notice", date(2026, 10, 8), "schedule")]


def test_a_second_scheduler_without_the_lease_stays_idle(app):
    assert lease.acquire("another-process")
    scheduler.fire(app, "overdue-notices")
    assert scheduler.catch_up(app) == [] and runs() == []


def test_scheduler_has_every_job_at_its_configured_time(app):
    built = scheduler.build(app, BackgroundScheduler)
    jobs = {job.id: job for job in built.get_jobs()}
    assert set(jobs) >= {"deadline-reminders", "overdue-notices", "weekly-overdue-notice",
                         "weekly-report-reminder", "dispatch-outbox", "heartbeat"}
    assert str(jobs["deadline-reminders"].trigger) == "cron[hour='8', minute='30']"
    assert str(built.timezone) == "Asia/Shanghai"
