"""Account rules: units, users, API tokens, password login with throttling."""
from __future__ import annotations

import functools
import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import Select, case, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash
from flask_babel import lazy_gettext as _l

from tracker import audit, locks, validation
from tracker.accounts.lookups import ORDER, next_sort_order
from tracker.accounts.permissions import require_office
from tracker.clock import now
from tracker.errors import Conflict, PermissionDenied, ValidationError
from tracker.extensions import db
from tracker.labels import ROLES, UNIT_KINDS
from tracker.lookup import require
from tracker.models import ApiToken, LoginThrottle, Unit, User

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LOGIN_RE = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 200
# A secret's last use (API token, calendar link) is recorded at most this often, so
# clients polling do not each write.
TOKEN_USE_RESOLUTION = timedelta(hours=1)


class LoginThrottled(PermissionDenied):
    """Too many recent failures: the message says how long to wait."""


def create_unit(actor: User | None, name: str, kind: str, parent_id: int | None = None,
                email: str | None = None, sort_order: int | None = None) -> Unit:
    """Add a unit. *actor* None means the CLI (an operator at the console). Without
    *sort_order* it goes after the last unit of its kind."""
    if actor is not None:
        require_office(actor)
    name = validation.text(name, "name", 120, required=True)
    validation.one_of(kind, UNIT_KINDS, "kind")
    if parent_id is not None and _unit_or_none(parent_id) is None:
        raise ValidationError(f"parent_id {parent_id!r} is not a unit", "parent_id",
                              text=_l("所选上级单位不存在"))
    email = optional_email(email, "email")
    locks.hold(f"unit-name:{name}")
    if db.session.scalar(select(Unit.id).where(Unit.name == name)) is not None:
        raise ValidationError(f"a unit named {name} already exists", "name",
                              text=_l("已有名为“%(name)s”的单位", name=name))
    if sort_order is not None:
        validation.integer(sort_order, "sort_order")
    unit = Unit(name=name, kind=kind, parent_id=parent_id, email=email,
                sort_order=next_sort_order(kind) if sort_order is None else sort_order)
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
    """Units (everyone may read them), optionally of one kind, by id or (order "name") in
    the configured order: sort_order, then name."""
    query = select(Unit).order_by(*(ORDER if order == "name" else (Unit.id,)))
    if kind is not None:
        validation.one_of(kind, UNIT_KINDS, "kind")
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
        raise ValidationError(f"no unit named {name}", field, text=_l("没有名为“%(name)s”的单位", name=name))
    return unit


def create_user(actor: User | None, login: str, name: str, unit_id: int, role: str,
                password: str, email: str | None = None) -> User:
    """Add a user with a hashed password."""
    if actor is not None:
        require_office(actor)
    if not isinstance(login, str) or not LOGIN_RE.match(login):
        raise ValidationError("login must be 2–64 letters, digits, '.', '_' or '-'", "login",
                              text=_l("用户名须为 2–64 个字母、数字或 . _ -"))
    name = validation.text(name, "name", 64, required=True)
    validation.one_of(role, ROLES, "role")
    if _unit_or_none(unit_id) is None:
        raise ValidationError(f"unit_id {unit_id!r} is not a unit", "unit_id",
                              text=_l("所选单位不存在"))
    _check_password(password, login)
    email = optional_email(email, "email")
    password_hash = hash_password(password)  # slow by design: before the hold, not under it
    locks.hold(f"login:{login}")
    if db.session.scalar(select(User.id).where(User.login == login)) is not None:
        raise ValidationError(f"login {login} is taken", "login",
                              text=_l("用户名 %(login)s 已被使用", login=login))
    user = User(login=login, name=name, unit_id=unit_id, role=role, email=email,
                password_hash=password_hash)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user, detail=user.to_dict())
    return user


def set_password(actor: User, user: User, password: str, keep_tokens: bool = False) -> None:
    """Office resets anyone's password; a user changes their own. Every session of the
    user ends, and their API tokens are revoked unless *keep_tokens*."""
    if actor.id != user.id:
        require_office(actor)
    _check_password(password, user.login)
    user.password_hash = hash_password(password)
    end_sessions(user)
    revoked = 0 if keep_tokens else revoke_tokens(user)
    audit.record(actor, "user.password", user, detail={"tokens_revoked": revoked})


def set_user_active(actor: User, user: User, is_active: bool) -> None:
    """Deactivate (never delete) or reactivate a user; their tokens stop working too, and
    the sessions they had stay ended after a reactivation."""
    require_office(actor)
    if actor.id == user.id and not is_active:
        raise Conflict("不能停用自己的账号")
    user.is_active = is_active
    end_sessions(user)
    audit.record(actor, "user.activate" if is_active else "user.deactivate", user)


def end_sessions(user: User) -> None:
    """End every session *user* has (logout, password change, deactivation): the next
    request with one of them is anonymous. Raised in SQL, so concurrent ends all count."""
    user.session_epoch = User.session_epoch + 1
    db.session.flush()


def revoke_tokens(user: User) -> int:
    """Revoke every live API token of *user*; how many there were."""
    result = db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                                      ApiToken.revoked_at.is_(None))
                                .values(revoked_at=now()).execution_options(synchronize_session=False))
    return result.rowcount


def hash_password(password: str) -> str:
    """Salted hash by the configured method (scrypt unless [security] says otherwise)."""
    return generate_password_hash(password, current_app.config["SETTINGS"]["security"]["password_hash"])


def _check_password(password: object, login: object = None) -> None:
    """The password policy: MIN_PASSWORD to MAX_PASSWORD characters, not one character
    repeated, not the login, and not among the 30,000 commonest passwords (zxcvbn's list)."""
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ValidationError(f"密码须为 {MIN_PASSWORD}–{MAX_PASSWORD} 个字符 (password must be "
                              f"{MIN_PASSWORD} to {MAX_PASSWORD} characters)", "password")
    if len(set(password)) == 1:
        raise ValidationError("密码不能由同一个字符组成 (password is one character repeated)",
                              "password")
    if isinstance(login, str) and password.casefold() == login.casefold():
        raise ValidationError("密码不能与用户名相同 (password is the login)", "password")
    if password.casefold() in _common_passwords():
        raise ValidationError("密码过于常见，请换一个 (password is a common one)", "password")


@functools.cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def optional_email(value: object, field: str) -> str | None:
    """An email address, or None for a blank one; 400 naming *field* otherwise."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not EMAIL_RE.match(value):
        raise ValidationError(f"{field} is not an email address", field, text=_l("请填写有效的邮箱地址"))
    return value


# --- API tokens -------------------------------------------------------------------------

def create_token(actor: User | None, user: User) -> str:
    """Issue a token for *user*; only its hash is stored, so this is the one time it is seen."""
    if actor is not None and actor.id != user.id:
        require_office(actor)
    raw = "dbn_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, token_hash=secret_digest(raw), prefix=raw[:8])
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
    token = db.session.scalar(select(ApiToken).options(joinedload(ApiToken.user))
                              .where(ApiToken.token_hash == secret_digest(raw),
                                     ApiToken.revoked_at.is_(None)))
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now() - token.last_used_at > TOKEN_USE_RESOLUTION:
        token.last_used_at = now()
    return token.user


def secret_digest(raw: str) -> str:
    """What is stored of a secret handed out once (API tokens, calendar links): its SHA-256."""
    return hashlib.sha256(raw.encode()).hexdigest()


# --- password login with throttling -----------------------------------------------------

def authenticate(login: str, password: str, address: str) -> User:
    """Check a password login. Raises LoginThrottled after repeated failures and
    ValidationError on a wrong login or password (the same message, and the same time
    spent hashing, for both)."""
    cfg = current_app.config["SETTINGS"]["security"]
    keys = {f"login:{login}"[:200]: cfg["login_max_failures"],
            f"address:{address}"[:200]: cfg["address_max_failures"]}
    counts = _count_attempt(list(keys), cfg["login_window_minutes"])
    if any(counts[key] > limit for key, limit in keys.items()):
        raise LoginThrottled(
            f"登录失败次数过多，请 {cfg['login_window_minutes']} 分钟后再试 "
            "(too many failed logins; wait and try again)")
    user = db.session.scalar(select(User).where(User.login == login))
    stored = user.password_hash if user is not None else _dummy_hash()
    if not check_password_hash(stored, password) or user is None or not user.is_active:
        raise ValidationError("用户名或密码错误 (wrong login or password)", "password")
    login_key, address_key = keys
    _settle_attempt(login_key, address_key)
    return user


def _count_attempt(keys: list[str], window_minutes: int) -> dict[str, int]:
    """Count one attempt against each key and return the counts, each raised by one atomic
    UPDATE … RETURNING (a key's window starts afresh once it is over), committed at once in
    a transaction of its own: concurrent attempts each see their own count, and a refusal
    is counted even though the request's own work rolls back."""
    at = now()
    cut = at - timedelta(minutes=window_minutes)
    table = LoginThrottle.__table__
    expired = table.c.window_start < cut
    counts = {}
    with db.engine.begin() as conn:
        insert = sqlite_insert if conn.dialect.name == "sqlite" else postgresql_insert
        for key in keys:
            conn.execute(insert(table).values(key=key, attempts=0, window_start=at)
                         .on_conflict_do_nothing(index_elements=["key"]))
            counts[key] = conn.execute(
                table.update().where(table.c.key == key)
                .values(attempts=case((expired, 1), else_=table.c.attempts + 1),
                        window_start=case((expired, at), else_=table.c.window_start))
                .returning(table.c.attempts)).scalar_one()
    return counts


def _settle_attempt(login_key: str, address_key: str) -> None:
    """A login succeeded: its failures are forgiven, and its address is not charged for it."""
    table = LoginThrottle.__table__
    with db.engine.begin() as conn:
        conn.execute(table.delete().where(table.c.key == login_key))
        conn.execute(table.update().where(table.c.key == address_key, table.c.attempts > 0)
                     .values(attempts=table.c.attempts - 1))


_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash by the configured method of no one's password: an unknown login costs the
    same time as a known one."""
    method = current_app.config["SETTINGS"]["security"]["password_hash"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_hex(16), method)
    return _DUMMY_HASHES[method]
