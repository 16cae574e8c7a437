"""Progress reports (报送) and evidence files (佐证材料)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import now
from tracker.extensions import db
from tracker.models.accounts import User
from tracker.models.ledger import Task
from tracker.models.types import UTCDateTime
from tracker.models.units import Unit


class ProgressReport(db.Model):
    """A unit's periodic report on one item: 进展情况 / 存在问题 / 下步计划."""

    __tablename__ = "progress_reports"
    __table_args__ = (
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        Index("ix_progress_reports_task_submitted", "task_id", "submitted_at"),
        Index("ix_progress_reports_unit_period", "unit_id", "period"),
        Index("ix_progress_reports_cycle", "period", "task_id", "unit_id", "submitted_at", "on_time"),
        # The same columns led by the item: an item's reports over a run of periods are one
        # range (the report cycles' counts, driven by the items that owe them).
        Index("ix_progress_reports_task_cycle", "task_id", "unit_id", "period", "submitted_at", "on_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    period: Mapped[str] = mapped_column(String(10))
    progress: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    problems: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    actual_value: Mapped[float | None] = mapped_column(Numeric(18, 4, asdecimal=False))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    on_time: Mapped[bool]

    task: Mapped[Task] = relationship()
    unit: Mapped[Unit] = relationship()
    user: Mapped[User | None] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(back_populates="report")

    def to_dict(self) -> dict:
        from tracker.clock import local

        return {"id": self.id, "task_id": self.task_id, "unit_id": self.unit_id,
                "period": self.period, "progress": self.progress, "text": self.text,
                "problems": self.problems, "next_steps": self.next_steps,
                "actual_value": self.actual_value,
                "submitted_at": local(self.submitted_at).isoformat(), "on_time": self.on_time}


class Evidence(db.Model):
    """An uploaded file backing a report or a sign-off request; stored under a generated name."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("progress_reports.id"), index=True)
    signoff_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("signoff_requests.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    report: Mapped[ProgressReport | None] = relationship(back_populates="evidence")

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.original_name, "size": self.size,
                "content_type": self.content_type}
