"""Subscription links: created (revoking the user's older one), revoked, and looked up by
their secret, of which only the SHA-256 is kept."""
from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import select, update

from tracker import audit, validation
from tracker.accounts.operations import TOKEN_USE_RESOLUTION, secret_digest
from tracker.clock import now
from tracker.errors import PermissionDenied, ValidationError
from tracker.extensions import db
from tracker.models import CalendarFeed, Unit, User


def create_feed(user: User, unit_id: object = None) -> tuple[CalendarFeed, str]:
    """A new subscription link for *user* (the old one stops working); returns the feed and
    its secret, seen this once. A unit user's feed is their unit's; the office and leaders
    may name a unit (*unit_id*) or take every item (None)."""
    if unit_id is not None:
        validation.integer(unit_id, "unit_id")
        if not (user.is_office or user.is_leader) and unit_id != user.unit_id:
            raise PermissionDenied("只能订阅本单位的日历 (your own unit only)")
        if db.session.get(Unit, unit_id) is None:
            raise ValidationError(f"unit_id: unit {unit_id} does not exist", "unit_id")
    elif not (user.is_office or user.is_leader):
        unit_id = user.unit_id
    revoked = _revoke_live(user)
    raw = secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=user.id, unit_id=unit_id, token_hash=secret_digest(raw), prefix=raw[:8])
    db.session.add(feed)
    db.session.flush()
    audit.record(user, "calendar.create", feed, detail={"prefix": feed.prefix, "unit_id": unit_id,
                                                         "revoked": revoked})
    return feed, raw


def revoke_feed(user: User) -> int:
    """Stop *user*'s link; how many live links there were (0 or 1)."""
    feed = live_feed(user)
    revoked = _revoke_live(user)
    if feed is not None:
        audit.record(user, "calendar.revoke", feed, detail={"prefix": feed.prefix})
    return revoked


def _revoke_live(user: User) -> int:
    result = db.session.execute(update(CalendarFeed).where(
        CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None)).values(revoked_at=now()))
    return result.rowcount or 0


def live_feed(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(
        CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None)))


def feed_for_token(raw: str) -> CalendarFeed | None:
    """The live feed of an active user with this secret, or None; marks it used."""
    feed = db.session.scalar(select(CalendarFeed).where(
        CalendarFeed.token_hash == secret_digest(raw), CalendarFeed.revoked_at.is_(None)))
    if feed is None or not feed.user.is_active:
        return None
    if feed.last_used_at is None or now() - feed.last_used_at > TOKEN_USE_RESOLUTION:
        feed.last_used_at = now()
    return feed


def feed_url(raw: str) -> str:
    """The absolute subscription address (config [app] base_url)."""
    base = current_app.config["SETTINGS"]["app"]["base_url"].rstrip("/")
    return f"{base}/calendar/{raw}.ics"
