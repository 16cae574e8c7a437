"""Ledger pages: the list, an item's page, assigning and editing items, reports, evidence."""
from __future__ import annotations

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from tracker import clock, validation
from tracker.accounts.lookups import grouped_unit_choices, unit_names
from tracker.accounts.permissions import require_office
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.ledger import exemptions, operations, pickers, rows, state
from tracker.ledger.forms import (ExemptionForm, ReportForm, RevokeExemptionForm, StatusForm,
                                  TaskFilterForm, TaskForm, options, uploaded)
from tracker.ledger.history import readable_history, suspension_of
from tracker.models import ProgressReport, Task
from tracker.paging import page_arg, paginate
from tracker.reports import operations as reports_ops
from tracker.reports.operations import reports_query, submit_report
from tracker.signoff.forms import DecisionForm, ExtensionRequestForm, SignoffRequestForm
from tracker.signoff.operations import recent_requests
from tracker.confirm import confirm_step
from tracker.web import form_post

bp = Blueprint("ledger", __name__)
PER_PAGE = 50
# The ledger's page sizes (per_page); anything else shows PER_PAGE.
PAGE_SIZES = ("50", "100", "200")
REPORTS_PER_PAGE = 10
REQUESTS_SHOWN = 50


@bp.route("/tasks")
@login_required
def index():
    """The ledger in tree order, filtered by unit, status, overdue and text."""
    form, query, today = filtered(as_rows=True)
    per_page = int(form.per_page.data) if form.per_page.data in PAGE_SIZES else PER_PAGE
    tasks = rows.page_of_rows(query, page_arg(), per_page)
    return render_template("ledger/index.html", form=form, tasks=tasks, today=today)


def filtered(as_rows: bool = False):
    """The filter form as typed, the query it selects (only what the user may see) and today.
    *as_rows*: the list as plain rows (the page); otherwise as items with their units and
    milestones loaded (the print view and the .xlsx)."""
    form = TaskFilterForm(request.args)
    form.validate()
    today = clock.today()
    listing = operations.task_list if as_rows else operations.task_query
    query = listing(current_user, unit_id=_filter_unit(form),
                                  status=form.status.data or None,
                                  overdue=True if form.overdue.data else None,
                                  q=(form.q.data or "").strip() or None, as_of=today)
    return form, query, today


@bp.route("/tasks/new", methods=["GET", "POST"])
@login_required
def new():
    """The office assigns a new item (新建事项)."""
    require_office(current_user)
    form = _task_form()
    return form_post(
        form, lambda: operations.create_task(current_user, **form.values(_parent_id(form, None))),
        done=lambda task: _("已新建事项 %(code)s", code=task.code),
        to=lambda task: url_for("ledger.show", task_id=task.id),
        page=lambda: render_template("ledger/edit.html", form=form, task=None))


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@login_required
def edit(task_id: int):
    """The office edits an item; a stale version is refused and the input kept."""
    require_office(current_user)
    task = operations.get_task(current_user, task_id)
    form = _task_form(task)

    def save():
        values = form.values(_parent_id(form, task))
        values["code"] = values["code"] or task.code
        return operations.update_task(current_user, task, _int(form.version.data), values)

    return form_post(form, save, done=_("已保存"), to=url_for("ledger.show", task_id=task.id),
                     page=lambda: render_template("ledger/edit.html", form=form, task=task))


@bp.route("/tasks/<int:task_id>")
@login_required
def show(task_id: int):
    return render_item(operations.get_task(current_user, task_id))


@bp.route("/tasks/<int:task_id>/reports", methods=["POST"])
@login_required
def report(task_id: int):
    """A lead or co-unit reports progress (报送), with evidence files."""
    task = operations.get_task(current_user, task_id)
    form = ReportForm()
    return form_post(
        form, lambda: submit_report(current_user, task, progress=form.progress.data,
                                    text=form.text.data, problems=form.problems.data or "",
                                    next_steps=form.next_steps.data or "",
                                    actual_value=form.actual_value.data,
                                    period=form.period.data or None, files=uploaded(form.files)),
        done=_("进展已报送"), to=url_for("ledger.show", task_id=task.id),
        page=lambda: render_item(task, report=form))


@bp.route("/tasks/<int:task_id>/status", methods=["POST"])
@login_required
def status(task_id: int):
    """The office suspends (暂缓, with a reason, after a confirmation step) or resumes
    (恢复推进) an item."""
    task = operations.get_task(current_user, task_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    values = {"status": form.status.data}
    if form.status.data == "suspended":
        require_office(current_user)
        reason = (form.reason.data or "").strip()
        if page := confirm_step(_("暂缓推进 %(code)s", code=task.code),
                                _("暂缓后该事项不再要求报送、不计逾期，直至恢复推进。请写明暂缓理由。"),
                                _("确认暂缓"), reason=reason, reason_label=_("暂缓理由")):
            return page
        values["reason"] = reason
    try:
        operations.update_task(current_user, task, _int(form.version.data), values)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("ledger.show", task_id=task.id))
    db.session.commit()
    flash(_("状态已更新"), "success")
    return redirect(url_for("ledger.show", task_id=task.id))


@bp.route("/tasks/<int:task_id>/exemptions", methods=["POST"])
@login_required
def exempt(task_id: int):
    """The office marks an item exempt (豁免) from the red/black list and overdue judgements."""
    task = operations.get_task(current_user, task_id)
    require_office(current_user)
    form = _exemption_form()
    return form_post(
        form, lambda: exemptions.mark_exemption(current_user, task, _kind(form.kind.data), form.reason.data,
                                                form.start_date.data, form.end_date.data),
        done=_("已认定豁免"), to=url_for("ledger.show", task_id=task.id, _anchor="exemptions"),
        page=lambda: render_item(task, exemption=form))


@bp.route("/tasks/<int:task_id>/exemptions/<int:exemption_id>/revoke", methods=["POST"])
@login_required
def revoke_exemption(task_id: int, exemption_id: int):
    """The office revokes an exemption (the record stays)."""
    task = operations.get_task(current_user, task_id)
    require_office(current_user)
    form = RevokeExemptionForm()
    return form_post(
        form, lambda: exemptions.revoke_exemption(current_user, task, exemption_id, form.reason.data),
        done=_("已撤销豁免"), to=url_for("ledger.show", task_id=task.id, _anchor="exemptions"),
        page=lambda: render_item(task, revoke=(exemption_id, form)))


def _exemption_form(**kwargs) -> ExemptionForm:
    """The exemption form; its kinds go by their place in `[regime] exemption_kinds` (the
    configured text is Chinese, and a page in English shows none)."""
    form = ExemptionForm(**kwargs)
    form.kind.choices = options([(str(n), _(k)) for n, k in enumerate(exemptions.kinds())])
    return form


def _kind(value: str) -> str | None:
    kinds = exemptions.kinds()
    return kinds[int(value)] if value.isdigit() and int(value) < len(kinds) else None


def _filter_unit(form: TaskFilterForm) -> int | None:
    """The unit picked in the filter (grouped by kind); an id no unit has filters nothing."""
    form.unit.choices = grouped_unit_choices()
    unit_id = form.unit.data
    return unit_id if validation.is_integer(unit_id) and unit_names([unit_id]) else None


@bp.route("/tasks/parents")
@login_required
def parent_suggestions():
    """The parent picker's suggestions (JSON) for the words typed: items of the same plan
    as the item edited (`task`), or of this year's plan for a new one; never a cycle."""
    require_office(current_user)
    task_id = request.args.get("task", type=int)
    task = operations.get_task(current_user, task_id) if task_id else None
    words = (request.args.get("q") or "")[:100]
    return jsonify({"items": pickers.suggestions(words, pickers.plan_id_for(task), task)})


def _parent_id(form: TaskForm, task: Task | None) -> int | None:
    """The parent the form's `parent` names, in the plan the item belongs to."""
    return pickers.resolve_parent(form.parent.data, pickers.plan_id_for(task))


def render_item(task: Task, **forms) -> str:
    """The item page with everything the user may see and the forms the user may use.
    *forms* replaces a blank form with a submitted one that failed."""
    period = "report" not in forms and request.args.get("period")
    blank = {"report": ReportForm, "signoff": SignoffRequestForm, "extension": ExtensionRequestForm,
             "decision": DecisionForm, "status": StatusForm}
    revoke = forms.pop("revoke", None)
    exemption = forms.pop("exemption", None) or _exemption_form(formdata=None)
    forms = {name: forms.get(name) or cls(formdata=None) for name, cls in blank.items()}
    if period:  # a link to report a given period (the unit's workbench) fills it in
        forms["report"].period.data = period[:10]
    reports = paginate(reports_query(task).options(
        selectinload(ProgressReport.evidence), selectinload(ProgressReport.unit),
        selectinload(ProgressReport.user)), REPORTS_PER_PAGE)
    today = clock.today()
    actions = state.allowed_actions(current_user, task, today)
    history = readable_history(task.id)
    correctable = {r.id for r in reports.items
                   if "report" in actions and reports_ops.may_correct(current_user, r)}
    return render_template(
        "ledger/show.html", task=task, today=today, reports=reports, forms=forms,
        signoffs=recent_requests(task, "signoff", REQUESTS_SHOWN),
        extensions=recent_requests(task, "extension", REQUESTS_SHOWN),
        history=history, actions=actions, correctable=correctable,
        suspension=suspension_of(history) if task.status == "suspended" else None,
        subitems=operations.children(current_user, task),
        signoff_rules=current_app.config["SETTINGS"]["signoff"],
        exemptions=_exemption_rows(task, today, revoke), exemption_form=exemption)


def _exemption_rows(task: Task, today, failed) -> list[dict]:
    """The item's exemptions for its page: each with whether it holds today and, for the
    office, its revoke form (the one that failed, as typed)."""
    rows = []
    for ex in exemptions.task_exemptions(task):
        form = failed[1] if failed and failed[0] == ex.id else None
        if form is None and ex.revoked_at is None:
            form = RevokeExemptionForm(formdata=None)
        active = (ex.revoked_at is None and ex.start_date <= today
                  and (ex.end_date is None or ex.end_date >= today))
        rows.append({"ex": ex, "active": active, "period": exemptions.stretch_text(ex),
                     "form": form if ex.revoked_at is None else None})
    return rows


def _task_form(task: Task | None = None) -> TaskForm:
    form = TaskForm(obj=task)
    if task is not None and not isinstance(form.parent.data, str):
        # From the task (`parent` is its parent row), not typed: as the picker writes it.
        form.parent.data = pickers.parent_label(task.parent)
    if task is not None and not form.is_submitted():
        form.co_unit_ids.data = [u.id for u in task.co_units]
        form.milestones.data = "\n".join(operations.milestone_text(m) for m in task.milestones)
        form.version.data = task.version
    form.lead_unit_id.choices = form.co_unit_ids.choices = grouped_unit_choices()
    return form


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
