"""Shared by the API tests: a small world (office, lead unit, co-unit, other unit, leader,
each with a token), a JSON call helper, and a fingerprint of everything in the database."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
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
def world(client, make_unit, make_user, make_task, office_user, token_for) -> World:
    """A task led by 牵头单位 with 配合单位 as co-unit; users of every kind with tokens."""
    lead, co, other = make_unit("市发展改革局"), make_unit("市工业和信息化局"), make_unit("市投资促进局")
    users = {"office": office_user, "lead": make_user("unit", lead), "co": make_user("unit", co),
             "other": make_user("unit", other), "leader": make_user("leader")}
    task = make_task(lead=lead, co=[co], title="重点产业项目完成投资")
    return World(client, task, lead, co, other, users, {k: token_for(u) for k, u in users.items()})


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
