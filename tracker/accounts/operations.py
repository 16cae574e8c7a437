"""Account rules: units, users, API tokens, password login with throttling."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import Select, delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from tracker import audit, validation
from tracker.accounts.permissions import require_office
from tracker.clock import now
from tracker.errors import Conflict, PermissionDenied, ValidationError
from tracker.extensions import db
from tracker.labels import ROLES, UNIT_KINDS
from tracker.lookup import require
from tracker.models import ApiToken, LoginFailure, Unit, User

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LOGIN_RE = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")
MIN_PASSWORD = 8
TOKEN_USE_RESOLUTION = timedelta(hours=1)


class LoginThrottled(PermissionDenied):
    """Too many recent failures: the message says how long to wait."""


def create_unit(actor: User | None, name: str, kind: str, parent_id: int | None = None,
                email: str | None = None) -> Unit:
    """Add a unit. *actor* None means the CLI (an operator at the console)."""
    if actor is not None:
        require_office(actor)
    name = validation.text(name, "name", 120, required=True)
    if kind not in UNIT_KINDS:
        raise ValidationError(f"kind must be one of {', '.join(UNIT_KINDS)}", "kind")
    if parent_id is not None and _unit_or_none(parent_id) is None:
        raise ValidationError(f"parent_id {parent_id!r} is not a unit", "parent_id")
    email = optional_email(email, "email")
    if db.session.scalar(select(Unit.id).where(Unit.name == name)) is not None:
        raise ValidationError(f"a unit named {name} already exists", "name")
    unit = Unit(name=name, kind=kind, parent_id=parent_id, email=email)
    db.session.add(unit)
    db.session.flush()
    audit.record(actor, "unit.create", unit, detail=unit.to_dict())
    return unit


def _unit_or_none(unit_id: object) -> Unit | None:
    """The unit with this id; None for an unknown id or a value that is not an integer."""
    return db.session.get(Unit, unit_id) if validation.is_integer(unit_id) else None


def get_unit(unit_id: int) -> Unit:
    """The unit with *unit_id* (an id from a URL path), or NotFound."""
    return require(Unit, unit_id)


def units_query(kind: str | None = None, order: str = "id") -> Select:
    """Units (everyone may read them), optionally of one kind, by id or by name."""
    query = select(Unit).order_by(Unit.name if order == "name" else Unit.id)
    if kind is not None:
        if kind not in UNIT_KINDS:
            raise ValidationError(f"kind must be one of {', '.join(UNIT_KINDS)}", "kind")
        query = query.where(Unit.kind == kind)
    return query


def users_query(actor: User, unit_id: int | None = None, order: str = "id") -> Select:
    """Users, optionally of one unit, by id or by login (office only)."""
    require_office(actor)
    query = select(User).order_by(User.login if order == "login" else User.id)
    return query if unit_id is None else query.where(User.unit_id == unit_id)


def unit_by_name(name: str, field: str = "unit") -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.name == name))
    if unit is None:
        raise ValidationError(f"no unit named {name}", field)
    return unit


def create_user(actor: User | None, login: str, name: str, unit_id: int, role: str,
                password: str, email: str | None = None) -> User:
    """Add a user with a hashed password."""
    if actor is not None:
        require_office(actor)
    if not isinstance(login, str) or not LOGIN_RE.match(login):
        raise ValidationError("login must be 2–64 letters, digits, '.', '_' or '-'", "login")
    name = validation.text(name, "name", 64, required=True)
    if role not in ROLES:
        raise ValidationError(f"role must be one of {', '.join(ROLES)}", "role")
    if _unit_or_none(unit_id) is None:
        raise ValidationError(f"unit_id {unit_id!r} is not a unit", "unit_id")
    _check_password(password)
    email = optional_email(email, "email")
    if db.session.scalar(select(User.id).where(User.login == login)) is not None:
        raise ValidationError(f"login {login} is taken", "login")
    user = User(login=login, name=name, unit_id=unit_id, role=role, email=email,
                password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user, detail=user.to_dict())
    return user


def set_password(actor: User, user: User, password: str) -> None:
    """Office resets anyone's password; a user changes their own."""
    if actor.id != user.id:
        require_office(actor)
    _check_password(password)
    user.password_hash = hash_password(password)
    audit.record(actor, "user.password", user)


def set_user_active(actor: User, user: User, is_active: bool) -> None:
    """Deactivate (never delete) or reactivate a user; their tokens stop working too."""
    require_office(actor)
    if actor.id == user.id and not is_active:
        raise Conflict("不能停用自己的账号")
    user.is_active = is_active
    audit.record(actor, "user.activate" if is_active else "user.deactivate", user)


def hash_password(password: str) -> str:
    """Salted hash by the configured method (scrypt unless [security] says otherwise)."""
    return generate_password_hash(password, current_app.config["SETTINGS"]["security"]["password_hash"])


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise ValidationError(f"password must be at least {MIN_PASSWORD} characters", "password")


def optional_email(value: object, field: str) -> str | None:
    """An email address, or None for a blank one; 400 naming *field* otherwise."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not EMAIL_RE.match(value):
        raise ValidationError(f"{field} is not an email address", field)
    return value


# --- API tokens -------------------------------------------------------------------------

def create_token(actor: User | None, user: User) -> str:
    """Issue a token for *user*; only its hash is stored, so this is the one time it is seen."""
    if actor is not None and actor.id != user.id:
        require_office(actor)
    raw = "dbn_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, token_hash=_digest(raw), prefix=raw[:8])
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "token.create", token, detail={"user": user.login, "prefix": token.prefix})
    return raw


def tokens_query(user: User) -> Select:
    """*user*'s own API tokens, newest first."""
    return (select(ApiToken).where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))


def revoke_token(actor: User, token: ApiToken) -> None:
    if actor.id != token.user_id:
        require_office(actor)
    token.revoked_at = now()
    audit.record(actor, "token.revoke", token, detail={"prefix": token.prefix})


def user_for_token(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None. Marks the token used (at most
    hourly, so reads do not each write)."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(raw),
                                                     ApiToken.revoked_at.is_(None)))
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now() - token.last_used_at > TOKEN_USE_RESOLUTION:
        token.last_used_at = now()
    return token.user


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# --- password login with throttling -----------------------------------------------------

def authenticate(login: str, password: str, address: str) -> User:
    """Check a password login. Raises LoginThrottled after repeated failures and
    ValidationError on a wrong login or password (the same message for both)."""
    cfg = current_app.config["SETTINGS"]["security"]
    window_start = now() - timedelta(minutes=cfg["login_window_minutes"])
    by_login = _failures(LoginFailure.login == login, window_start)
    by_address = _failures(LoginFailure.address == address, window_start)
    if by_login >= cfg["login_max_failures"] or by_address >= cfg["address_max_failures"]:
        raise LoginThrottled(
            f"登录失败次数过多，请 {cfg['login_window_minutes']} 分钟后再试 "
            "(too many failed logins; wait and try again)")
    user = db.session.scalar(select(User).where(User.login == login))
    if user is None or not user.is_active or not check_password_hash(user.password_hash, password):
        db.session.add(LoginFailure(login=login[:64], address=address[:64]))
        raise ValidationError("用户名或密码错误 (wrong login or password)", "password")
    db.session.execute(delete(LoginFailure).where(LoginFailure.login == login))
    return user


def _failures(condition, since) -> int:
    return db.session.scalar(
        select(func.count()).select_from(LoginFailure).where(condition, LoginFailure.at >= since))
