"""Regime pages beside the bulletins: the weekly dispatch (周调度) with its meeting record,
the red/black list (红黑榜), lights (亮灯) and the annual evaluation (年考评)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.accounts.permissions import require_office, visible_to
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.ledger.forms import options
from tracker.ledger.views import unit_choices
from tracker.models import EvaluationAdjustment, Task, Unit
from tracker.regime import dispatch, documents
from tracker.reports import cycles
from tracker.regime.adjustments import add_adjustment, adjustments_query
from tracker.regime.evaluation import PARTS, evaluate
from tracker.regime.forms import ADJUSTMENTS, AdjustmentForm, MeetingForm, YearForm
from tracker.ledger.lights import light_counts
from tracker.regime.redblack import redblack
from tracker.regime.sections import section
from tracker.regime.views import PER_PAGE, ListPage, as_of_arg, bp
from tracker.reports.periods import parse_period, period_bounds, period_of
from tracker.web import RowPage, form_failed, page_arg

XLSX_CHUNK = 500


def _period_arg() -> str:
    """The ISO week in the query string; last week when blank or malformed."""
    period = request.args.get("period") or dispatch.current_period()
    try:
        parse_period(period)
    except DomainError as exc:
        flash(exc.message, "error")
        period = dispatch.current_period()
    return period


def _dispatch_query(period: str, today: date) -> Select:
    return visible_to(current_user, dispatch.dispatch_query(period, today))


@bp.route("/dispatch", methods=["GET", "POST"])
@login_required
def dispatch_page():
    """The week's dispatch table, last week's agreed items, and the meeting record form."""
    period = _period_arg()
    form = MeetingForm(held_on=clock.today())
    status = 200
    if form.is_submitted():
        status = _record_meeting(form, period)
        if status is None:
            return redirect(url_for("regime.dispatch_page", period=period))
    return render_template("regime/dispatch.html", **_dispatch_context(period, form)), status




def _record_meeting(form: MeetingForm, period: str) -> int | None:
    """Record the meeting; None when done, else the status to answer the form with."""
    require_office(current_user)
    if not form.validate():
        return 400
    unit_ids = dict(db.session.execute(
        select(Unit.name, Unit.id).where(Unit.name.in_(form.unit_names()))).all())
    try:
        meeting = dispatch.record_meeting(current_user, period=period, held_on=form.held_on.data,
                                          title=form.title.data, notes=form.notes.data or "",
                                          items=form.agreed_items(unit_ids))
    except DomainError as exc:
        return form_failed(exc, form)
    db.session.commit()
    flash(_("已记录调度会，%(count)s项议定事项已列入台账", count=len(meeting.agreed_items)), "success")
    return None


def _dispatch_context(period: str, form: MeetingForm) -> dict:
    today = clock.today()
    query = _dispatch_query(period, today)
    page = RowPage(query, page_arg(), PER_PAGE)
    rows = dispatch.dispatch_rows(page.items, today, start=(page.page - 1) * PER_PAGE + 1)
    states = query.order_by(None).subquery()
    counts = dict(db.session.execute(select(states.c.state, func.count()).group_by(states.c.state)).all())
    monday = period_bounds(period)[0]
    return {"period": period, "today": today, "page": page, "rows": rows, "columns": dispatch.COLUMNS,
            "counts": counts, "states": cycles.STATES, "form": form,
            "unit_names": [name for _, name in unit_choices()] if current_user.is_office else [],
            "review": dispatch.agreed_review_section(period, today),
            "meetings": db.session.scalars(dispatch.meetings_query(period)).all(),
            "previous": period_of(monday - timedelta(days=7)),
            "next": period_of(monday + timedelta(days=7))}


@bp.route("/dispatch/<period>.xlsx")
@login_required
def dispatch_xlsx(period: str):
    """The week's dispatch table as .xlsx in the ledger's layout, every row."""
    year, week = parse_period(period)
    data = documents.table_xlsx(f"{year}年第{week}周工作调度表", dispatch.COLUMNS,
                                _all_rows(period, clock.today()))
    return _download(data, f"dispatch-{period}.xlsx")


def _all_rows(period: str, today: date) -> Iterator[list]:
    """Every dispatch row, fetched and shaped a chunk at a time."""
    result = db.session.execute(_dispatch_query(period, today).execution_options(yield_per=XLSX_CHUNK))
    start = 1
    for chunk in result.partitions():
        rows = dispatch.dispatch_rows(chunk, today, start=start)
        start += len(rows)
        yield from rows


def _download(data: bytes, name: str) -> Response:
    return Response(data, mimetype=documents.XLSX_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/redblack")
@login_required
def redblack_page():
    """The red/black list as of a date: each entry's rule, reason and escalation."""
    form, as_of = as_of_arg()
    result = redblack(as_of)
    return render_template("regime/redblack.html", form=form, as_of=as_of, result=result,
                           black=ListPage(result["black"], page_arg(), PER_PAGE))


@bp.route("/lights")
@login_required
def lights():
    """Counts per light, in all and per lead unit (most red first)."""
    form, as_of = as_of_arg()
    counts = light_counts(visible_to(current_user, select(Task)), as_of)
    ranked = sorted(counts["units"], key=lambda u: (-u["red"], -u["yellow"], u["unit_id"]))
    page = ListPage(ranked, page_arg(), PER_PAGE)
    ids = [u["unit_id"] for u in page.items]
    names = dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all())
    return render_template("regime/lights.html", form=form, as_of=as_of, totals=counts["totals"],
                           page=page, names=names)


def _year_arg() -> tuple[YearForm, int, date]:
    form = YearForm(request.args)
    form.validate()
    as_of = clock.today(None if form.as_of.errors else form.as_of.data)
    year = form.year.data if form.year.data and not form.year.errors else as_of.year
    return form, year, as_of


@bp.route("/evaluation", methods=["GET", "POST"])
@login_required
def evaluation():
    """Each unit's score, parts, rank and bottom flag; the office's adjustments."""
    form, year, as_of = _year_arg()
    adjust = _adjustment_form()
    status = 200
    if adjust.is_submitted():
        status = _adjust(adjust, year)
        if status is None:
            return redirect(url_for("regime.evaluation", year=year))
    result = evaluate(year, as_of)
    adjustments = db.paginate(adjustments_query(year).options(selectinload(EvaluationAdjustment.unit)),
                              page=page_arg("ap"), per_page=PER_PAGE, error_out=False)
    return render_template("regime/evaluation.html", form=form, year=year, as_of=as_of,
                           page=ListPage(result["items"], page_arg(), PER_PAGE), parts=PARTS,
                           adjust=adjust, adjustments=adjustments, kinds=ADJUSTMENTS), status


def _adjustment_form() -> AdjustmentForm:
    form = AdjustmentForm()
    form.unit_id.choices = options([(0, "—"), *unit_choices()])
    ratings = current_app.config["SETTINGS"]["evaluation"]["ratings"]
    form.rating.choices = options([("", "—"), *((r, r) for r in ratings)])
    return form


def _adjust(form: AdjustmentForm, year: int) -> int | None:
    """Record the office's adjustment; None when done, else the form's status."""
    require_office(current_user)
    if not form.validate():
        return 400
    try:
        add_adjustment(current_user, year, form.unit_id.data, form.kind.data, form.reason.data,
                       form.points.data, form.rating.data or None)
    except DomainError as exc:
        return form_failed(exc, form)
    db.session.commit()
    flash(_("已记录考评调整"), "success")
    return None


@bp.route("/evaluation/<int:year>.xlsx")
@login_required
def evaluation_xlsx(year: int):
    """Scores and parts per unit, then every scoring line naming its item."""
    _, _, as_of = _year_arg()
    result = evaluate(year, as_of)
    scores = [[r["rank"], r["unit_name"], r["score"], *(r["parts"][p] for p in PARTS),
               "是" if r["bottom"] else "", r["veto_reason"]] for r in result["items"]]
    lines = [[r["unit_name"], PARTS[line["part"]], line["points"], line["task_code"] or "",
              line["reason"]] for r in result["items"] for line in r["lines"]]
    content = {"title": f"{year}年度考评结果", "as_of": result["as_of"], "sections": [
        section("scores", "考评得分与排名", ["各项得分相加即为总分。"],
                ["排名", "单位", "得分", *PARTS.values(), "末位", "一票否决"], scores),
        section("lines", "得分明细", ["每一项加减分及其对应事项。"],
                ["单位", "项目", "分值", "事项编号", "说明"], lines)]}
    return _download(documents.xlsx_bytes(content), f"evaluation-{year}.xlsx")
