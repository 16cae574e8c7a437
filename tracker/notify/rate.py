"""Per-robot rate limits (WeCom and DingTalk accept 20 messages a minute per robot).

A one-minute window per recipient, counted in the database so that every dispatcher
process shares it; taking a slot is a conditional UPDATE.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from tracker.clock import now
from tracker.extensions import db
from tracker.models import RateWindow
from tracker.notify.outbox import insert_ignoring

WINDOW = timedelta(minutes=1)


def take(recipient: str, limit: int) -> datetime | None:
    """Take one send slot for *recipient*: None when granted, else when to try again."""
    at = now()
    db.session.execute(insert_ignoring(RateWindow.__table__, ["recipient"]),
                       [{"recipient": recipient, "window_start": at, "count": 0}])
    same = RateWindow.recipient == recipient
    granted = db.session.execute(
        update(RateWindow).where(same, RateWindow.window_start > at - WINDOW, RateWindow.count < limit)
        .values(count=RateWindow.count + 1)).rowcount
    if not granted:
        granted = db.session.execute(
            update(RateWindow).where(same, RateWindow.window_start <= at - WINDOW)
            .values(window_start=at, count=1)).rowcount
    if granted:
        return None
    return db.session.get(RateWindow, recipient, populate_existing=True).window_start + WINDOW
