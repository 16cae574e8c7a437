"""Writing the audit trail. Operations call `record` for every state change they make.

Features that act on what happened listen to the trail rather than to each operation:
`listen(fn)` has `fn(event)` called for every event recorded, in the same transaction
(the unit's event notices: `tracker.notify.events`)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from tracker.clock import local, now
from tracker.extensions import db
from tracker.models import AuditEvent, User

SYSTEM_ACTOR = "系统"
_listeners: list[Callable[[AuditEvent], None]] = []


def listen(listener: Callable[[AuditEvent], None]) -> None:
    """Call *listener* with every event recorded from now on (adding it again changes nothing)."""
    if listener not in _listeners:
        _listeners.append(listener)


def record(actor: User | None, action: str, entity: Any, *, task_id: int | None = None,
           detail: dict[str, Any] | None = None) -> AuditEvent:
    """Add one audit event for *entity* (a model instance with an id) and flush it."""
    event = AuditEvent(
        at=now(), actor_id=actor.id if actor else None,
        actor=actor.label if actor else SYSTEM_ACTOR, action=action,
        entity_type=type(entity).__tablename__, entity_id=entity.id, task_id=task_id,
        detail=jsonable(detail or {}))
    db.session.add(event)
    for listener in _listeners:
        listener(event)
    return event


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"before": old, "after": new}} for the fields whose values differ."""
    return {k: {"before": before.get(k), "after": after[k]}
            for k in after if before.get(k) != after[k]}


def task_history(task_id: int) -> list[dict[str, Any]]:
    """The task's audit events, oldest first, as the API shows them."""
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.task_id == task_id)
        .order_by(AuditEvent.at, AuditEvent.id))
    return [{"at": local(e.at).isoformat(), "actor": e.actor, "action": e.action,
             "detail": e.detail} for e in events]


def jsonable(value: Any) -> Any:
    """Dates as ISO strings, recursively, so details store as JSON."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return local(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value
