"""Calendar subscription feeds (iCal): a user's secret link to their deadlines."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import now
from tracker.extensions import db
from tracker.models.accounts import User
from tracker.models.types import UTCDateTime
from tracker.models.units import Unit


class CalendarFeed(db.Model):
    """One subscription link; only the SHA-256 of its secret is stored. A unit user's feed
    covers their unit; an office user's or leader's covers `unit_id`, or every item when
    None. A new link revokes the user's older one."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    unit: Mapped[Unit | None] = relationship()
