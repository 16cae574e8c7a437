"""The ledger through /api/v1: listing, creating, reading and editing tasks, and history."""
from __future__ import annotations

from datetime import date

import pytest
from api_support import assert_refused, fingerprint, world  # noqa: F401 - world is a fixture
from sqlalchemy import event, text

from tracker.extensions import db
from tracker.models import Task
from tracker.ledger.operations import update_task


def test_requests_without_a_valid_token_get_401(client, world):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = client.get(f"/api/v1/tasks/{world.task.id}", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["field"] is None


def test_get_task_returns_the_api_task_object(world):
    body = world.call("office", "GET", f"/tasks/{world.task.id}").get_json()
    assert body["title"] == "重点产业项目完成投资"
    assert body["lead_unit_id"] == world.lead.id and body["co_unit_ids"] == [world.co.id]
    assert body["status"] == "not_started" and body["overdue"] is False
    assert body["light"] in ("green", "yellow", "red") and body["version"] == 1
    assert set(body) >= {"id", "code", "title", "description", "parent_id", "lead_unit_id",
                         "co_unit_ids", "leader", "start_date", "due_date", "target_value",
                         "target_unit", "actual_value", "progress", "status", "overdue",
                         "light", "version"}


def test_unknown_task_in_the_path_is_404(world):
    response = world.call("office", "GET", "/tasks/99999")
    assert response.status_code == 404 and response.get_json()["error"]


# --- listing ------------------------------------------------------------------------------

@pytest.fixture
def ledger(world, make_task, make_unit):
    """Besides world.task (due 2026-12-18): an overdue task, a later one, a signed-off one."""
    late = make_task(lead=world.lead, due=date(2026, 11, 2), title="农村公路建设")
    later = make_task(lead=world.other, co=[world.lead], due=date(2027, 3, 1), title="5G基站建设")
    done = make_task(lead=world.lead, due=date(2026, 10, 1), title="营商环境台账任务")
    done.status = "signed_off"
    db.session.commit()
    return {"late": late, "later": later, "done": done}


def _ids(world, query: str, who: str = "office") -> list[int]:
    response = world.call(who, "GET", f"/tasks{query}")
    assert response.status_code == 200, response.get_json()
    return [t["id"] for t in response.get_json()["items"]]


def test_overdue_filter_lists_open_items_past_their_deadline_earliest_first(world, ledger):
    assert _ids(world, "?overdue=true") == [ledger["late"].id]
    as_of = _ids(world, "?overdue=true&as_of=2027-01-10")
    assert as_of == [ledger["late"].id, world.task.id]
    items = world.call("office", "GET", "/tasks?overdue=true&as_of=2027-01-10").get_json()["items"]
    assert all(t["overdue"] and t["light"] == "red" for t in items)


def test_not_overdue_filter_includes_signed_off_items(world, ledger):
    ids = _ids(world, "?overdue=false")
    assert ledger["done"].id in ids and ledger["late"].id not in ids


def test_unit_filter_matches_lead_and_co_units(world, ledger):
    assert set(_ids(world, f"?unit_id={world.co.id}")) == {world.task.id}
    assert ledger["later"].id in _ids(world, f"?unit_id={world.lead.id}")
    assert set(_ids(world, f"?unit_id={world.other.id}")) == {ledger["later"].id}


def test_status_and_text_filters(world, ledger):
    assert _ids(world, "?status=signed_off") == [ledger["done"].id]
    assert _ids(world, "?q=5G") == [ledger["later"].id]


def test_list_is_paginated(world, ledger):
    first = world.call("office", "GET", "/tasks?per_page=3&page=1").get_json()
    second = world.call("office", "GET", "/tasks?per_page=3&page=2").get_json()
    assert (first["total"], first["page"], first["per_page"]) == (4, 1, 3)
    assert len(first["items"]) == 3 and len(second["items"]) == 1
    assert not {t["id"] for t in first["items"]} & {t["id"] for t in second["items"]}


@pytest.mark.parametrize("query,field", [
    ("?per_page=501", "per_page"), ("?page=0", "page"), ("?page=x", "page"),
    ("?overdue=maybe", "overdue"), ("?as_of=2026-02-30", "as_of"), ("?as_of=today", "as_of"),
    ("?status=done", "status"), ("?unit_id=abc", "unit_id"),
])
def test_bad_list_parameters_are_400_naming_the_parameter(world, query, field):
    response = world.call("office", "GET", f"/tasks{query}")
    assert response.status_code == 400 and response.get_json()["field"] == field


# --- creating -----------------------------------------------------------------------------

def test_office_creates_a_task_with_every_field(world):
    parent = world.task
    response = world.call("office", "POST", "/tasks", {
        "title": "新增标准厂房面积", "description": "全市新增标准厂房", "parent_id": parent.id,
        "lead_unit_id": world.other.id, "co_unit_ids": [world.lead.id, world.co.id],
        "leader": "李副市长", "start_date": "2026-11-01", "due_date": "2026-12-31",
        "target_value": 150, "target_unit": "万平方米",
        "milestones": [{"due_date": "2026-12-01", "expected_progress": 50, "title": "主体封顶"}]})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["code"] == f"{parent.code}.1" and body["parent_id"] == parent.id
    assert body["co_unit_ids"] == [world.lead.id, world.co.id]
    assert (body["start_date"], body["due_date"]) == ("2026-11-01", "2026-12-31")
    assert body["target_value"] == 150 and body["target_unit"] == "万平方米"
    assert body["milestones"] == [{"due_date": "2026-12-01", "expected_progress": 50,
                                   "title": "主体封顶"}]
    assert world.call("office", "GET", f"/tasks/{body['id']}").get_json() == body
    history = world.call("office", "GET", f"/tasks/{body['id']}/history").get_json()["items"]
    assert [e["action"] for e in history] == ["task.create"]


def test_explicit_code_is_kept_and_a_taken_one_refused(world):
    ok = world.call("office", "POST", "/tasks", {"code": "2.3.1", "title": "议定事项",
                                                  "lead_unit_id": world.lead.id,
                                                  "due_date": "2026-12-31"})
    assert ok.status_code == 201 and ok.get_json()["code"] == "2.3.1"
    before = fingerprint()
    again = world.call("office", "POST", "/tasks", {"code": "2.3.1", "title": "重复编号",
                                                     "lead_unit_id": world.lead.id,
                                                     "due_date": "2026-12-31"})
    assert_refused(again, 400, "code", before)


VALID = {"title": "乡村振兴示范带", "lead_unit_id": "LEAD", "due_date": "2026-12-31"}


@pytest.mark.parametrize("change,field", [
    ({"title": None}, "title"),
    ({"title": "  "}, "title"),
    ({"title": "长" * 301}, "title"),
    ({"title": 12}, "title"),
    ({"due_date": None}, "due_date"),
    ({"due_date": "2026-13-01"}, "due_date"),
    ({"due_date": "31/12/2026"}, "due_date"),
    ({"due_date": 20261231}, "due_date"),
    ({"start_date": "2027-01-01"}, "start_date"),
    ({"lead_unit_id": None}, "lead_unit_id"),
    ({"lead_unit_id": 99999}, "lead_unit_id"),
    ({"lead_unit_id": "1"}, "lead_unit_id"),
    ({"co_unit_ids": [99999]}, "co_unit_ids"),
    ({"co_unit_ids": "1,2"}, "co_unit_ids"),
    ({"co_unit_ids": ["LEAD"]}, "co_unit_ids"),
    ({"parent_id": 99999}, "parent_id"),
    ({"parent_id": "1"}, "parent_id"),
    ({"description": "长" * 5001}, "description"),
    ({"leader": ["李"]}, "leader"),
    ({"target_value": "150"}, "target_value"),
    ({"target_value": -1}, "target_value"),
    ({"code": "2..1"}, "code"),
    ({"milestones": "soon"}, "milestones"),
    ({"milestones": [{"due_date": "2026-12-01", "expected_progress": 101}]}, "milestones"),
    ({"colour": "red"}, "colour"),
])
def test_bad_new_task_is_400_naming_the_field_and_nothing_is_written(world, change, field):
    data = {**VALID, **change}
    data = {k: world.lead.id if v == "LEAD" else v for k, v in data.items()}
    if data.get("co_unit_ids") == ["LEAD"]:
        data["co_unit_ids"] = [world.lead.id]
    data = {k: v for k, v in data.items() if v is not None or k not in VALID}
    before = fingerprint()
    assert_refused(world.call("office", "POST", "/tasks", data), 400, field, before)


@pytest.mark.parametrize("payload", [b"not json", b"[1, 2]", b""])
def test_body_that_is_not_a_json_object_is_400(world, payload):
    before = fingerprint()
    response = world.client.post("/api/v1/tasks", data=payload, content_type="application/json",
                                 headers=world.headers["office"])
    assert_refused(response, 400, None, before)


def test_body_over_the_size_limit_is_413_and_nothing_is_written(app, world):
    app.config["MAX_CONTENT_LENGTH"] = 2000
    before = fingerprint()
    response = world.call("office", "POST", "/tasks", {**VALID, "lead_unit_id": world.lead.id,
                                                        "description": "长" * 3000})
    assert_refused(response, 413, None, before)


# --- editing ------------------------------------------------------------------------------

def _patch(world, values, who="office"):
    return world.call(who, "PATCH", f"/tasks/{world.task.id}", values)


def test_patch_changes_the_task_and_its_version(world):
    response = _patch(world, {"version": 1, "title": "重点产业项目完成投资120亿元",
                              "co_unit_ids": [], "leader": "王市长"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["version"] == 2 and body["co_unit_ids"] == [] and body["leader"] == "王市长"
    event = world.call("office", "GET", f"/tasks/{world.task.id}/history").get_json()["items"][-1]
    assert event["action"] == "task.update"
    assert event["detail"]["title"] == {"before": "重点产业项目完成投资",
                                        "after": "重点产业项目完成投资120亿元"}


def test_patching_the_deadline_keeps_the_old_one_in_history(world):
    response = _patch(world, {"version": 1, "due_date": "2027-01-15"})
    assert response.get_json()["due_date"] == "2027-01-15"
    event = world.call("office", "GET", f"/tasks/{world.task.id}/history").get_json()["items"][-1]
    assert event["action"] == "task.deadline_change"
    assert event["detail"]["due_date"] == {"before": "2026-12-18", "after": "2027-01-15"}


def test_stale_version_is_409_and_nothing_changes(world):
    assert _patch(world, {"version": 1, "title": "第一次修改"}).status_code == 200
    before = fingerprint()
    assert_refused(_patch(world, {"version": 1, "title": "基于旧版本的修改"}), 409, "version",
                   before)
    assert world.call("office", "GET", f"/tasks/{world.task.id}").get_json()["title"] == "第一次修改"


def test_second_writer_with_the_same_version_gets_409(world, make_user):
    second = make_user("office", unit=world.users["office"].unit)
    from tracker.accounts.operations import create_token
    world.headers["office2"] = {"Authorization": f"Bearer {create_token(None, second)}"}
    db.session.commit()
    version = world.call("office2", "GET", f"/tasks/{world.task.id}").get_json()["version"]
    first = _patch(world, {"version": version, "leader": "甲"})
    assert first.status_code == 200
    before = fingerprint()
    assert_refused(_patch(world, {"version": version, "leader": "乙"}, who="office2"), 409,
                   "version", before)


@pytest.mark.parametrize("body", [
    '{"version": 1, "co_unit_ids": [CO], "leader": "我"}',
    '{"version": 1, "leader": "我", "co_unit_ids": [CO]}',  # a query after a change: autoflush
    '{"version": 1, "leader": "我", "code": "9.9"}',
])
def test_writer_racing_between_read_and_write_gets_409(app, world, body):
    """Another transaction commits after this request read the task but before it writes:
    the version check in the UPDATE itself refuses, whatever fields are edited."""
    other = db.engine.connect()
    raced = []

    def commit_elsewhere(session, *_):
        if raced:
            return
        raced.append(True)
        other.execute(text("UPDATE tasks SET version = version + 1, leader = '别人' WHERE id = :id"),
                      {"id": world.task.id})
        other.commit()

    event.listen(db.session, "before_flush", commit_elsewhere)
    try:
        response = world.client.patch(f"/api/v1/tasks/{world.task.id}",
                                      data=body.replace("CO", str(world.other.id)),
                                      content_type="application/json",
                                      headers=world.headers["office"])
    finally:
        event.remove(db.session, "before_flush", commit_elsewhere)
        other.close()
    assert response.status_code == 409, response.get_json()
    assert response.get_json()["field"] == "version"
    db.session.expire_all()
    task = world.call("office", "GET", f"/tasks/{world.task.id}").get_json()
    assert (task["leader"], task["version"]) == ("别人", 2)
    assert (task["co_unit_ids"], task["code"]) == ([world.co.id], world.task.code)


def test_office_suspends_and_resumes_a_task(world):
    suspended = _patch(world, {"version": 1, "status": "suspended"}).get_json()
    assert suspended["status"] == "suspended"
    resumed = _patch(world, {"version": suspended["version"], "status": "in_progress"})
    assert resumed.get_json()["status"] == "in_progress"


@pytest.mark.parametrize("values,status,field", [
    ({"title": "没有版本号"}, 400, "version"),
    ({"version": "1", "title": "版本号是文本"}, 400, "version"),
    ({"version": 1, "due_date": "2026-02-30"}, 400, "due_date"),
    ({"version": 1, "due_date": None}, 400, "due_date"),
    ({"version": 1, "lead_unit_id": 99999}, 400, "lead_unit_id"),
    ({"version": 1, "co_unit_ids": [99999]}, 400, "co_unit_ids"),
    ({"version": 1, "parent_id": 99999}, 400, "parent_id"),
    ({"version": 1, "progress": 50}, 400, "progress"),
    ({"version": 1, "status": "signed_off"}, 400, "status"),
    ({"version": 1, "status": "in_progress"}, 409, "status"),
    ({"version": 1, "title": ""}, 400, "title"),
])
def test_bad_patch_is_refused_naming_the_field_and_nothing_changes(world, values, status, field):
    before = fingerprint()
    assert_refused(_patch(world, values), status, field, before)


def test_a_task_cannot_be_put_under_itself(world, make_task):
    child = make_task(lead=world.lead, parent_id=world.task.id)
    before = fingerprint()
    assert_refused(_patch(world, {"version": 1, "parent_id": child.id}), 400, "parent_id", before)


def test_history_lists_every_step_oldest_first(world):
    update_task(world.users["office"], world.task, 1, {"leader": "王市长"})
    db.session.commit()
    world.call("lead", "POST", f"/tasks/{world.task.id}/reports", {"progress": 20, "text": "开工"})
    items = world.call("leader", "GET", f"/tasks/{world.task.id}/history").get_json()["items"]
    assert [e["action"] for e in items] == ["task.create", "task.update", "report.submit"]
    assert all(set(e) == {"at", "actor", "action", "detail"} for e in items)
    assert items[-1]["actor"].endswith(f"（{world.users['lead'].login}）")
    assert items[0]["at"].endswith("+08:00")


def _statements(world, url: str) -> int:
    """How many SQL statements GET *url* runs, starting from expired objects (the
    test client's requests share this test's session)."""
    seen = []
    db.session.expire_all()

    def count(*_):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert world.call("office", "GET", url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_lists_run_the_same_queries_for_many_rows_as_for_few(world, make_task):
    """No query per row (N+1): 2 tasks and 30 tasks cost the same statements."""
    from tracker.reports.operations import submit_report

    urls = ("/tasks?per_page=100", "/tasks?overdue=true", f"/tasks/{world.task.id}/reports",
            f"/tasks/{world.task.id}/signoff-requests")
    make_task(lead=world.lead, co=[world.co, world.other], due=date(2026, 11, 2))
    submit_report(world.users["lead"], world.task, progress=1, text="开工")
    db.session.commit()
    _statements(world, urls[0])  # warm the working-day calendar cache
    few = [_statements(world, url) for url in urls]
    for i in range(2, 30):
        make_task(lead=world.other, co=[world.lead, world.co], due=date(2026, 11, 2),
                  milestones=[{"due_date": date(2026, 10, 1), "expected_progress": 50}])
        submit_report(world.users["lead"], world.task, progress=i, text=f"第{i}次")
    db.session.commit()
    assert [_statements(world, url) for url in urls] == few


def test_moving_an_item_moves_its_sub_items_levels_too(app, office_user, make_task):
    """A key work moved from under a main task to the top: it and its measures each go up a
    level, so figures counted at a depth ([regime] count_level) count them where they now are."""
    goal = make_task()
    work = make_task(parent_id=goal.id)
    measure = make_task(parent_id=work.id)
    deeper = make_task(parent_id=measure.id)
    assert (work.depth, measure.depth, deeper.depth) == (1, 2, 3)
    update_task(office_user, work, work.version, {"parent_id": None})
    db.session.commit()
    db.session.expire_all()
    assert [db.session.get(Task, t.id).depth for t in (work, measure, deeper)] == [0, 1, 2]
    other = make_task()
    moved = db.session.get(Task, work.id)
    update_task(office_user, moved, moved.version, {"parent_id": other.id})
    db.session.commit()
    db.session.expire_all()
    assert [db.session.get(Task, t.id).depth for t in (work, measure, deeper)] == [1, 2, 3]
