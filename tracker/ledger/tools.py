"""The ledger's office tools: the ledger as a printable page (its .xlsx is the regime's
documents' work: regime.ledger_xlsx), evidence shown in the browser or downloaded, and a unit's correction of its own report. Routes of the ledger
blueprint (tracker.ledger.views.bp)."""
from __future__ import annotations

from flask import redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import validation
from tracker.accounts.lookups import unit_names
from tracker.errors import NotFound
from tracker.extensions import db
from tracker.ledger import operations
from tracker.ledger.forms import CorrectionForm
from tracker.ledger.views import bp, filtered
from tracker.lookup import require
from tracker.models import Evidence, ProgressReport
from tracker.reports import evidence as evidence_files
from tracker.reports import operations as reports_ops
from tracker.web import form_post

PRINT_LIMIT = 2000


@bp.route("/tasks/print")
@login_required
def print_view():
    """The ledger as filtered, every row on one printable page (A4 landscape)."""
    form, query, today = filtered()
    tasks = db.session.scalars(query.limit(PRINT_LIMIT + 1)).all()
    unit_name = unit_names([form.unit.data]).get(form.unit.data) if validation.is_integer(form.unit.data) else None
    return render_template("ledger/print.html", form=form, tasks=tasks[:PRINT_LIMIT], unit_name=unit_name,
                           cut=len(tasks) > PRINT_LIMIT, today=today, limit=PRINT_LIMIT)


@bp.route("/evidence/<int:evidence_id>")
@login_required
def evidence(evidence_id: int):
    """Download an evidence file, only for users who may see its item."""
    row, stream = _evidence_file(evidence_id)
    return send_file(stream, mimetype=evidence_files.served_type(row, stream), as_attachment=True,
                     download_name=row.original_name, max_age=0)


@bp.route("/evidence/<int:evidence_id>/view")
@login_required
def preview_evidence(evidence_id: int):
    """Show a PDF or an image in the browser, typed by its stored content (never by its
    name) and sandboxed: it runs no script and reaches no page of the site. Other files
    download."""
    row, stream = _evidence_file(evidence_id)
    served = evidence_files.served_type(row, stream)
    if served not in evidence_files.PREVIEWABLE:
        stream.close()
        return redirect(url_for("ledger.evidence", evidence_id=row.id))
    response = send_file(stream, mimetype=served, as_attachment=False,
                         download_name=row.original_name, max_age=0)
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _evidence_file(evidence_id: int):
    """The evidence row and its stored content, for a user who may see its item."""
    row = require(Evidence, evidence_id)
    operations.get_task(current_user, row.task_id)
    stream = evidence_files.open_stored(row)
    if stream is None:
        raise NotFound(f"evidence {evidence_id} is missing from storage")
    return row, stream


@bp.route("/tasks/<int:task_id>/reports/<int:report_id>/edit", methods=["GET", "POST"])
@login_required
def correct_report(task_id: int, report_id: int):
    """The unit that filed a report corrects it while its period is open (更正)."""
    task = operations.get_task(current_user, task_id)
    report = require(ProgressReport, report_id, "report")
    if report.task_id != task.id:
        raise NotFound(f"report {report_id} does not exist for task {task.id}")
    reports_ops.require_filer(current_user, report)
    form = CorrectionForm(obj=report)
    return form_post(
        form, lambda: reports_ops.correct_report(
            current_user, report, progress=form.progress.data, text=form.text.data,
            problems=form.problems.data or "", next_steps=form.next_steps.data or "",
            actual_value=form.actual_value.data),
        done=_("报送已更正"), to=url_for("ledger.show", task_id=task.id, _anchor="reports"),
        page=lambda: render_template("ledger/correct_report.html", form=form, task=task,
                                     report=report, may=reports_ops.may_correct(current_user, report)))
