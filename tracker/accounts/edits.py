"""Editing accounts after creation: the office edits units and users; every user changes
their own password."""
from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import check_password_hash

from tracker import audit, locks, validation
from tracker.accounts.operations import _unit_or_none, end_sessions, optional_email, set_password
from tracker.accounts.permissions import require_office
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.labels import ROLES, UNIT_KINDS
from tracker.models import Unit, User


def update_unit(actor: User, unit: Unit, values: dict) -> Unit:
    """The office edits a unit: name, kind, parent (never itself or one of its own
    descendants), email and its place in lists (sort_order)."""
    require_office(actor)
    before = unit.to_dict()
    name = validation.text(values.get("name", unit.name), "name", 120, required=True)
    kind = values.get("kind", unit.kind)
    validation.one_of(kind, UNIT_KINDS, "kind")
    parent_id = values.get("parent_id", unit.parent_id) or None
    if parent_id is not None:
        parent = _unit_or_none(parent_id)
        if parent is None:
            raise ValidationError(f"parent_id {parent_id!r} is not a unit", "parent_id")
        node = parent
        while node is not None:
            if node.id == unit.id:
                raise ValidationError("上级单位不能是本单位或其下级单位 (a unit cannot be its own "
                                      "ancestor)", "parent_id")
            node = node.parent
    email = optional_email(values.get("email", unit.email), "email")
    if name != unit.name:
        locks.hold(f"unit-name:{name}")  # as create_unit: one of two renames to a name wins
    if name != unit.name and db.session.scalar(select(Unit.id).where(Unit.name == name)) is not None:
        raise ValidationError(f"a unit named {name} already exists", "name")
    unit.name, unit.kind, unit.parent_id, unit.email = name, kind, parent_id, email
    if values.get("sort_order") is not None:
        unit.sort_order = validation.integer(values["sort_order"], "sort_order")
    db.session.flush()
    after = unit.to_dict()
    detail = audit.changes(before, after)
    if detail:
        audit.record(actor, "unit.update", unit, detail=detail)
    return unit


def update_user(actor: User, user: User, values: dict) -> User:
    """The office edits a user's name, unit, role and email. A new role or unit ends the
    user's sessions (what they may see changes); the office cannot change its own role."""
    require_office(actor)
    name = validation.text(values.get("name", user.name), "name", 64, required=True)
    role = values.get("role", user.role)
    validation.one_of(role, ROLES, "role")
    unit_id = values.get("unit_id", user.unit_id)
    if _unit_or_none(unit_id) is None:
        raise ValidationError(f"unit_id {unit_id!r} is not a unit", "unit_id")
    if actor.id == user.id and role != user.role:
        raise ValidationError("不能修改自己的角色 (you cannot change your own role)", "role")
    email = optional_email(values.get("email", user.email), "email")
    before = user.to_dict()
    user.name, user.role, user.unit_id, user.email = name, role, unit_id, email
    db.session.flush()
    detail = audit.changes(before, user.to_dict())
    if "role" in detail or "unit_id" in detail:
        end_sessions(user)
        detail["sessions_ended"] = True
    if detail:
        audit.record(actor, "user.update", user, detail=detail)
    return user


def change_own_password(user: User, current: object, password: object,
                        revoke_tokens_too: bool = False) -> None:
    """Any user changes their own password, giving the current one: every session of theirs
    ends (the caller starts this one again) and, if asked, their API tokens are revoked."""
    if not isinstance(current, str) or not check_password_hash(user.password_hash, current):
        raise ValidationError("当前密码不正确 (the current password is wrong)", "current_password")
    set_password(user, user, password, keep_tokens=not revoke_tokens_too)
