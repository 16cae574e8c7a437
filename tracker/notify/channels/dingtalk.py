"""DingTalk group robot: markdown message, signed with timestamp + sign when a secret is set."""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

from tracker.notify import messages
from tracker.notify.channels.base import Outgoing, check_robot_answer, limit_of, post_json


def sign(secret: str, timestamp_ms: int) -> str:
    """Base64(HMAC-SHA256(secret, timestamp + "\\n" + secret)), URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def signed_url(url: str, secret: str | None, timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    timestamp_ms = timestamp_ms or int(time.time() * 1000)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={sign(secret, timestamp_ms)}"


def payload(out: Outgoing, settings: dict) -> dict:
    text = messages.markdown(out, limit_of("dingtalk", settings))
    return {"msgtype": "markdown", "markdown": {"title": out.title, "text": text}}


def send(out: Outgoing, settings: dict) -> None:
    response = post_json(signed_url(out.target, out.secret), payload(out, settings), settings)
    check_robot_answer(response, "errcode", "errmsg")
