"""What every channel shares: the notice ready to send, the delivery error, and posting
JSON to a robot or webhook with the configured timeout. `requests` is imported where a post
is made: web workers, which only queue notices, never load it."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import requests


class DeliveryError(Exception):
    """The peer refused or did not answer; the message says why (stored as last_error)."""


@dataclass(frozen=True)
class Outgoing:
    """A notice ready to send: what it says, where it goes, and the settings it needs."""

    kind: str
    target: str
    secret: str | None
    title: str
    body: str
    link: str
    ack_link: str
    meta: dict = field(default_factory=dict)


def post_json(url: str, payload: dict, settings: dict, headers: dict | None = None) -> requests.Response:
    """POST a JSON body with the configured timeout; non-2xx raises DeliveryError."""
    data = json.dumps(payload, ensure_ascii=False).encode()
    return post_bytes(url, data, settings, headers)


def post_bytes(url: str, data: bytes, settings: dict, headers: dict | None = None) -> requests.Response:
    import requests

    timeout = settings["notify"]["http_timeout_seconds"]
    try:
        response = requests.post(url, data=data, timeout=(timeout, timeout), headers={
            "Content-Type": "application/json; charset=utf-8", **(headers or {})})
    except requests.Timeout:
        raise DeliveryError(f"timed out after {timeout}s") from None
    except requests.RequestException as exc:
        raise DeliveryError(f"connection failed: {type(exc).__name__}") from None
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}")
    return response


def check_robot_answer(response: requests.Response, code_key: str, message_key: str) -> None:
    """Robots answer 200 with an error code in the body; non-zero is a failure."""
    try:
        answer = response.json()
    except ValueError:
        raise DeliveryError(f"robot answered non-JSON: {response.text[:200]}") from None
    code = answer.get(code_key, answer.get("StatusCode", 0))
    if code not in (0, None):
        raise DeliveryError(f"robot error {code}: {answer.get(message_key, '')}"[:300])


def limit_of(kind: str, settings: dict) -> int:
    return int(settings["notify"]["size_limits"][kind])
