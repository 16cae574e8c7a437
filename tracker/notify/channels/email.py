"""Email through SMTP (plain, STARTTLS or SSL; optional login), as plain text plus HTML."""
from __future__ import annotations

import functools
import smtplib
import socket
import ssl
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


def send(out: Outgoing, settings: dict) -> None:
    cfg = settings["mail"]
    try:
        with _connect(cfg) as smtp:
            if cfg["username"]:
                smtp.login(cfg["username"], cfg["password"])
            smtp.send_message(build(out, settings))
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP {cfg['host']}:{cfg['port']}: {type(exc).__name__}: {exc}"[:300]) \
            from None


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
