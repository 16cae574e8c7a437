"""Doing things through the pages: reports, sign-off with evidence, decisions, edits, admin."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import ApiToken, Evidence, ProgressReport, Task, User
from tracker.ledger.operations import update_task


@pytest.fixture
def world(make_world):
    return make_world(task={"title": "5G基站建设", "target_value": 1200, "target_unit": "个"})


def _pdf(name="验收报告.pdf", body=b"%PDF-1.4 acceptance"):
    return (io.BytesIO(body), name)


def test_report_sign_off_with_evidence_and_approve_from_the_queue(browser, world):
    task_id = world.task.id
    browser.login("lead")
    r = browser.post(f"/tasks/{task_id}/reports", {"progress": "60", "text": "已建成720个",
                                                   "actual_value": "720", "files": _pdf("进度照片.jpg", b"\xff\xd8\xff\xe0 photo")},
                     form_url=f"/tasks/{task_id}", content_type="multipart/form-data")
    assert r.status_code == 302
    r = browser.post(f"/tasks/{task_id}/signoff", {"note": "全部建成", "files": _pdf()},
                     form_url=f"/tasks/{task_id}", content_type="multipart/form-data")
    assert r.status_code == 302
    page = browser.get(f"/tasks/{task_id}").data.decode()
    assert "待销号" in page and "验收报告.pdf" in page and "720" in page

    _logout(browser)
    browser.login("office")
    queue = browser.get("/review").data.decode()
    assert "5G基站建设" in queue and "验收报告.pdf" in queue
    approve = re.search(r'action="(/tasks/\d+/signoff/\d+/approve)"', queue).group(1)
    r = browser.post(approve, {"next": "/review"}, form_url="/review")
    assert r.status_code == 302 and r.headers["Location"].endswith("/review")
    assert "没有待审核的销号申请" in browser.get("/review").data.decode()
    page = browser.get(f"/tasks/{task_id}").data.decode()
    assert "已销号" in page
    history = page[page.index('id="history"'):]
    steps = ["新建事项", "报送进展", "申请销号", "同意销号"]
    assert [history.index(s) for s in steps] == sorted(history.index(s) for s in steps)


def _logout(browser):
    assert browser.post("/logout", form_url="/tasks").status_code == 302


def test_sending_back_needs_a_reason_and_returns_the_item_to_in_progress(browser, world):
    from tracker.signoff.operations import request_signoff

    lead = db.session.scalar(select(User).where(User.login == "lead"))
    req = request_signoff(lead, world.task, "完成")
    db.session.commit()
    browser.login("office")
    url = f"/tasks/{world.task.id}/signoff/{req.id}/reject"
    r = browser.post(url, {"reason": "  "}, form_url="/review", follow_redirects=True)
    page = r.data.decode()
    assert "理由：必填" in page and "reason is required" not in page
    assert db.session.get(Task, world.task.id).status == "signoff_requested"
    r = browser.post(url, {"reason": "缺少竣工验收材料"}, form_url="/review", follow_redirects=True)
    assert "已退回，事项恢复为推进中" in r.data.decode()
    page = browser.get(f"/tasks/{world.task.id}").data.decode()
    assert "推进中" in page and "缺少竣工验收材料" in page


def test_extension_approved_moves_the_deadline_and_keeps_the_old_one_in_history(browser, world):
    task_id = world.task.id
    browser.login("lead")
    r = browser.post(f"/tasks/{task_id}/extension", {"new_due_date": "2027-01-31",
                                                     "reason": "设备到货延迟"}, form_url=f"/tasks/{task_id}")
    assert r.status_code == 302
    _logout(browser)
    browser.login("office")
    queue = browser.get("/review").data.decode()
    approve = re.search(r'action="(/tasks/\d+/extension/\d+/approve)"', queue).group(1)
    assert browser.post(approve, {}, form_url="/review").status_code == 302
    assert db.session.get(Task, task_id).due_date == date(2027, 1, 31)
    history = browser.get(f"/tasks/{task_id}").data.decode().split('id="history"')[1]
    assert "2026-12-18 → 2027-01-31" in history


def test_bad_report_input_is_refused_with_the_field_named_and_nothing_written(browser, world):
    task_id = world.task.id
    browser.login("lead")
    r = browser.post(f"/tasks/{task_id}/reports", {"progress": "150", "text": "超额"},
                     form_url=f"/tasks/{task_id}")
    assert r.status_code == 400
    assert 'class="field has-error"' in r.data.decode() and "超额" in r.data.decode()
    r = browser.post(f"/tasks/{task_id}/reports", {"progress": "50", "text": "进展",
                                                   "files": _pdf("病毒.exe", b"MZ")},
                     form_url=f"/tasks/{task_id}", content_type="multipart/form-data")
    assert r.status_code == 400 and "不接受“病毒.exe”的文件类型" in r.data.decode()
    assert db.session.scalar(select(func.count()).select_from(ProgressReport)) == 0
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_a_stale_edit_is_refused_and_the_typed_input_kept(browser, world, office_user):
    task = world.task
    browser.login("office")
    form = browser.get(f"/tasks/{task.id}/edit").data.decode()
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    update_task(office_user, task, task.version, {"leader": "王副市长"})  # someone else saves first
    db.session.commit()
    r = browser.post(f"/tasks/{task.id}/edit", {
        "title": "5G基站建设（扩容）", "lead_unit_id": str(world.lead.id),
        "due_date": "2026-12-18", "version": version})
    assert r.status_code == 409
    html = r.data.decode()
    assert "事项已被他人修改" in html and 'value="5G基站建设（扩容）"' in html
    assert db.session.get(Task, task.id).title == "5G基站建设"


def test_the_office_assigns_an_item_with_co_units(browser, world):
    co = world.task.co_units[0]
    browser.login("office")
    r = browser.post("/tasks/new", {"title": "农村公路改造", "code": "3.1",
                                    "lead_unit_id": str(world.lead.id), "co_unit_ids": str(co.id),
                                    "due_date": "2026-12-31", "target_value": "80", "target_unit": "公里"})
    assert r.status_code == 302
    task = db.session.scalar(select(Task).where(Task.code == "3.1"))
    assert task.title == "农村公路改造" and [u.id for u in task.co_units] == [co.id]
    assert task.target_value == 80


@pytest.mark.parametrize("url,data", [
    ("/login", {"login": "lead", "password": "whatever"}),
    ("/tasks/{id}/reports", {"progress": "10", "text": "x"}),
    ("/admin/tokens", {}),
])
def test_forms_without_a_csrf_token_are_refused(browser, world, url, data):
    if url != "/login":
        browser.login("lead")
    before = db.session.scalar(select(func.count()).select_from(ApiToken))
    r = browser.client.post(url.format(id=world.task.id), data=data)
    assert r.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == before
    assert db.session.scalar(select(func.count()).select_from(ProgressReport)) == 0


def test_login_throttling_makes_even_the_right_password_wait(browser, world, app):
    limit = app.config["SETTINGS"]["security"]["login_max_failures"]
    for _ in range(limit):
        assert browser.login("lead", "wrong-password").status_code == 401
    r = browser.login("lead")
    assert r.status_code == 429
    assert "登录失败次数过多" in r.data.decode()
    assert browser.get("/tasks").status_code == 302  # still not signed in


def test_a_deactivated_user_can_no_longer_sign_in(browser, world):
    lead = db.session.scalar(select(User).where(User.login == "lead"))
    browser.login("office")
    assert browser.post(f"/admin/users/{lead.id}/active", {"is_active": "0", "confirmed": "1"},
                        form_url="/admin/users").status_code == 302
    _logout(browser)
    assert browser.login("lead").status_code == 401


def test_the_office_creates_a_unit_and_a_user_who_can_sign_in(browser, world):
    browser.login("office")
    assert browser.post("/admin/units", {"name": "市商务局", "kind": "department",
                                         "parent_id": "0"}).status_code == 302
    unit = db.session.scalar(select(User.unit_id).where(User.login == "office"))
    r = browser.post("/admin/users", {"login": "swj", "name": "商务局联络员", "unit_id": str(unit),
                                      "role": "unit", "password": "short"})
    assert r.status_code == 400 and db.session.scalar(select(User).where(User.login == "swj")) is None
    r = browser.post("/admin/users", {"login": "swj", "name": "商务局联络员", "unit_id": str(unit),
                                      "role": "unit", "password": "long-enough-9"})
    assert r.status_code == 302
    _logout(browser)
    assert browser.login("swj", "long-enough-9").status_code == 302


def test_a_new_token_is_shown_once_and_can_be_revoked(browser, world, client):
    browser.login("lead")
    page = browser.post("/admin/tokens", {}).data.decode()
    raw = re.search(r'id="new-token">(dbn_[^<]+)<', page).group(1)
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    listing = browser.get("/admin/tokens").data.decode()
    assert raw not in listing and raw[:8] in listing
    revoke = re.search(r'action="(/admin/tokens/\d+/revoke)"', listing).group(1)
    assert browser.post(revoke, {}, form_url="/admin/tokens").status_code == 302
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


@pytest.mark.parametrize("role,expected", [("office", 200), ("lead", 200), ("co", 200),
                                           ("other", 404), ("leader", 200)])
def test_evidence_downloads_only_for_those_who_may_see_the_item(browser, world, role, expected):
    from tracker.reports.operations import submit_report
    from werkzeug.datastructures import FileStorage

    lead = db.session.scalar(select(User).where(User.login == "lead"))
    body = "%PDF-1.4 竣工验收报告".encode()
    submit_report(lead, world.task, progress=100, text="完成",
                  files=[FileStorage(io.BytesIO(body), "验收报告.pdf", content_type="application/pdf")])
    db.session.commit()
    evidence = db.session.scalar(select(Evidence))
    browser.login(role)
    with browser.get(f"/evidence/{evidence.id}") as r:
        assert r.status_code == expected
        assert (r.data == body) is (expected == 200)
        if expected == 200:
            assert "attachment" in r.headers["Content-Disposition"]
    assert browser.get(f"/evidence/{evidence.id + 1}").status_code == 404
    assert browser.get(f"/static/{evidence.stored_name}").status_code == 404
