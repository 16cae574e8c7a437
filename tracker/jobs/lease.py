"""The scheduler lease: only its holder fires jobs, so two scheduler processes (or a
stray in-app scheduler) never run the same job twice. Taken by INSERT … ON CONFLICT DO
NOTHING, renewed or taken over by a conditional UPDATE; both are atomic on SQLite and
PostgreSQL."""
from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, update

from tracker.clock import now
from tracker.extensions import db
from tracker.models import SchedulerLease
from tracker.notify.outbox import insert_ignoring

NAME = "scheduler"
HOLDER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def acquire(holder: str = HOLDER, name: str = NAME) -> bool:
    """Take or renew the lease for *holder*; True while it is ours. Commits."""
    at = now()
    until = at + timedelta(seconds=current_app.config["SETTINGS"]["scheduler"]["lease_seconds"])
    inserted = db.session.execute(
        insert_ignoring(SchedulerLease.__table__, ["name"]).returning(SchedulerLease.__table__.c.name),
        [{"name": name, "holder": holder, "expires_at": until}]).all()
    held = bool(inserted) or db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name,
               or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < at))
        .values(holder=holder, expires_at=until)).rowcount == 1
    db.session.commit()
    return held


def status(name: str = NAME) -> dict:
    """Who holds the lease, when it last renewed it, and whether it has lapsed (no holder,
    or one that stopped renewing)."""
    row = db.session.get(SchedulerLease, name)
    if row is None:
        return {"holder": None, "heartbeat_at": None, "stale": True}
    seconds = current_app.config["SETTINGS"]["scheduler"]["lease_seconds"]
    expires = row.expires_at
    return {"holder": row.holder, "heartbeat_at": expires - timedelta(seconds=seconds),
            "stale": expires < now()}
