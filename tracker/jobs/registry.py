"""Every scheduled job by its public name (API.md): what it runs and on which days the
scheduler fires it. The notice jobs and the outbox's delivery are listed here; a feature
with jobs of its own adds them with `add` when the app is built (the regime's bulletin
jobs: `tracker.regime.jobs.register`). A job's time goes in [scheduler] times (09:00 when
not listed)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from tracker.jobs import fires, notices
from tracker.notify.delivery import deliver

DISPATCH = "dispatch-outbox"


@dataclass(frozen=True)
class Job:
    run: Callable[..., dict]  # run(as_of: date, **kw) -> counts
    fires: Callable[[date], bool]


def dispatch_outbox(as_of: date, **_) -> dict[str, int]:
    """Deliver what is due now (delivery does not depend on the date)."""
    return deliver()


JOBS: dict[str, Job] = {
    "deadline-reminders": Job(notices.deadline_reminders, fires.every_workday),
    "overdue-notices": Job(notices.overdue_notices, fires.every_workday),
    "weekly-overdue-notice": Job(notices.weekly_overdue_notice, fires.weekly_notice_day),
    "weekly-report-reminder": Job(notices.weekly_report_reminder, fires.report_deadline_day),
    "monthly-report-reminder": Job(notices.monthly_report_reminder, fires.monthly_reminder_day),
    DISPATCH: Job(dispatch_outbox, fires.always),
}


def add(name: str, run: Callable[..., dict], fires_on: Callable[[date], bool]) -> None:
    """List a feature's job under its public *name* (adding it again changes nothing)."""
    JOBS[name] = Job(run, fires_on)
