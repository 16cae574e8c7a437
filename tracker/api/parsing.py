"""Reading JSON bodies and query strings; every failure names the field (400)."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import request
from sqlalchemy import Select

from tracker import validation
from tracker.validation import parse_day as parse_date
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.paging import MAX_PAGE

MAX_PER_PAGE = 500


def body() -> dict[str, Any]:
    """The request's JSON object, or 400."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError("request body must be a JSON object", None)
    return data


def required(data: dict[str, Any], field: str) -> Any:
    if data.get(field) is None:
        raise ValidationError(f"{field} is required", field)
    return data[field]


def optional_date(data: dict[str, Any], field: str) -> date | None:
    value = data.get(field)
    return None if value is None else parse_date(value, field)


def required_date(data: dict[str, Any], field: str) -> date:
    return parse_date(required(data, field), field)


def integer(value: Any, field: str) -> int:
    """An integer from JSON (not a bool, not a float)."""
    return validation.integer(value, field)


def query_int(name: str, default: int | None = None, minimum: int = 1,
              maximum: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(f"{name} must be an integer", name) from None
    if not validation.is_integer(value):
        raise ValidationError(f"{name} is out of range", name)
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"from {minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
        raise ValidationError(f"{name} must be {bound}", name)
    return value


def query_bool(name: str) -> bool | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    if raw.lower() in ("true", "1", "yes"):
        return True
    if raw.lower() in ("false", "0", "no"):
        return False
    raise ValidationError(f"{name} must be true or false", name)


def query_date(name: str) -> date | None:
    raw = request.args.get(name)
    return None if raw in (None, "") else parse_date(raw, name)


def page_args() -> tuple[int, int]:
    """(page, per_page) from ?page=&per_page= (per_page ≤ 500)."""
    return query_int("page", 1, maximum=MAX_PAGE), query_int("per_page", 50, maximum=MAX_PER_PAGE)


def page_of(query: Select, serialize) -> dict[str, Any]:
    """{"items", "total", "page", "per_page"} for ?page=&per_page= (per_page ≤ 500)."""
    page, per_page = page_args()
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return {"items": [serialize(row) for row in result.items], "total": result.total,
            "page": page, "per_page": per_page}
