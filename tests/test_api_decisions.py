"""Sign-off (销号) and extension (延期) requests and the office's decisions, through /api/v1."""
from __future__ import annotations

import io
from datetime import date

import pytest
from api_support import assert_refused, fingerprint, world  # noqa: F401 - world is a fixture

from tracker.extensions import db


def _url(world, tail: str = "") -> str:
    return f"/tasks/{world.task.id}{tail}"


def _ask_signoff(world, note="已完成，附验收报告"):
    response = world.call("lead", "POST", _url(world, "/signoff-requests"), {"note": note})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _ask_extension(world, new_due="2027-01-31"):
    response = world.call("lead", "POST", _url(world, "/extension-requests"),
                          {"new_due_date": new_due, "reason": "征地手续延误"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _task(world) -> dict:
    return world.call("office", "GET", _url(world)).get_json()


def _history(world) -> list[dict]:
    return world.call("office", "GET", _url(world, "/history")).get_json()["items"]


# --- sign-off -----------------------------------------------------------------------------

def test_lead_unit_asks_for_signoff(world):
    body = _ask_signoff(world)
    assert body["status"] == "pending" and isinstance(body["id"], int)
    assert body["task"]["status"] == "signoff_requested"
    assert _task(world)["status"] == "signoff_requested"


def test_signoff_request_with_evidence_files(world):
    response = world.client.post(
        f"/api/v1{_url(world, '/signoff-requests')}", content_type="multipart/form-data",
        headers=world.headers["lead"],
        data={"note": "项目已竣工", "evidence": [(io.BytesIO(b"%PDF-1.4"), "竣工验收报告.pdf")]})
    assert response.status_code == 201, response.get_json()
    assert [e["name"] for e in response.get_json()["evidence"]] == ["竣工验收报告.pdf"]
    listed = world.call("office", "GET", _url(world, "/signoff-requests")).get_json()
    assert [e["name"] for e in listed["items"][0]["evidence"]] == ["竣工验收报告.pdf"]


def test_signoff_with_a_refused_file_writes_nothing(world):
    before = fingerprint()
    response = world.client.post(
        f"/api/v1{_url(world, '/signoff-requests')}", content_type="multipart/form-data",
        headers=world.headers["lead"], data={"note": "x", "evidence": [(io.BytesIO(b"MZ"), "a.exe")]})
    assert_refused(response, 400, "evidence", before)


def test_office_approves_signoff_and_the_task_is_signed_off(world):
    rid = _ask_signoff(world)["id"]
    response = world.call("office", "POST", _url(world, f"/signoff-requests/{rid}/approve"))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "approved" and body["task"]["status"] == "signed_off"
    assert body["task"]["overdue"] is False and body["task"]["light"] == "green"
    assert [e["action"] for e in _history(world)][-2:] == ["signoff.request", "signoff.approve"]


def test_rejected_signoff_goes_back_to_in_progress_and_remembers_why(world):
    rid = _ask_signoff(world)["id"]
    response = world.call("office", "POST", _url(world, f"/signoff-requests/{rid}/reject"),
                          {"reason": "佐证材料不全"})
    assert response.status_code == 200
    assert response.get_json()["reason"] == "佐证材料不全"
    assert _task(world)["status"] == "in_progress"
    assert _history(world)[-1]["detail"]["reason"] == "佐证材料不全"
    listed = world.call("lead", "GET", _url(world, "/signoff-requests")).get_json()["items"]
    assert [(r["status"], r["reason"]) for r in listed] == [("rejected", "佐证材料不全")]


@pytest.mark.parametrize("body", [None, {}, {"reason": "  "}, {"reason": 5}])
def test_reject_needs_a_reason(world, body):
    rid = _ask_signoff(world)["id"]
    before = fingerprint()
    response = world.call("office", "POST", _url(world, f"/signoff-requests/{rid}/reject"), body)
    assert_refused(response, 400, "reason", before)


def test_a_decided_request_cannot_be_decided_again(world):
    rid = _ask_signoff(world)["id"]
    world.call("office", "POST", _url(world, f"/signoff-requests/{rid}/approve"))
    before = fingerprint()
    for verb, body in (("approve", None), ("reject", {"reason": "再审"})):
        response = world.call("office", "POST", _url(world, f"/signoff-requests/{rid}/{verb}"), body)
        assert_refused(response, 409, "status", before)


def test_no_second_signoff_request_while_one_is_pending_or_after_signoff(world):
    rid = _ask_signoff(world)["id"]
    before = fingerprint()
    again = world.call("lead", "POST", _url(world, "/signoff-requests"), {"note": "再次申请"})
    assert_refused(again, 409, "status", before)
    world.call("office", "POST", _url(world, f"/signoff-requests/{rid}/approve"))
    before = fingerprint()
    after = world.call("lead", "POST", _url(world, "/signoff-requests"), {"note": "已销号后"})
    assert_refused(after, 409, "status", before)


def test_unknown_request_or_one_of_another_task_is_404(world, make_task):
    other_task = make_task(lead=world.lead)
    rid = world.call("lead", "POST", f"/tasks/{other_task.id}/signoff-requests",
                     {"note": "x"}).get_json()["id"]
    before = fingerprint()
    for request_id in (99999, rid):
        response = world.call("office", "POST", _url(world, f"/signoff-requests/{request_id}/approve"))
        assert_refused(response, 404, None, before)
    assert_refused(world.call("office", "POST", "/tasks/99999/signoff-requests/1/approve"), 404,
                   None, before)


def test_signoff_note_too_long_is_400(world):
    before = fingerprint()
    response = world.call("lead", "POST", _url(world, "/signoff-requests"), {"note": "长" * 5001})
    assert_refused(response, 400, "note", before)


# --- extensions ---------------------------------------------------------------------------

def test_approved_extension_moves_the_deadline_and_keeps_the_old_one(world):
    asked = _ask_extension(world)
    assert (asked["status"], asked["old_due_date"], asked["new_due_date"]) == (
        "pending", "2026-12-18", "2027-01-31")
    version = _task(world)["version"]
    response = world.call("office", "POST", _url(world, f"/extension-requests/{asked['id']}/approve"))
    assert response.status_code == 200, response.get_json()
    task = response.get_json()["task"]
    assert task["due_date"] == "2027-01-31" and task["version"] == version + 1
    last = _history(world)[-1]
    assert last["action"] == "extension.approve"
    assert last["detail"]["due_date"] == {"before": "2026-12-18", "after": "2027-01-31"}


def test_rejected_extension_leaves_the_deadline(world):
    rid = _ask_extension(world)["id"]
    response = world.call("office", "POST", _url(world, f"/extension-requests/{rid}/reject"),
                          {"reason": "理由不充分"})
    assert response.status_code == 200
    assert response.get_json()["decision_reason"] == "理由不充分"
    assert _task(world)["due_date"] == "2026-12-18"
    listed = world.call("co", "GET", _url(world, "/extension-requests")).get_json()
    assert [r["status"] for r in listed["items"]] == ["rejected"]


@pytest.mark.parametrize("body,field", [
    ({"reason": "延误"}, "new_due_date"),
    ({"new_due_date": "2027-02-30", "reason": "延误"}, "new_due_date"),
    ({"new_due_date": 20270131, "reason": "延误"}, "new_due_date"),
    ({"new_due_date": "2026-12-01", "reason": "延误"}, "new_due_date"),
    ({"new_due_date": "2027-01-31"}, "reason"),
    ({"new_due_date": "2027-01-31", "reason": ""}, "reason"),
])
def test_bad_extension_request_is_400_naming_the_field(world, body, field):
    before = fingerprint()
    response = world.call("lead", "POST", _url(world, "/extension-requests"), body)
    assert_refused(response, 400, field, before)


def test_extension_must_be_asked_before_the_deadline(world):
    world.task.due_date = date(2026, 11, 17)
    db.session.commit()
    before = fingerprint()
    response = world.call("lead", "POST", _url(world, "/extension-requests"),
                          {"new_due_date": "2027-01-31", "reason": "来不及"})
    assert_refused(response, 409, "due_date", before)


def test_only_one_pending_extension_at_a_time(world):
    _ask_extension(world)
    before = fingerprint()
    response = world.call("lead", "POST", _url(world, "/extension-requests"),
                          {"new_due_date": "2027-02-28", "reason": "再延"})
    assert_refused(response, 409, "status", before)


def test_extension_reject_needs_a_reason(world):
    rid = _ask_extension(world)["id"]
    before = fingerprint()
    response = world.call("office", "POST", _url(world, f"/extension-requests/{rid}/reject"), {})
    assert_refused(response, 400, "reason", before)
