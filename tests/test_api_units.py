"""Units, channels and users through /api/v1."""
from __future__ import annotations

import pytest
from api_support import assert_refused, fingerprint, world  # noqa: F401 - world is a fixture
from werkzeug.security import check_password_hash

from tracker.extensions import db
from tracker.models import User


def test_units_list_with_kind_filter(world):
    body = world.call("lead", "GET", "/units?kind=department&per_page=2").get_json()
    assert body["total"] == 3 and body["per_page"] == 2 and len(body["items"]) == 2
    assert set(body["items"][0]) == {"id", "name", "kind", "parent_id", "email", "sort_order"}
    everything = world.call("lead", "GET", "/units?per_page=500").get_json()
    assert everything["total"] == 5
    response = world.call("lead", "GET", "/units?kind=bureau")
    assert response.status_code == 400 and response.get_json()["field"] == "kind"


def test_office_creates_a_unit_under_a_parent(world):
    response = world.call("office", "POST", "/units", {
        "name": "县域经济专班", "kind": "taskforce", "parent_id": world.users["office"].unit_id,
        "email": "xyjj@example.gov.cn"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {
        "id": response.get_json()["id"], "name": "县域经济专班", "kind": "taskforce",
        "parent_id": world.users["office"].unit_id, "email": "xyjj@example.gov.cn",
        "sort_order": 1010}  # after the last 专班 (none yet): the 专班's base, 1000, plus 10


def test_a_unit_may_be_given_its_place_in_the_lists(world):
    placed = world.call("office", "POST", "/units", {"name": "乡村振兴专班", "kind": "taskforce",
                                                      "sort_order": 5})
    assert placed.status_code == 201 and placed.get_json()["sort_order"] == 5
    bad = world.call("office", "POST", "/units", {"name": "城镇建设专班", "kind": "taskforce",
                                                   "sort_order": "first"})
    assert bad.status_code == 400 and bad.get_json()["field"] == "sort_order"


@pytest.mark.parametrize("body,field", [
    ({"kind": "department"}, "name"),
    ({"name": "", "kind": "department"}, "name"),
    ({"name": "市发展改革局", "kind": "department"}, "name"),
    ({"name": "长" * 121, "kind": "department"}, "name"),
    ({"name": "新单位"}, "kind"),
    ({"name": "新单位", "kind": "bureau"}, "kind"),
    ({"name": "新单位", "kind": "town", "parent_id": 99999}, "parent_id"),
    ({"name": "新单位", "kind": "town", "parent_id": "1"}, "parent_id"),
    ({"name": "新单位", "kind": "town", "parent_id": [1]}, "parent_id"),
    ({"name": "新单位", "kind": "town", "parent_id": True}, "parent_id"),
    ({"name": "新单位", "kind": "town", "email": "not-an-address"}, "email"),
])
def test_bad_unit_is_400_naming_the_field(world, body, field):
    before = fingerprint()
    assert_refused(world.call("office", "POST", "/units", body), 400, field, before)


@pytest.mark.parametrize("kind,target,secret", [
    ("email", "fgj@example.gov.cn", None),
    ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", None),
    ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=abc", "SECabc"),
    ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/abc", "secret"),
    ("webhook", "http://127.0.0.1:8080/hook", "s3cret"),
])
def test_office_adds_channels_of_every_kind(world, kind, target, secret):
    url = f"/units/{world.lead.id}/channels"
    response = world.call("office", "POST", url, {"kind": kind, "target": target, "secret": secret})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["kind"], body["target"], body["has_secret"]) == (kind, target, bool(secret))
    assert "secret" not in body
    listed = world.call("office", "GET", url).get_json()
    assert [c["id"] for c in listed["items"]] == [body["id"]]


@pytest.mark.parametrize("body,field", [
    ({"target": "a@b.cn"}, "kind"),
    ({"kind": "sms", "target": "13800000000"}, "kind"),
    ({"kind": "email"}, "target"),
    ({"kind": "email", "target": "not-an-address"}, "target"),
    ({"kind": "wecom", "target": "ftp://example.com/x"}, "target"),
    ({"kind": "webhook", "target": "http://127.0.0.1/h", "secret": 5}, "secret"),
])
def test_bad_channel_is_400_naming_the_field(world, body, field):
    before = fingerprint()
    response = world.call("office", "POST", f"/units/{world.lead.id}/channels", body)
    assert_refused(response, 400, field, before)


def test_duplicate_channel_is_refused(world):
    url = f"/units/{world.lead.id}/channels"
    world.call("office", "POST", url, {"kind": "email", "target": "a@example.cn"})
    before = fingerprint()
    again = world.call("office", "POST", url, {"kind": "email", "target": "a@example.cn"})
    assert_refused(again, 400, "target", before)


def test_channels_of_an_unknown_unit_are_404(world):
    before = fingerprint()
    for method, body in (("GET", None), ("POST", {"kind": "email", "target": "a@b.cn"})):
        assert_refused(world.call("office", method, "/units/99999/channels", body), 404, None,
                       before)


def test_office_creates_a_user_with_a_hashed_password(world):
    response = world.call("office", "POST", "/users", {
        "login": "xtj.liaison", "name": "李联络员", "unit_id": world.lead.id, "role": "unit",
        "password": "a-long-password", "email": "li@example.gov.cn"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert {k: body[k] for k in ("login", "name", "unit_id", "role")} == {
        "login": "xtj.liaison", "name": "李联络员", "unit_id": world.lead.id, "role": "unit"}
    assert not any("password" in key for key in body)
    user = db.session.get(User, body["id"])
    assert user.password_hash != "a-long-password"
    assert check_password_hash(user.password_hash, "a-long-password")


USER = {"login": "new.user", "name": "王五", "unit_id": "LEAD", "role": "unit",
        "password": "a-long-password"}


@pytest.mark.parametrize("change,field", [
    ({"login": None}, "login"),
    ({"login": "has space"}, "login"),
    ({"login": "lead-user"}, "login"),
    ({"name": None}, "name"),
    ({"role": "admin"}, "role"),
    ({"unit_id": 99999}, "unit_id"),
    ({"unit_id": "LEAD-TEXT"}, "unit_id"),
    ({"unit_id": True}, "unit_id"),
    ({"password": "short"}, "password"),
    ({"password": 12345678}, "password"),
    ({"email": "nope"}, "email"),
])
def test_bad_user_is_400_naming_the_field(world, change, field):
    body = {**USER, **change}
    body["unit_id"] = {"LEAD": world.lead.id, "LEAD-TEXT": str(world.lead.id)}.get(
        body["unit_id"], body["unit_id"])
    before = fingerprint()
    assert_refused(world.call("office", "POST", "/users", body), 400, field, before)


def test_users_list_for_the_office_filtered_by_unit(world):
    body = world.call("office", "GET", f"/users?unit_id={world.lead.id}").get_json()
    assert [u["login"] for u in body["items"]] == ["lead-user"]
    assert world.call("office", "GET", "/users").get_json()["total"] == 5


def test_me_is_the_tokens_user(world):
    body = world.call("co", "GET", "/users/me").get_json()
    assert (body["login"], body["unit_id"], body["role"]) == ("co-user", world.co.id, "unit")
