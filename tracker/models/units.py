"""Units (单位) and their notification channels."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import now
from tracker.extensions import db
from tracker.models.types import UTCDateTime



class Unit(db.Model):
    """An organisation that owns work; units form a tree (指挥部 → 专班 → 成员单位 …)."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    # Where the unit stands in pickers and lists (tracker.accounts.ordering); seeded by kind.
    sort_order: Mapped[int] = mapped_column(default=0, server_default="0", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "kind": self.kind,
                "parent_id": self.parent_id, "email": self.email, "sort_order": self.sort_order}


class Channel(db.Model):
    """One way to reach a unit: an email address or a chat-group robot / webhook URL."""

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("unit_id", "kind", "target", name="uq_channels_unit_kind_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(1000))
    secret: Mapped[str | None] = mapped_column(String(500))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    unit: Mapped[Unit] = relationship()

    def to_dict(self) -> dict:
        return {"id": self.id, "unit_id": self.unit_id, "kind": self.kind, "target": self.target,
                "has_secret": bool(self.secret), "is_active": self.is_active}
