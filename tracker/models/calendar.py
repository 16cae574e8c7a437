"""Official calendar days the office adds for years chinesecalendar does not know."""
from __future__ import annotations

from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class CalendarDay(db.Model):
    """A day declared a holiday (is_workday False) or a make-up working day (True)."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    note: Mapped[str] = mapped_column(String(100), default="")
