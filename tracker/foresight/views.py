"""Pages of the problem ledger (问题清单): the list with its filters, a problem with its
steps; the office classifies, assigns and closes, the coordinating unit notes."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from tracker import clock, validation
from tracker.accounts.lookups import grouped_unit_choices, unit_names
from tracker.foresight import problems
from tracker.foresight.forms import (STATUS_LABELS, AssignForm, ClassifyForm, NoteForm,
                                     ProblemFilterForm, ResolveForm)
from tracker.models import Problem
from tracker.paging import paginate
from tracker.web import form_post

bp = Blueprint("foresight", __name__)
PER_PAGE = 30


@bp.app_context_processor
def _item_page_helpers() -> dict:
    """What the item page's foresight section (templates/foresight/_item.html) calls."""
    from tracker.foresight.chart import item_chart
    from tracker.foresight.forecast import current

    return {"forecast_of": current, "item_chart": item_chart,
            "problems_of": problems.task_problems}


@bp.route("/problems")
@login_required
def index():
    form = ProblemFilterForm(request.args)
    form.unit.choices = grouped_unit_choices()
    valid = form.validate()
    # A unit picked from the list; an id no unit has filters nothing.
    unit_id = form.unit.data if validation.is_integer(form.unit.data) and unit_names([form.unit.data]) else None
    today = clock.today()
    query = problems.problem_query(
        current_user, status=form.status.data or None if valid else None,
        category=form.category.data or None if valid else None, unit_id=unit_id,
        older_than=form.older_than.data if valid else None, today=today)
    rows = paginate(query.options(selectinload(Problem.task), selectinload(Problem.coordinator)),
                    PER_PAGE)
    return render_template("foresight/index.html", form=form, rows=rows, today=today,
                           labels=STATUS_LABELS, age=problems.age_days,
                           counts=problems.counts_by_category("open"))


@bp.route("/problems/<int:problem_id>", methods=["GET"])
@login_required
def show(problem_id: int):
    return _page(problems.get_problem(current_user, problem_id))


def _page(problem: Problem, **forms) -> str:
    blank = {"classify": ClassifyForm, "assign": AssignForm, "resolve": ResolveForm, "note": NoteForm}
    forms = {name: forms.get(name) or cls(formdata=None) for name, cls in blank.items()}
    if not forms["classify"].category.data:
        forms["classify"].category.data = problem.category
    forms["assign"].coordinator_unit_id.choices = grouped_unit_choices()
    if problem.coordinator_unit_id and not forms["assign"].coordinator_unit_id.data:
        forms["assign"].coordinator_unit_id.data = problem.coordinator_unit_id
        forms["assign"].due_date.data = problem.due_date
    can_note = current_user.is_office or (not current_user.is_leader
                                          and current_user.unit_id == problem.coordinator_unit_id)
    return render_template("foresight/show.html", problem=problem, forms=forms, labels=STATUS_LABELS,
                           today=clock.today(), age=problems.age_days, can_note=can_note)


def _post(problem_id: int, name: str, form, run, done: str):
    problem = problems.get_problem(current_user, problem_id)
    return form_post(form, lambda: run(problem), done=done,
                     to=url_for("foresight.show", problem_id=problem.id),
                     page=lambda: _page(problem, **{name: form}))


@bp.route("/problems/<int:problem_id>/classify", methods=["POST"])
@login_required
def classify(problem_id: int):
    form = ClassifyForm()
    return _post(problem_id, "classify", form,
                 lambda p: problems.classify(current_user, p, form.category.data), _("问题类别已更新"))


@bp.route("/problems/<int:problem_id>/assign", methods=["POST"])
@login_required
def assign(problem_id: int):
    form = AssignForm()

    def run(problem: Problem):
        return problems.assign(current_user, problem, coordinator_unit_id=form.coordinator_unit_id.data,
                               due_date=form.due_date.data, note=form.note.data or "")
    return _post(problem_id, "assign", form, run, _("已交办协调单位"))


@bp.route("/problems/<int:problem_id>/resolve", methods=["POST"])
@login_required
def resolve(problem_id: int):
    form = ResolveForm()
    return _post(problem_id, "resolve", form,
                 lambda p: problems.resolve(current_user, p, form.note.data), _("问题已办结"))


@bp.route("/problems/<int:problem_id>/notes", methods=["POST"])
@login_required
def note(problem_id: int):
    form = NoteForm()
    return _post(problem_id, "note", form,
                 lambda p: problems.add_note(current_user, p, form.note.data), _("办理情况已记录"))
