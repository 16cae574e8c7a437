"""`GET /healthz`: what a load balancer and a monitor ask — the database answers, the
scheduler holds its lease, the outbox drains. No authentication, no secrets, three small
queries."""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from tracker.extensions import db
from tracker.jobs import lease
from tracker.models import Notification
from tracker.notify.outbox import RETRYABLE

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.route("/healthz")
def healthz():
    """200 with the figures; 503 when the database does not answer."""
    try:
        body = {"database": "ok", "scheduler": _iso(lease.status()), "outbox": outbox_figures()}
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("healthz: database unreachable: %s", type(exc).__name__)
        response = jsonify({"database": "unreachable"})
        response.status_code = 503
    else:
        db.session.rollback()
        response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def outbox_figures() -> dict:
    """Messages waiting (pending or to retry), given up (dead), and the oldest waiting."""
    pending, oldest = db.session.execute(
        select(func.count(), func.min(Notification.created_at))
        .where(Notification.status.in_(RETRYABLE))).one()
    dead = db.session.scalar(select(func.count()).where(Notification.status == "dead"))
    return {"pending": pending, "dead": dead, "oldest_pending_at": _iso_at(oldest)}


def _iso(status: dict) -> dict:
    return {**status, "heartbeat_at": _iso_at(status["heartbeat_at"])}


def _iso_at(value):
    if value is None:
        return None
    from tracker.clock import local

    return local(value).isoformat()
