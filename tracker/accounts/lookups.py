"""Units by name and id: select-box choices (grouped by kind, in the units' configured
order) and the name lookups every list needs."""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.labels import UNIT_KINDS
from tracker.models import Unit

# A new unit's sort_order: its kind's base (the kinds 1000 apart, in UNIT_KINDS' order:
# office, 专班, departments, counties, towns, other), then steps of 10 after the kind's last.
KIND_STEP = 1000
ORDER_STEP = 10
ORDER = (Unit.sort_order, Unit.name)


def unit_choices() -> list[tuple[int, str]]:
    """(id, name) of every unit in the configured order (sort_order, then name)."""
    return [(uid, name) for uid, name in db.session.execute(select(Unit.id, Unit.name).order_by(*ORDER))]


def grouped_unit_choices() -> dict[str, list[tuple[int, str]]]:
    """{kind label: [(id, name)]} for a select with one optgroup per kind: the groups in the
    order of their first unit, each group's units in the configured order."""
    groups: dict[str, list[tuple[int, str]]] = {}
    kinds = {code: gettext(text) for code, text in UNIT_KINDS.items()}
    for uid, name, kind in db.session.execute(select(Unit.id, Unit.name, Unit.kind).order_by(*ORDER)):
        groups.setdefault(kinds.get(kind, kind), []).append((uid, name))
    return groups


def next_sort_order(kind: str) -> int:
    """The sort_order a new unit of *kind* gets: after the kind's last unit."""
    last = db.session.scalar(select(func.max(Unit.sort_order)).where(Unit.kind == kind))
    rank = list(UNIT_KINDS).index(kind) if kind in UNIT_KINDS else len(UNIT_KINDS) - 1
    return max(last or 0, rank * KIND_STEP) + ORDER_STEP


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
