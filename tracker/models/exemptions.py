"""The office's exemptions (豁免): an item kept out of the red/black list and the overdue
judgements for a stretch of days, for a reason of a configured kind (不可抗力 …)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import now
from tracker.extensions import db
from tracker.models.accounts import User
from tracker.models.ledger import Task
from tracker.models.types import UTCDateTime


class Exemption(db.Model):
    """One exemption of one item over [start_date, end_date] (open-ended when end_date is
    None). Revoking stamps revoked_at and keeps the row: a judgement of a day before the
    revocation still sees it, one of a day before it was marked never does."""

    __tablename__ = "exemptions"
    __table_args__ = (Index("ix_exemptions_task_start", "task_id", "start_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    kind: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")

    task: Mapped[Task] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
