"""Real peers for notification tests: an SMTP server (aiosmtpd) and a chat-robot HTTP server.

The HTTP server listens on 127.0.0.1 and answers like the robots do. Paths name the kind:
/dingtalk/<name>, /feishu/<name>, /wecom/<name>, /webhook/<name>. It checks DingTalk and
Feishu signatures (and the webhook HMAC) for paths given a secret, and can fail a path a
number of times or hang on it, on demand.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    path: str
    query: dict
    headers: dict
    body: dict
    raw: bytes


@dataclass
class RobotServer:
    """What the robot server has seen and how it should behave next."""

    secrets: dict[str, str] = field(default_factory=dict)
    fail_times: dict[str, int] = field(default_factory=dict)
    hang_paths: set[str] = field(default_factory=set)
    requests: list[Received] = field(default_factory=list)
    delivered: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def delivered_to(self, path: str) -> list[Received]:
        return [r for r in self.delivered if r.path == path]

    def answer(self, got: Received) -> tuple[int, dict]:
        with self.lock:
            self.requests.append(got)
            failing = self.fail_times.get(got.path, 0)
            if failing:
                self.fail_times[got.path] = failing - 1
        if got.path in self.hang_paths:
            self.release.wait(30)
            return 200, {"errcode": 0}
        if failing:
            return 500, {"error": "failing on demand"}
        problem = self._signature_problem(got)
        if problem:
            return problem
        with self.lock:
            self.delivered.append(got)
        return 200, ({"code": 0, "msg": "success"} if got.path.startswith("/feishu/")
                     else {"errcode": 0, "errmsg": "ok"})

    def _signature_problem(self, got: Received) -> tuple[int, dict] | None:
        secret = self.secrets.get(got.path)
        if secret is None:
            return None
        if got.path.startswith("/dingtalk/"):
            ts = got.query.get("timestamp", [""])[0]
            digest = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
            sent = got.query.get("sign", [""])[0]  # parse_qs has URL-decoded it
            fresh = ts.isdigit() and abs(time.time() * 1000 - int(ts)) < 3_600_000
            if not fresh or sent != base64.b64encode(digest).decode():
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
        elif got.path.startswith("/feishu/"):
            ts = str(got.body.get("timestamp", ""))
            digest = hmac.new(f"{ts}\n{secret}".encode(), b"", hashlib.sha256).digest()
            if got.body.get("sign") != base64.b64encode(digest).decode():
                return 200, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}
        elif got.path.startswith("/webhook/"):
            expected = "sha256=" + hmac.new(secret.encode(), got.raw, hashlib.sha256).hexdigest()
            if got.headers.get("X-Duban-Signature") != expected:
                return 401, {"error": "bad signature"}
        return None


def _handler(server: RobotServer):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            parts = urlsplit(self.path)
            got = Received(parts.path, parse_qs(parts.query), dict(self.headers),
                           json.loads(raw or b"{}"), raw)
            status, answer = server.answer(got)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def robots():
    """A running robot server (RobotServer); stopped, and any hang released, afterwards."""
    state = RobotServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    state.release.set()
    httpd.shutdown()
    httpd.server_close()


class _Mailbox:
    def __init__(self):
        self.messages: list = []
        self.connections: list = []   # each message's SMTP session (one per connection)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        from email import message_from_bytes, policy

        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, msg))
        self.connections.append(session)
        return "250 OK"


@pytest.fixture
def smtp():
    """A running SMTP server on 127.0.0.1; `.messages` is [(rcpt_tos, EmailMessage)], `.port`."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    mailbox.port = port
    yield mailbox
    controller.stop()
