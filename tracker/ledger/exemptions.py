"""Exemptions (豁免): the office marks an item exempt from the red/black list and the overdue
judgements for a stretch of days, for a reason of a configured kind (`[regime]
exemption_kinds`: 不可抗力, 政策调整, 上级要求 …). The one rule, as a SQL clause and its uses:

- an item is exempt on a day when one of its exemptions covers that day (start_date ≤ day ≤
  end_date, or no end) **and** had been marked by the end of that day and not revoked by
  then: an exemption marked after a past day does not change that day's judgement, and a
  revocation does not rewrite the days before it;
- the red/black list leaves an exempt item out (neither for nor against its unit, like a
  suspended one) and its bulletin lists it with its reason; the unit's 督办提醒 does not
  chase it.

Marking and revoking are the office's, audited; revoking keeps the row (nothing deleted).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import and_, false, or_, select, update

from tracker import audit, clock, validation
from tracker.accounts.permissions import require_office
from tracker.clock import cn_date
from tracker.errors import Conflict, NotFound, ValidationError
from tracker.extensions import db
from tracker.i18n import N_
from tracker.ledger.levels import counted_clause
from tracker.models import Exemption, Task, Unit, User


# The default kinds (config.toml) as msgids, so that pages can show them translated.
DEFAULT_KINDS = (N_("不可抗力"), N_("政策调整"), N_("上级要求"))


def kinds() -> list[str]:
    """The kinds an exemption may have, as configured (`[regime] exemption_kinds`)."""
    return list(current_app.config["SETTINGS"]["regime"]["exemption_kinds"])


def covers(day: date):
    """SQL: the Exemption row exempts its item on *day*, as known at the end of *day*."""
    cut = clock.cutoff(day)
    return and_(Exemption.start_date <= day,
                or_(Exemption.end_date.is_(None), Exemption.end_date >= day),
                Exemption.created_at < cut,
                or_(Exemption.revoked_at.is_(None), Exemption.revoked_at >= cut))


def exempt_clause(day: date, task_id=Task.id):
    """SQL: the item *task_id* (a column) is exempt on *day*. Judgements add
    `~exempt_clause(day, …)` to leave exempt items out. The items exempt that day are few
    (an office's exceptions), so they are looked up once and the clause is an IN list, or
    false when there are none: a list over 100,000 items costs nothing more."""
    ids = sorted(set(db.session.scalars(select(Exemption.task_id).where(covers(day)))))
    return task_id.in_(ids) if ids else false()


def exempt_on(day: date) -> list[dict[str, Any]]:
    """The items (at the counting level) exempt on *day*, each with its exemption:
    [{task_id, task_code, title, unit_id, unit_name, kind, reason, start_date, end_date,
    text}] in ledger order; `text` is how a bulletin names it."""
    # The exemptions first: they are few, and the ledger need not be scanned for none.
    ids = set(db.session.scalars(select(Exemption.task_id).where(covers(day))))
    if not ids:
        return []
    rows = db.session.execute(
        select(Task.id, Task.code, Task.title, Task.lead_unit_id, Unit.name, Exemption)
        .join(Exemption, Exemption.task_id == Task.id).join(Unit, Unit.id == Task.lead_unit_id)
        .where(Task.id.in_(sorted(ids)), covers(day), counted_clause(day))
        .order_by(Task.sort_key, Exemption.id)).all()
    out, seen = [], set()
    for task_id, code, title, unit_id, unit, ex in rows:
        if task_id in seen:         # one line per item: its earliest exemption in force
            continue
        seen.add(task_id)
        out.append({"task_id": task_id, "task_code": code, "title": title, "unit_id": unit_id,
                    "unit_name": unit, "kind": ex.kind, "reason": ex.reason,
                    "start_date": ex.start_date.isoformat(),
                    "end_date": ex.end_date.isoformat() if ex.end_date else None,
                    "text": f"{code} {title}（{unit}）：{ex.kind}，{ex.reason}（{stretch_text(ex)}）"})
    return out


def stretch_text(ex: Exemption) -> str:
    """豁免期 as an office writes it: 2026年11月1日至2026年11月30日, or 2026年11月1日起."""
    start = cn_date(ex.start_date)
    return f"{start}至{cn_date(ex.end_date)}" if ex.end_date else f"{start}起"


def task_exemptions(task: Task) -> list[Exemption]:
    """Every exemption of *task*, revoked ones included, newest first."""
    return list(db.session.scalars(select(Exemption).where(Exemption.task_id == task.id)
                                   .order_by(Exemption.id.desc())))


def mark_exemption(actor: User, task: Task, kind: Any, reason: Any, start_date: Any,
                   end_date: Any = None) -> Exemption:
    """The office marks *task* exempt from start_date to end_date (open-ended if None)
    for a reason of a configured kind."""
    require_office(actor)
    if kind not in kinds():
        raise ValidationError(f"kind must be one of {'、'.join(kinds())}", "kind")
    reason = validation.text(reason, "reason", required=True)
    start_date = validation.day(start_date, "start_date", required=True)
    end_date = validation.day(end_date, "end_date")
    if end_date is not None and end_date < start_date:
        raise ValidationError("end_date must not be before start_date", "end_date")
    ex = Exemption(task_id=task.id, kind=kind, reason=reason, start_date=start_date,
                   end_date=end_date, created_by_id=actor.id, created_at=clock.now())
    db.session.add(ex)
    db.session.flush()
    audit.record(actor, "exemption.mark", ex, task_id=task.id,
                 detail={"exemption_id": ex.id, "kind": kind, "reason": reason,
                         "start_date": start_date, "end_date": end_date})
    return ex


def revoke_exemption(actor: User, task: Task, exemption_id: Any, reason: Any) -> Exemption:
    """The office revokes an exemption from now on, with a reason; the row stays. A second
    or concurrent revocation answers 409 and changes nothing."""
    require_office(actor)
    ex = db.session.get(Exemption, exemption_id) if validation.is_integer(exemption_id) else None
    if ex is None or ex.task_id != task.id:
        raise NotFound(f"exemption {exemption_id} does not exist")
    reason = validation.text(reason, "reason", required=True)
    at = clock.now()
    # One conditional UPDATE: of two revocations at once, one changes the row.
    done = db.session.execute(update(Exemption).where(Exemption.id == ex.id, Exemption.revoked_at.is_(None))
                              .values(revoked_at=at, revoked_by_id=actor.id, revoke_reason=reason)
                              .execution_options(synchronize_session=False)).rowcount
    if not done:
        raise Conflict("该豁免已撤销 (exemption already revoked)", "status")
    db.session.refresh(ex)
    audit.record(actor, "exemption.revoke", ex, task_id=task.id,
                 detail={"exemption_id": ex.id, "kind": ex.kind, "reason": reason})
    return ex


def exemption_dict(ex: Exemption) -> dict[str, Any]:
    return {"id": ex.id, "task_id": ex.task_id, "kind": ex.kind, "reason": ex.reason,
            "start_date": ex.start_date.isoformat(),
            "end_date": ex.end_date.isoformat() if ex.end_date else None,
            "created_by": ex.created_by.label if ex.created_by else None,
            "created_at": clock.local(ex.created_at).isoformat(),
            "revoked": ex.revoked_at is not None,
            "revoked_at": ex.revoked_at and clock.local(ex.revoked_at).isoformat(),
            "revoked_by": ex.revoked_by.label if ex.revoked_by else None,
            "revoke_reason": ex.revoke_reason}
