"""Web-layer wiring shared by every blueprint: login, language, filters, errors, headers."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import (Flask, current_app, flash, g, has_request_context, redirect, render_template,
                   request, session)
from flask.json.provider import DefaultJSONProvider
from flask_babel import format_date, get_locale, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import IntegerConverter

from tracker import clock, i18n, validation
from tracker.errors import Conflict, DomainError
from tracker.messages import page_text, prose_date, with_label
from tracker.extensions import babel, db, login_manager
from tracker.labels import label, labels
from tracker.ledger import state
from tracker.ledger.lights import light_of
from tracker.once import AlreadySubmitted
from tracker.numbers import percent_text
from tracker.reports.evidence import PREVIEW_EXTENSIONS
from tracker.reports.periods import ALL_KINDS, kind_of, period_bounds, period_label
from tracker.responses import error_response

LANGUAGES = ("zh", "en")

# (endpoint, label, office only): the nav shows an entry once its endpoint exists.
NAV = (
    ("dashboard.home", _l("首页"), False),
    ("ledger.index", _l("事项台账"), False),
    ("signoff.queue", _l("审核"), True),
    ("foresight.index", _l("问题清单"), False),
    ("regime.index", _l("督办通报"), False),
    ("notify.log", _l("通知记录"), True),
    ("notify.channels", _l("通知渠道"), True),
    ("accounts.units", _l("单位管理"), True),
    ("accounts.users", _l("用户管理"), True),
    # Tokens serve integrations the office sets up; a unit's people have no use for the link.
    ("accounts.tokens", _l("API 令牌"), True),
    ("ical.subscription", _l("日历订阅"), False),
)

class BoundedInt(IntegerConverter):
    """`<int:…>` in a path matches only what an id column can hold: a larger id cannot exist
    (404), and never reaches the database (PostgreSQL would refuse it: a 500)."""

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = None, signed: bool = False) -> None:  # noqa: A002
        super().__init__(url_map, fixed_digits, min, validation.MAX_INTEGER if max is None else max,
                         signed)


class BoundedJSON(DefaultJSONProvider):
    """JSON bodies read within `[input] max_json_depth` and with every string normalised as
    text is (validation.clean): a body nested too deep is not JSON to us (400), never a
    RecursionError (500)."""

    def loads(self, s, **kwargs):
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deep") from None
        if not has_request_context():  # not a request body (e.g. a test reading a response)
            return value
        return _cleaned(value, self._app.config["SETTINGS"]["input"]["max_json_depth"])


def _cleaned(value, depth: int):
    if isinstance(value, str):
        return validation.clean(value)
    if isinstance(value, (list, dict)) and depth <= 0:
        raise ValueError("JSON nested too deep")
    if isinstance(value, list):
        return [_cleaned(v, depth - 1) for v in value]
    if isinstance(value, dict):
        return {validation.clean(k): _cleaned(v, depth - 1) for k, v in value.items()}
    return value


# Seconds between refreshes of a session's last-seen time (each rewrites the cookie).
SEEN_RESOLUTION = 60
# The pages use no inline script; inline style (charts, the printable bulletin) is allowed.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")


def init_app(app: Flask) -> None:
    """Bind Flask-Login and Flask-Babel and install filters, handlers and headers."""
    app.url_map.converters["int"] = BoundedInt
    app.json = BoundedJSON(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    babel.init_app(app, locale_selector=_select_locale,
                   default_translation_directories="translations")
    app.jinja_env.filters.update(localtime=_localtime, isodate=_isodate, cell=cell,
                                 prose_date=prose_date, prose_datetime=prose_datetime, prose_iso=prose_iso,
                                 period_label=prose_period)
    app.jinja_env.globals.update(get_locale=get_locale, today=clock.today,
                                 has_endpoint=has_endpoint, nav_links=lambda: NAV, label=label, labels=labels,
                                 light_of=light_of, deadline_mark=state.deadline_mark,
                                 preview_extensions=PREVIEW_EXTENSIONS)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(IntegrityError, _integrity_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _server_error)
    # Flask-Babel caches the locale on the app context, which outlives one request when a
    # caller (tests, scripts) holds an app context open: choose it afresh for every request.
    app.before_request(refresh)
    app.before_request(_forget_request_caches)
    app.after_request(_security_headers)
    # Browsers and bookmark tools ask for /favicon.ico whatever the page's <link rel=icon> says.
    app.add_url_rule("/favicon.ico", "favicon", lambda: app.send_static_file("favicon.svg"))


def _forget_request_caches() -> None:
    """Flask-Login (the user), Flask-WTF (the CSRF token) and tracker.i18n (translations and
    the locale) cache on `g` likewise: judge
    every request's session afresh, so an ended or expired session never rides on an
    earlier request's user, and a session cleared since gets a token of its own."""
    g.pop("_login_user", None)
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    i18n.forget()


@login_manager.user_loader
def _load_user(user_id: str):
    """The session's user while the session is alive: the user active, the session begun in
    the user's present epoch (no logout, password change or deactivation since), within the
    absolute lifetime and not idle too long."""
    from tracker.models import User

    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or not _session_alive(user):
        session.clear()
        return None
    return user


def start_session(user) -> None:
    """Stamp the session just signed in with the user's epoch and its start."""
    moment = clock.now().timestamp()
    session.permanent = True
    session.update(epoch=user.session_epoch, signed_in_at=moment, seen_at=moment)


def _session_alive(user) -> bool:
    cfg = current_app.config["SETTINGS"]["security"]
    moment = clock.now().timestamp()
    signed_in, seen = session.get("signed_in_at"), session.get("seen_at")
    if session.get("epoch") != user.session_epoch or signed_in is None or seen is None:
        return False
    if moment - signed_in > cfg["session_max_days"] * 86400 or \
            moment - seen > cfg["session_idle_hours"] * 3600:
        return False
    if moment - seen > SEEN_RESOLUTION:
        session["seen_at"] = moment
    return True


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


def _is_english() -> bool:
    return i18n.locale_name() == "en"


def prose_datetime(value: datetime | None) -> str:
    """An instant in Asia/Shanghai as people write it: 2026年11月18日 10:00."""
    local = clock.local(value)
    return f"{prose_date(local.date())} {local:%H:%M}" if local else ""


def prose_iso(value: str | None) -> str:
    """An ISO date or timestamp kept as text (compiled content) as prose_date/prose_datetime
    write it; text that is neither is shown as it is."""
    if not value:
        return ""
    try:
        return prose_date(date.fromisoformat(value)) if len(value) == 10 else \
            prose_datetime(datetime.fromisoformat(value))
    except ValueError:
        return value


def prose_period(period: str) -> str:
    """A period as people write it: 第48周（11月23日—29日）, 2026年11月 … (periods.period_label);
    in English "Week 48 (23–29 Nov)", "Nov 2026" …"""
    if not _is_english():
        return period_label(period)
    kind = kind_of(period, ALL_KINDS)
    first, last = period_bounds(period)
    if kind == "weekly":
        start = format_date(first, "d" if first.month == last.month else "d MMM")
        return f"Week {first.isocalendar()[1]} ({start}–{format_date(last, 'd MMM')})"
    if kind == "monthly":
        return format_date(first, "MMM y")
    if kind == "quarterly":
        return f"Q{(first.month + 2) // 3} {first.year}"
    return str(first.year)


def _isodate(value: date | None) -> str:
    return value.isoformat() if value else ""


def cell(value, kind: str | None = None) -> str:
    """A table cell of compiled content as a page shows it, by its column format:
    percent (a fraction) as 33.3%, date as 2026年11月7日, nothing as —."""
    if value is None or value == "":
        return "—" if kind else ""
    if kind == "percent" and isinstance(value, (int, float)):
        return percent_text(value)
    if kind == "date":
        day = date.fromisoformat(value) if isinstance(value, str) else value
        return clock.cn_date(day)
    return str(value)


def _domain_error(exc: DomainError):
    """A rule refused a form action: say why (in the reader's words) and go back where the
    user came from; a refusal to see something is the error page."""
    if request.path.startswith("/api/"):
        return error_response(exc.message, exc.field, exc.status)
    db.session.rollback()
    if exc.status in (403, 404):
        return render_template("errors/error.html", message=page_text(exc), status=exc.status), exc.status
    flash(with_label(exc), "error")
    return redirect(request.referrer or "/")


def _integrity_error(exc: IntegrityError):
    """A constraint the database refused that no rule foresaw (two requests at once past a
    check that should have held, `tracker.locks`): nothing is kept and the user is asked to
    try again, a 409 and not a 500. It is a fault of ours all the same: logged with the
    traceback."""
    db.session.rollback()
    current_app.logger.error("constraint refused %s %s: %s", request.method, request.path, exc.orig,
                             exc_info=exc)
    return _domain_error(Conflict("与其他操作同时提交，未能保存，请刷新后重试 (concurrent change)",
                                  text=_l("与其他操作同时提交，未能保存，请刷新页面后重试")))


def form_post(form, run: Callable[[], Any], *, done: str | Callable[[Any], str],
              to: str | Callable[[Any], str], page: Callable[[], str]):
    """The shape of every page with a form. On a submitted, valid *form*: run the operation
    (`run()`), commit, flash *done* and redirect to *to* (each a string, or a function of
    what `run` returned). Otherwise answer `page()` as typed: 200 for a GET, 400 for an
    invalid form, the operation's status (409 …) when a rule refused, the refusal flashed
    and shown on the field it names."""
    if not form.is_submitted():
        return page(), 200
    if not form.validate():
        return page(), 400
    try:
        result = run()
    except AlreadySubmitted as exc:  # a double submit: the first one recorded it
        db.session.rollback()
        flash(_(exc.message), "info")
        return redirect(request.full_path.rstrip("?"))
    except DomainError as exc:
        status = form_failed(exc, form)
        return page(), status
    db.session.commit()
    flash(done(result) if callable(done) else done, "success")
    return redirect(to(result) if callable(to) else to)


def form_failed(exc: DomainError, form) -> int:
    """An operation refused a submitted form: roll back, say why once, in the reader's
    words — on the field it names when the form shows that field (`form.aliases` maps an
    operation's field name to the form's), else flashed with the field's label — and
    return the status to answer with; the caller re-renders the form as typed. Refusals
    the user may not learn more about (403, 404) go to the error page instead."""
    if exc.status in (403, 404):
        raise exc
    db.session.rollback()
    name = getattr(form, "aliases", {}).get(exc.field, exc.field) if exc.field else None
    field = getattr(form, name, None) if name else None
    if field is not None and hasattr(field, "errors") and field.type not in HIDDEN_FIELDS:
        field.errors = [*field.errors, page_text(exc)]
    else:
        flash(with_label(exc, field.label.text if field is not None and hasattr(field, "label") else None),
              "error")
    return exc.status


# Fields that show no error of their own (hidden, or lists of rows): an error naming one is flashed.
HIDDEN_FIELDS = ("HiddenField", "CSRFTokenField", "FieldList", "FormField")


def safe_next(target: str | None) -> str | None:
    """Only follow a same-site relative `next` (no control characters, no backslash)."""
    if not target or any(c < " " or c in "\\\x7f" for c in target):
        return None
    parts = urlsplit(target)
    ok = not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")
    return target if ok else None


# What the error page says for an HTTP error, in the reader's language.
HTTP_MESSAGES = {400: _l("请求有误，请返回上一页重试"), 403: _l("你没有权限访问该页面"),
                 404: _l("找不到该页面：链接有误，或内容已不存在"), 405: _l("不支持该操作"),
                 413: _l("上传内容超过大小限制"), 429: _l("操作过于频繁，请稍后再试")}


def _http_error(exc: HTTPException):
    """API paths always answer the JSON error shape (also for unknown routes and methods);
    pages show the error page in the reader's language (a form whose CSRF token expired is
    told to reload)."""
    if request.path.startswith("/api/"):
        message = ("request body is larger than the allowed size" if exc.code == 413
                   else exc.description or exc.name)
        return error_response(message, None, exc.code or 500)
    if exc.code is None or exc.code < 400:
        return exc
    if isinstance(exc, CSRFError):
        message = _l("页面已过期（安全令牌失效），请刷新页面后重新提交")
    else:
        message = HTTP_MESSAGES.get(exc.code, HTTP_MESSAGES[400])
    response = exc.get_response()
    return (render_template("errors/error.html", message=message, status=exc.code), exc.code,
            {k: v for k, v in response.headers.items() if k in ("Allow", "Retry-After")})


def _server_error(exc: InternalServerError):
    """A fault of ours: nothing half-done is kept, and the user reads it in their language
    (the API in its error shape); the log has the traceback."""
    db.session.rollback()
    message = _l("服务器出错，请稍后再试；问题已记录")
    if request.path.startswith("/api/"):
        return error_response(str(message), None, 500)
    return render_template("errors/error.html", message=message, status=500), 500


def _security_headers(response):
    """Every answer: no sniffing, no framing, a Content-Security-Policy, the referrer kept
    on this site; authenticated answers (a page, a download, the API) are never stored by
    a browser or a proxy, above all the page that shows a new token once."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", CSP)
    if request.endpoint != "static" and (
            current_user.is_authenticated or request.headers.get("Authorization")):
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    return response
