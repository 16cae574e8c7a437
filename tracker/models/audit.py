"""The audit trail: every state change, who made it, when, and what changed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.clock import now
from tracker.extensions import db
from tracker.models.types import UTCDateTime


class AuditEvent(db.Model):
    """One recorded change. `detail` holds before/after values or the decision's reason."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_task_at", "task_id", "at"),
        Index("ix_audit_events_entity", "entity_type", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Kept as text so the trail still reads right after a user is renamed or deactivated.
    actor: Mapped[str] = mapped_column(String(140))
    action: Mapped[str] = mapped_column(String(40))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
