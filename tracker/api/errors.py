"""The API's error body: {"error": message, "field": name-or-null}."""
from __future__ import annotations

from flask import jsonify


def error_response(message: str, field: str | None, status: int):
    response = jsonify({"error": message, "field": field})
    response.status_code = status
    return response
