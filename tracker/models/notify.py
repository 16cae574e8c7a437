"""The notification outbox, scheduled job runs, the scheduler lease and robot rate windows."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import now
from tracker.extensions import db
from tracker.labels import NOTIFICATION_STATUSES
from tracker.models.accounts import User
from tracker.models.types import UTCDateTime
from tracker.models.units import Unit



class Notification(db.Model):
    """One message to one recipient: a row first, delivered later by the outbox.

    (rule, subject, recipient, period) is unique, so re-running a job queues nothing new.
    `recipient` is "email:<address>" or "channel:<id>" (a robot or webhook)."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("rule", "subject", "recipient", "period", name="uq_notifications_key"),
        # The dispatcher's scan: due rows by status and time.
        Index("ix_notifications_status_next", "status", "next_attempt_at"),
        Index("ix_notifications_unit_created", "unit_id", "created_at"),
        Index("ix_notifications_rule_created", "rule", "created_at"),
        Index("ix_notifications_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(80))
    recipient: Mapped[str] = mapped_column(String(300))
    period: Mapped[str] = mapped_column(String(40))
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id"), index=True)
    channel_kind: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(1000))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    task_ids: Mapped[list] = mapped_column(JSON, default=list)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    unit: Mapped[Unit | None] = relationship()
    read_by: Mapped[User | None] = relationship(foreign_keys=[read_by_id])

    @property
    def status_label(self) -> str:
        return NOTIFICATION_STATUSES[self.status]


class JobRun(db.Model):
    """One run of a scheduled job: when, as of which date, what it counted, how it ended."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_as_of", "job", "as_of"),
                      Index("ix_job_runs_started", "started_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    as_of: Mapped[date]
    trigger: Mapped[str] = mapped_column(String(20), default="manual")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    warning: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)


class SchedulerLease(db.Model):
    """Who may run scheduled jobs now. Taken and renewed by a conditional UPDATE, so two
    scheduler processes never both hold it."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RateWindow(db.Model):
    """Messages sent to one robot in the current one-minute window (robots allow ~20/min)."""

    __tablename__ = "rate_windows"

    recipient: Mapped[str] = mapped_column(String(300), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(default=0)


class UnitNotice(db.Model):
    """A notice as the unit's people see it in Duban (站内通知): one per notice and unit,
    whatever channels carried it. (rule, subject, period, unit_id) matches the outbox rows
    of the same notice; reading it here or through a receipt link marks both read."""

    __tablename__ = "unit_notices"
    __table_args__ = (
        UniqueConstraint("rule", "subject", "period", "unit_id", name="uq_unit_notices_key"),
        Index("ix_unit_notices_unit_created", "unit_id", "created_at"),
        Index("ix_unit_notices_unit_read", "unit_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(80))
    period: Mapped[str] = mapped_column(String(40))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    task_ids: Mapped[list] = mapped_column(JSON, default=list)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    read_by: Mapped[User | None] = relationship(foreign_keys=[read_by_id])


class Chase(db.Model):
    """The office's 催办 of one item to one unit on one local day: at most one a day."""

    __tablename__ = "chases"
    __table_args__ = (UniqueConstraint("task_id", "unit_id", "day", name="uq_chases_task_unit_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    day: Mapped[date]
    message: Mapped[str] = mapped_column(Text, default="")
    chased_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
