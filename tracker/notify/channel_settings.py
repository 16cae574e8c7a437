"""The office's channel settings: a unit's email addresses and robots (WeCom, DingTalk,
Feishu, webhooks), added, listed and switched off or on; nothing is ever deleted."""
from __future__ import annotations

import re

from sqlalchemy import Select, select

from tracker import audit, locks, validation
from tracker.accounts.operations import optional_email
from tracker.accounts.permissions import require_office
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.labels import CHANNEL_KINDS
from tracker.models import Channel, Unit, User


def add_channel(actor: User, unit: Unit, kind: str, target: str, secret: str | None = None) -> Channel:
    """Give a unit another way to be reached (email address or robot/webhook URL)."""
    require_office(actor)
    validation.one_of(kind, CHANNEL_KINDS, "kind")
    target = validation.text(target, "target", 1000, required=True)
    if kind == "email":
        optional_email(target, "target")
    elif not re.match(r"^https?://\S+$", target):
        raise ValidationError("target must be an http(s) URL", "target")
    if secret is not None and not isinstance(secret, str):
        raise ValidationError("secret must be a string", "secret")
    locks.hold(f"channels:{unit.id}")
    exists = select(Channel.id).where(Channel.unit_id == unit.id, Channel.kind == kind,
                                      Channel.target == target)
    if db.session.scalar(exists) is not None:
        raise ValidationError("this unit already has that channel", "target")
    channel = Channel(unit_id=unit.id, kind=kind, target=target, secret=secret or None)
    db.session.add(channel)
    db.session.flush()
    audit.record(actor, "channel.create", channel, detail={"unit_id": unit.id, "kind": kind})
    return channel


def channels_query(actor: User, unit: Unit) -> Select:
    """A unit's channels (office only: robot URLs carry their keys)."""
    require_office(actor)
    return select(Channel).where(Channel.unit_id == unit.id).order_by(Channel.id)


def set_channel_active(actor: User, channel: Channel, is_active: bool) -> None:
    """Switch a channel off (a robot that was removed from its group) or back on; nothing
    is deleted, and queued notices to it stay in the log."""
    require_office(actor)
    if channel.is_active == is_active:
        return
    channel.is_active = is_active
    audit.record(actor, "channel.activate" if is_active else "channel.deactivate", channel,
                 detail={"unit_id": channel.unit_id, "kind": channel.kind})
