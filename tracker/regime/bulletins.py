"""Bulletins (通报): draft → publish → frozen. A draft is compiled live from the ledger;
publishing freezes its content and notifies every unit once; publishing a published
bulletin again compiles and publishes a new version beside it."""
from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import Select, func, select

from tracker import audit, clock, validation
from tracker.accounts.permissions import require_office
from tracker.errors import Conflict, NotFound, PermissionDenied
from tracker.extensions import db
from tracker.models import BULLETIN_KINDS, Bulletin, Unit, User
from tracker.notify.outbox import Draft, enqueue_for_units
from tracker.regime.compile import compile_content, period_span

NOTICE_RULE = "bulletin"


def create_draft(actor: User | None, kind: Any, period: Any) -> tuple[Bulletin, bool]:
    """The open draft for (kind, period), created if there is none: (bulletin, created).
    *actor* None is the scheduler."""
    if actor is not None:
        require_office(actor)
    period_span(kind, period)
    draft = db.session.scalar(select(Bulletin).where(
        Bulletin.kind == kind, Bulletin.period == period, Bulletin.status == "draft"))
    if draft is not None:
        return draft, False
    draft = Bulletin(kind=kind, period=period, version=_next_version(kind, period),
                     status="draft", created_by_id=actor.id if actor else None)
    db.session.add(draft)
    db.session.flush()
    audit.record(actor, "bulletin.create", draft, detail={"kind": kind, "period": period})
    return draft, True


def _next_version(kind: str, period: str) -> int:
    last = db.session.scalar(select(func.max(Bulletin.version)).where(
        Bulletin.kind == kind, Bulletin.period == period))
    return (last or 0) + 1


def get_bulletin(user: User, bulletin_id: int) -> Bulletin:
    """A bulletin *user* may read: drafts are the office's and leaders' only."""
    bulletin = db.session.get(Bulletin, bulletin_id)
    if bulletin is None:
        raise NotFound(f"bulletin {bulletin_id} does not exist")
    if not bulletin.is_published and not (user.is_office or user.is_leader):
        raise PermissionDenied("通报尚未发布 (the bulletin is a draft)")
    return bulletin


def bulletins_query(user: User, kind: str | None = None) -> Select:
    """Bulletins *user* may read, newest first."""
    query = select(Bulletin).order_by(Bulletin.created_at.desc(), Bulletin.id.desc())
    if kind:
        query = query.where(Bulletin.kind == kind)
    if not (user.is_office or user.is_leader):
        query = query.where(Bulletin.status == "published")
    return query


def edit_draft(actor: User, bulletin: Bulletin, opening: Any, commentary: Any) -> Bulletin:
    """The office edits a draft's opening (导语) and commentary (点评)."""
    require_office(actor)
    if bulletin.is_published:
        raise Conflict("通报已发布，不能修改；可重新发布为新版本 (bulletin already published)",
                       "status")
    before = {"opening": bulletin.opening, "commentary": bulletin.commentary}
    bulletin.opening = validation.text(opening, "opening", 20000)
    bulletin.commentary = validation.text(commentary, "commentary", 20000)
    changed = audit.changes(before, {"opening": bulletin.opening,
                                     "commentary": bulletin.commentary})
    if changed:
        audit.record(actor, "bulletin.edit", bulletin, detail=changed)
    return bulletin


def content_of(bulletin: Bulletin) -> dict[str, Any]:
    """The frozen content of a published bulletin, or a draft compiled now."""
    if bulletin.is_published:
        return bulletin.content
    return {**compile_content(bulletin.kind, bulletin.period),
            "opening": bulletin.opening, "commentary": bulletin.commentary}


def publish(actor: User, bulletin: Bulletin) -> Bulletin:
    """Freeze and publish a draft; for a published bulletin, publish a new version compiled
    from today's ledger. Every unit is notified of the published version once."""
    require_office(actor)
    if bulletin.is_published:
        bulletin = Bulletin(kind=bulletin.kind, period=bulletin.period,
                            version=_next_version(bulletin.kind, bulletin.period),
                            opening=bulletin.opening, commentary=bulletin.commentary,
                            created_by_id=actor.id)
        db.session.add(bulletin)
    bulletin.content = {**compile_content(bulletin.kind, bulletin.period),
                        "opening": bulletin.opening, "commentary": bulletin.commentary}
    bulletin.status = "published"
    bulletin.published_at = clock.now()
    bulletin.published_by_id = actor.id
    db.session.flush()
    audit.record(actor, "bulletin.publish", bulletin,
                 detail={"kind": bulletin.kind, "period": bulletin.period,
                         "version": bulletin.version})
    notify_units(bulletin)
    return bulletin


def notify_units(bulletin: Bulletin) -> int:
    """Queue one notice of *bulletin* to every unit except the office (idempotent)."""
    title = f"【{BULLETIN_KINDS[bulletin.kind]}】{bulletin.content['title']}"
    if bulletin.version > 1:
        title += f"（第{bulletin.version}版）"
    draft = Draft(NOTICE_RULE, f"bulletin-{bulletin.id}", bulletin.period, title,
                  f"指挥部办公室已发布{title}，请点击链接查阅并签收。", bulletin_url(bulletin))
    units = db.session.scalars(select(Unit.id).where(Unit.kind != "office"))
    return enqueue_for_units((unit_id, draft) for unit_id in units)


def bulletin_url(bulletin: Bulletin) -> str:
    base = current_app.config["SETTINGS"]["app"]["base_url"].rstrip("/")
    return f"{base}/regime/bulletins/{bulletin.id}"


def letterhead(bulletin: Bulletin) -> tuple[str, str]:
    """(issuer, document number) for the official-document header, e.g. 〔2026〕11号."""
    issuer = db.session.scalar(select(Unit.name).where(Unit.kind == "office").order_by(Unit.id))
    ordinal = int(bulletin.period[-2:].lstrip("WQ-") or 1) if bulletin.kind != "annual" else 1
    number = f"{BULLETIN_KINDS[bulletin.kind]}〔{bulletin.period[:4]}〕{ordinal}号"
    if bulletin.version > 1:
        number += f"（第{bulletin.version}版）"
    return issuer or "指挥部办公室", number


def bulletin_dict(bulletin: Bulletin, with_content: bool = True) -> dict[str, Any]:
    out = {"id": bulletin.id, "kind": bulletin.kind, "period": bulletin.period,
           "version": bulletin.version, "status": bulletin.status, "opening": bulletin.opening,
           "commentary": bulletin.commentary,
           "created_at": clock.local(bulletin.created_at).isoformat(),
           "published_at": bulletin.published_at and clock.local(bulletin.published_at).isoformat()}
    if with_content:
        out["content"] = content_of(bulletin)
    return out
