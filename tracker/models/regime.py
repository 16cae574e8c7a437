"""The regime's records: bulletins (通报), evaluation adjustments and dispatch meetings."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, Numeric, String, Table, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import now
from tracker.extensions import db
from tracker.labels import BULLETIN_KINDS
from tracker.models.accounts import User
from tracker.models.ledger import Task
from tracker.models.types import UTCDateTime
from tracker.models.units import Unit



class Bulletin(db.Model):
    """A compiled report for one period. A draft keeps the `content` it was compiled with
    until the office compiles it again; publishing freezes it (with the office's words),
    and publishing again makes a new version."""

    __tablename__ = "bulletins"
    __table_args__ = (
        UniqueConstraint("kind", "period", "version", name="uq_bulletins_kind_period_version"),
        # 发文字号: one sequence per kind and year, decided by the database on publish.
        UniqueConstraint("kind", "number_year", "serial", name="uq_bulletins_kind_year_serial"),
        Index("ix_bulletins_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    period: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    opening: Mapped[str] = mapped_column(Text, default="")
    commentary: Mapped[str] = mapped_column(Text, default="")
    # The office's own words on next period's key points (下月工作重点), above the items due.
    key_points: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[dict | None] = mapped_column(JSON)
    # The office's edits of generated paragraphs, by paragraph key (tracker/regime/drafts.py):
    # {key: {text, generated, by, at}}; and the escalation steps it confirmed for printing,
    # by unit id: {unit_id: {step, consecutive, by, at}}. Both stay with the draft.
    edits: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    escalations: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The document number (发文字号) assigned on publish: the year and serial it was drawn
    # from, and the number as printed, e.g. 百千万指办通〔2026〕12号.
    number_year: Mapped[int | None]
    serial: Mapped[int | None]
    number: Mapped[str] = mapped_column(String(80), default="", server_default="")

    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    @property
    def kind_label(self) -> str:
        return BULLETIN_KINDS[self.kind]

    @property
    def is_published(self) -> bool:
        return self.status == "published"


class EvaluationAdjustment(db.Model):
    """An office judgement on a unit's annual score: a quality rating, a points
    adjustment or a veto (一票否决), always with its reason."""

    __tablename__ = "evaluation_adjustments"
    __table_args__ = (Index("ix_evaluation_adjustments_year_unit", "year", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(12))
    points: Mapped[float] = mapped_column(Numeric(6, 2, asdecimal=False), default=0)
    rating: Mapped[str] = mapped_column(String(10), default="")
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    unit: Mapped[Unit] = relationship()


dispatch_agreed_items = Table(
    "dispatch_agreed_items",
    db.metadata,
    Column("meeting_id", ForeignKey("dispatch_meetings.id", ondelete="CASCADE"), primary_key=True),
    Column("task_id", ForeignKey("tasks.id"), primary_key=True),
)


class DispatchMeeting(db.Model):
    """A weekly dispatch meeting (周调度会) and the agreed items (议定事项) it turned into tasks."""

    __tablename__ = "dispatch_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(10), index=True)
    held_on: Mapped[date]
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    agreed_items: Mapped[list[Task]] = relationship(secondary=dispatch_agreed_items,
                                                    order_by=Task.sort_key)


class PlacingRecord(db.Model):
    """A red/black placing as of a day that is over, kept because it can no longer change:
    every fact it counts (reports, decisions, status history, exemptions) carries the time
    it was recorded, so the ledger as it stood at that day's end is fixed. Keyed by the
    rules it was judged by (`fingerprint`), so a changed rule set judges afresh. Derived
    data: dropping every row loses nothing but the time to count them again."""

    __tablename__ = "placing_records"
    __table_args__ = (UniqueConstraint("day", "fingerprint", name="uq_placing_records_day_fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    fingerprint: Mapped[str] = mapped_column(String(64))
    red: Mapped[list] = mapped_column(JSON)
    black: Mapped[list] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
