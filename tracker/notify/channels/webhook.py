"""Generic webhook: a JSON body, signed `X-Duban-Signature: sha256=<hex HMAC of the body>`."""
from __future__ import annotations

import hashlib
import hmac
import json

from tracker.notify import messages
from tracker.notify.channels.base import Outgoing, limit_of, post_bytes


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def payload(out: Outgoing, settings: dict) -> dict:
    return {"title": out.title, "text": messages.plain(out, limit_of("webhook", settings)),
            "link": out.link, "ack_link": out.ack_link, **out.meta}


def send(out: Outgoing, settings: dict) -> None:
    body = json.dumps(payload(out, settings), ensure_ascii=False).encode()
    headers = {"X-Duban-Signature": signature(out.secret, body)} if out.secret else {}
    post_bytes(out.target, body, settings, headers)
