"""A unit's notices in Duban (站内通知): the list, the unread count in the page header, and
reading one. A notice is read for the whole unit once one of its users opens it, here or
through the 签收 link of any message carrying it: the in-app notice and the outbox rows of
the same notice for that unit get the same read_at and reader."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select

from tracker import audit
from tracker.clock import now
from tracker.errors import NotFound
from tracker.extensions import db
from tracker.lookup import require
from tracker.models import Notification, UnitNotice, User


def notices_query(user: User) -> Select:
    """*user*'s unit's notices, newest first (nobody sees another unit's)."""
    return (select(UnitNotice).where(UnitNotice.unit_id == user.unit_id)
            .order_by(UnitNotice.created_at.desc(), UnitNotice.id.desc()))


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(UnitNotice).where(
        UnitNotice.unit_id == user.unit_id, UnitNotice.read_at.is_(None)))


def get_notice(user: User, notice_id: int) -> UnitNotice:
    """The notice if it is filed under *user*'s unit; 404 otherwise (another unit's notice
    answers like one that does not exist, so ids tell nothing)."""
    notice = require(UnitNotice, notice_id)
    if notice.unit_id != user.unit_id:
        raise NotFound(f"notice {notice_id} does not exist")
    return notice


def open_notice(user: User, notice: UnitNotice) -> bool:
    """*user* opens their unit's *notice*: mark it read (the first reader counts; leaders
    only read and sign for nothing). Returns whether this marked it."""
    if notice.read_at is not None or user.is_leader or notice.unit_id != user.unit_id:
        return False
    mark_read(user, notice.rule, notice.subject, notice.period, notice.unit_id, now())
    audit.record(user, "notification.read", notice, detail={"rule": notice.rule})
    return True


def mark_read(user: User, rule: str, subject: str, period: str, unit_id: int,
              at: datetime) -> None:
    """Mark the unit's notice (rule, subject, period) read at *at* by *user* wherever it is
    still unread: the in-app notice and the unit's outbox rows (not those addressed to a
    named person)."""
    rows = [*db.session.scalars(select(UnitNotice).where(
                UnitNotice.rule == rule, UnitNotice.subject == subject,
                UnitNotice.period == period, UnitNotice.unit_id == unit_id,
                UnitNotice.read_at.is_(None))),
            *db.session.scalars(select(Notification).where(
                Notification.rule == rule, Notification.subject == subject,
                Notification.period == period, Notification.unit_id == unit_id,
                Notification.user_id.is_(None), Notification.read_at.is_(None)))]
    for row in rows:
        row.read_at, row.read_by_id = at, user.id
