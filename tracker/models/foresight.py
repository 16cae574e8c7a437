"""Foresight: each item's completion forecast (预计完成) and the problem ledger (问题清单)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from tracker.clock import now
from tracker.extensions import db
from tracker.models.accounts import User
from tracker.models.ledger import Task
from tracker.models.types import UTCDateTime
from tracker.models.units import Unit


class TaskForecast(db.Model):
    """One item's forecast, kept by the report operation and the `forecasts` job so lists
    read it with a join. `projected_date` is None when the item has stalled; lateness is
    judged against `due_date` (the deadline in force when it was computed; a deadline change
    re-judges it, tracker.foresight.forecast)."""

    __tablename__ = "task_forecasts"
    __table_args__ = (Index("ix_task_forecasts_late", "is_late", "due_date"),)

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    as_of: Mapped[date]
    basis: Mapped[str] = mapped_column(String(20))  # progress | target | milestones | stalled | done
    projected_date: Mapped[date | None]
    confidence: Mapped[str] = mapped_column(String(10))  # high | medium | low
    reports: Mapped[int]
    slope: Mapped[float | None] = mapped_column(Float)  # points per day
    due_date: Mapped[date]
    late_by_workdays: Mapped[int | None]
    is_late: Mapped[bool] = mapped_column(default=False)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    # `Task.forecast` (None without one); lists load it with selectinload(Task.forecast).
    task: Mapped[Task] = relationship(backref=backref("forecast", uselist=False, passive_deletes=True))


class Problem(db.Model):
    """A 存在问题 of an item, as its units report it week after week: one record per
    problem (the same text again, normalised, or a near repeat updates it, see
    tracker.foresight.problems), classified, assigned to a coordinating unit (协调事项)
    with a deadline and closed with a note by the office."""

    __tablename__ = "problems"
    __table_args__ = (
        UniqueConstraint("task_id", "key", name="uq_problems_task_key"),
        Index("ix_problems_status_category", "status", "category"),
        Index("ix_problems_coordinator", "coordinator_unit_id", "status"),
        # A category's open problems oldest first (a bulletin names the oldest).
        Index("ix_problems_category_first", "category", "first_reported_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))  # who reported it (last)
    text: Mapped[str] = mapped_column(Text)  # as last reported
    key: Mapped[str] = mapped_column(String(200))  # the normalised text it was first seen as
    category: Mapped[str] = mapped_column(String(20))
    is_classified: Mapped[bool] = mapped_column(default=False)  # the office confirmed category
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | assigned | resolved
    coordinator_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    due_date: Mapped[date | None]
    times_reported: Mapped[int] = mapped_column(default=1)
    last_report_id: Mapped[int | None] = mapped_column(ForeignKey("progress_reports.id"))
    first_reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str] = mapped_column(Text, default="")

    task: Mapped[Task] = relationship()
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    coordinator: Mapped[Unit | None] = relationship(foreign_keys=[coordinator_unit_id])
    notes: Mapped[list[ProblemNote]] = relationship(order_by="ProblemNote.id",
                                                    cascade="all, delete-orphan")


class ProblemNote(db.Model):
    """One step on a problem, in its own words: the office's classification, assignment or
    closing note, or the coordinating unit's note on what it has done."""

    __tablename__ = "problem_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # classify | assign | resolve | note | reopen
    text: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    user: Mapped[User | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
