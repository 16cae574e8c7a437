"""The one wrapper every job run goes through: a run record, a transaction, a log line."""
from __future__ import annotations

import logging
import time
from datetime import date, timedelta

from sqlalchemy import select

from tracker import calendar
from tracker.clock import now
from tracker.extensions import db
from tracker.jobs.registry import DISPATCH, JOBS
from tracker.models import JobRun
from tracker.notify.delivery import deliver

log = logging.getLogger("tracker.jobs")
# Jobs look this far ahead (deadline reminders), so an unknown year is warned of in time.
LOOKAHEAD = timedelta(days=14)


def run(name: str, as_of: date, *, trigger: str = "manual", send: bool = True) -> JobRun:
    """Run job *name* as of *as_of*, commit what it queued, then deliver it unless *send*
    is False. Delivery failures are retried later and do not fail the run."""
    if name not in JOBS:
        raise ValueError(f"unknown job {name}; jobs: {', '.join(sorted(JOBS))}")
    warning = calendar.unknown_year_warning(as_of, as_of + LOOKAHEAD)
    record = JobRun(job=name, as_of=as_of, trigger=trigger, started_at=now(), warning=warning,
                    counts={})
    db.session.add(record)
    db.session.commit()
    started = time.perf_counter()
    if warning:
        log.warning("job %s as of %s: %s", name, as_of, warning)
    try:
        counts = JOBS[name].run(as_of)
        db.session.commit()
        if send and name != DISPATCH:
            counts["delivery"] = deliver()
    except Exception as exc:
        db.session.rollback()
        record.error = f"{type(exc).__name__}: {exc}"[:2000]
        record.finished_at = now()
        db.session.commit()
        log.exception("job %s as of %s failed", name, as_of)
        raise
    record.counts = counts
    record.finished_at = now()
    db.session.commit()
    log.info("%s", summary(record), extra={
        "job": name, "as_of": as_of.isoformat(), "trigger": trigger, "counts": counts,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
    return record


def summary(record: JobRun) -> str:
    """One line: the job, its date and what it counted."""
    counts = dict(record.counts)
    delivery = counts.pop("delivery", None)
    text = f"{record.job} as of {record.as_of}: " + ", ".join(f"{k} {v}" for k, v in counts.items())
    if delivery is not None:
        text += "; delivered: " + ", ".join(f"{k} {v}" for k, v in delivery.items())
    return text


def has_history(name: str, before: date) -> bool:
    """Whether job *name* ever ran as of a date before *before* (a fresh install has not)."""
    return db.session.scalar(select(JobRun.id).where(
        JobRun.job == name, JobRun.as_of < before).limit(1)) is not None


def has_run(name: str, as_of: date) -> bool:
    """Whether job *name* already finished a run as of *as_of* without error."""
    return db.session.scalar(select(JobRun.id).where(
        JobRun.job == name, JobRun.as_of == as_of, JobRun.finished_at.is_not(None),
        JobRun.error.is_(None)).limit(1)) is not None
