"""Sign-off and extension rules: the lead unit asks, the office decides, history keeps all."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage
from flask_babel import lazy_gettext as _l

from tracker import audit, clock, validation
from tracker.accounts.permissions import require_lead
from tracker.errors import Conflict, DomainError, NotFound, ValidationError
from tracker.extensions import db
from tracker.ledger import state
from tracker.ledger.operations import flush_versioned
from tracker.messages import lazy_date
from tracker.models import ExtensionRequest, SignoffRequest, Task, User
from tracker.reports import evidence


def request_signoff(user: User, task: Task, note: Any,
                    files: list[FileStorage] | None = None) -> SignoffRequest:
    """The lead unit asks to close the item (申请销号), with a note and evidence files."""
    require_lead(user, task)
    note = validation.text(note, "note")
    state.check(user, task, "signoff", clock.today())
    _guard(task, files)
    if files:
        evidence.check_files(files)
    req = SignoffRequest(task_id=task.id, unit_id=user.unit_id, requested_by_id=user.id, note=note)
    db.session.add(req)
    change = state.move(task, "signoff_requested", "申请销号")
    task.updated_at = clock.now()
    flush_versioned()
    stored = evidence.store_files(files, task, user, signoff_request_id=req.id) if files else []
    audit.record(user, "signoff.request", req, task_id=task.id,
                 detail={"request_id": req.id, "note": note,
                         "files": [e.original_name for e in stored], **change})
    return req


def _guard(task: Task, files: list[FileStorage] | None) -> None:
    """The configured conditions for asking sign-off (`[signoff]`)."""
    cfg = current_app.config["SETTINGS"]["signoff"]
    if cfg["require_full_progress"] and task.progress < 100:
        raise Conflict(f"进度须达到100%才能申请销号（当前{task.progress}%），请先报送完成情况 "
                       "(progress must be 100% to ask for sign-off)", "progress")
    if cfg["require_evidence"] and not files:
        raise ValidationError("申请销号须附佐证材料 (evidence files are required)", "files")


def approve_signoff(user: User, task: Task, request_id: int) -> SignoffRequest:
    """The office verifies and closes the item (销号)."""
    state.check(user, task, "decide", clock.today())
    req = _decide(SignoffRequest, task, request_id, user, "approved")
    change = state.move(task, "signed_off", "销号")
    task.signed_off_at = req.decided_at
    task.updated_at = req.decided_at
    flush_versioned()
    audit.record(user, "signoff.approve", req, task_id=task.id,
                 detail={"request_id": req.id, **change})
    return req


def approve_signoffs(user: User, request_ids: list[int], commit: Callable[[], None],
                     rollback: Callable[[], None]) -> tuple[list[str], list[tuple[str, str]]]:
    """Approve several pending sign-off requests, each as its own decision, committed (or
    rolled back) alone by *commit* / *rollback*: ([codes approved], [(code, why not)]). A
    request decided meanwhile, or an item the rules refuse, is reported; the rest stand."""
    approved, refused = [], []
    for request_id in request_ids:
        req = db.session.get(SignoffRequest, request_id)
        if req is None:
            continue
        task = db.session.get(Task, req.task_id, populate_existing=True)
        code = f"{task.code} {task.title}"
        try:
            approve_signoff(user, task, request_id)
        except DomainError as exc:
            rollback()
            refused.append((code, exc.message))
            continue
        commit()
        approved.append(code)
    return approved, refused


def reject_signoff(user: User, task: Task, request_id: int, reason: Any) -> SignoffRequest:
    """The office sends the item back (退回) with a reason; it returns to 推进中."""
    state.check(user, task, "decide", clock.today())
    reason = validation.text(reason, "reason", required=True)
    req = _decide(SignoffRequest, task, request_id, user, "rejected", reason=reason)
    change = state.move(task, "in_progress", "退回")
    task.updated_at = req.decided_at
    flush_versioned()
    audit.record(user, "signoff.reject", req, task_id=task.id,
                 detail={"request_id": req.id, "reason": reason, **change})
    return req


def request_extension(user: User, task: Task, new_due_date: Any, reason: Any) -> ExtensionRequest:
    """The lead unit asks, before the deadline, for a later one (延期申请)."""
    require_lead(user, task)
    reason = validation.text(reason, "reason", required=True)
    new_due_date = validation.day(new_due_date, "new_due_date", required=True)
    state.check(user, task, "extension", clock.today())
    if new_due_date <= task.due_date:
        raise ValidationError(f"new_due_date must be after the current deadline {task.due_date}",
                              "new_due_date", text=_l("申请延至的日期须晚于现在的完成时限（%(day)s）",
                                                      day=lazy_date(task.due_date)))
    pending = Conflict("该事项已有待审核的延期申请 (an extension request is already pending)", "status")
    if db.session.scalar(select(ExtensionRequest.id).where(
            ExtensionRequest.task_id == task.id, ExtensionRequest.status == "pending")):
        raise pending
    req = ExtensionRequest(task_id=task.id, unit_id=user.unit_id, requested_by_id=user.id,
                           old_due_date=task.due_date, new_due_date=new_due_date, reason=reason)
    db.session.add(req)
    try:
        db.session.flush()
    except IntegrityError:  # uq_extension_requests_pending: one asked at the same moment won
        db.session.rollback()
        raise pending from None
    audit.record(user, "extension.request", req, task_id=task.id,
                 detail={"request_id": req.id, "old_due_date": task.due_date,
                         "new_due_date": new_due_date, "reason": reason})
    return req


def approve_extension(user: User, task: Task, request_id: int) -> ExtensionRequest:
    """The office grants the extension: the deadline moves, the old one stays in history."""
    state.check(user, task, "decide", clock.today())
    if task.status == "signed_off":
        raise Conflict("事项已销号，不能延期 (not allowed from status signed_off)", "status")
    req = _decide(ExtensionRequest, task, request_id, user, "approved")
    old = task.due_date
    task.due_date = req.new_due_date
    task.updated_at = req.decided_at
    flush_versioned()
    audit.record(user, "extension.approve", req, task_id=task.id,
                 detail={"request_id": req.id,
                         "due_date": {"before": old, "after": req.new_due_date}})
    return req


def reject_extension(user: User, task: Task, request_id: int, reason: Any) -> ExtensionRequest:
    """The office refuses the extension, with a reason; the deadline stands."""
    state.check(user, task, "decide", clock.today())
    reason = validation.text(reason, "reason", required=True)
    req = _decide(ExtensionRequest, task, request_id, user, "rejected", decision_reason=reason)
    db.session.flush()
    audit.record(user, "extension.reject", req, task_id=task.id,
                 detail={"request_id": req.id, "reason": reason})
    return req


def _decide(model, task: Task, request_id: int, user: User, status: str, **values):
    """Decide one of *task*'s pending requests, once: a conditional UPDATE (… WHERE status =
    'pending') that the database applies to one decision only, on SQLite (writers take turns)
    as on PostgreSQL (the row lock; the loser re-reads the row and matches nothing). The
    loser, concurrent or late, gets Conflict and changes nothing."""
    req = db.session.get(model, request_id) if validation.is_integer(request_id) else None
    if req is None or req.task_id != task.id:
        raise NotFound(f"request {request_id} does not exist for task {task.id}",
                       text=_l("找不到该申请"))
    if req.status == "pending":
        decided = db.session.execute(
            update(model).where(model.id == req.id, model.status == "pending")
            .values(status=status, decided_by_id=user.id, decided_at=clock.now(), **values)
            .execution_options(synchronize_session=False)).rowcount
        db.session.refresh(req)  # as decided now, by this request or the one that won
        if decided == 1:
            return req
    raise Conflict(f"该申请已处理（{req.status}），不能再次审核 (request is already {req.status})",
                   "status")


def requests_query(task: Task, kind: str = "signoff") -> Select:
    """A task's sign-off (or extension) requests, oldest first."""
    model = SignoffRequest if kind == "signoff" else ExtensionRequest
    return select(model).where(model.task_id == task.id).order_by(model.created_at, model.id)


def recent_requests(task: Task, kind: str, limit: int) -> list:
    """A task's latest sign-off (or extension) requests, newest first, with who asked and
    who decided (and a sign-off's evidence) loaded."""
    model = SignoffRequest if kind == "signoff" else ExtensionRequest
    options = [selectinload(model.requested_by), selectinload(model.decided_by)]
    if model is SignoffRequest:
        options.append(selectinload(SignoffRequest.evidence))
    return db.session.scalars(
        select(model).where(model.task_id == task.id).options(*options)
        .order_by(model.created_at.desc(), model.id.desc()).limit(limit)).all()


def review_queue(kind: str = "signoff") -> Select:
    """Pending requests for the office, oldest first."""
    model = SignoffRequest if kind == "signoff" else ExtensionRequest
    return select(model).where(model.status == "pending").order_by(model.created_at, model.id)
