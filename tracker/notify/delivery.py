"""Delivering the outbox: claim due rows, send them in parallel with timeouts, record each.

Delivery is immediate (working days decide when jobs fire, never when the outbox sends).
Claims are committed before sending so concurrent dispatchers never send a row twice; a
peer that hangs holds one worker until its timeout while the others go on.
"""
from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Channel, Notification
from tracker.notify import outbox, rate, receipts
from tracker.notify.channels import DeliveryError, Outgoing, email, send

log = logging.getLogger(__name__)


def deliver(only: list[int] | None = None) -> dict[str, int]:
    """Deliver every due notice (or just the ids in *only*); returns counts by outcome."""
    settings = current_app.config["SETTINGS"]
    cfg = settings["notify"]
    if cfg["claim_seconds"] <= 2 * cfg["http_timeout_seconds"]:
        raise ValueError("[notify] claim_seconds must exceed twice http_timeout_seconds")
    token = uuid.uuid4().hex
    counts: Counter[str] = Counter()
    sessions = email.Sessions()  # the SMTP sessions this run's sending threads keep
    try:
        with ThreadPoolExecutor(cfg["workers"], initializer=sessions.keep_in_this_thread) as pool:
            while (batch := outbox.claim(token, cfg["batch_size"], only)) is not None:
                _deliver_batch(batch, token, pool, settings, counts, send_by=_send_by(cfg))
                db.session.commit()
    finally:
        sessions.close()
    return {k: counts[k] for k in ("sent", "failed", "dead", "deferred")}


@dataclass(frozen=True)
class Claimed:
    """What recording an outcome needs of a claimed row, read before sending."""

    id: int
    attempts: int
    target: str


class ClaimLapsing(Exception):
    """Too little of the claim is left to start a send that could then outlive it."""


def _send_by(cfg: dict) -> float:
    """The monotonic instant after which no send of this claim may start: a send takes at
    most about two timeouts (connect, then read), and must finish before the claim lapses
    and another dispatcher may take the row."""
    return time.monotonic() + cfg["claim_seconds"] - 2 * cfg["http_timeout_seconds"]


def _send_before(send_by: float, out: Outgoing, settings: dict) -> None:
    if time.monotonic() > send_by:
        raise ClaimLapsing
    send(out, settings)


def _deliver_batch(batch: list[Notification], token: str, pool: ThreadPoolExecutor, settings: dict,
             counts: Counter, send_by: float) -> None:
    ready = [row for row in batch if not _rate_limited(row, token, settings, counts)]
    secrets = _secrets(ready)
    sends = [(Claimed(row.id, row.attempts, row.target), outgoing(row, secrets.get(row.channel_id)))
             for row in ready]
    db.session.commit()  # slots taken, deferrals recorded: release the write lock before sending
    futures = {pool.submit(_send_before, send_by, out, settings): row for row, out in sends}
    sent = []
    for future in as_completed(futures):
        row = futures[future]
        try:
            future.result()
        except ClaimLapsing:
            outbox.release(row, token)  # untried: the next claim sends it
            counts["deferred"] += 1
        except DeliveryError as exc:
            _failed(row, token, str(exc), counts)
        except Exception as exc:  # a bug in a channel must not stop the others
            log.exception("notification %s: unexpected error", row.id)
            _failed(row, token, f"{type(exc).__name__}: {exc}"[:300], counts)
        else:
            sent.append(row.id)
    outbox.mark_sent(sent, token)
    counts["sent"] += len(sent)


def _failed(row: Notification, token: str, error: str, counts: Counter) -> None:
    outbox.mark_failed(row, token, error)
    counts["dead" if row.attempts + 1 >= current_app.config["SETTINGS"]["notify"]["max_attempts"]
           else "failed"] += 1
    log.warning("notification %s to %s failed: %s", row.id, row.target, error)


def _rate_limited(row: Notification, token: str, settings: dict, counts: Counter) -> bool:
    limit = settings["notify"]["rate_limits"].get(row.channel_kind)
    if not limit:
        return False
    wait_until = rate.take(row.recipient, int(limit))
    if wait_until is None:
        return False
    outbox.defer(row, token, wait_until)
    counts["deferred"] += 1
    return True


def _secrets(rows: list[Notification]) -> dict[int, str | None]:
    ids = {row.channel_id for row in rows if row.channel_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(Channel.id, Channel.secret).where(Channel.id.in_(ids))).all())


def outgoing(row: Notification, secret: str | None) -> Outgoing:
    """The plain data a channel needs to send *row* (no database access in worker threads)."""
    return Outgoing(kind=row.channel_kind, target=row.target, secret=secret, title=row.title,
                    body=row.body, link=row.link, ack_link=receipts.ack_url(row.id),
                    meta={"id": row.id, "rule": row.rule, "unit_id": row.unit_id,
                          "task_ids": row.task_ids, "period": row.period})
