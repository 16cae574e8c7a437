"""Progress reports (报送) through /api/v1, as JSON and as multipart with evidence files."""
from __future__ import annotations

import io

import pytest
from api_support import assert_refused, fingerprint, world  # noqa: F401 - world is a fixture

from tracker.extensions import db
from tracker.reports.evidence import upload_dir

REPORT = {"progress": 40, "text": "完成投资48亿元", "problems": "用地指标紧张",
          "next_steps": "加快征地拆迁", "actual_value": 48}


def _report(world, data, who="lead", **kw):
    return world.call(who, "POST", f"/tasks/{world.task.id}/reports", data, **kw)


def _multipart(world, fields, files, who="lead"):
    data = {**fields, "evidence": [(io.BytesIO(body), name) for name, body in files]}
    return world.client.post(f"/api/v1/tasks/{world.task.id}/reports", data=data,
                             content_type="multipart/form-data", headers=world.headers[who])


def _stored() -> list[str]:
    return sorted(p.name for p in upload_dir().iterdir())


def test_lead_unit_report_is_stored_and_moves_the_task(world):
    response = _report(world, REPORT)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert {k: body[k] for k in REPORT} == REPORT
    assert body["task_id"] == world.task.id and body["unit_id"] == world.lead.id
    assert body["period"] == "2026-W47" and body["on_time"] is True
    assert body["submitted_at"] == "2026-11-18T10:00:00+08:00"
    task = world.call("office", "GET", f"/tasks/{world.task.id}").get_json()
    assert (task["progress"], task["actual_value"], task["status"]) == (40, 48, "in_progress")
    assert task["version"] == 2


def test_co_unit_report_leaves_the_task_progress_alone(world):
    assert _report(world, REPORT, who="co").status_code == 201
    task = world.call("office", "GET", f"/tasks/{world.task.id}").get_json()
    assert (task["progress"], task["status"]) == (0, "in_progress")


def test_report_for_a_past_week_after_its_deadline_is_late(world):
    body = _report(world, {**REPORT, "period": "2026-W45"}).get_json()
    assert (body["period"], body["on_time"]) == ("2026-W45", False)


def test_reports_list_newest_first_with_their_evidence(world):
    _report(world, {"progress": 10, "text": "第一次"})
    _multipart(world, {"progress": "30", "text": "第二次"}, [("验收报告.pdf", b"%PDF-1.4 x")])
    body = world.call("leader", "GET", f"/tasks/{world.task.id}/reports").get_json()
    assert body["total"] == 2
    assert [r["text"] for r in body["items"]] == ["第二次", "第一次"]
    assert [e["name"] for e in body["items"][0]["evidence"]] == ["验收报告.pdf"]


def _xlsx() -> bytes:
    """A real (empty) workbook: uploads are typed by their content."""
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def test_multipart_report_with_evidence_files(world):
    response = _multipart(world, {"progress": "55", "text": "主体完工", "actual_value": "60.5"},
                          [("现场照片.jpg", b"\xff\xd8jpeg"), ("台账.xlsx", _xlsx())])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["progress"], body["actual_value"]) == (55, 60.5)
    assert sorted(e["name"] for e in body["evidence"]) == ["台账.xlsx", "现场照片.jpg"]
    assert len(_stored()) == 2 and not any("照片" in name for name in _stored())


@pytest.mark.parametrize("change,field", [
    ({"progress": 101}, "progress"),
    ({"progress": -1}, "progress"),
    ({"progress": "50"}, "progress"),
    ({"progress": 50.5}, "progress"),
    ({"progress": None}, "progress"),
    ({"text": None}, "text"),
    ({"text": "   "}, "text"),
    ({"text": "长" * 5001}, "text"),
    ({"problems": "长" * 5001}, "problems"),
    ({"next_steps": 7}, "next_steps"),
    ({"actual_value": "48亿"}, "actual_value"),
    ({"actual_value": -5}, "actual_value"),
    ({"period": "2026-47"}, "period"),
    ({"period": "2026-W60"}, "period"),
    ({"period": "2026-W49"}, "period"),
    ({"period": 202647}, "period"),
])
def test_bad_report_is_400_naming_the_field_and_nothing_is_written(world, change, field):
    data = {k: v for k, v in {**REPORT, **change}.items() if v is not None}
    before = fingerprint()
    assert_refused(_report(world, data), 400, field, before)


@pytest.mark.parametrize("fields,field", [
    ({"progress": "abc", "text": "进展"}, "progress"),
    ({"progress": "", "text": "进展"}, "progress"),
    ({"progress": "20", "text": "进展", "actual_value": "many"}, "actual_value"),
])
def test_bad_multipart_fields_are_400_naming_the_field(world, fields, field):
    before = fingerprint()
    assert_refused(_multipart(world, fields, [("a.pdf", b"%PDF")]), 400, field, before)
    assert _stored() == []


@pytest.mark.parametrize("name,content", [
    ("病毒.exe", b"MZ"), ("没有扩展名", b"data"), ("空文件.pdf", b""),
])
def test_refused_evidence_file_is_400_and_nothing_is_stored(world, name, content):
    before = fingerprint()
    response = _multipart(world, {"progress": "20", "text": "进展"},
                          [("好的.pdf", b"%PDF"), (name, content)])
    assert_refused(response, 400, "evidence", before)
    assert _stored() == []


def test_evidence_file_over_the_file_limit_is_400(app, world):
    app.config["SETTINGS"]["uploads"]["max_file_bytes"] = 1024
    before = fingerprint()
    response = _multipart(world, {"progress": "20", "text": "进展"}, [("大.pdf", b"x" * 1025)])
    assert_refused(response, 400, "evidence", before)
    assert _stored() == []


def test_upload_over_the_request_limit_is_413(app, world):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    before = fingerprint()
    response = _multipart(world, {"progress": "20", "text": "进展"}, [("大.pdf", b"x" * 8192)])
    assert_refused(response, 413, None, before)
    assert _stored() == []


@pytest.mark.parametrize("status", ["signed_off", "suspended"])
def test_no_report_on_a_closed_or_suspended_task(world, status):
    world.task.status = status
    db.session.commit()
    before = fingerprint()
    assert_refused(_report(world, REPORT), 409, "status", before)
