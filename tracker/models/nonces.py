"""One-time form nonces: a form that records something carries one, and the database
takes each once, so a double submit records nothing twice."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.clock import now
from tracker.extensions import db
from tracker.models.types import UTCDateTime


class FormNonce(db.Model):
    """A nonce a submitted form spent (the primary key decides between two submits)."""

    __tablename__ = "form_nonces"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
