"""Delivery to one recipient: email (smtplib) or a chat robot / webhook (requests).

`send(outgoing, settings)` returns on success and raises DeliveryError with a short reason
otherwise. It touches no database and no app context, so the dispatcher can run sends in
worker threads. One module per channel kind; `base` holds what they share.
"""
from __future__ import annotations

from tracker.notify.channels import dingtalk, email, feishu, webhook, wecom
from tracker.notify.channels.base import DeliveryError, Outgoing

__all__ = ["DeliveryError", "Outgoing", "send"]

SENDERS = {"email": email.send, "wecom": wecom.send, "dingtalk": dingtalk.send,
           "feishu": feishu.send, "webhook": webhook.send}


def send(out: Outgoing, settings: dict) -> None:
    """Deliver *out*; *settings* is the app's settings tree (mail, notify sections)."""
    SENDERS[out.kind](out, settings)
