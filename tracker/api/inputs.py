"""Request bodies as operations want them: JSON or multipart with `evidence` files.

Values are converted only where the conversion is unambiguous (an ISO date string, a
number typed into a form); anything else is passed on as it came, so the operation's
own check refuses it and names the field.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import request
from werkzeug.datastructures import FileStorage

from tracker.api.parsing import body

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def submission(numbers: tuple[str, ...] = ()) -> tuple[dict[str, Any], list[FileStorage]]:
    """(fields, evidence files) of a JSON body or a multipart form. Form fields named in
    *numbers* arrive as text and are read as numbers."""
    if request.mimetype != "multipart/form-data":
        return body(), []
    data: dict[str, Any] = request.form.to_dict()
    for field in numbers:
        if field in data:
            data[field] = _number(data[field])
    files = [f for f in request.files.getlist("evidence") if f.filename]
    return data, files


def optional_body() -> dict[str, Any]:
    """The JSON object sent, or {} when the request has no body at all."""
    return body() if request.get_data(cache=True) else {}


def with_dates(data: dict[str, Any], *fields: str) -> dict[str, Any]:
    """A copy of *data* with the ISO date strings of *fields* read as dates."""
    return {k: _date(v) if k in fields else v for k, v in data.items()}


def _date(value: Any) -> Any:
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _number(value: str) -> Any:
    text = value.strip()
    if text == "":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return value
