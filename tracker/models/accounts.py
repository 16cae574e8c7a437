"""People, API tokens and the login-attempt counters used for throttling."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import now
from tracker.extensions import db
from tracker.models.types import UTCDateTime
from tracker.models.units import Unit



class User(UserMixin, db.Model):
    """A person: office staff, a unit's liaison (联络员) or a leader (read-only)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    password_hash: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(254))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Raised whenever the user's sessions must end (logout, password change or reset,
    # deactivation, role change); a session carries the epoch it began in.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    unit: Mapped[Unit] = relationship()

    @property
    def is_office(self) -> bool:
        return self.role == "office"

    @property
    def is_leader(self) -> bool:
        return self.role == "leader"

    @property
    def label(self) -> str:
        """How the audit trail names this user."""
        return f"{self.name}（{self.login}）"

    def to_dict(self) -> dict:
        return {"id": self.id, "login": self.login, "name": self.name,
                "unit_id": self.unit_id, "role": self.role, "email": self.email}


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginThrottle(db.Model):
    """Login attempts counted for one key ("login:NAME" or "address:IP") in its window,
    raised by one atomic UPDATE per attempt so concurrent attempts each get their own count."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
