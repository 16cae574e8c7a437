"""Notification pages (office): the log with retry, per-unit channels with a test message,
job runs with the calendar warning and upload, the 催办 buttons; and for any user: the
read-receipt link and the unit's notices (站内通知) with the unread count in the header."""
from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from tracker import calendar, clock
from tracker.accounts.lookups import grouped_unit_choices
from tracker.accounts.permissions import require_office
from tracker.calendar import imports as calendar_imports
from tracker.extensions import db
from tracker.labels import NOTIFICATION_STATUSES
from tracker.labels import labels
from tracker.lookup import require
from tracker.ledger.operations import get_task
from tracker.models import Channel, JobRun, Notification, Unit
from tracker.notify import chase, channel_settings, inbox, messages, operations, outbox, receipts
from tracker.notify.failures import plain_error
from tracker.notify.forms import CalendarForm, ChannelForm, ChaseForm
from tracker.paging import paginate
from tracker.web import form_post, safe_next

bp = Blueprint("notify", __name__, url_prefix="/notify")
PER_PAGE = 50


@bp.app_template_filter("delivery_error")
def _delivery_error(raw: str | None) -> str:
    return plain_error(raw)


@bp.app_context_processor
def _header():
    """The header's unread count, looked up only when a page shows it."""
    def unread_notices() -> int:
        return inbox.unread_count(current_user) if current_user.is_authenticated else 0
    return {"unread_notices": unread_notices}


@bp.route("/")
@login_required
def log():
    """The notification log: filter by status, rule, unit; see errors; retry dead ones."""
    unit_id = request.args.get("unit_id", type=int)
    query = operations.notifications_query(current_user, request.args.get("status") or None,
                                           request.args.get("rule") or None, unit_id)
    page = paginate(query, PER_PAGE)
    return render_template("notify/log.html", page=page, statuses=NOTIFICATION_STATUSES,
                           rules=labels("rule"), units=grouped_unit_choices(), kinds=labels("channel"))


@bp.route("/<int:notification_id>/retry", methods=["POST"])
@login_required
def retry(notification_id: int):
    notification = require(Notification, notification_id)
    outbox.retry(current_user, notification)
    db.session.commit()
    flash(_("已重新排队发送"), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("notify.log"))


@bp.route("/channels", methods=["GET", "POST"])
@login_required
def channels():
    """A unit's channels: list, add, send a test message."""
    require_office(current_user)
    unit = db.session.get(Unit, request.args.get("unit_id", type=int) or 0)
    form = ChannelForm()

    def page() -> str:
        rows = db.session.scalars(channel_settings.channels_query(current_user, unit)).all() if unit else []
        return render_template("notify/channels.html", unit=unit, form=form, channels=rows,
                               units=grouped_unit_choices(), kinds=labels("channel"))

    if unit is None:
        return page(), 400 if form.is_submitted() else 200
    return form_post(
        form, lambda: channel_settings.add_channel(current_user, unit, form.kind.data,
                                                   form.target.data.strip(), form.secret.data or None),
        done=_("已添加通知渠道"), to=url_for("notify.channels", unit_id=unit.id), page=page)


@bp.route("/channels/<int:channel_id>/active", methods=["POST"])
@login_required
def set_channel_active(channel_id: int):
    """The office switches a channel off or back on."""
    channel = require(Channel, channel_id)
    channel_settings.set_channel_active(current_user, channel, request.form.get("active") == "1")
    db.session.commit()
    flash(_("已启用通知渠道") if channel.is_active else _("已停用通知渠道"), "success")
    return redirect(url_for("notify.channels", unit_id=channel.unit_id))


@bp.route("/channels/<int:channel_id>/test", methods=["POST"])
@login_required
def test_channel(channel_id: int):
    channel = require(Channel, channel_id)
    row = operations.send_test(current_user, channel)
    if row.status == "sent":
        flash(_("测试消息已发送"), "success")
    else:
        flash(_("测试消息发送失败：%(error)s", error=plain_error(row.last_error)), "error")
    return redirect(url_for("notify.channels", unit_id=channel.unit_id))


@bp.route("/jobs", methods=["GET", "POST"])
@login_required
def jobs():
    """Job runs, the calendar warning, and the upload of official holidays."""
    require_office(current_user)
    form = CalendarForm()

    def page() -> str:
        today = clock.today()
        runs = paginate(select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()), PER_PAGE)
        return render_template("notify/jobs.html", page=runs, form=form,
                               warning=_calendar_warning(today, today + timedelta(days=60)))

    return form_post(
        form, lambda: calendar_imports.import_calendar(current_user, form.file.data.filename,
                                                       form.file.data.read()),
        done=lambda count: _("已导入%(count)s天节假日安排", count=count), to=url_for("notify.jobs"),
        page=page)


def _calendar_warning(*days: date) -> str | None:
    """The page's warning naming the years among *days* whose official holidays are unknown
    (calendar.unknown_year_warning words it for job records, in both languages)."""
    years = sorted({day.year for day in days if not calendar.is_known_year(day.year)})
    if not years:
        return None
    return _("%(years)s年的法定节假日安排尚未知晓，暂按周一至周五为工作日计算；请在本页上传当年节假日安排",
             years=_("、").join(str(year) for year in years))


@bp.route("/ack/<token>")
@login_required
def ack(token: str):
    """A notice's receipt link: mark it read (by its addressee), then show its items."""
    notification = receipts.notification_for(token)
    if receipts.acknowledge(current_user, notification):
        db.session.commit()
        flash(_("已签收"), "success")
    return _follow(notification.link)


def _follow(link: str):
    # Links point into Duban; follow only their path, so the receipt never leaves the site.
    parts = urlsplit(link)
    return redirect(safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))
                    or url_for("dashboard.home"))


@bp.route("/inbox")
@login_required
def notices():
    """The user's unit's notices, newest first, unread ones marked."""
    page = paginate(inbox.notices_query(current_user), PER_PAGE)
    return render_template("notify/inbox.html", page=page, rules=labels("rule"))


@bp.route("/inbox/<int:notice_id>")
@login_required
def open_notice(notice_id: int):
    """Open one of the unit's notices: mark it read (as its receipt link does), go to it."""
    notice = inbox.get_notice(current_user, notice_id)
    if inbox.open_notice(current_user, notice):
        db.session.commit()
    return _follow(notice.link)


@bp.route("/chase/tasks/<int:task_id>", methods=["POST"])
@login_required
def chase_task(task_id: int):
    """The office's 催办 button on an item."""
    task = get_task(current_user, task_id)
    form = ChaseForm()
    chase.chase_task(current_user, task, form.message.data)
    db.session.commit()
    flash(_("已催办，通知已发送给牵头单位"), "success")
    return redirect(safe_next(form.next.data) or url_for("ledger.show", task_id=task.id))


@bp.route("/chase/units/<int:unit_id>", methods=["POST"])
@login_required
def chase_unit(unit_id: int):
    """The office's 催办 button on a unit's overdue items."""
    unit = require(Unit, unit_id)
    form = ChaseForm()
    chased = chase.chase_unit(current_user, unit, form.message.data)
    db.session.commit()
    flash(_("已催办%(count)s项逾期事项", count=len(chased)), "success")
    return redirect(safe_next(form.next.data) or url_for("dashboard.unit_home", unit_id=unit.id))


@bp.app_template_filter("notice_text")
def notice_text(body: str) -> str:
    """A stored notice body as plain text: item links "[text](url)" shown as their text."""
    return messages.LINK_RE.sub(r"\1", body)


@bp.app_template_global()
def chase_enabled() -> bool:
    """Whether the office's 催办 buttons are shown (the `chase` rule is on)."""
    return outbox.is_enabled(chase.RULE)


@bp.app_template_global()
def chased_today(task) -> bool:
    """Whether *task* was chased today (its 催办 button then says so instead)."""
    return bool(chase.chases_today(task))
