"""Who may do what through the web UI: office / lead unit / co-unit / other unit / leader
× every action. A refusal answers with its status and changes nothing; an allowed action
changes something."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from conftest import ROLES
from tracker.extensions import db
from tracker.models import (AuditEvent, ExtensionRequest, ProgressReport, SignoffRequest, Task,
                            Unit, User)
from tracker.signoff.operations import request_signoff


@pytest.fixture
def world(make_world):
    return make_world(task={"title": "标准厂房建设"})


@pytest.fixture
def pending(world):
    """The item with a pending sign-off request from its lead unit."""
    req = request_signoff(world.users["lead"], world.task, "已完工")
    db.session.commit()
    return req


def snapshot(task_id: int) -> tuple:
    task = db.session.get(Task, task_id)
    db.session.refresh(task)
    counts = tuple(db.session.scalar(select(func.count()).select_from(m))
                   for m in (ProgressReport, SignoffRequest, ExtensionRequest, AuditEvent, Task,
                             Unit, User))
    return (task.version, task.status, task.progress, task.due_date, task.title) + counts


def _post(path, data, form_url=None):
    return {"url": path, "data": data, "form_url": form_url or "/tasks"}


# action → (request builder, roles allowed). A builder gets the item, its lead unit's id and
# the pending sign-off request's id.
ACTIONS = {
    "report": (lambda t, lead, r: _post(f"/tasks/{t.id}/reports",
                                        {"progress": "40", "text": "已完成主体施工"}), {"lead", "co"}),
    "request_signoff": (lambda t, lead, r: _post(f"/tasks/{t.id}/signoff", {"note": "已完工"}),
                        {"lead"}),
    "request_extension": (lambda t, lead, r: _post(f"/tasks/{t.id}/extension", {
        "new_due_date": "2027-01-31", "reason": "受汛期影响"}), {"lead"}),
    "approve": (lambda t, lead, r: _post(f"/tasks/{t.id}/signoff/{r}/approve", {}), {"office"}),
    "reject": (lambda t, lead, r: _post(f"/tasks/{t.id}/signoff/{r}/reject",
                                        {"reason": "佐证材料不全"}), {"office"}),
    "suspend": (lambda t, lead, r: _post(f"/tasks/{t.id}/status",
                                         {"status": "suspended", "version": str(t.version),
                                          "reason": "规划调整", "confirmed": "1"}),
                {"office"}),
    "edit": (lambda t, lead, r: _post(f"/tasks/{t.id}/edit", {
        "title": "标准厂房建设（二期）", "lead_unit_id": str(lead), "due_date": "2026-12-18",
        "version": str(t.version)}), {"office"}),
    "create": (lambda t, lead, r: _post("/tasks/new", {
        "title": "新增事项", "lead_unit_id": str(lead), "due_date": "2026-12-31"}), {"office"}),
}
NEEDS_PENDING = {"approve", "reject"}
# Office-only pages refuse a unit before looking the item up (403); the rest look it up first,
# and another unit's item answers as if it did not exist (404: a 403 would tell it does).
OFFICE_PAGES = {"edit", "create"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_action_matrix(request, browser, world, role, action):
    build, allowed = ACTIONS[action]
    req_id = request.getfixturevalue("pending").id if action in NEEDS_PENDING else None
    task = world.task
    spec = build(task, world.lead.id, req_id)
    browser.login(role)
    before = snapshot(task.id)
    response = browser.post(spec["url"], spec["data"], form_url=spec["form_url"])
    after = snapshot(task.id)
    if role in allowed:
        assert response.status_code == 302, response.data.decode()[:2000]
        assert after != before
    else:
        assert response.status_code == (404 if role == "other" and action not in OFFICE_PAGES
                                        else 403)
        assert after == before


@pytest.mark.parametrize("role,expected", [("office", 200), ("lead", 200), ("co", 200),
                                           ("other", 404), ("leader", 200)])
def test_who_may_view_an_item(browser, world, role, expected):
    browser.login(role)
    assert browser.get(f"/tasks/{world.task.id}").status_code == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", ["/review", "/admin/units", "/admin/users", "/tasks/new",
                                 "edit"])
def test_office_only_pages(browser, world, role, url):
    url = f"/tasks/{world.task.id}/edit" if url == "edit" else url
    browser.login(role)
    assert browser.get(url).status_code == (200 if role == "office" else 403)


@pytest.mark.parametrize("role", ROLES)
def test_everyone_manages_their_own_tokens(browser, world, role):
    browser.login(role)
    assert browser.get("/admin/tokens").status_code == 200


@pytest.mark.parametrize("role", ["lead", "leader"])
def test_only_the_office_manages_units_and_users(browser, world, role):
    browser.login(role)
    before = snapshot(world.task.id)
    assert browser.post("/admin/units", {"name": "新单位", "kind": "department", "parent_id": "0"},
                        form_url="/tasks").status_code == 403
    assert browser.post("/admin/users", {"login": "x1", "name": "某", "unit_id": "1", "role": "office",
                                         "password": "long-enough-1"},
                        form_url="/tasks").status_code == 403
    office = db.session.scalar(select(User).where(User.login == "office"))
    assert browser.post(f"/admin/users/{office.id}/active", {"is_active": "0"},
                        form_url="/tasks").status_code == 403
    assert browser.post(f"/admin/users/{office.id}/password", {"password": "hijacked-pass"},
                        form_url="/tasks").status_code == 403
    assert snapshot(world.task.id) == before
    assert db.session.get(User, office.id).is_active
