"""The ledger (台账): a year's plan of nested tasks with owners, deadlines and targets."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (CheckConstraint, Column, ForeignKey, Index, Integer, Numeric, String,
                        Table, Text, UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import now
from tracker.extensions import db
from tracker.labels import OPEN_STATUSES, STATUSES
from tracker.models.types import UTCDateTime
from tracker.models.units import Unit

task_co_units = Table(
    "task_co_units",
    db.metadata,
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True, index=True),
)


# ix_tasks_open_due's condition: the item is open.
OPEN_DUE_WHERE = "status IN (%s)" % ", ".join(f"'{status}'" for status in OPEN_STATUSES)


class Plan(db.Model):
    """A year's task list (任务清单)."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Task(db.Model):
    """A ledger item at any level: stage goal → main task → key work → quantified measure."""

    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("plan_id", "code", name="uq_tasks_plan_code"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        # Overdue and due-soon lists: open items by deadline.
        Index("ix_tasks_status_due", "status", "due_date"),
        Index("ix_tasks_due_status", "due_date", "status"),
        # A unit's items by deadline (lead side; co-units go through task_co_units). Carrying
        # status makes it cover per-unit counts (done, overdue) without reading the table.
        Index("ix_tasks_lead_due", "lead_unit_id", "due_date", "status"),
        Index("ix_tasks_plan_sort", "plan_id", "sort_key"),
        # The overdue list in deadline order: only open items, so a page of the earliest
        # deadlines walks no signed-off ones (state.open_clause spells the statuses as
        # literals, which a partial index needs).
        Index("ix_tasks_open_due", "due_date", "id", sqlite_where=text(OPEN_DUE_WHERE),
              postgresql_where=text(OPEN_DUE_WHERE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    # Zero-padded code parts ("0002.0003.0001") so the tree sorts in ledger order.
    sort_key: Mapped[str] = mapped_column(String(200))
    depth: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    leader: Mapped[str] = mapped_column(String(64), default="")
    start_date: Mapped[date | None]
    due_date: Mapped[date]
    target_value: Mapped[float | None] = mapped_column(Numeric(18, 4, asdecimal=False))
    target_unit: Mapped[str] = mapped_column(String(20), default="")
    actual_value: Mapped[float | None] = mapped_column(Numeric(18, 4, asdecimal=False))
    progress: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    version: Mapped[int] = mapped_column(default=1)
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the item took its present status (a sign-off asked by the deadline and awaiting
    # review is not overdue: lights read this).
    status_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_report_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    # Every UPDATE checks and bumps `version`, so a stale edit can never overwrite a newer one.
    __mapper_args__ = {"version_id_col": version}

    plan: Mapped[Plan] = relationship()
    parent: Mapped[Task | None] = relationship(remote_side=[id])
    lead_unit: Mapped[Unit] = relationship(foreign_keys=[lead_unit_id])
    co_units: Mapped[list[Unit]] = relationship(secondary=task_co_units, order_by=Unit.id)
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="task", order_by="Milestone.due_date", cascade="all, delete-orphan")

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    def involves(self, unit_id: int) -> bool:
        """Whether *unit_id* is the lead unit or a co-unit."""
        return unit_id == self.lead_unit_id or any(u.id == unit_id for u in self.co_units)


class Milestone(db.Model):
    """An intermediate date (时间节点) with the progress expected by then."""

    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    due_date: Mapped[date]
    expected_progress: Mapped[int]
    title: Mapped[str] = mapped_column(String(200), default="")

    task: Mapped[Task] = relationship(back_populates="milestones")


class TaskState(db.Model):
    """One stretch of an item's history: its status and deadline from `valid_from` until
    `valid_to` (None: still so). Every status or deadline change closes the open stretch
    and opens the next (tracker.ledger.timeline writes them), so "the ledger as it stood at
    the end of a day" is one range query."""

    __tablename__ = "task_states"
    __table_args__ = (
        Index("ix_task_states_task_from", "task_id", "valid_from"),
        Index("ix_task_states_to", "valid_to"),
        # Suspended stretches (few) are looked up by status for every reporting period.
        Index("ix_task_states_status_from", "status", "valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    due_date: Mapped[date]
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
