"""The API's blueprint: bearer-token auth and one error shape for every resource."""
from __future__ import annotations

from flask import Blueprint, g, request
from werkzeug.exceptions import HTTPException

from tracker.accounts.operations import user_for_token
from tracker.errors import DomainError
from tracker.extensions import csrf, db
from tracker.responses import error_response

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated, no cookies


@bp.before_request
def _authenticate():
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    user = user_for_token(raw.strip()) if scheme.lower() == "bearer" and raw.strip() else None
    if user is None:
        return error_response("missing or invalid API token (Authorization: Bearer TOKEN)", None, 401)
    if db.session.dirty:
        db.session.commit()  # the token's last use, recorded before the request's own work
    g.api_user = user
    return None


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    db.session.rollback()
    return error_response(exc.message, exc.field, exc.status)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    db.session.rollback()
    return error_response(exc.description or exc.name, None, exc.code or 500)

