"""Feishu (Lark) group robot: a rich-text "post" message, signed when a secret is set."""
from __future__ import annotations

import base64
import hashlib
import hmac
import time

from tracker.notify import messages
from tracker.notify.channels.base import Outgoing, check_robot_answer, limit_of, post_json


def sign(secret: str, timestamp_s: int) -> str:
    """Base64(HMAC-SHA256(key = timestamp + "\\n" + secret, message = empty))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def payload(out: Outgoing, settings: dict, timestamp_s: int | None = None) -> dict:
    lines, more = messages.fitted_lines(out, limit_of("feishu", settings))
    content = [[{"tag": "text", "text": line}] for line in lines]
    if more:
        content.append([{"tag": "text", "text": more}])
    content.append([{"tag": "a", "text": messages.VIEW, "href": out.link},
                    {"tag": "text", "text": "  "},
                    {"tag": "a", "text": messages.ACK, "href": out.ack_link}])
    body = {"msg_type": "post",
            "content": {"post": {"zh_cn": {"title": out.title, "content": content}}}}
    if out.secret:
        timestamp_s = timestamp_s or int(time.time())
        body.update(timestamp=str(timestamp_s), sign=sign(out.secret, timestamp_s))
    return body


def send(out: Outgoing, settings: dict) -> None:
    response = post_json(out.target, payload(out, settings), settings)
    check_robot_answer(response, "code", "msg")
