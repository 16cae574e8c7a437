"""Email through SMTP (plain, STARTTLS or SSL; optional login), as plain text plus HTML.

Within one delivery run each sending thread keeps its SMTP connection for the next message
(up to `[mail] messages_per_connection`, and while used within IDLE_SECONDS), instead of
connecting, greeting and logging in for every message; the run ends its own sessions
(`Sessions.close`), never another run's. A kept connection that fails is dropped, and the
message fails as any other does (the outbox retries it)."""
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

_local = threading.local()


class Sessions:
    """The SMTP sessions one delivery run's sending threads keep (`keep_in_this_thread` in
    each), ended together by `close()` at the run's end. A thread that keeps none (any
    other caller of `send`) connects and quits per message."""

    def __init__(self) -> None:
        self._open: set[_Kept] = set()
        self._lock = threading.Lock()

    def keep_in_this_thread(self) -> None:
        _local.sessions, _local.kept = self, None

    def close(self) -> None:
        with self._lock:
            kept, self._open = list(self._open), set()
        for one in kept:
            _quit(one.smtp)

    def _add(self, kept: _Kept) -> None:
        with self._lock:
            self._open.add(kept)

    def _drop(self, kept: _Kept, polite: bool = True) -> None:
        """End *kept*: QUIT when *polite*, else just close it (a session that no longer
        answers, or one idle so long that a QUIT could wait out the timeout)."""
        if getattr(_local, "kept", None) is kept:
            _local.kept = None
        with self._lock:
            mine = kept in self._open
            self._open.discard(kept)
        if mine and polite:
            _quit(kept.smtp)
        elif mine:
            kept.smtp.close()

class _Kept:
    """One thread's open SMTP session and how much it has been used."""

    def __init__(self, smtp: smtplib.SMTP):
        self.smtp, self.sent, self.used_at = smtp, 0, time.monotonic()


def send(out: Outgoing, settings: dict) -> None:
    cfg = settings["mail"]
    message = build(out, settings)
    sessions: Sessions | None = getattr(_local, "sessions", None)
    try:
        if sessions is None:
            with _login(cfg) as smtp:
                smtp.send_message(message)
            return
        kept = _session(sessions, cfg)
        try:
            kept.smtp.send_message(message)
        except BaseException:
            sessions._drop(kept, polite=False)  # a QUIT to a peer that failed could wait out the timeout
            raise
        kept.sent += 1
        kept.used_at = time.monotonic()
        if kept.sent >= int(cfg["messages_per_connection"]):
            sessions._drop(kept)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP {cfg['host']}:{cfg['port']}: {type(exc).__name__}: {exc}"[:300]) \
            from None


def _session(sessions: Sessions, cfg: dict) -> _Kept:
    """This thread's kept session (a run reads `[mail]` once) if it still answers (a NOOP: a
    server may end a session after its own limit of messages or idle time, and the message
    must not fail for that), or a new one (connected, logged in)."""
    kept = getattr(_local, "kept", None)
    if kept is not None and (time.monotonic() - kept.used_at > IDLE_SECONDS or not _answers(kept.smtp)):
        sessions._drop(kept, polite=False)
        kept = None
    if kept is None:
        kept = _local.kept = _Kept(_login(cfg))
        sessions._add(kept)
    return kept


def _login(cfg: dict) -> smtplib.SMTP:
    """A connected session, logged in when `[mail] username` is set."""
    smtp = _connect(cfg)
    try:
        if cfg["username"]:
            smtp.login(cfg["username"], cfg["password"])
    except BaseException:
        smtp.close()
        raise
    return smtp


def _answers(smtp: smtplib.SMTP) -> bool:
    try:
        return smtp.noop()[0] == 250
    except (OSError, smtplib.SMTPException):
        return False


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
