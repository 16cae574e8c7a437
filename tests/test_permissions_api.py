"""Who may do what through the API: office / lead unit / co-unit / other unit / leader ×
every action, with the exact status, and nothing written when refused."""
from __future__ import annotations

from datetime import date

import pytest
from api_support import ROLES, World, fingerprint, world  # noqa: F401 - world is a fixture

from tracker.extensions import db
from tracker.signoff.operations import request_extension, request_signoff


def _signoff(w: World) -> int:
    req = request_signoff(w.users["lead"], w.task, "已完成，附验收报告")
    db.session.commit()
    return req.id


def _extension(w: World) -> int:
    req = request_extension(w.users["lead"], w.task, date(2027, 1, 31), "征地手续延误")
    db.session.commit()
    return req.id


T = "/tasks/{task}"
# action → (method, url, body, setup returning the id put in {rid}, or None)
ACTIONS = {
    "read task": ("GET", T, None, None),
    "list tasks": ("GET", "/tasks", None, None),
    "create task": ("POST", "/tasks", {"title": "新建标准厂房", "lead_unit_id": "{lead}",
                                       "due_date": "2026-12-31"}, None),
    "patch task": ("PATCH", T, {"version": "{version}", "title": "修改后的标题"}, None),
    "report": ("POST", T + "/reports", {"progress": 30, "text": "完成投资3亿元"}, None),
    "list reports": ("GET", T + "/reports", None, None),
    "request sign-off": ("POST", T + "/signoff-requests", {"note": "已完成"}, None),
    "list sign-off requests": ("GET", T + "/signoff-requests", None, None),
    "approve sign-off": ("POST", T + "/signoff-requests/{rid}/approve", None, _signoff),
    "reject sign-off": ("POST", T + "/signoff-requests/{rid}/reject", {"reason": "佐证材料不全"},
                        _signoff),
    "request extension": ("POST", T + "/extension-requests",
                          {"new_due_date": "2027-01-31", "reason": "征地手续延误"}, None),
    "list extension requests": ("GET", T + "/extension-requests", None, None),
    "approve extension": ("POST", T + "/extension-requests/{rid}/approve", None, _extension),
    "reject extension": ("POST", T + "/extension-requests/{rid}/reject", {"reason": "理由不充分"},
                         _extension),
    "history": ("GET", T + "/history", None, None),
    "list units": ("GET", "/units", None, None),
    "create unit": ("POST", "/units", {"name": "市自然资源局", "kind": "department"}, None),
    "list channels": ("GET", "/units/{lead}/channels", None, None),
    "create channel": ("POST", "/units/{lead}/channels",
                       {"kind": "email", "target": "fgj@example.gov.cn"}, None),
    "list users": ("GET", "/users", None, None),
    "create user": ("POST", "/users", {"login": "fgj2", "name": "张三", "unit_id": "{lead}",
                                       "role": "unit", "password": "secret-pass-1"}, None),
    "me": ("GET", "/users/me", None, None),
}

OK, NEW, NO = 200, 201, 403
# Another unit's item answers as if it did not exist (issue 10: 403 would tell it does).
HIDDEN = 404
# action → status for office, lead, co, other, leader
EXPECTED = {
    "read task": (OK, OK, OK, HIDDEN, OK),
    "list tasks": (OK, OK, OK, OK, OK),
    "create task": (NEW, NO, NO, NO, NO),
    "patch task": (OK, NO, NO, HIDDEN, NO),
    "report": (NO, NEW, NEW, HIDDEN, NO),
    "list reports": (OK, OK, OK, HIDDEN, OK),
    "request sign-off": (NO, NEW, NO, HIDDEN, NO),
    "list sign-off requests": (OK, OK, OK, HIDDEN, OK),
    "approve sign-off": (OK, NO, NO, HIDDEN, NO),
    "reject sign-off": (OK, NO, NO, HIDDEN, NO),
    "request extension": (NO, NEW, NO, HIDDEN, NO),
    "list extension requests": (OK, OK, OK, HIDDEN, OK),
    "approve extension": (OK, NO, NO, HIDDEN, NO),
    "reject extension": (OK, NO, NO, HIDDEN, NO),
    "history": (OK, OK, OK, HIDDEN, OK),
    "list units": (OK, OK, OK, OK, OK),
    "create unit": (NEW, NO, NO, NO, NO),
    "list channels": (OK, NO, NO, NO, NO),
    "create channel": (NEW, NO, NO, NO, NO),
    "list users": (OK, NO, NO, NO, NO),
    "create user": (NEW, NO, NO, NO, NO),
    "me": (OK, OK, OK, OK, OK),
}
CASES = [(action, role, statuses[i]) for action, statuses in EXPECTED.items()
         for i, role in enumerate(ROLES)]


def _fill(value, ids: dict[str, int]):
    """Put the world's ids into a URL template or a body."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and \
            value.count("{") == 1:
        return ids[value[1:-1]]
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("action,role,status", CASES, ids=[f"{a}-{r}" for a, r, _ in CASES])
def test_api_permission_matrix(world, action, role, status):
    method, url, body, setup = ACTIONS[action]
    rid = setup(world) if setup else 0
    ids = {"task": world.task.id, "lead": world.lead.id, "version": world.task.version, "rid": rid}
    before = fingerprint()
    response = world.call(role, method, _fill(url, ids), _fill(body, ids))
    assert response.status_code == status, response.get_json()
    if status in (NO, HIDDEN):
        assert response.get_json()["error"]
        assert fingerprint() == before, "a refused request wrote something"
    elif method == "GET":
        assert fingerprint() == before
    else:
        assert fingerprint() != before


@pytest.mark.parametrize("role,sees", [("office", True), ("lead", True), ("co", True),
                                       ("other", False), ("leader", True)])
def test_task_list_shows_only_what_the_user_may_see(world, make_task, role, sees):
    elsewhere = make_task(title="别的单位的事项")
    ids = {t["id"] for t in world.call(role, "GET", "/tasks").get_json()["items"]}
    assert (world.task.id in ids) is sees
    assert (elsewhere.id in ids) is (role in ("office", "leader"))


def test_a_unit_filtering_on_another_unit_sees_nothing_of_it(world):
    response = world.call("other", "GET", f"/tasks?unit_id={world.lead.id}")
    assert response.status_code == 200
    assert response.get_json()["total"] == 0


def test_deactivated_users_token_stops_working(world):
    world.users["lead"].is_active = False
    db.session.commit()
    response = world.call("lead", "GET", f"/tasks/{world.task.id}")
    assert response.status_code == 401
    assert response.get_json()["field"] is None
