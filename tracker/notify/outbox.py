"""The outbox: every notification is a row first, then delivered, retried or given up.

Queueing is idempotent: (rule, subject, recipient, period) is unique and inserts skip
existing keys (INSERT … ON CONFLICT DO NOTHING), so a job re-run for the same date queues
nothing new. Delivery (`tracker.notify.delivery`) claims due rows with a lease.

A notice to a unit (or to the office) is also filed once under the unit as its in-app
notice (`UnitNotice`, keyed by rule, subject, period and unit), whatever channels the unit
has; `tracker.notify.inbox` shows it. A rule switched off in `[notify] rules` queues and
files nothing.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tracker import audit
from tracker.accounts.permissions import require_office
from tracker.clock import now
from tracker.errors import Conflict
from tracker.extensions import db
from tracker.models import Notification, Unit, UnitNotice, User
from tracker.notify import recipients
from tracker.notify.recipients import Recipient

RETRYABLE = ("pending", "failed")
INSERT_CHUNK = 500
_KEY = ("rule", "subject", "recipient", "period")
_NOTICE_KEY = ("rule", "subject", "period", "unit_id")


@dataclass(frozen=True)
class Notice:
    """What a notice says, before it is addressed to anyone."""

    rule: str
    subject: str
    period: str
    title: str
    body: str
    link: str
    task_ids: Sequence[int] = field(default_factory=tuple)


def enqueue_for_unit(rule: str, unit: Unit, subject: str, period: str, title: str, body: str,
                     link: str, task_ids: Iterable[int] = ()) -> int:
    """Queue one notice per active channel of *unit* (plus the unit's email if set).
    Returns how many rows were new; an already-queued key is skipped."""
    notice = Notice(rule, subject, period, title, body, link, tuple(task_ids))
    return enqueue_for_units([(unit.id, notice)])


def enqueue_for_units(notices: Iterable[tuple[int, Notice]]) -> int:
    """Queue many (unit_id, notice) pairs at once: one recipient lookup, bulk inserts."""
    notices = [(unit_id, d) for unit_id, d in notices if is_enabled(d.rule)]
    file_for_units(notices)
    by_unit = recipients.of_units(unit_id for unit_id, _ in notices)
    return enqueue([(r, d) for unit_id, d in notices for r in by_unit[unit_id]])


def already_queued(rule: str, period: str, subjects: dict[int, str]) -> set[int]:
    """The units of {unit_id: subject} whose notice of *rule* and *period* is already filed
    and queued to every recipient they have now: a re-run skips them before building any
    message (a unit given a channel since is not skipped, and gets the notice there)."""
    if not subjects:
        return set()
    filed = {u for u, subject in db.session.execute(
        select(UnitNotice.unit_id, UnitNotice.subject).where(
            UnitNotice.rule == rule, UnitNotice.period == period,
            UnitNotice.unit_id.in_(list(subjects)))) if subjects[u] == subject}
    if not filed:
        return set()
    queued = set(db.session.execute(select(Notification.subject, Notification.recipient).where(
        Notification.rule == rule, Notification.period == period,
        Notification.subject.in_(sorted({subjects[u] for u in filed})))).all())
    by_unit = recipients.of_units(filed)
    return {u for u in filed if all((subjects[u], r.key) in queued for r in by_unit[u])}


def enqueue_for_office(rule: str, subject: str, period: str, title: str, body: str, link: str,
                       task_ids: Iterable[int] = ()) -> int:
    """Queue a notice to the office: the office-kind units' channels and office users' email."""
    notice = Notice(rule, subject, period, title, body, link, tuple(task_ids))
    if not is_enabled(rule):
        return 0
    file_for_units([(unit.id, notice) for unit in recipients.office_units()])
    return enqueue([(r, notice) for r in recipients.of_office()])


def enqueue_for_users(users: Iterable[User], notice: Notice, unit_id: int | None = None) -> int:
    """Queue a notice to named people (by their email). *unit_id* files it under that unit."""
    found = recipients.of_users(users)
    if unit_id is not None:
        found = [Recipient(r.key, r.kind, r.target, unit_id, user_id=r.user_id) for r in found]
    return enqueue([(r, notice) for r in found])


def enqueue(addressed: Iterable[tuple[Recipient, Notice]]) -> int:
    """Insert the rows, skipping keys already queued; returns how many were new."""
    at = now()
    rows = [_row(r, d, at) for r, d in addressed if is_enabled(d.rule)]
    return _insert_all(_insert_ignoring_duplicates(), rows)


def file_for_units(notices: Iterable[tuple[int, Notice]]) -> int:
    """File each (unit_id, notice) as the unit's in-app notice, once per key; returns how
    many were new."""
    at = now()
    rows = [{"rule": d.rule, "subject": d.subject, "period": d.period, "unit_id": unit_id,
             "task_ids": list(d.task_ids), "title": d.title, "body": d.body, "link": d.link,
             "created_at": at} for unit_id, d in notices if is_enabled(d.rule)]
    table = UnitNotice.__table__
    return _insert_all(insert_ignoring(table, _NOTICE_KEY).returning(table.c.id), rows)


def _insert_all(statement, rows: list[dict]) -> int:
    added = 0
    for start in range(0, len(rows), INSERT_CHUNK):
        added += len(db.session.execute(statement, rows[start:start + INSERT_CHUNK]).all())
    return added


def is_enabled(rule: str) -> bool:
    """Whether the office has left *rule* on (`[notify] rules`; a rule not listed is on)."""
    return bool(_settings()["rules"].get(rule, True))


def _row(r: Recipient, d: Notice, at: datetime) -> dict:
    return {"rule": d.rule, "subject": d.subject, "recipient": r.key, "period": d.period,
            "channel_id": r.channel_id, "channel_kind": r.kind, "target": r.target,
            "unit_id": r.unit_id, "user_id": r.user_id, "task_ids": list(d.task_ids),
            "title": d.title, "body": d.body, "link": d.link, "status": "pending",
            "attempts": 0, "next_attempt_at": at, "created_at": at}


def _insert_ignoring_duplicates():
    return insert_ignoring(Notification.__table__, _KEY).returning(Notification.__table__.c.id)


def insert_ignoring(table, key: Sequence[str]):
    """INSERT … ON CONFLICT (key) DO NOTHING, on SQLite and PostgreSQL alike."""
    dialect = db.session.get_bind().dialect.name
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[dialect]
    return insert(table).on_conflict_do_nothing(index_elements=list(key))


# --- claiming and recording ---------------------------------------------------------------

def _settings() -> dict:
    return current_app.config["SETTINGS"]["notify"]


def claim(token: str, limit: int, only: Sequence[int] | None = None) -> list[Notification] | None:
    """Lease up to *limit* due rows to *token* and commit, so no other dispatcher takes them
    until the lease lapses (a crashed dispatcher's rows come back then). None when nothing
    is due; an empty list when others claimed the rows first. *only* limits to those ids."""
    at = now()
    free = or_(Notification.claimed_until.is_(None), Notification.claimed_until < at)
    due = (select(Notification.id)
           .where(Notification.status.in_(RETRYABLE), Notification.next_attempt_at <= at, free)
           .order_by(Notification.next_attempt_at, Notification.id).limit(limit))
    if only is not None:
        due = due.where(Notification.id.in_(only))
    ids = list(db.session.scalars(due))
    db.session.rollback()
    if not ids:
        return None
    # The conditional UPDATE is the claim: a row another dispatcher took in between no
    # longer matches `free` and is skipped.
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.status.in_(RETRYABLE), free)
        .values(claim_token=token, claimed_until=at + timedelta(seconds=_settings()["claim_seconds"])))
    db.session.commit()
    return list(db.session.scalars(select(Notification).where(Notification.claim_token == token)
                                   .order_by(Notification.id)))


def mark_sent(ids: Sequence[int], token: str) -> None:
    """Record a batch's successful sends in one statement."""
    if ids:
        db.session.execute(update(Notification)
                           .where(Notification.id.in_(ids), Notification.claim_token == token)
                           .values(status="sent", sent_at=now(), attempts=Notification.attempts + 1,
                                   last_error=None, claim_token=None, claimed_until=None)
                           .execution_options(synchronize_session=False))


def mark_failed(row: Notification, token: str, error: str) -> None:
    """Record a failed attempt: retry later with growing backoff, or give up (dead)."""
    attempts = row.attempts + 1
    if attempts >= _settings()["max_attempts"]:
        _finish(row, token, status="dead", attempts=attempts, last_error=error)
    else:
        _finish(row, token, status="failed", attempts=attempts, last_error=error,
                next_attempt_at=now() + timedelta(seconds=backoff(attempts)))


def defer(row: Notification, token: str, until: datetime) -> None:
    """Put a row back untried (a robot's rate window is full)."""
    _finish(row, token, next_attempt_at=until)


def release(row, token: str) -> None:
    """Give a claimed row back untried, due at once."""
    _finish(row, token, next_attempt_at=now())


def _finish(row: Notification, token: str, **values) -> None:
    db.session.execute(update(Notification)
                       .where(Notification.id == row.id, Notification.claim_token == token)
                       .values(claim_token=None, claimed_until=None, **values)
                       .execution_options(synchronize_session=False))


def backoff(attempts: int) -> float:
    """Seconds before the next try after *attempts* failures: the first within a minute,
    then growing by `retry_factor`, capped."""
    cfg = _settings()
    seconds = cfg["retry_first_seconds"] * cfg["retry_factor"] ** (attempts - 1)
    return min(seconds, cfg["retry_max_seconds"])


# --- the office's retry button --------------------------------------------------------------

def retry(actor: User, notification: Notification) -> Notification:
    """Queue a dead (or failing) notice again, now, with a fresh attempt count."""
    require_office(actor)
    if notification.status not in ("dead", "failed"):
        raise Conflict("只有发送失败的通知可以重发 (only failed or dead notices can be retried)",
                       "status")
    before = notification.status
    notification.status = "pending"
    notification.attempts = 0
    notification.next_attempt_at = now()
    db.session.flush()
    audit.record(actor, "notification.retry", notification,
                 detail={"before": before, "recipient": notification.recipient})
    return notification


def retry_dead(actor: User) -> int:
    """Queue every dead notice again; returns how many."""
    rows = list(db.session.scalars(select(Notification).where(Notification.status == "dead")))
    for row in rows:
        retry(actor, row)
    return len(rows)
