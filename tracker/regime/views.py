"""Regime pages: the blueprint and the bulletins (draft → publish → frozen, printable,
.docx/.xlsx). The dispatch, red/black list, lights and evaluation pages are in pages.py."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import clock
from tracker.accounts.permissions import require_office
from tracker.api.regime import docx_response, xlsx_response
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.regime import bulletins, charts
from tracker.regime.forms import (BULLETIN_STATUSES, KINDS, AsOfForm, BulletinFilterForm,
                                  ButtonForm, CompileForm, DraftForm)
from tracker.web import form_failed, page_arg

bp = Blueprint("regime", __name__, url_prefix="/regime")
PER_PAGE = 30
SECTION_ROWS = 100


class ListPage:
    """A page of an already computed list, shaped like Flask-SQLAlchemy's Pagination."""

    def __init__(self, items: list, page: int, per_page: int):
        self.total, self.per_page = len(items), per_page
        self.pages = max(1, -(-self.total // per_page))
        self.page = min(max(page, 1), self.pages)
        self.items = items[(self.page - 1) * per_page:self.page * per_page]
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num, self.next_num = self.page - 1, self.page + 1


@bp.app_template_global("regime_dashboard_charts")
def dashboard_charts():
    """The dashboard's regime charts (templates/regime/_dashboard_charts.html)."""
    return charts.dashboard_charts(current_user)


def as_of_arg() -> tuple[AsOfForm, date]:
    """The page's as-of form and date (today when blank or malformed)."""
    form = AsOfForm(request.args)
    form.validate()
    return form, clock.today(None if form.as_of.errors else form.as_of.data)


@bp.route("/")
@login_required
def index():
    """Bulletins (通报), filtered by kind and status; the office compiles drafts here."""
    form = BulletinFilterForm(request.args)
    form.validate()
    query = bulletins.bulletins_query(current_user, form.kind.data or None, form.status.data or None)
    page = db.paginate(query, page=page_arg(), per_page=PER_PAGE, error_out=False)
    return render_template("regime/index.html", form=form, page=page, kinds=KINDS,
                           statuses=BULLETIN_STATUSES, compile_form=_compile_form())


def _compile_form(form: CompileForm | None = None) -> CompileForm:
    """The compile form, proposing last month when blank."""
    form = form or CompileForm(formdata=None, kind="monthly")
    if not form.period.data:
        last_month = clock.today().replace(day=1) - timedelta(days=1)
        form.period.data = f"{last_month.year}-{last_month.month:02d}"
    return form


@bp.route("/bulletins", methods=["POST"])
@login_required
def compile_draft():
    """The office compiles the draft of a kind and period (an open one again)."""
    require_office(current_user)
    form = CompileForm()
    if form.validate_on_submit():
        try:
            draft, created = bulletins.compile_draft(current_user, form.kind.data,
                                                     form.period.data.strip())
        except DomainError as exc:
            form_failed(exc, form)
        else:
            db.session.commit()
            flash(_("已生成草稿") if created else _("已按当前台账重新生成草稿"), "success")
            return redirect(url_for("regime.show", bulletin_id=draft.id))
    page = db.paginate(bulletins.bulletins_query(current_user), page=1, per_page=PER_PAGE,
                       error_out=False)
    return render_template("regime/index.html", form=BulletinFilterForm(formdata=None), page=page,
                           kinds=KINDS, statuses=BULLETIN_STATUSES,
                           compile_form=_compile_form(form)), 400


@bp.route("/bulletins/<int:bulletin_id>")
@login_required
def show(bulletin_id: int):
    """The printable bulletin. A unit opening a published one signs for its notice (签收)."""
    bulletin = bulletins.get_bulletin(current_user, bulletin_id)
    if bulletin.is_published and bulletins.acknowledge_notices(current_user, bulletin):
        db.session.commit()
        flash(_("已签收"), "success")
    content = bulletins.content_of(bulletin)
    issuer, number = bulletins.letterhead(bulletin)
    tables = {s["key"]: ListPage(s["table"]["rows"], page_arg(f"p_{s['key']}"), SECTION_ROWS)
              for s in content["sections"] if s["table"]}
    return render_template("regime/show.html", bulletin=bulletin, content=content, issuer=issuer,
                           number=number, tables=tables)


@bp.route("/bulletins/<int:bulletin_id>/edit", methods=["GET", "POST"])
@login_required
def edit(bulletin_id: int):
    """The office edits a draft's opening, commentary and key points."""
    require_office(current_user)
    bulletin = bulletins.get_bulletin(current_user, bulletin_id)
    form = DraftForm(obj=bulletin)
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            bulletins.edit_draft(current_user, bulletin, form.opening.data or "",
                                 form.commentary.data or "", form.key_points.data or "")
        except DomainError as exc:
            status = form_failed(exc, form)
        else:
            db.session.commit()
            flash(_("草稿已保存"), "success")
            return redirect(url_for("regime.show", bulletin_id=bulletin.id))
    return render_template("regime/edit.html", bulletin=bulletin, form=form), status


@bp.route("/bulletins/<int:bulletin_id>/compile", methods=["POST"])
@login_required
def recompile(bulletin_id: int):
    """The office compiles a draft again from today's ledger (重新生成)."""
    require_office(current_user)
    bulletin = bulletins.get_bulletin(current_user, bulletin_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        bulletins.recompile(current_user, bulletin)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("已按当前台账重新生成草稿"), "success")
    return redirect(url_for("regime.show", bulletin_id=bulletin.id))


@bp.route("/bulletins/<int:bulletin_id>/publish", methods=["POST"])
@login_required
def publish(bulletin_id: int):
    """The office publishes: the draft's content freezes and every unit is notified once."""
    require_office(current_user)
    bulletin = bulletins.get_bulletin(current_user, bulletin_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    published = bulletins.publish(current_user, bulletin)
    db.session.commit()
    flash(_("已发布第%(version)s版，已通知各单位", version=published.version), "success")
    return redirect(url_for("regime.show", bulletin_id=published.id))


@bp.route("/bulletins/<int:bulletin_id>/document.docx")
@login_required
def document(bulletin_id: int):
    return docx_response(bulletins.get_bulletin(current_user, bulletin_id))


@bp.route("/bulletins/<int:bulletin_id>/table.xlsx")
@login_required
def table(bulletin_id: int):
    return xlsx_response(bulletins.get_bulletin(current_user, bulletin_id))


# The other regime pages register on bp too.
from tracker.regime import pages  # noqa: E402,F401
