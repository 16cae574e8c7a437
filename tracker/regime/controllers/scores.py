"""Score pages: the red/black list (红黑榜), lights (亮灯) and the annual evaluation (年考评)
with the office's adjustments."""
from __future__ import annotations

from datetime import date

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker import clock, once
from tracker.accounts.lookups import grouped_unit_choices, unit_names
from tracker.accounts.permissions import require_office, visible_to
from tracker.labels import labels
from tracker.ledger.forms import options
from tracker.ledger.levels import counted_clause
from tracker.ledger.lights import light_counts
from tracker.models import EvaluationAdjustment, Task
from tracker.paging import paginate, paginate_list
from tracker.regime import documents
from tracker.regime.adjustments import add_adjustment, adjustments_query
from tracker.regime.compilers.annual import evaluation_workbook, model_paragraphs
from tracker.regime.controllers import PER_PAGE, as_of_arg
from tracker.regime.evaluation import GRADES, PARTS, evaluate
from tracker.regime.forms import AdjustmentForm, YearForm
from tracker.regime.redblack import redblack
from tracker.responses import download
from tracker.web import form_post


@login_required
def redblack_page():
    """The red/black list as of a date: each entry's rule, reason and escalation."""
    form, as_of = as_of_arg()
    result = redblack(as_of)
    return render_template("regime/redblack.html", form=form, as_of=as_of, result=result,
                           black=paginate_list(result["black"], PER_PAGE))


@login_required
def lights():
    """Counts per light, in all and per lead unit (most red first)."""
    form, as_of = as_of_arg()
    counts = light_counts(visible_to(current_user, select(Task).where(counted_clause(as_of))), as_of)
    ranked = sorted(counts["units"], key=lambda u: (-u["red"], -u["yellow"], u["unit_id"]))
    page = paginate_list(ranked, PER_PAGE)
    return render_template("regime/lights.html", form=form, as_of=as_of, totals=counts["totals"],
                           page=page, names=unit_names(u["unit_id"] for u in page.items))


def _year_arg() -> tuple[YearForm, int, date]:
    form = YearForm(request.args)
    form.validate()
    as_of = clock.today(None if form.as_of.errors else form.as_of.data)
    year = form.year.data if form.year.data and not form.year.errors else as_of.year
    return form, year, as_of


@login_required
def evaluation():
    """Each scored unit's score, grade, parts, rank in its series and bottom flag, the
    units not scored, and the office's adjustments."""
    form, year, as_of = _year_arg()
    adjust = _adjustment_form()
    if adjust.is_submitted():
        require_office(current_user)

    def page() -> str:
        result = evaluate(year, as_of)
        adjustments = paginate(adjustments_query(year).options(
            selectinload(EvaluationAdjustment.unit)), PER_PAGE, "ap")
        return render_template("regime/evaluation.html", form=form, year=year, as_of=as_of,
                               result=result, page=paginate_list(result["items"], PER_PAGE),
                               unscored=paginate_list(result["unscored"], PER_PAGE, "up"),
                               parts=PARTS, grades=GRADES, model=model_paragraphs(result),
                               adjust=adjust, adjustments=adjustments, kinds=labels("adjustment"))

    def record():
        once.spend(current_user, adjust.nonce.data)
        return add_adjustment(current_user, year, adjust.unit_id.data, adjust.kind.data,
                              adjust.reason.data, adjust.points.data, adjust.rating.data or None)

    return form_post(
        adjust, record,
        done=_("已记录考评调整"), to=url_for("regime.evaluation", year=year), page=page)


def _adjustment_form() -> AdjustmentForm:
    form = AdjustmentForm()
    form.unit_id.choices = grouped_unit_choices()
    ratings = current_app.config["SETTINGS"]["evaluation"]["ratings"]
    form.rating.choices = options([("", "—"), *((r, r) for r in ratings)])
    return form


@login_required
def evaluation_xlsx(year: int):
    """Scores, grades and parts per unit by series, the units not scored, then every
    scoring line naming its item or fact."""
    _form, _year, as_of = _year_arg()
    return download(documents.xlsx_bytes(evaluation_workbook(year, as_of)), f"evaluation-{year}.xlsx")
