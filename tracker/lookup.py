"""Get a row by the id in a URL path, or answer 404."""
from __future__ import annotations

from typing import TypeVar

from tracker import validation
from tracker.errors import NotFound
from tracker.extensions import db

M = TypeVar("M")


def require(model: type[M], record_id: object, what: str | None = None) -> M:
    """The *model* row with *record_id*; NotFound naming it ("channel 7 does not exist") for
    an unknown id or one that cannot be an id."""
    row = db.session.get(model, record_id) if validation.is_integer(record_id) else None
    if row is None:
        raise NotFound(f"{what or model.__name__.lower()} {record_id} does not exist")
    return row
