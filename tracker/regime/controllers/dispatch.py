"""The weekly dispatch page (周调度): the week's table, last week's agreed items, the
meeting record form, and the table as .xlsx."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from flask import flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Select, select

from tracker import clock, once
from tracker.accounts.lookups import grouped_unit_choices
from tracker.accounts.permissions import require_office, visible_to
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.messages import page_text
from tracker.labels import REPORT_STATES
from tracker.models import Task
from tracker.paging import paginate_rows
from tracker.regime import dispatch_table, documents, meetings
from tracker.regime.compilers.weekly import agreed_review_section
from tracker.regime.controllers import PER_PAGE
from tracker.regime.forms import MeetingForm
from tracker.reports.periods import parse_period, period_bounds, period_of
from tracker.responses import download
from tracker.web import form_post

XLSX_CHUNK = 500


def _period_arg() -> str:
    """The ISO week in the query string; last week when blank or malformed."""
    period = request.args.get("period") or dispatch_table.current_period()
    try:
        parse_period(period)
    except DomainError as exc:
        flash(page_text(exc), "error")
        period = dispatch_table.current_period()
    return period


def _dispatch_query(period: str, today: date) -> Select:
    return visible_to(current_user, dispatch_table.dispatch_query(period, today))


@login_required
def dispatch_page():
    """The week's dispatch table, last week's agreed items, and the meeting record form."""
    period = _period_arg()
    form = MeetingForm(held_on=clock.today())
    if form.is_submitted():
        require_office(current_user)
    if current_user.is_office:
        form.set_unit_choices(grouped_unit_choices())

    def record():
        once.spend(current_user, form.nonce.data)
        return meetings.record_meeting(current_user, period=period, held_on=form.held_on.data,
                                       title=form.title.data, notes=form.notes.data or "",
                                       items=form.agreed_items())

    return form_post(
        form, record,
        done=lambda meeting: _("已记录调度会，%(count)s项议定事项已列入台账",
                               count=len(meeting.agreed_items)),
        to=url_for("regime.dispatch_page", period=period),
        page=lambda: render_template("regime/dispatch.html", **_dispatch_context(period, form)))


def _dispatch_context(period: str, form: MeetingForm) -> dict:
    today = clock.today()
    query = _dispatch_query(period, today)
    page = paginate_rows(query, PER_PAGE)
    rows = dispatch_table.dispatch_rows(page.items, today, start=page.offset + 1)
    monday = period_bounds(period)[0]
    return {"period": period, "today": today, "page": page, "rows": rows,
            "columns": dispatch_table.COLUMNS, "formats": dispatch_table.FORMATS,
            "prose": dispatch_table.PROSE, "counts": dispatch_table.state_counts(query),
            "states": REPORT_STATES, "form": form,
            "review": agreed_review_section(period, today, _visible_items),
            "meetings": _visible_meetings(period),
            "previous": period_of(monday - timedelta(days=7)),
            "next": period_of(monday + timedelta(days=7))}


def _visible_items(tasks: list[Task]) -> list[Task]:
    """The agreed items among *tasks* the user may see (a unit: those it leads or co-handles)."""
    if current_user.is_office or current_user.is_leader or not tasks:
        return tasks
    allowed = set(db.session.scalars(visible_to(current_user, select(Task.id).where(
        Task.id.in_([t.id for t in tasks])))))
    return [t for t in tasks if t.id in allowed]


def _visible_meetings(period: str) -> list[dict]:
    """The week's meetings as the user may read them: the office and leaders all of each; a
    unit only the meetings that agreed an item of its own, with those items and no notes."""
    everything = current_user.is_office or current_user.is_leader
    out = []
    for meeting in db.session.scalars(meetings.meetings_query(period)):
        items = _visible_items(meeting.agreed_items)
        if items:
            out.append({"held_on": meeting.held_on, "title": meeting.title, "agreed_items": items,
                        "notes": meeting.notes if everything else ""})
    return out


@login_required
def dispatch_xlsx(period: str):
    """The week's dispatch table as .xlsx in the ledger's layout, every row."""
    year, week = parse_period(period)
    data = documents.table_xlsx(f"{year}年第{week}周工作调度表", dispatch_table.COLUMNS,
                                _all_rows(period, clock.today()), dispatch_table.FORMATS)
    return download(data, f"dispatch-{period}.xlsx")


def _all_rows(period: str, today: date) -> Iterator[list]:
    """Every dispatch row, fetched and shaped a chunk at a time."""
    result = db.session.execute(_dispatch_query(period, today).execution_options(yield_per=XLSX_CHUNK))
    start = 1
    for chunk in result.partitions():
        rows = dispatch_table.dispatch_rows(chunk, today, start=start)
        start += len(rows)
        yield from rows
