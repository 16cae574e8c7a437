"""Bulletin pages: the list, compiling a draft, the printable bulletin, editing, compiling
again, publishing and the .docx/.xlsx downloads."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import clock
from tracker.accounts.permissions import require_office
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.messages import page_text
from tracker.labels import labels
from tracker.models import Bulletin
from tracker.paging import paginate, paginate_list
from tracker.regime import bulletins, downloads, drafts
from tracker.regime.controllers import PER_PAGE
from tracker.regime.forms import (BulletinFilterForm, ButtonForm,
                                  CompileForm, DraftForm)
from tracker.reports.periods import previous_period
from tracker.confirm import confirm_step
from tracker.web import form_post

SECTION_ROWS = 100


@login_required
def index():
    """Bulletins (通报), filtered by kind and status; the office compiles drafts here."""
    return _index_page(BulletinFilterForm(request.args), _compile_form(CompileForm(formdata=None, kind="monthly")))


def _index_page(filters: BulletinFilterForm, compile_form: CompileForm) -> str:
    filters.validate()
    query = bulletins.bulletins_query(current_user, filters.kind.data or None,
                                      filters.status.data or None)
    return render_template("regime/index.html", form=filters, page=paginate(query, PER_PAGE),
                           kinds=labels("bulletin_kind"), statuses=labels("bulletin_status"),
                           compile_form=compile_form)


def _compile_form(form: CompileForm) -> CompileForm:
    """The compile form, proposing last month when blank."""
    if not form.period.data:
        form.period.data = previous_period(clock.today(), "monthly")
    return form


@login_required
def compile_draft():
    """The office compiles the draft of a kind and period (an open one again)."""
    require_office(current_user)
    form = CompileForm()
    return form_post(
        form, lambda: bulletins.compile_draft(current_user, form.kind.data, form.period.data.strip()),
        done=lambda compiled: _("已生成草稿") if compiled[1] else _("已按当前台账重新生成草稿"),
        to=lambda compiled: url_for("regime.show", bulletin_id=compiled[0].id),
        page=lambda: _index_page(BulletinFilterForm(formdata=None), _compile_form(form)))


@login_required
def show(bulletin_id: int):
    """The printable bulletin. A unit opening a published one signs for its notice (签收)."""
    bulletin = bulletins.get_bulletin(current_user, bulletin_id)
    if bulletin.is_published and bulletins.acknowledge_notices(current_user, bulletin):
        db.session.commit()
        flash(_("已签收"), "success")
    content = bulletins.content_of(bulletin)
    head = bulletins.letterhead(bulletin)
    tables = {s["key"]: paginate_list(s["table"]["rows"], SECTION_ROWS, f"p_{s['key']}")
              for s in content["sections"] if s["table"]}
    proposals = drafts.proposal_rows(bulletin) if not bulletin.is_published else []
    return render_template("regime/show.html", bulletin=bulletin, content=content, head=head,
                           tables=tables, proposals=proposals, edited=drafts.edited(bulletin)
                           if not bulletin.is_published else [])


@login_required
def edit(bulletin_id: int):
    """The office edits a draft: the 导语, every generated paragraph and list wording (fields
    `p:<key>`), its commentary and key points."""
    require_office(current_user)
    bulletin = bulletins.get_bulletin(current_user, bulletin_id)
    form = DraftForm(obj=bulletin)
    if not form.is_submitted():
        form.opening.data = bulletin.opening or bulletin.content.get("opening", "")
    paragraphs = {key[2:]: value for key, value in request.form.items() if key.startswith("p:")}
    return form_post(
        form, lambda: bulletins.edit_draft(current_user, bulletin, _given("opening", form.opening),
                                           _given("commentary", form.commentary),
                                           _given("key_points", form.key_points), paragraphs,
                                           request.form.get("compiled_at")),
        done=_("草稿已保存"), to=url_for("regime.show", bulletin_id=bulletin.id),
        page=lambda: render_template("regime/edit.html", bulletin=bulletin, form=form,
                                     sections=_editable(bulletin, paragraphs)))


def _given(name: str, field) -> str | None:
    """A box's text when the form sent it; None (unchanged) when it did not."""
    return (field.data or "") if name in request.form else None


def _places(content: dict) -> dict[str, str]:
    """Where each editable paragraph sits, in the reader's language (section titles are the
    document's own)."""
    def place(title, where) -> str:
        if title is None:
            return _("导语")
        if isinstance(where, int):
            return _("%(section)s 第%(n)s段", section=title, n=where)
        return _("%(section)s %(unit)s（理由）", section=title, unit=where)
    return {key: place(title, where) for key, title, where, _text in drafts.paragraphs(content)}


def _editable(bulletin: Bulletin, typed: dict[str, str]) -> list[dict]:
    """The draft's sections for the edit page: each editable paragraph with its compiled
    text, the text now in force (or as typed) and the edit (who, when) if any."""
    compiled = drafts.generated_texts(bulletin.content)
    places = _places(bulletin.content)
    edits = bulletin.edits or {}
    out = []
    for s in bulletin.content["sections"]:
        keys = [k for k in compiled if k.split(".", 1)[0] == s["key"]]
        out.append({"title": s["title"], "paragraphs": [
            {"key": k, "place": places[k], "compiled": compiled[k], "is_row": ".row." in k,
             "text": typed.get(k, edits[k]["text"] if k in edits else compiled[k]),
             "edit": edits.get(k)} for k in keys]})
    return out


@login_required
def recompile(bulletin_id: int):
    """The office compiles a draft again from today's ledger (重新生成). With edited
    paragraphs it first asks whether to keep or replace them (recompile_confirm)."""
    bulletin = _pressed(bulletin_id)
    choice = request.form.get("edits")
    if not bulletin.is_published and drafts.edited(bulletin) and choice not in ("keep", "replace"):
        return redirect(url_for("regime.recompile_confirm", bulletin_id=bulletin.id))
    try:
        bulletins.recompile(current_user, bulletin, choice or "keep")
    except DomainError as exc:
        flash(page_text(exc), "error")
    else:
        db.session.commit()
        flash(_("已按当前台账重新生成草稿，保留了办公室修改的段落") if choice == "keep" else
              _("已按当前台账重新生成草稿"), "success")
    return redirect(url_for("regime.show", bulletin_id=bulletin.id))


@login_required
def recompile_confirm(bulletin_id: int):
    """Before recompiling a draft with edited paragraphs: which paragraphs the office edited,
    and the choice to keep them or replace them with the newly compiled text."""
    require_office(current_user)
    bulletin = bulletins.get_bulletin(current_user, bulletin_id)
    if bulletin.is_published:
        return redirect(url_for("regime.show", bulletin_id=bulletin.id))
    places = _places(bulletin.content)
    edited = [{**e, "place": places.get(e["key"], e["key"])} for e in drafts.edited(bulletin)]
    return render_template("regime/recompile.html", bulletin=bulletin, edited=edited, form=ButtonForm())


@login_required
def escalations(bulletin_id: int):
    """The office confirms which proposed escalation steps the draft prints (per unit)."""
    bulletin = _pressed(bulletin_id)
    units = {int(v) for v in request.form.getlist("unit_id") if v.isdigit()}
    try:
        changed = drafts.confirm_escalations(current_user, bulletin, units)
    except DomainError as exc:
        flash(page_text(exc), "error")
    else:
        db.session.commit()
        flash(_("督办措施确认已保存") if changed else _("督办措施确认没有变化"), "success")
    return redirect(url_for("regime.show", bulletin_id=bulletin.id, _anchor="escalations"))


@login_required
def publish(bulletin_id: int):
    """The office publishes: the draft's content freezes and every unit is notified once.
    A confirmation step comes first (publishing cannot be taken back)."""
    bulletin = _pressed(bulletin_id)
    if page := confirm_step(
            _("发布通报"), _("发布后内容即冻结，并立即通知所有单位，不能撤回。确认发布吗？"),
            _("确认发布")):
        return page
    published = bulletins.publish(current_user, bulletin)
    db.session.commit()
    flash(_("已发布第%(version)s版，已通知各单位", version=published.version), "success")
    return redirect(url_for("regime.show", bulletin_id=published.id))


def _pressed(bulletin_id: int) -> Bulletin:
    """The bulletin whose button the office pressed (the POST carries only its CSRF token)."""
    require_office(current_user)
    bulletin = bulletins.get_bulletin(current_user, bulletin_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return bulletin


@login_required
def document(bulletin_id: int):
    return downloads.bulletin_docx(bulletins.get_bulletin(current_user, bulletin_id))


@login_required
def table(bulletin_id: int):
    return downloads.bulletin_xlsx(bulletins.get_bulletin(current_user, bulletin_id))
