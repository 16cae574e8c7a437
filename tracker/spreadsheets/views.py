"""Spreadsheet pages: the office's ledger import (upload → preview → confirm), the template
and the ledger export; a unit's report sheet (download, upload → preview → confirm)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from tracker import clock
from tracker.accounts.lookups import unit_ids_by_name
from tracker.accounts.operations import get_unit
from tracker.accounts.permissions import require_office, require_view_unit
from tracker.errors import DomainError, PermissionDenied
from tracker.extensions import db
from tracker.ledger.forms import TaskFilterForm
from tracker.ledger.operations import task_query
from tracker.responses import download
from tracker.spreadsheets import uploads
from tracker.spreadsheets.export import ledger_xlsx, template_xlsx
from tracker.spreadsheets.forms import ConfirmForm, UploadForm
from tracker.spreadsheets.issues import SheetRejected
from tracker.spreadsheets.ledger_import import import_ledger
from tracker.spreadsheets.reading import LEDGER_COLUMNS
from tracker.spreadsheets.report_sheet import import_report_sheet, report_sheet_xlsx

bp = Blueprint("spreadsheets", __name__)
ACTIONS = {"create": _l("新增"), "update": _l("修改"), "unchanged": _l("无变化"), "error": _l("错误")}


@bp.route("/imports/ledger", methods=["GET", "POST"])
@login_required
def ledger_import():
    """Upload a ledger workbook and see what importing it would do (nothing is written)."""
    require_office(current_user)
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("spreadsheets/ledger_import.html", form=form, plan=None,
                               issues=None), 400 if form.is_submitted() else 200
    create_units = bool(form.create_units.data)
    try:
        data, name = uploads.read_upload(request.files.get("file"))
        plan = import_ledger(current_user, data, name, dry_run=True, create_units=create_units)
    except DomainError as exc:
        db.session.rollback()
        issues = exc.issues if isinstance(exc, SheetRejected) else None
        if issues is None:
            flash(exc.message, "error")
        return render_template("spreadsheets/ledger_import.html", form=form, plan=None,
                               issues=issues), 400
    confirm = ConfirmForm(token=uploads.keep(current_user, data, name),
                          create_units="1" if create_units else "")
    return render_template("spreadsheets/ledger_import.html", form=form, plan=plan, issues=None,
                           confirm=confirm, actions=ACTIONS, labels=LEDGER_COLUMNS, name=name)


@bp.post("/imports/ledger/confirm")
@login_required
def ledger_confirm():
    """Import the previewed file, all or nothing."""
    require_office(current_user)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("spreadsheets.ledger_import"))
    try:
        data, name = uploads.kept(current_user, form.token.data)
        plan = import_ledger(current_user, data, name, dry_run=False,
                             create_units=form.create_units.data == "1")
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, SheetRejected):
            return render_template("spreadsheets/ledger_import.html", form=UploadForm(),
                                   plan=None, issues=exc.issues), 400
        flash(exc.message, "error")
        return redirect(url_for("spreadsheets.ledger_import"))
    db.session.commit()
    uploads.discard(current_user, form.token.data)
    s = plan.summary()
    flash(_("已导入 %(rows)s 行：新增 %(created)s，修改 %(updated)s，无变化 %(unchanged)s", **s),
          "success")
    return redirect(url_for("ledger.index"))


@bp.get("/imports/ledger/template.xlsx")
@login_required
def template():
    return download(template_xlsx(), "ledger-template.xlsx")


@bp.get("/tasks.xlsx")
@login_required
def export():
    """The ledger as the list shows it (the same filters), in the import layout."""
    form = TaskFilterForm(request.args)
    form.validate()
    unit_id = form.unit.data or None
    name = (form.unit_name.data or "").strip()
    if name:
        unit_id = unit_ids_by_name([name]).get(name, 0)
    tasks = task_query(current_user, unit_id=unit_id, status=form.status.data or None,
                       overdue=True if form.overdue.data else None,
                       q=(form.q.data or "").strip() or None, as_of=clock.today())
    return download(ledger_xlsx(tasks, f"{clock.today().year}年度任务清单"), "ledger.xlsx")


@bp.get("/units/<int:unit_id>/report-sheet.xlsx")
@login_required
def report_sheet(unit_id: int):
    """The unit's pre-filled report sheet for the period being reported."""
    unit = get_unit(unit_id)
    require_view_unit(current_user, unit.id)
    return download(report_sheet_xlsx(current_user, unit), f"report-sheet-{unit.id}.xlsx")


@bp.route("/units/<int:unit_id>/report-sheet", methods=["GET", "POST"])
@login_required
def report_upload(unit_id: int):
    """The unit's own people upload the filled sheet and see the reports it would make."""
    unit = get_unit(unit_id)
    _require_own_unit(unit.id)
    form = UploadForm()
    page = {"unit": unit, "form": form, "plan": None, "issues": None}
    if not form.validate_on_submit():
        return render_template("spreadsheets/report_sheet.html", **page), \
            400 if form.is_submitted() else 200
    try:
        data, name = uploads.read_upload(request.files.get("file"))
        plan = import_report_sheet(current_user, unit, data, name, dry_run=True)
    except DomainError as exc:
        db.session.rollback()
        if not isinstance(exc, SheetRejected):
            flash(exc.message, "error")
        page["issues"] = exc.issues if isinstance(exc, SheetRejected) else None
        return render_template("spreadsheets/report_sheet.html", **page), 400
    page.update(plan=plan, confirm=ConfirmForm(token=uploads.keep(current_user, data, name)))
    return render_template("spreadsheets/report_sheet.html", **page)


@bp.post("/units/<int:unit_id>/report-sheet/confirm")
@login_required
def report_confirm(unit_id: int):
    unit = get_unit(unit_id)
    _require_own_unit(unit.id)
    form = ConfirmForm()
    back = url_for("spreadsheets.report_upload", unit_id=unit.id)
    if not form.validate_on_submit():
        return redirect(back)
    try:
        data, name = uploads.kept(current_user, form.token.data)
        plan = import_report_sheet(current_user, unit, data, name, dry_run=False)
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, SheetRejected):
            return render_template("spreadsheets/report_sheet.html", unit=unit, form=UploadForm(),
                                   plan=None, issues=exc.issues), 400
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    uploads.discard(current_user, form.token.data)
    flash(_("已报送 %(count)s 项进展", count=len(plan.rows)), "success")
    return redirect(url_for("dashboard.unit_home", unit_id=unit.id))


def _require_own_unit(unit_id: int) -> None:
    if current_user.is_leader or current_user.unit_id != unit_id:
        raise PermissionDenied(_("只能上传本单位的报送表"))
