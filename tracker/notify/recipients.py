"""Who a notice goes to: a unit's active channels and email, the office, named users."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Channel, Unit, User

CHUNK = 500


@dataclass(frozen=True)
class Recipient:
    """One destination. `key` is what the outbox's uniqueness uses: email addresses are
    keyed by address, so a unit's email and an email channel with the same address get
    one message."""

    key: str
    kind: str
    target: str
    unit_id: int | None
    channel_id: int | None = None
    user_id: int | None = None


def email(address: str, unit_id: int | None, user_id: int | None = None) -> Recipient:
    return Recipient(f"email:{address.strip().lower()}", "email", address.strip(), unit_id,
                     user_id=user_id)


def of_channel(channel: Channel) -> Recipient:
    if channel.kind == "email":
        return Recipient(email(channel.target, channel.unit_id).key, "email", channel.target,
                         channel.unit_id, channel_id=channel.id)
    return Recipient(f"channel:{channel.id}", channel.kind, channel.target, channel.unit_id,
                     channel_id=channel.id)


def of_units(unit_ids: Iterable[int]) -> dict[int, list[Recipient]]:
    """{unit_id: recipients} for every active channel and the unit's own email address."""
    ids = sorted(set(unit_ids))
    found: dict[int, dict[str, Recipient]] = {i: {} for i in ids}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        for channel in db.session.scalars(select(Channel).where(
                Channel.unit_id.in_(chunk), Channel.is_active).order_by(Channel.id)):
            r = of_channel(channel)
            found[r.unit_id].setdefault(r.key, r)
        for unit_id, address in db.session.execute(select(Unit.id, Unit.email).where(
                Unit.id.in_(chunk), Unit.email.is_not(None), Unit.email != "")):
            r = email(address, unit_id)
            found[unit_id].setdefault(r.key, r)
    return {i: list(rs.values()) for i, rs in found.items()}


def of_users(users: Iterable[User]) -> list[Recipient]:
    """Active users with an email address, each reached as themselves."""
    out = {}
    for user in users:
        if user.is_active and user.email:
            r = email(user.email, user.unit_id, user.id)
            out.setdefault(r.key, r)
    return list(out.values())


def office_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.kind == "office").order_by(Unit.id)))


def of_office() -> list[Recipient]:
    """The channels (and email) of office-kind units, plus every office user's email."""
    units = office_units()
    found: dict[str, Recipient] = {}
    for rs in of_units(u.id for u in units).values():
        for r in rs:
            found.setdefault(r.key, r)
    staff = db.session.scalars(select(User).where(User.role == "office", User.is_active))
    for r in of_users(staff):
        found.setdefault(r.key, r)
    return list(found.values())
