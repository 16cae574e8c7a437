"""Requests a unit makes and the office decides: sign-off (销号) and extension (延期)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import local, now
from tracker.extensions import db
from tracker.models.accounts import User
from tracker.models.ledger import Task
from tracker.models.types import UTCDateTime


PENDING = text("status = 'pending'")


def one_pending(table: str) -> Index:
    """At most one pending request per item: the database refuses a second (issue 10)."""
    return Index(f"uq_{table}_pending", "task_id", unique=True,
                 sqlite_where=PENDING, postgresql_where=PENDING)


class SignoffRequest(db.Model):
    """A lead unit's request to close an item, with a note and evidence."""

    __tablename__ = "signoff_requests"
    __table_args__ = (Index("ix_signoff_requests_status_created", "status", "created_at"),
                      one_pending("signoff_requests"))

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    task: Mapped[Task] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    evidence: Mapped[list["Evidence"]] = relationship()  # noqa: F821 - defined in reports

    def to_dict(self) -> dict:
        return {"id": self.id, "task_id": self.task_id, "status": self.status,
                "note": self.note, "reason": self.reason,
                "created_at": local(self.created_at).isoformat(),
                "decided_at": self.decided_at and local(self.decided_at).isoformat(),
                "evidence": [e.to_dict() for e in self.evidence]}


class ExtensionRequest(db.Model):
    """A lead unit's request, made before the deadline, to move it later."""

    __tablename__ = "extension_requests"
    __table_args__ = (Index("ix_extension_requests_status_created", "status", "created_at"),
                      one_pending("extension_requests"))

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    old_due_date: Mapped[date]
    new_due_date: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    task: Mapped[Task] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def to_dict(self) -> dict:
        return {"id": self.id, "task_id": self.task_id, "status": self.status,
                "old_due_date": self.old_due_date.isoformat(),
                "new_due_date": self.new_due_date.isoformat(), "reason": self.reason,
                "decision_reason": self.decision_reason,
                "created_at": local(self.created_at).isoformat(),
                "decided_at": self.decided_at and local(self.decided_at).isoformat()}
