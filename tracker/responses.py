"""Responses pages and the API share: the JSON error body and file downloads."""
from __future__ import annotations

from flask import Response, jsonify

TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def error_response(message: str, field: str | None, status: int) -> Response:
    """The API's error body: {"error": message, "field": name-or-null}."""
    response = jsonify({"error": message, "field": field})
    response.status_code = status
    return response


def download(data: bytes, name: str) -> Response:
    """*data* as an attachment named *name*; the type follows the name's suffix."""
    return Response(data, mimetype=TYPES[name.rsplit(".", 1)[-1]],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
