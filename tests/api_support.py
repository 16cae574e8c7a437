"""Shared by the API tests: a small world (office, lead unit, co-unit, other unit, leader,
each with a token), a JSON call helper, and a fingerprint of everything in the database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from tracker.accounts import operations as accounts
from tracker.extensions import db
from tracker.ledger.operations import create_task
from tracker.models import Task, Unit, User

ROLES = ("office", "lead", "co", "other", "leader")


@dataclass
class World:
    client: Any
    task: Task
    lead: Unit
    co: Unit
    other: Unit
    users: dict[str, User]
    headers: dict[str, dict[str, str]]

    def call(self, who: str, method: str, url: str, json: Any = None, **kw):
        """Send *method* to /api/v1*url* with *who*'s token."""
        return self.client.open(f"/api/v1{url}", method=method, headers=self.headers[who],
                                json=json, **kw)


@pytest.fixture
def world(request, client) -> World:
    """A task led by 市发展改革局 with 市工业和信息化局 as co-unit; users of every kind with
    tokens (built in one transaction: these tests are many)."""
    office = request.getfixturevalue("office_user")
    lead, co, other, leaders = (accounts.create_unit(None, name, kind) for name, kind in (
        ("市发展改革局", "department"), ("市工业和信息化局", "department"),
        ("市投资促进局", "department"), ("市领导", "other")))
    users = {"office": office}
    for role, unit in (("lead", lead), ("co", co), ("other", other), ("leader", leaders)):
        users[role] = accounts.create_user(None, f"{role}-user", f"{role}用户", unit.id,
                                           "leader" if role == "leader" else "unit", "password-1")
    task = create_task(office, title="重点产业项目完成投资", due_date=date(2026, 12, 18),
                       lead_unit_id=lead.id, co_unit_ids=[co.id])
    headers = {k: {"Authorization": f"Bearer {accounts.create_token(None, u)}"}
               for k, u in users.items()}
    db.session.commit()
    return World(client, task, lead, co, other, users, headers)


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
