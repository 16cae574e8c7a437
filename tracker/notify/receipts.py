"""Read receipts (签收): every notice carries a signed link; a user of the notified unit
(or the named person) opening it marks the notice read, with who and when. A unit's notice
is then read everywhere it was filed for the unit (`inbox.mark_read`), with the same time."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from tracker import audit
from tracker.clock import now
from tracker.errors import NotFound
from tracker.extensions import db
from tracker.models import Notification, User
from tracker.notify import inbox

SALT = "duban-notice-ack"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def ack_url(notification_id: int) -> str:
    base = current_app.config["SETTINGS"]["app"]["base_url"].rstrip("/")
    return f"{base}/notify/ack/{_serializer().dumps(notification_id)}"


def notification_for(token: str) -> Notification:
    """The notice a receipt link names; NotFound for a forged or unknown link."""
    try:
        notification_id = _serializer().loads(token)
    except BadSignature:
        raise NotFound("签收链接无效 (invalid receipt link)") from None
    notification = db.session.get(Notification, notification_id)
    if notification is None:
        raise NotFound("通知不存在 (no such notice)")
    return notification


def acknowledge(user: User, notification: Notification) -> bool:
    """Mark *notification* read by *user* if they are its addressee (a user of its unit, or
    the person it was sent to). The first reader counts; returns whether this marked it."""
    addressee = user.id == notification.user_id or (
        notification.user_id is None and user.unit_id == notification.unit_id)
    if not addressee or notification.read_at is not None:
        return False
    at = now()
    notification.read_at, notification.read_by_id = at, user.id
    if notification.user_id is None and notification.unit_id is not None:
        inbox.mark_read(user, notification.rule, notification.subject, notification.period,
                        notification.unit_id, at)
    audit.record(user, "notification.read", notification)
    return True
