"""Email through SMTP (plain, STARTTLS or SSL; optional login), as plain text plus HTML."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from tracker.notify import messages
from tracker.notify.channels import DeliveryError, Outgoing, limit_of


def build(out: Outgoing, settings: dict) -> EmailMessage:
    limit = limit_of("email", settings)
    msg = EmailMessage()
    msg["Subject"] = out.title
    msg["From"] = settings["mail"]["sender"]
    msg["To"] = out.target
    msg.set_content(messages.plain(out, limit))
    msg.add_alternative(messages.html(out, limit), subtype="html")
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


def _connect(cfg: dict) -> smtplib.SMTP:
    timeout = cfg["timeout_seconds"]
    if cfg["security"] == "ssl":
        return smtplib.SMTP_SSL(cfg["host"], cfg["port"], timeout=timeout,
                                context=ssl.create_default_context())
    smtp = smtplib.SMTP(cfg["host"], cfg["port"], timeout=timeout)
    if cfg["security"] == "starttls":
        try:
            smtp.starttls(context=ssl.create_default_context())
        except (OSError, smtplib.SMTPException):
            smtp.close()
            raise
    return smtp
