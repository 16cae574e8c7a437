"""Units by name and id: select-box choices and the name lookups every list needs."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Unit


def unit_choices() -> list[tuple[int, str]]:
    """(id, name) of every unit, by name, for select boxes."""
    return [(uid, name) for uid, name in db.session.execute(select(Unit.id, Unit.name).order_by(Unit.name))]


def unit_names(ids: Iterable[int] | None = None) -> dict[int, str]:
    """{id: name} of the units in *ids* (every unit when None), in one query."""
    query = select(Unit.id, Unit.name)
    if ids is not None:
        query = query.where(Unit.id.in_(set(ids)))
    return dict(db.session.execute(query).all())


def unit_ids_by_name(names: Iterable[str]) -> dict[str, int]:
    """{name: id} of the units named exactly so (names not found are absent)."""
    return dict(db.session.execute(select(Unit.name, Unit.id).where(Unit.name.in_(set(names)))).all())


def office_name() -> str | None:
    """The name of the office-kind unit (the first, if several)."""
    return db.session.scalar(select(Unit.name).where(Unit.kind == "office").order_by(Unit.id))
