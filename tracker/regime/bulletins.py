"""Bulletins (通报): draft → publish → frozen. A draft keeps the content compiled when it
was created, until the office compiles it again from today's ledger (重新生成); publishing
freezes that content, as the office last saw it, and notifies every unit once; publishing
a published bulletin again compiles and publishes a new version beside it."""
from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError

from tracker.clock import cn_date
from tracker import audit, clock, locks, validation
from tracker.accounts.lookups import office_name
from tracker.accounts.permissions import require_office
from tracker.errors import Conflict, PermissionDenied
from tracker.extensions import db
from tracker.labels import BULLETIN_KINDS
from tracker.lookup import require
from tracker.models import Bulletin, Notification, Unit, UnitNotice, User
from tracker.notify import inbox, receipts
from tracker.notify.outbox import Notice, enqueue_for_units
from tracker.regime import drafts
from tracker.regime.compilers import compile_content, period_span
from tracker.regime.compilers.sections import section

NOTICE_RULE = "bulletin"


def create_draft(actor: User | None, kind: Any, period: Any) -> tuple[Bulletin, bool]:
    """The open draft for (kind, period), as it stands, or a new one compiled now:
    (bulletin, created). *actor* None is the scheduler."""
    if actor is not None:
        require_office(actor)
    period_span(kind, period)
    draft = _open_draft(kind, period)
    if draft is not None:
        return draft, False
    content = compile_content(kind, period)
    # Compiled before the hold (seconds on a large ledger; on SQLite the hold is the
    # database's write lock): a draft another request made meanwhile is the draft.
    locks.hold(f"versions:{kind}:{period}")
    draft = _open_draft(kind, period)
    if draft is not None:
        return draft, False
    draft = Bulletin(kind=kind, period=period, version=_next_version(kind, period),
                     status="draft", created_by_id=actor.id if actor else None, content=content)
    db.session.add(draft)
    db.session.flush()
    audit.record(actor, "bulletin.create", draft, detail={"kind": kind, "period": period})
    return draft, True


def _open_draft(kind: str, period: str) -> Bulletin | None:
    return db.session.scalar(select(Bulletin).where(
        Bulletin.kind == kind, Bulletin.period == period, Bulletin.status == "draft"))


def compile_draft(actor: User, kind: Any, period: Any, edits: Any = "keep") -> tuple[Bulletin, bool]:
    """The office compiles the draft for (kind, period): a new one, or the open one
    compiled again from today's ledger, its edited paragraphs kept or replaced as *edits*
    says. (bulletin, created)."""
    draft, created = create_draft(actor, kind, period)
    if not created:
        recompile(actor, draft, edits)
    return draft, created


def recompile(actor: User, bulletin: Bulletin, edits: Any = "keep") -> Bulletin:
    """Compile a draft's content again from today's ledger (重新生成). The office's edited
    paragraphs are kept on their paragraphs (*edits* "keep") or replaced by the new text
    ("replace"): the page asks first (drafts.edited lists them). Commentary and key points
    stay; escalation confirmations hold where the same step is proposed again."""
    require_office(actor)
    if bulletin.is_published:
        raise Conflict("通报已发布，不能重新生成；可重新发布为新版本 (bulletin already published)",
                       "status")
    content = compile_content(bulletin.kind, bulletin.period)
    carried = drafts.carry(bulletin, content, edits)
    bulletin.content = content
    audit.record(actor, "bulletin.compile", bulletin,
                 detail={"kind": bulletin.kind, "period": bulletin.period,
                         "as_of": bulletin.content["as_of"], **carried})
    return bulletin


def _next_version(kind: str, period: str) -> int:
    last = db.session.scalar(select(func.max(Bulletin.version)).where(
        Bulletin.kind == kind, Bulletin.period == period))
    return (last or 0) + 1


def get_bulletin(user: User, bulletin_id: int) -> Bulletin:
    """A bulletin *user* may read: drafts are the office's and leaders' only."""
    bulletin = require(Bulletin, bulletin_id)
    if not bulletin.is_published and not (user.is_office or user.is_leader):
        raise PermissionDenied("通报尚未发布 (the bulletin is a draft)")
    return bulletin


def bulletins_query(user: User, kind: str | None = None, status: str | None = None) -> Select:
    """Bulletins *user* may read, newest first, of one kind and status if given."""
    query = select(Bulletin).order_by(Bulletin.created_at.desc(), Bulletin.id.desc())
    if kind:
        query = query.where(Bulletin.kind == kind)
    if status:
        query = query.where(Bulletin.status == status)
    if not (user.is_office or user.is_leader):
        query = query.where(Bulletin.status == "published")
    return query


def edit_draft(actor: User, bulletin: Bulletin, opening: Any = None, commentary: Any = None,
               key_points: Any = None, paragraphs: dict[str, Any] | None = None,
               compiled_at: str | None = None) -> Bulletin:
    """The office edits a draft: the 导语 and any generated paragraph or list wording
    (*paragraphs*, by drafts' paragraph keys), its commentary (点评) and next period's key
    points (下步工作重点). What is not given (None) stays; one audit event names every change.
    *compiled_at*: the compilation the office was editing; if the draft has been compiled
    again since, nothing changes (409), since its paragraphs may be others now."""
    require_office(actor)
    if bulletin.is_published:
        raise Conflict("通报已发布，不能修改；可重新发布为新版本 (bulletin already published)",
                       "status")
    if compiled_at is not None and compiled_at != bulletin.content.get("compiled_at"):
        raise Conflict("草稿已重新生成，请刷新后再修改 (the draft was compiled again)", "compiled_at")
    texts = dict(paragraphs or {})
    if opening is not None:
        texts["opening"] = opening
    before = {"opening": bulletin.opening}
    changed = drafts.edit_paragraphs(actor, bulletin, texts)
    if "opening" in changed:    # the API's field, in the audit trail as before
        changed["opening"] = {"before": before["opening"], "after": bulletin.opening}
    fields = {"commentary": commentary, "key_points": key_points}
    given = {name: value for name, value in fields.items() if value is not None}
    old = {name: getattr(bulletin, name) for name in given}
    for name, value in given.items():
        setattr(bulletin, name, validation.text(value, name, 20000))
    changed.update(audit.changes(old, {name: getattr(bulletin, name) for name in given}))
    if changed:
        audit.record(actor, "bulletin.edit", bulletin, detail=changed)
    return bulletin


def content_of(bulletin: Bulletin) -> dict[str, Any]:
    """The frozen content of a published bulletin, or a draft's stored content with the
    office's edits, confirmed escalations and words."""
    if bulletin.is_published:
        return bulletin.content
    return _with_office_text(bulletin.content, bulletin)


def _with_office_text(content: dict[str, Any], bulletin: Bulletin) -> dict[str, Any]:
    """Compiled content with the office's hand (drafts.apply: edited paragraphs, confirmed
    escalation steps) and words: commentary, and the key points leading the next-period
    section (added at the end when the kind has none)."""
    content = drafts.apply(content, bulletin)
    points = [line.strip() for line in bulletin.key_points.splitlines() if line.strip()]
    sections = [dict(s, paragraphs=[*points, *s["paragraphs"]]) if s["key"] == "next" else s
                for s in content["sections"]]
    if points and not any(s["key"] == "next" for s in sections):
        sections.append(section("next", "下步工作重点", points))
    return {**content, "sections": sections, "opening": bulletin.opening or content.get("opening", ""),
            "commentary": bulletin.commentary, "key_points": bulletin.key_points}


def publish(actor: User, bulletin: Bulletin) -> Bulletin:
    """Freeze and publish a draft's content as compiled; for a published bulletin, publish
    a new version compiled from today's ledger. Every unit is notified of the published
    version once."""
    require_office(actor)
    if bulletin.is_published:
        content = compile_content(bulletin.kind, bulletin.period)
        locks.hold(f"versions:{bulletin.kind}:{bulletin.period}")  # after compiling, as create_draft
        bulletin = Bulletin(kind=bulletin.kind, period=bulletin.period,
                            version=_next_version(bulletin.kind, bulletin.period),
                            opening=bulletin.opening, commentary=bulletin.commentary,
                            key_points=bulletin.key_points, created_by_id=actor.id,
                            content=content)
        db.session.add(bulletin)
    bulletin.content = _with_office_text(bulletin.content, bulletin)
    bulletin.status = "published"
    bulletin.published_at = clock.now()
    bulletin.published_by_id = actor.id
    db.session.flush()
    assign_number(bulletin)
    audit.record(actor, "bulletin.publish", bulletin,
                 detail={"kind": bulletin.kind, "period": bulletin.period,
                         "version": bulletin.version, "number": bulletin.number})
    notify_units(bulletin)
    return bulletin


def notify_units(bulletin: Bulletin) -> int:
    """Queue one notice of *bulletin* to every unit except the office (idempotent)."""
    title = f"【{BULLETIN_KINDS[bulletin.kind]}】{bulletin.content['title']}"
    if bulletin.version > 1:
        title += f"（第{bulletin.version}版）"
    notice = Notice(NOTICE_RULE, _subject(bulletin), bulletin.period, title,
                    f"指挥部办公室已发布{title}，请点击链接查阅并签收。", bulletin_url(bulletin))
    units = db.session.scalars(select(Unit.id).where(Unit.kind != "office"))
    return enqueue_for_units((unit_id, notice) for unit_id in units)


def _subject(bulletin: Bulletin) -> str:
    return f"bulletin-{bulletin.id}"


def acknowledge_notices(user: User, bulletin: Bulletin) -> int:
    """Opening a published bulletin is a unit's read receipt (签收): mark the unread notices
    of it addressed to *user* or *user*'s unit read: the in-app notice (which every unit
    has, with channels or without) and the outbox rows, as opening the notice would
    (inbox.open_notice). Leaders and the office sign for none. Returns how many were marked."""
    if user.is_leader or user.is_office:
        return 0
    in_app = db.session.scalars(select(UnitNotice).where(
        UnitNotice.rule == NOTICE_RULE, UnitNotice.subject == _subject(bulletin),
        UnitNotice.unit_id == user.unit_id, UnitNotice.read_at.is_(None))).all()
    marked = sum(inbox.open_notice(user, notice) for notice in in_app)
    unread = db.session.scalars(select(Notification).where(
        Notification.rule == NOTICE_RULE, Notification.subject == _subject(bulletin),
        Notification.unit_id == user.unit_id, Notification.read_at.is_(None))).all()
    return marked + sum(receipts.acknowledge(user, notice) for notice in unread)


def bulletin_url(bulletin: Bulletin) -> str:
    base = current_app.config["SETTINGS"]["app"]["base_url"].rstrip("/")
    return f"{base}/regime/bulletins/{bulletin.id}"


def letterhead(bulletin: Bulletin) -> dict[str, Any]:
    """What the official document prints around the content (GB/T 9704): the red mark
    (发文机关标志), the number (发文字号, "" on a draft), 主送, the issuer (落款) and the date
    (成文日期: the day it was published, or today for a draft), from `[documents]`."""
    cfg = current_app.config["SETTINGS"]["documents"]
    issuer = office_name() or "指挥部办公室"
    signed = clock.local(bulletin.published_at).date() if bulletin.published_at else clock.today()
    return {"mark": cfg["mark"] or issuer, "number": bulletin.number, "recipients": cfg["recipients"],
            "issuer": issuer, "signed_on": signed, "date_style": cfg["date_style"],
            "signed_text": cn_date(signed, cfg["date_style"])}


def assign_number(bulletin: Bulletin) -> None:
    """Give a bulletin being published the next 发文字号 of its kind and year. The serial
    is drawn by one UPDATE and the (kind, year, serial) unique constraint decides between
    two offices publishing at once: the loser's request fails (409) and nothing is kept."""
    year = clock.local(bulletin.published_at).year
    taken = (select(func.coalesce(func.max(Bulletin.serial), 0) + 1)
             .where(Bulletin.kind == bulletin.kind, Bulletin.number_year == year)
             .scalar_subquery())
    try:
        numbered = db.session.execute(update(Bulletin).where(Bulletin.id == bulletin.id, Bulletin.serial.is_(None))
                                      .values(number_year=year, serial=taken)
                                      .execution_options(synchronize_session=False)).rowcount
    except IntegrityError:
        numbered = None
    if not numbered:
        # Another publish took this number first, or numbered this very bulletin (a
        # double click): nothing of this request is kept.
        db.session.rollback()
        raise Conflict("通报已由另一操作发布或编号被占用，请刷新后重试 (published at the same time)",
                       "number")
    db.session.refresh(bulletin, ["number_year", "serial"])
    formats = current_app.config["SETTINGS"]["documents"]["numbers"]
    bulletin.number = formats[bulletin.kind].format(year=year, serial=bulletin.serial)


def bulletin_dict(bulletin: Bulletin, with_content: bool = True) -> dict[str, Any]:
    out = {"id": bulletin.id, "kind": bulletin.kind, "period": bulletin.period,
           "version": bulletin.version, "status": bulletin.status, "number": bulletin.number or None, "opening": bulletin.opening,
           "commentary": bulletin.commentary, "key_points": bulletin.key_points,
           "created_at": clock.local(bulletin.created_at).isoformat(),
           "published_at": bulletin.published_at and clock.local(bulletin.published_at).isoformat()}
    if with_content:
        out["content"] = content_of(bulletin)
        if not bulletin.is_published:
            # What the office has done to the draft, and what the rule proposes but is not
            # printed until confirmed.
            out["edited"] = [{k: e[k] for k in ("key", "place", "by", "at")} for e in drafts.edited(bulletin)]
            out["escalation_proposals"] = [
                {k: p[k] for k in ("unit_id", "unit_name", "consecutive", "step", "reason", "confirmed")}
                for p in drafts.proposal_rows(bulletin)]
    return out
