"""The calendar subscription page (create, rotate, revoke one's link) and the feed itself,
which answers its secret link without other authentication."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField

from tracker.accounts.lookups import grouped_unit_choices
from tracker.ledger.forms import optional_int
from tracker.errors import DomainError
from tracker.extensions import csrf, db
from tracker.messages import page_text
from tracker.ical import operations

bp = Blueprint("ical", __name__)


class FeedForm(FlaskForm):
    unit_id = SelectField(_l("范围"), coerce=optional_int, validate_choice=False)


class RevokeForm(FlaskForm):
    pass


@bp.route("/calendar", methods=["GET", "POST"])
@login_required
def subscription():
    """One's subscription link: a new one (replacing the old) on POST, shown once."""
    form = FeedForm()
    wide = current_user.is_office or current_user.is_leader
    if wide:
        form.unit_id.choices = grouped_unit_choices()
    url = None
    if form.validate_on_submit():
        try:
            _feed, raw = operations.create_feed(current_user, (form.unit_id.data or None) if wide else None)
        except DomainError as exc:
            db.session.rollback()
            flash(page_text(exc), "error")
            return redirect(url_for("ical.subscription"))
        db.session.commit()
        url = operations.feed_url(raw)
        flash(_("已生成新的订阅链接，旧链接已失效"), "success")
    return render_template("ical/subscription.html", form=form, wide=wide, url=url,
                           feed=operations.live_feed(current_user), revoke=RevokeForm())


@bp.post("/calendar/revoke")
@login_required
def revoke():
    if RevokeForm().validate_on_submit():
        operations.revoke_feed(current_user)
        db.session.commit()
        flash(_("订阅链接已撤销"), "success")
    return redirect(url_for("ical.subscription"))


@bp.get("/calendar/<token>.ics")
@csrf.exempt
def feed(token: str):
    """The feed (text/calendar); an unknown or revoked link answers 404."""
    from tracker.ical.feed import calendar_bytes  # on first use (start-up stays light)
    found = operations.feed_for_token(token)
    if found is None:
        abort(404)
    body = calendar_bytes(found)
    db.session.commit()  # the link's last use
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": 'inline; filename="duban.ics"',
                             "Cache-Control": "private, max-age=300"})
