"""Office actions on notifications: the log query and a channel's test message."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from tracker import audit
from tracker.accounts.permissions import require_office
from tracker.clock import local, now
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.labels import NOTIFICATION_STATUSES
from tracker.models import Channel, Notification, User
from tracker.notify import messages, outbox, recipients
from tracker.notify.delivery import deliver

def notifications_query(user: User, status: str | None = None, rule: str | None = None,
                        unit_id: int | None = None) -> Select:
    """The notification log, newest first, filtered (office only)."""
    require_office(user)
    query = select(Notification).options(selectinload(Notification.unit),
                                         selectinload(Notification.read_by))
    if status:
        if status not in NOTIFICATION_STATUSES:
            raise ValidationError(f"status must be one of {', '.join(NOTIFICATION_STATUSES)}", "status")
        query = query.where(Notification.status == status)
    if rule:
        query = query.where(Notification.rule == rule)
    if unit_id is not None:
        query = query.where(Notification.unit_id == unit_id)
    return query.order_by(Notification.created_at.desc(), Notification.id.desc())


def to_dict(n: Notification) -> dict:
    """The API's notification object (API.md)."""
    return {"id": n.id, "rule": n.rule, "channel_kind": n.channel_kind, "target": n.target,
            "unit_id": n.unit_id, "task_ids": n.task_ids, "period": n.period, "status": n.status,
            "attempts": n.attempts, "last_error": n.last_error,
            "created_at": _iso(n.created_at), "sent_at": _iso(n.sent_at), "read_at": _iso(n.read_at)}


def _iso(at: datetime | None) -> str | None:
    return local(at).isoformat() if at else None


def send_test(actor: User, channel: Channel) -> Notification:
    """Send a test message to *channel* now and return its notification (sent or failed).
    Commits: the message must be queued before the outbox can claim it."""
    require_office(actor)
    stamp = local(now()).strftime("%Y-%m-%d %H:%M:%S")
    period = f"{stamp} {uuid.uuid4().hex[:8]}"  # every click is a message of its own
    notice = outbox.Notice("test", f"channel:{channel.id}", period, "【测试】督办系统通知渠道测试",
                         f"这是一条测试消息，发送时间 {stamp}。收到即表示本渠道配置正确。",
                         messages.unit_items_url(channel.unit_id))
    outbox.enqueue([(recipients.of_channel(channel), notice)])
    row = db.session.scalar(select(Notification).where(
        Notification.rule == "test", Notification.subject == notice.subject,
        Notification.period == period))
    audit.record(actor, "channel.test", channel, detail={"notification_id": row.id})
    db.session.commit()
    deliver(only=[row.id])
    db.session.refresh(row)
    return row
