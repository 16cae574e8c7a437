"""Dispatch meetings (调度会): the record of a week's meeting, whose agreed items (议定事项)
become tasks assigned by the office."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload
from flask_babel import lazy_gettext as _l

from tracker import audit, validation
from tracker.accounts.permissions import require_office
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.ledger.operations import create_task
from tracker.models import DispatchMeeting, User
from tracker.reports.periods import parse_period


def record_meeting(actor: User, *, period: Any, held_on: Any, title: Any, notes: Any = "",
                   items: list[dict[str, Any]] | None = None) -> DispatchMeeting:
    """Record a dispatch meeting; each agreed item becomes a task assigned by the office."""
    require_office(actor)
    parse_period(period)
    held_on = validation.day(held_on, "held_on", required=True)
    meeting = DispatchMeeting(period=period, held_on=held_on, created_by_id=actor.id,
                              title=validation.text(title, "title", 200, required=True),
                              notes=validation.text(notes, "notes"))
    if not items:
        raise ValidationError("a dispatch meeting records at least one agreed item", "items",
                              text=_l("请至少填写一项议定事项"))
    for item in items:
        meeting.agreed_items.append(create_task(
            actor, title=item.get("title"), due_date=item.get("due_date"),
            lead_unit_id=item.get("lead_unit_id"), leader=item.get("leader") or "",
            description=f"{held_on.isoformat()} {meeting.title}议定事项"))
    db.session.add(meeting)
    db.session.flush()
    audit.record(actor, "dispatch.meeting", meeting,
                 detail={"period": period, "title": meeting.title,
                         "task_ids": [t.id for t in meeting.agreed_items]})
    return meeting


def meetings_query(period: str) -> Select:
    return (select(DispatchMeeting).where(DispatchMeeting.period == period)
            .options(selectinload(DispatchMeeting.agreed_items))
            .order_by(DispatchMeeting.held_on, DispatchMeeting.id))
