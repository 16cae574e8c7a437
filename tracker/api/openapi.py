"""GET /api/v1/openapi.json: the OpenAPI 3.1 description, merged from every resource module."""
from __future__ import annotations

from typing import Any

from flask import current_app

from tracker.api import resources
from tracker.api.blueprint import bp
from tracker.api.spec import ERRORS, SCHEMAS, operation


@bp.get("/openapi.json")
def openapi():
    """Public (no token): the description of the whole API."""
    return document()


def document() -> dict[str, Any]:
    """The OpenAPI document: `PATHS` and `SCHEMAS` of this module and every resource module."""
    paths: dict[str, Any] = dict(PATHS)
    schemas = dict(SCHEMAS)
    for module in resources.MODULES:
        paths.update(module.PATHS)
        schemas.update(getattr(module, "SCHEMAS", {}))
    base_url = current_app.config["SETTINGS"]["app"]["base_url"].rstrip("/")
    return {
        "openapi": "3.1.0",
        "info": {"title": "Duban (督办) API", "version": "1",
                 "description": "Task-and-accountability ledger of a command office. "
                                "Dates are YYYY-MM-DD; timestamps ISO 8601 with offset. "
                                "See docs/api.md."},
        "servers": [{"url": f"{base_url}/api/v1"}],
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas,
            "responses": {name: {"description": text, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}}
                for name, text in ERRORS.values()},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "a token from `tracker create-token`"}},
        },
    }


PATHS = {
    "/openapi.json": {"get": operation("This OpenAPI document", tag="meta", public=True,
                                       returns={"type": "object"})},
}
