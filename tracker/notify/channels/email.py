"""Email through SMTP (plain, STARTTLS or SSL; optional login), as plain text plus HTML.

Within one delivery run each sending thread keeps its SMTP connection for the next message
(up to `[mail] messages_per_connection`, and while used within IDLE_SECONDS), instead of connecting,
greeting and logging in for every message; the run closes them all at its end
(`close_connections`). A kept connection that fails is dropped, and the message fails as any
other does (the outbox retries it)."""
from __future__ import annotations

import functools
import smtplib
import socket
import ssl
import threading
import time
import uuid
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, parseaddr

from tracker.notify import messages
from tracker.notify.channels.base import DeliveryError, Outgoing, limit_of


def build(out: Outgoing, settings: dict) -> MIMEMultipart:
    """Plain text and HTML alternatives, both UTF-8 in base64. The compat32 MIME classes,
    because EmailMessage's header parser and boundary search cost ~4 ms a message: the
    weekly notice's 2,000 digests spent more time being built than being sent."""
    limit = limit_of("email", settings)
    # "=_" never occurs in base64 text, so the boundary needs no search through the parts.
    msg = MIMEMultipart("alternative", boundary=f"=_duban_{uuid.uuid4().hex}")
    msg["Subject"] = Header(out.title, "utf-8")
    msg["From"] = formataddr(parseaddr(settings["mail"]["sender"]), "utf-8")
    msg["To"] = out.target
    msg.attach(MIMEText(messages.plain(out, limit), "plain", "utf-8"))
    msg.attach(MIMEText(messages.html(out, limit), "html", "utf-8"))
    return msg


# A session idle for minutes may have been closed by the server: such a one is not reused.
IDLE_SECONDS = 30


class _Kept:
    """One thread's open SMTP session and how much it has been used."""

    def __init__(self, key: tuple, smtp: smtplib.SMTP):
        self.key, self.smtp, self.sent, self.used_at = key, smtp, 0, time.monotonic()


_local = threading.local()
_open: set[_Kept] = set()
_open_lock = threading.Lock()


def send(out: Outgoing, settings: dict) -> None:
    cfg = settings["mail"]
    message = build(out, settings)
    try:
        kept = _session(cfg)
        try:
            kept.smtp.send_message(message)
        except BaseException:
            _drop(kept)
            raise
        kept.sent += 1
        kept.used_at = time.monotonic()
        if kept.sent >= int(cfg.get("messages_per_connection", 1)):
            _drop(kept)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP {cfg['host']}:{cfg['port']}: {type(exc).__name__}: {exc}"[:300]) \
            from None


def close_connections() -> None:
    """End every kept SMTP session (QUIT): a delivery run calls this when it is done."""
    with _open_lock:
        kept = list(_open)
        _open.clear()
    for one in kept:
        _quit(one.smtp)


def _session(cfg: dict) -> _Kept:
    """This thread's kept session for these settings, or a new one (connected, logged in)."""
    key = (cfg["host"], cfg["port"], cfg["security"], cfg["username"])
    kept = getattr(_local, "kept", None)
    if kept is not None and (kept.key != key or time.monotonic() - kept.used_at > IDLE_SECONDS
                             or kept not in _open):
        _drop(kept)
        kept = None
    if kept is None:
        smtp = _connect(cfg)
        try:
            if cfg["username"]:
                smtp.login(cfg["username"], cfg["password"])
        except BaseException:
            smtp.close()
            raise
        kept = _local.kept = _Kept(key, smtp)
        with _open_lock:
            _open.add(kept)
    return kept


def _drop(kept: _Kept) -> None:
    if getattr(_local, "kept", None) is kept:
        _local.kept = None
    with _open_lock:
        mine = kept in _open
        _open.discard(kept)
    if mine:
        _quit(kept.smtp)


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


@functools.cache
def _local_hostname() -> str:
    """This host's name for EHLO, looked up once: smtplib would resolve it (a reverse DNS
    query) on every connection."""
    return socket.getfqdn()


def _connect(cfg: dict) -> smtplib.SMTP:
    timeout = cfg["timeout_seconds"]
    if cfg["security"] == "ssl":
        return smtplib.SMTP_SSL(cfg["host"], cfg["port"], local_hostname=_local_hostname(),
                                timeout=timeout, context=ssl.create_default_context())
    smtp = smtplib.SMTP(cfg["host"], cfg["port"], local_hostname=_local_hostname(), timeout=timeout)
    if cfg["security"] == "starttls":
        try:
            smtp.starttls(context=ssl.create_default_context())
        except (OSError, smtplib.SMTPException):
            smtp.close()
            raise
    return smtp
