"""Web-layer wiring shared by every blueprint: login, language, filters, errors, headers."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, flash, redirect, render_template, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from tracker import clock
from tracker.errors import DomainError
from tracker.extensions import babel, db, login_manager

LANGUAGES = ("zh", "en")

# (endpoint, label, office only): the nav shows an entry once its endpoint exists.
NAV = (
    ("dashboard.home", _l("首页"), False),
    ("ledger.index", _l("事项台账"), False),
    ("signoff.queue", _l("审核"), True),
    ("regime.index", _l("督办通报"), False),
    ("notify.log", _l("通知记录"), True),
    ("notify.channels", _l("通知渠道"), True),
    ("accounts.units", _l("单位"), True),
    ("accounts.users", _l("用户"), True),
    ("accounts.tokens", _l("API 令牌"), False),
)


def init_app(app: Flask) -> None:
    """Bind Flask-Login and Flask-Babel and install filters, handlers and headers."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    babel.init_app(app, locale_selector=_select_locale,
                   default_translation_directories="translations")
    app.jinja_env.filters.update(localtime=_localtime, isodate=_isodate)
    app.jinja_env.globals.update(get_locale=get_locale, today=clock.today,
                                 has_endpoint=has_endpoint, nav_links=lambda: NAV)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(413, _too_large)
    app.after_request(_security_headers)


@login_manager.user_loader
def _load_user(user_id: str):
    from tracker.models import User

    user = db.session.get(User, int(user_id))
    return user if user is not None and user.is_active else None


def has_endpoint(name: str) -> bool:
    """True when a view is registered under *name* (pages other features add appear by themselves)."""
    return name in current_app.view_functions


def _select_locale() -> str:
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
    return session.get("lang") or _default_language()


def _default_language() -> str:
    return current_app.config["SETTINGS"]["app"]["language"]


def _localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    local = clock.local(value)
    return local.strftime(fmt) if local else ""


def _isodate(value: date | None) -> str:
    return value.isoformat() if value else ""


def _domain_error(exc: DomainError):
    """A rule refused a form action: say why and go back where the user came from."""
    if request.path.startswith("/api/"):
        from tracker.api.errors import error_response

        return error_response(exc.message, exc.field, exc.status)
    db.session.rollback()
    if exc.status == 404:
        return render_template("errors/error.html", message=exc.message, status=404), 404
    if exc.status == 403 and request.method == "GET":
        return render_template("errors/error.html", message=exc.message, status=403), 403
    flash(exc.message, "error")
    return redirect(request.referrer or "/")


def _too_large(exc):
    if request.path.startswith("/api/"):
        from tracker.api.errors import error_response

        return error_response("request body is larger than the allowed size", None, 413)
    return render_template("errors/error.html", message="上传内容超过大小限制", status=413), 413


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
