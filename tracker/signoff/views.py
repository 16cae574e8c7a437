"""Sign-off (销号) and extension (延期) requests, the office's decisions and its review queue."""
from __future__ import annotations

from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.accounts.permissions import require_office
from tracker.extensions import db
from tracker.i18n import N_
from tracker.ledger.forms import uploaded
from tracker.ledger.operations import get_task
from tracker.ledger.views import render_item
from tracker.models import ExtensionRequest, SignoffRequest, Task
from tracker.paging import paginate
from tracker.signoff import operations
from tracker.signoff.forms import (BatchApproveForm, DecisionForm, ExtensionRequestForm,
                                   SignoffRequestForm)
from tracker.web import form_post, safe_next

bp = Blueprint("signoff", __name__)
PER_PAGE = 20


@bp.route("/review")
@login_required
def queue():
    """Pending sign-off and extension requests, oldest first (office only)."""
    require_office(current_user)
    signoffs = paginate(operations.review_queue("signoff").options(
        selectinload(SignoffRequest.task).selectinload(Task.lead_unit),
        selectinload(SignoffRequest.requested_by), selectinload(SignoffRequest.evidence)),
        PER_PAGE, "sp")
    extensions = paginate(operations.review_queue("extension").options(
        selectinload(ExtensionRequest.task).selectinload(Task.lead_unit),
        selectinload(ExtensionRequest.requested_by)), PER_PAGE, "ep")
    return render_template("signoff/queue.html", signoffs=signoffs, extensions=extensions,
                           today=clock.today())


@bp.route("/tasks/<int:task_id>/signoff", methods=["POST"])
@login_required
def request_signoff(task_id: int):
    """The lead unit asks for sign-off with a note and evidence files."""
    task = get_task(current_user, task_id)
    form = SignoffRequestForm()
    return form_post(
        form, lambda: operations.request_signoff(current_user, task, form.note.data or "",
                                                 uploaded(form.files)),
        done=_("已申请销号，等待指挥部办公室审核"), to=url_for("ledger.show", task_id=task.id),
        page=lambda: render_item(task, signoff=form))


@bp.route("/tasks/<int:task_id>/extension", methods=["POST"])
@login_required
def request_extension(task_id: int):
    """The lead unit asks, before the deadline, for a later one."""
    task = get_task(current_user, task_id)
    form = ExtensionRequestForm()
    return form_post(
        form, lambda: operations.request_extension(current_user, task, form.new_due_date.data,
                                                   form.reason.data),
        done=_("已提交延期申请"), to=url_for("ledger.show", task_id=task.id),
        page=lambda: render_item(task, extension=form))


@bp.route("/review/signoffs/approve", methods=["POST"])
@login_required
def approve_batch():
    """The office approves the ticked sign-off requests at once. Each is its own decision
    (the same audited conditional update, committed alone): one lost to a concurrent
    decision, or refused by the rules, is reported by its item and the others stand."""
    require_office(current_user)
    form = BatchApproveForm()
    form.validate()
    ids = [int(v) for v in request.form.getlist("request_ids") if v.isdigit()][:PER_PAGE * 5]
    if not ids:
        flash(_("请先勾选要同意的销号申请"), "error")
        return redirect(url_for("signoff.queue"))
    approved, refused = operations.approve_signoffs(current_user, ids, db.session.commit,
                                                    db.session.rollback)
    if approved:
        flash(_("已同意 %(count)s 项销号申请：%(codes)s", count=len(approved),
                codes=_("、").join(approved)), "success")
    for code, message in refused:
        flash(_("%(code)s 未能同意：%(message)s", code=code, message=message), "error")
    return redirect(safe_next(form.next.data) or url_for("signoff.queue"))


# The office's decisions on a request: (URL kind, verb, operation, message, takes a reason).
DECISIONS = (
    ("signoff", "approve", operations.approve_signoff, N_("已同意销号"), False),
    ("signoff", "reject", operations.reject_signoff, N_("已退回，事项恢复为推进中"), True),
    ("extension", "approve", operations.approve_extension, N_("已同意延期，完成时限已调整"), False),
    ("extension", "reject", operations.reject_extension, N_("已驳回延期申请"), True),
)


def _decide(task_id: int, request_id: int, *, decide, done: str, with_reason: bool):
    """Approve or reject a pending request (the operation checks it is the office), then go
    back where the office was: the review queue or the item page."""
    task = get_task(current_user, task_id)
    form = DecisionForm()  # CSRFProtect has checked the token; the rules check the reason
    args = (form.reason.data or "",) if with_reason else ()
    decide(current_user, task, request_id, *args)
    db.session.commit()
    flash(_(done), "success")
    return redirect(safe_next(form.next.data) or url_for("ledger.show", task_id=task.id))


for kind, verb, decide, done, with_reason in DECISIONS:
    bp.add_url_rule(f"/tasks/<int:task_id>/{kind}/<int:request_id>/{verb}", f"{verb}_{kind}",
                    login_required(partial(_decide, decide=decide, done=done, with_reason=with_reason)),
                    methods=["POST"])
