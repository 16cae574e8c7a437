"""Login and logout."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from tracker.accounts import operations
from tracker.accounts.forms import LoginForm
from tracker.errors import PermissionDenied, ValidationError
from tracker.extensions import db

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = operations.authenticate(form.login.data, form.password.data,
                                           request.remote_addr or "unknown")
        except (ValidationError, PermissionDenied) as exc:
            db.session.commit()  # keep the failure on record for throttling
            flash(exc.message, "error")
            return render_template("accounts/login.html", form=form), 401 if isinstance(
                exc, ValidationError) else 429
        db.session.commit()
        login_user(user)
        return redirect(_safe_next(request.args.get("next")) or url_for("dashboard.home"))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("已退出登录"), "info")
    return redirect(url_for("accounts.login"))


def _safe_next(target: str | None) -> str | None:
    """Only follow a same-site relative `next`."""
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None
