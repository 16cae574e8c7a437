"""Races (issue 10), with real threads against a real server on the run's database: each
request is decided once, one pending request per item and kind, and the login throttle
counts every one of many parallel attempts."""
import re
import threading
from datetime import date

import pytest
import requests
from sqlalchemy import func, select

from conftest import PASSWORD
from tracker.extensions import db
from tracker.models import AuditEvent, ExtensionRequest, SignoffRequest, Task


def _together(*calls):
    """Run *calls* at the same moment, each in a thread; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture
def api(live_server, make_world):
    world = make_world(tokens=True)

    def call(who, method, url, json=None):
        return lambda: requests.request(method, f"{live_server}/api/v1{url}",
                                        headers=world.headers[who], json=json, timeout=30)

    return world, call


@pytest.mark.parametrize("run", range(5))
def test_approve_and_reject_of_one_extension_together_decide_it_once(api, run):
    world, call = api
    task = world.task
    asked = call("lead", "POST", f"/tasks/{task.id}/extension-requests",
                 {"new_due_date": "2027-01-31", "reason": "征地手续延后"})()
    assert asked.status_code == 201
    rid = asked.json()["id"]
    base = f"/tasks/{task.id}/extension-requests/{rid}"
    approve, reject = _together(call("office", "POST", f"{base}/approve"),
                                call("office", "POST", f"{base}/reject", {"reason": "理由不足"}))
    assert sorted([approve.status_code, reject.status_code]) == [200, 409], (approve.text, reject.text)
    db.session.expire_all()
    req = db.session.get(ExtensionRequest, rid)
    due = db.session.get(Task, task.id).due_date
    if approve.status_code == 200:
        assert req.status == "approved" and due == date(2027, 1, 31)
    else:
        assert req.status == "rejected" and due == date(2026, 12, 18)
    decisions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.in_(("extension.approve", "extension.reject")))).all()
    assert decisions == ["extension.approve" if req.status == "approved" else "extension.reject"]


def test_two_extension_requests_at_once_leave_one_pending(api):
    world, call = api
    url = f"/tasks/{world.task.id}/extension-requests"
    first, second = _together(
        call("lead", "POST", url, {"new_due_date": "2027-01-31", "reason": "甲"}),
        call("lead", "POST", url, {"new_due_date": "2027-02-28", "reason": "乙"}))
    assert sorted([first.status_code, second.status_code]) == [201, 409], (first.text, second.text)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ExtensionRequest).where(
        ExtensionRequest.status == "pending")) == 1


def test_approve_and_reject_of_one_signoff_together_decide_it_once(api):
    world, call = api
    task = world.task
    asked = call("lead", "POST", f"/tasks/{task.id}/signoff-requests", {"note": "已完成"})()
    assert asked.status_code == 201
    base = f"/tasks/{task.id}/signoff-requests/{asked.json()['id']}"
    approve, reject = _together(call("office", "POST", f"{base}/approve"),
                                call("office", "POST", f"{base}/reject", {"reason": "材料不全"}))
    assert sorted([approve.status_code, reject.status_code]) == [200, 409]
    db.session.expire_all()
    status = db.session.get(Task, task.id).status
    assert status == ("signed_off" if approve.status_code == 200 else "in_progress")
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(("signoff.approve", "signoff.reject")))) == 1


def test_items_handed_out_at_once_each_get_a_code_of_their_own(api):
    """Eight sub-items created under one parent at the same moment all succeed, numbered
    1.1 to 1.8; two asking for the same code at once: one gets it, the other is told the
    code is taken (never a 500 from the unique key)."""
    world, call = api
    parent = world.task.id
    new = {"parent_id": parent, "lead_unit_id": world.lead.id, "due_date": "2026-12-20"}
    made = _together(*(call("office", "POST", "/tasks", {**new, "title": f"子项{n}"}) for n in range(8)))
    assert [r.status_code for r in made] == [201] * 8, [r.text for r in made]
    assert sorted(r.json()["code"] for r in made) == [f"1.{n}" for n in range(1, 9)]
    same = _together(*(call("office", "POST", "/tasks", {**new, "title": t, "code": "1.20"})
                       for t in ("甲", "乙")))
    assert sorted(r.status_code for r in same) == [201, 400], [r.text for r in same]
    refused = next(r for r in same if r.status_code == 400).json()
    assert refused["field"] == "code" and "1.20" in refused["error"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Task).where(Task.parent_id == parent)) == 9
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "task.create")) == 10  # the parent and the nine


def test_the_same_login_unit_or_draft_asked_for_at_once_is_made_once(api):
    """Three requests at once for one new login, one new unit name, one period's draft:
    one user and one unit are made and the others told the name is taken (400, as one
    after the other); the draft is made once and the others are given it (200)."""
    world, call = api
    user = {"login": "li.si", "name": "李四", "unit_id": world.lead.id, "role": "unit",
            "password": "a-long-password-123"}
    answers = _together(*(call("office", "POST", "/users", user) for _ in range(3)))
    assert sorted(r.status_code for r in answers) == [201, 400, 400], [r.text for r in answers]
    assert all(r.json()["field"] == "login" for r in answers if r.status_code == 400)
    unit = {"name": "市同名局", "kind": "department"}
    answers = _together(*(call("office", "POST", "/units", unit) for _ in range(3)))
    assert sorted(r.status_code for r in answers) == [201, 400, 400], [r.text for r in answers]
    draft = {"kind": "monthly", "period": "2026-10"}
    answers = _together(*(call("office", "POST", "/bulletins", draft) for _ in range(3)))
    assert sorted(r.status_code for r in answers) == [200, 200, 201], [r.text for r in answers]
    assert len({r.json()["id"] for r in answers}) == 1
    db.session.expire_all()
    from tracker.models import Bulletin, Unit, User
    assert db.session.scalar(select(func.count()).select_from(User).where(User.login == "li.si")) == 1
    assert db.session.scalar(select(func.count()).select_from(Unit).where(Unit.name == "市同名局")) == 1
    assert db.session.scalar(select(func.count()).select_from(Bulletin)) == 1


def test_a_constraint_no_rule_foresaw_is_a_409_with_nothing_kept(make_app, database_url, client):
    """The backstop: a write the database refuses on a unique key, past every check, answers
    409 in the user's words (the API in its error shape, a page by going back with the
    message) and keeps nothing of the request."""
    from tracker.models import Unit

    app = make_app(database_url, WTF_CSRF_ENABLED=False)  # routes of the test's own, no forms

    def clash():
        db.session.add(Unit(name="市重名局", kind="department", sort_order=1))
        db.session.add(Unit(name="市重名局", kind="department", sort_order=2))
        db.session.flush()

    app.add_url_rule("/api/v1/test-clash", "api_clash", clash, methods=["POST"])
    app.add_url_rule("/test-clash", "page_clash", clash, methods=["POST"])
    with app.test_client() as test:
        answer = test.post("/api/v1/test-clash")
        assert answer.status_code == 409
        assert answer.json["error"].startswith("与其他操作同时提交，未能保存")
        page = test.post("/test-clash", headers={"Referer": "/login"})
        assert page.status_code == 302 and page.location.endswith("/login")
        assert "与其他操作同时提交，未能保存" in test.get("/login").get_data(as_text=True)
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Unit).where(
                Unit.name == "市重名局")) == 0


def test_a_decided_request_cannot_be_decided_again(api):
    world, call = api
    task = world.task
    rid = call("lead", "POST", f"/tasks/{task.id}/extension-requests",
               {"new_due_date": "2027-01-31", "reason": "延后"})().json()["id"]
    base = f"/tasks/{task.id}/extension-requests/{rid}"
    assert call("office", "POST", f"{base}/reject", {"reason": "不同意"})().status_code == 200
    again = call("office", "POST", f"{base}/approve")()
    assert again.status_code == 409 and again.json()["field"] == "status"
    db.session.expire_all()
    assert db.session.get(Task, task.id).due_date == date(2026, 12, 18)
    assert db.session.scalar(select(func.count()).select_from(SignoffRequest)) == 0


def _login(server: str, password: str):
    """A sign-in over HTTP as a browser makes it: the form's CSRF token, then the POST."""
    session = requests.Session()
    page = session.get(f"{server}/login", timeout=30)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    return session.post(f"{server}/login", data={"login": "lead", "password": password,
                                                 "csrf_token": token}, timeout=30)


def test_twenty_parallel_wrong_passwords_get_five_real_checks(live_server, make_world):
    make_world(task=False)
    results = _together(*[lambda: _login(live_server, "wrong-password-1")] * 20)
    codes = sorted(r.status_code for r in results)
    assert codes.count(401) == 5 and codes.count(429) == 15, codes
    # The right password waits too while the login is throttled.
    assert _login(live_server, PASSWORD).status_code == 429
