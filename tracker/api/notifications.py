"""API: the notification outbox (office): the log, and retrying a failed notice."""
from __future__ import annotations

from flask import g, request

from tracker.api.blueprint import bp
from tracker.api.parsing import page_of, query_int
from tracker.api.spec import (INT, PAGING, STAMP, STR, obj, enum, nullable, operation, page,
                              path_id, query)
from tracker.extensions import db
from tracker.labels import NOTIFICATION_STATUSES
from tracker.lookup import require
from tracker.models import Notification
from tracker.notify import operations, outbox


@bp.get("/notifications")
def list_notifications():
    query_ = operations.notifications_query(g.api_user, request.args.get("status") or None,
                                            request.args.get("rule") or None, query_int("unit_id"))
    return page_of(query_, operations.to_dict)


@bp.post("/notifications/<int:notification_id>/retry")
def retry_notification(notification_id: int):
    notification = require(Notification, notification_id)
    outbox.retry(g.api_user, notification)
    db.session.commit()
    return operations.to_dict(notification)


SCHEMAS = {
    "Notification": obj(
        ["id", "rule", "channel_kind", "target", "unit_id", "task_ids", "period", "status",
         "attempts", "last_error", "created_at", "sent_at", "read_at"],
        id=INT, rule={**STR, "description": "e.g. weekly-overdue-notice, deadline-reminder"},
        channel_kind=enum("email", "wecom", "dingtalk", "feishu", "webhook"),
        target={**STR, "description": "email address or robot/webhook URL"},
        unit_id=nullable(INT), task_ids={"type": "array", "items": INT},
        period={**STR, "description": "the run's key: a date, an ISO week …"},
        status=enum(*NOTIFICATION_STATUSES), attempts=INT, last_error=nullable(STR),
        created_at=STAMP, sent_at=nullable(STAMP),
        read_at={**nullable(STAMP), "description": "when a user of the unit opened its 签收 link"}),
}

PATHS = {
    "/notifications": {
        "get": operation(
            "The notification log (office)", tag="notifications", returns=page("Notification"),
            params=[query("status", enum(*NOTIFICATION_STATUSES), "only this delivery status"),
                    query("rule", "string", "only this rule"),
                    query("unit_id", "integer", "only notices filed under this unit"), *PAGING],
            errors=(400, 403),
            description="Newest first. Delivery is immediate; failures are retried first within "
                        "a minute, then with growing backoff, and are `dead` after the limit."),
    },
    "/notifications/{notification_id}/retry": {
        "post": operation("Queue a failed or dead notice again (office)", tag="notifications",
                          returns="Notification", params=[path_id("notification_id", "notice id")],
                          errors=(403, 404, 409),
                          description="409 when the notice is pending or already sent."),
    },
}
