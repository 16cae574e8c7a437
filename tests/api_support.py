"""Shared by the API tests: the role world with a token for everyone (conftest's make_world),
and a fingerprint of everything in the database."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from conftest import ROLES, World  # noqa: F401 - re-exported for the API tests
from tracker.extensions import db
from tracker.models import Task


@pytest.fixture
def world(make_world) -> World:
    """A task led by 市发展改革局 with 市工业和信息化局 as co-unit; users of every kind with
    tokens (logins lead-user, co-user …)."""
    return make_world(login="{role}-user", tokens=True)


def fingerprint() -> dict[str, Any]:
    """Row counts of every table plus each task's version: equal before and after a refused
    request means nothing was written."""
    db.session.expire_all()
    counts = {t.name: db.session.scalar(select(func.count()).select_from(t))
              for t in db.metadata.sorted_tables}
    versions = db.session.execute(select(Task.id, Task.version).order_by(Task.id)).all()
    return {"counts": counts, "versions": [tuple(v) for v in versions]}


def assert_refused(response, status: int, field: str | None, before: dict[str, Any]) -> None:
    """*response* is an error with *status* naming *field*, and nothing was written."""
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert set(body) == {"error", "field"} and body["error"]
    assert body["field"] == field, body
    assert fingerprint() == before
