"""The office's tools through the pages: the ledger export and print view, batch approve,
evidence previews, editing units and users, one's own password, the confirmation steps,
the reason for 暂缓, the sign-off guards, correcting a report, sub-items and history, and
forms that record once however often they are sent."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from conftest import PASSWORD
from tracker.extensions import db
from tracker.models import (ApiToken, AuditEvent, DispatchMeeting, EvaluationAdjustment,
                            ProgressReport, SignoffRequest, Task, Unit, User)
from tracker.reports.operations import submit_report
from tracker.signoff.operations import approve_signoff, request_signoff


@pytest.fixture
def world(make_world, make_task):
    """市发展改革局 leads 1 (with sub-item 1.1) and 2; 市投资促进局 leads 3."""
    w = make_world(task={"code": "1", "title": "重点产业项目", "due_date": date(2026, 12, 18)})
    tasks = {"one": w.task,
             "sub": make_task(w.lead, code="1.1", title="园区道路", parent_id=w.task.id),
             "two": make_task(w.lead, code="2", title="=HYPERLINK(\"x\")", due=date(2026, 11, 2)),
             "other": make_task(w.other, code="3", title="招商引资")}
    return w, tasks


def _logout(browser):
    browser.post("/logout", form_url="/tasks")


def _audit(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).all()


# --- export and print --------------------------------------------------------------

def _sheet(response):
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data)).active


def test_the_export_holds_the_filtered_rows_in_the_pages_columns(browser, world):
    w, tasks = world
    browser.login("office")
    sheet = _sheet(browser.get("/regime/ledger.xlsx"))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("事项台账（2026年11月18日）")
    assert rows[1] == ("亮灯", "编号", "任务名称", "牵头单位", "配合单位", "完成时限", "进度", "状态")
    codes = [r[1] for r in rows[2:]]
    assert codes == ["1", "1.1", "2", "3"]
    two = rows[4]
    assert two[2] == '=HYPERLINK("x")' and sheet.cell(5, 3).data_type == "s"  # never a formula
    assert sheet.cell(5, 3).quotePrefix
    assert two[5].date() == date(2026, 11, 2) and sheet.cell(5, 6).number_format == 'yyyy"年"m"月"d"日"'
    assert two[7] == "未启动、逾期" and two[0].startswith("红灯")
    assert sheet.page_setup.orientation == "landscape" and sheet.freeze_panes == "A3"

    only_overdue = _sheet(browser.get("/regime/ledger.xlsx?overdue=y"))
    assert [r[1] for r in list(only_overdue.iter_rows(values_only=True))[2:]] == ["2"]
    by_unit = _sheet(browser.get(f"/regime/ledger.xlsx?unit={w.other.id}"))
    assert [r[1] for r in list(by_unit.iter_rows(values_only=True))[2:]] == ["3"]


def test_a_unit_exports_and_prints_only_its_own_items(browser, world):
    w, tasks = world
    browser.login("lead")
    sheet = _sheet(browser.get("/regime/ledger.xlsx"))
    assert [r[1] for r in list(sheet.iter_rows(values_only=True))[2:]] == ["1", "1.1", "2"]
    assert [r[1] for r in list(_sheet(browser.get(f"/regime/ledger.xlsx?unit={w.other.id}"))
                               .iter_rows(values_only=True))[2:]] == []
    page = browser.get("/tasks/print").get_data(as_text=True)
    assert "园区道路" in page and "招商引资" not in page and "data-print" in page
    assert "/regime/ledger.xlsx" in browser.get("/tasks?status=not_started").get_data(as_text=True)


# --- batch approve -----------------------------------------------------------------

def test_batch_approve_applies_each_and_reports_the_one_already_decided(browser, world, office_user):
    w, tasks = world
    liaison = w.users["lead"]
    reqs = [request_signoff(liaison, tasks[k], "已完成") for k in ("one", "sub", "two")]
    db.session.commit()
    browser.login("office")
    queue = browser.get("/review").get_data(as_text=True)
    assert 'form="batch-approve"' in queue
    approve_signoff(office_user, tasks["sub"], reqs[1].id)  # decided meanwhile, elsewhere
    db.session.commit()
    response = browser.post("/review/signoffs/approve",
                            {"request_ids": [str(r.id) for r in reqs]}, form_url="/review")
    assert response.status_code == 302
    page = browser.get("/review").get_data(as_text=True)
    assert "已同意 2 项销号申请" in page and "1.1 园区道路 未能同意" in page
    db.session.expire_all()
    assert [db.session.get(SignoffRequest, r.id).status for r in reqs] == ["approved"] * 3
    assert len(_audit("signoff.approve")) == 3  # one each: two here, one before


def test_only_the_office_approves_in_a_batch(browser, world):
    w, tasks = world
    req = request_signoff(w.users["lead"], tasks["one"], "已完成")
    db.session.commit()
    browser.login("lead")
    assert browser.post("/review/signoffs/approve", {"request_ids": [str(req.id)]},
                        form_url="/tasks").status_code == 403
    db.session.expire_all()
    assert db.session.get(SignoffRequest, req.id).status == "pending"


# --- evidence preview ----------------------------------------------------------------

def test_pdf_and_image_evidence_preview_sandboxed_and_other_files_download(browser, world):
    w, tasks = world
    task_id = tasks["one"].id
    browser.login("lead")
    files = [(io.BytesIO(b"%PDF-1.4 report"), "验收报告.pdf"),
             (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 20), "现场.png"),
             (io.BytesIO("说明文字".encode()), "说明.txt")]
    assert browser.post(f"/tasks/{task_id}/reports", {"progress": "50", "text": "推进中",
                                                      "files": files},
                        form_url=f"/tasks/{task_id}", content_type="multipart/form-data").status_code == 302
    page = browser.get(f"/tasks/{task_id}").get_data(as_text=True)
    previews = re.findall(r'href="(/evidence/\d+/view)"', page)
    assert len(previews) == 2  # the PDF and the image, not the text file
    for url, kind in zip(previews, ("application/pdf", "image/png")):
        shown = browser.get(url)
        assert shown.status_code == 200 and shown.mimetype == kind
        assert shown.headers["Content-Security-Policy"] == "sandbox"
        assert shown.headers["X-Content-Type-Options"] == "nosniff"
        assert shown.headers["Content-Disposition"].startswith("inline")
        shown.close()
    text_id = re.findall(r'href="/evidence/(\d+)"', page)[-1]
    assert browser.get(f"/evidence/{text_id}/view").headers["Location"].endswith(f"/evidence/{text_id}")
    _logout(browser)
    browser.login("other")
    assert browser.get(previews[0]).status_code == 404


# --- units, users, passwords ---------------------------------------------------------

def test_the_office_edits_a_unit_and_a_user_whose_role_change_ends_their_sessions(
        browser, world, client, app):
    w, tasks = world
    lead_user = w.users["lead"]
    other_client = app.test_client()
    from conftest import Browser
    liaison = Browser(other_client)
    liaison.login("lead")
    assert liaison.get("/tasks").status_code == 200

    browser.login("office")
    url = f"/admin/units/{w.lead.id}/edit"
    assert "市发展改革局" in browser.get(url).get_data(as_text=True)
    assert browser.post(url, {"name": "湛江市发展和改革局", "kind": "department",
                              "parent_id": str(w.office.id), "email": "fgj@zj.gov.cn"}).status_code == 302
    db.session.expire_all()
    unit = db.session.get(Unit, w.lead.id)
    assert (unit.name, unit.parent_id, unit.email) == ("湛江市发展和改革局", w.office.id, "fgj@zj.gov.cn")
    assert _audit("unit.update")[-1].detail["name"] == {"before": "市发展改革局", "after": "湛江市发展和改革局"}
    # A unit cannot sit under itself or its own descendant.
    sub = Unit(name="下属单位", kind="other", parent_id=w.lead.id)
    db.session.add(sub)
    db.session.commit()
    cycle = browser.post(url, {"name": "湛江市发展和改革局", "kind": "department", "parent_id": str(sub.id)})
    assert cycle.status_code == 400 and "上级单位不能是本单位或其下级单位" in cycle.get_data(as_text=True)

    user_url = f"/admin/users/{lead_user.id}/edit"
    assert browser.post(user_url, {"name": "李四", "unit_id": str(w.co.id), "role": "unit",
                                   "email": ""}).status_code == 302
    db.session.expire_all()
    edited = db.session.get(User, lead_user.id)
    assert (edited.name, edited.unit_id) == ("李四", w.co.id)
    assert _audit("user.update")[-1].detail["sessions_ended"] is True
    assert liaison.get("/tasks").status_code == 302  # signed out: to the login page
    # The office cannot change its own role.
    office = db.session.scalar(select(User).where(User.login == "office"))
    own = browser.post(f"/admin/users/{office.id}/edit", {"name": office.name, "unit_id": str(office.unit_id),
                                                          "role": "unit", "email": ""})
    assert own.status_code == 400 and "不能修改自己的角色" in own.get_data(as_text=True)


def test_only_the_office_edits_units_and_users(browser, world):
    w, tasks = world
    browser.login("lead")
    assert browser.get(f"/admin/units/{w.lead.id}/edit").status_code == 403
    assert browser.post(f"/admin/users/{w.users['lead'].id}/edit",
                        {"name": "x", "unit_id": str(w.lead.id), "role": "office"},
                        form_url="/tasks").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, w.users["lead"].id).role == "unit"


def test_every_user_changes_their_own_password_and_their_other_sessions_end(browser, world, app):
    from conftest import Browser
    elsewhere = Browser(app.test_client())
    elsewhere.login("lead")
    browser.login("lead")
    wrong = browser.post("/account", {"current_password": "not-my-password", "password": "new-secret-42"})
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.get_data(as_text=True)
    done = browser.post("/account", {"current_password": PASSWORD, "password": "new-secret-42"})
    assert done.status_code == 302
    assert browser.get("/account").status_code == 200  # this session goes on
    assert elsewhere.get("/tasks").status_code == 302  # the other one ended
    _logout(browser)
    assert browser.login("lead", "new-secret-42").status_code == 302
    assert _audit("user.password")[-1].actor.endswith("（lead）")
    assert "/admin/tokens" in browser.get("/account").get_data(as_text=True)


# --- confirmation steps and the reason for 暂缓 ---------------------------------------

def test_suspending_asks_for_confirmation_and_a_reason_shown_on_the_item(browser, world):
    w, tasks = world
    task = tasks["one"]
    browser.login("office")
    url = f"/tasks/{task.id}/status"
    first = browser.post(url, {"status": "suspended", "version": str(task.version), "reason": "规划调整"},
                         form_url=f"/tasks/{task.id}")
    assert first.status_code == 200 and 'name="confirmed" value="1"' in first.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Task, task.id).status == "not_started"  # nothing yet
    blank = browser.post(url, {"status": "suspended", "version": str(task.version), "confirmed": "1",
                               "reason": " "}, form_url=f"/tasks/{task.id}")
    assert blank.status_code == 400 and "请填写暂缓理由" in blank.get_data(as_text=True)
    assert browser.post(url, {"status": "suspended", "version": str(task.version), "confirmed": "1",
                              "reason": "规划调整，待省厅批复"}, form_url=f"/tasks/{task.id}").status_code == 302
    page = browser.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "规划调整，待省厅批复" in page.split('id="suspension-reason"')[1][:200]
    assert _audit("task.update")[-1].detail["reason"] == "规划调整，待省厅批复"


def test_deactivating_a_user_and_publishing_ask_first(browser, world):
    w, tasks = world
    browser.login("office")
    lead = w.users["lead"]
    asked = browser.post(f"/admin/users/{lead.id}/active", {"is_active": "0"}, form_url="/admin/users")
    assert asked.status_code == 200 and "确认停用" in asked.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, lead.id).is_active


# --- sign-off guards -------------------------------------------------------------------

def test_the_sign_off_guards_refuse_with_a_clear_message(app, world):
    from tracker.errors import Conflict, ValidationError

    w, tasks = world
    cfg = app.config["SETTINGS"]["signoff"]
    cfg["require_full_progress"] = cfg["require_evidence"] = True
    liaison = w.users["lead"]
    with pytest.raises(Conflict, match="进度须达到100%才能申请销号（当前0%）"):
        request_signoff(liaison, tasks["one"], "完成")
    submit_report(liaison, tasks["one"], progress=100, text="全部完成")
    with pytest.raises(ValidationError, match="申请销号须附佐证材料"):
        request_signoff(liaison, tasks["one"], "完成")
    cfg["require_evidence"] = False
    assert request_signoff(liaison, tasks["one"], "完成").status == "pending"


def test_the_item_page_says_what_the_sign_off_guards_ask(app, browser, world):
    w, tasks = world
    app.config["SETTINGS"]["signoff"]["require_full_progress"] = True
    browser.login("lead")
    page = browser.get(f"/tasks/{tasks['sub'].id}").get_data(as_text=True)
    assert "进度须达到100%才能申请销号（当前0%）" in page
    refused = browser.post(f"/tasks/{tasks['sub'].id}/signoff", {"note": "完成"}, form_url="/tasks",
                           content_type="multipart/form-data")
    assert refused.status_code == 409 and "进度须达到100%才能申请销号" in refused.get_data(as_text=True)


# --- correcting a report, sub-items, history --------------------------------------------

def test_a_unit_corrects_its_own_report_while_the_period_is_open(browser, world):
    w, tasks = world
    task = tasks["one"]
    report = submit_report(w.users["lead"], task, progress=40, text="完成40%")
    db.session.commit()
    browser.login("co")
    assert f"/reports/{report.id}/edit" not in browser.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert browser.post(f"/tasks/{task.id}/reports/{report.id}/edit",
                        {"progress": "90", "text": "改"}).status_code == 403
    _logout(browser)
    browser.login("lead")
    assert f"/reports/{report.id}/edit" in browser.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert browser.post(f"/tasks/{task.id}/reports/{report.id}/edit",
                        {"progress": "45", "text": "完成45%（更正）"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ProgressReport, report.id).text == "完成45%（更正）"
    assert db.session.get(Task, task.id).progress == 45
    assert db.session.scalar(select(func.count()).select_from(ProgressReport)) == 1
    detail = _audit("report.correct")[-1].detail
    assert detail["text"] == {"before": "完成40%", "after": "完成45%（更正）"}
    history = browser.get(f"/tasks/{task.id}").get_data(as_text=True).split('id="history"')[1]
    assert "更正报送" in history and "完成40% → 完成45%（更正）" in history


def test_a_closed_periods_report_cannot_be_corrected(browser, world, app):
    from datetime import datetime

    from conftest import LOCAL_TZ
    w, tasks = world
    report = submit_report(w.users["lead"], tasks["one"], progress=40, text="完成40%")
    db.session.commit()
    app.config["FIXED_NOW"] = datetime(2026, 12, 10, 10, 0, tzinfo=LOCAL_TZ)
    browser.login("lead")
    refused = browser.post(f"/tasks/{tasks['one'].id}/reports/{report.id}/edit",
                           {"progress": "45", "text": "晚了"})
    assert refused.status_code == 409 and "报送时限已过" in refused.get_data(as_text=True)


def test_the_item_page_lists_sub_items_and_history_names_the_parent(browser, world, office_user):
    from tracker.ledger.operations import update_task

    w, tasks = world
    browser.login("office")
    page = browser.get(f"/tasks/{tasks['one'].id}").get_data(as_text=True)
    sub = page.split('id="subitems"')[1].split("</section>")[0]
    assert "1.1" in sub and "园区道路" in sub and "未启动" in sub
    moved = tasks["two"]
    update_task(office_user, moved, moved.version, {"parent_id": tasks["one"].id})
    db.session.commit()
    history = browser.get(f"/tasks/{moved.id}").get_data(as_text=True).split('id="history"')[1]
    assert "上级事项：— → 1 重点产业项目" in history
    assert "milestones" not in history


# --- forms that record once -------------------------------------------------------------

def test_a_double_submit_records_a_meeting_an_adjustment_and_a_token_once(browser, world):
    w, tasks = world
    browser.login("office")
    page = browser.get("/regime/dispatch").get_data(as_text=True)
    nonce = re.search(r'id="meeting-form">.*?name="nonce"[^>]*value="([^"]+)"', page, re.S).group(1)
    meeting = {"title": "第47周调度会", "held_on": "2026-11-18", "nonce": nonce,
               "items-0-title": "加快园区建设", "items-0-lead_unit": str(w.lead.id),
               "items-0-due_date": "2026-12-31"}
    first = browser.post("/regime/dispatch", meeting)
    second = browser.post("/regime/dispatch", meeting)
    assert first.status_code == second.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(DispatchMeeting)) == 1
    assert "该表单已经提交过" in browser.get("/regime/dispatch").get_data(as_text=True)

    page = browser.get("/regime/evaluation?year=2026").get_data(as_text=True)
    nonce = re.search(r'id="adjust-form">.*?name="nonce"[^>]*value="([^"]+)"', page, re.S).group(1)
    adjust = {"unit_id": str(w.lead.id), "kind": "adjustment", "points": "2", "reason": "获省表彰",
              "nonce": nonce}
    for _ in range(2):
        browser.post("/regime/evaluation?year=2026", adjust)
    assert db.session.scalar(select(func.count()).select_from(EvaluationAdjustment)) == 1

    page = browser.get("/admin/tokens").get_data(as_text=True)
    nonce = re.search(r'name="nonce"[^>]*value="([^"]+)"', page).group(1)
    assert "dbn_" in browser.post("/admin/tokens", {"nonce": nonce}).get_data(as_text=True)
    assert browser.post("/admin/tokens", {"nonce": nonce}).status_code == 302
    office = db.session.scalar(select(User).where(User.login == "office"))
    assert db.session.scalar(select(func.count()).select_from(ApiToken)
                             .where(ApiToken.user_id == office.id)) == 1


# --- noticed gaps: favicon, a bulletin's notice read without channels, the migration ------

def test_the_favicon_is_served(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
    icon.close()
    static = client.get("/static/favicon.svg")
    assert static.status_code == 200
    static.close()


def test_opening_a_bulletin_reads_its_notice_for_a_unit_without_channels(browser, world, office_user):
    from tracker.models import UnitNotice
    from tracker.regime.bulletins import create_draft, publish

    w, tasks = world
    bulletin, _ = create_draft(office_user, "monthly", "2026-10")
    publish(office_user, bulletin)
    db.session.commit()
    notice = db.session.scalar(select(UnitNotice).where(UnitNotice.rule == "bulletin",
                                                        UnitNotice.unit_id == w.other.id))
    assert notice is not None and notice.read_at is None and not w.other.email
    browser.login("other")
    before = browser.get("/notify/inbox").get_data(as_text=True).split("</header>")[0]
    assert browser.get(f"/regime/bulletins/{bulletin.id}").status_code == 200
    db.session.expire_all()
    read = db.session.get(UnitNotice, notice.id)
    assert read.read_at is not None and read.read_by_id == w.users["other"].id
    after = browser.get("/notify/inbox").get_data(as_text=True).split("</header>")[0]
    assert 'title="2条未读"' in before and 'title="1条未读"' in after  # the 交办 notice is left


@pytest.mark.parametrize("backend", ["sqlite_url", "pg_url"])
def test_migration_0011_downgrades_and_upgrades(request, make_app, backend):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    app = make_app(request.getfixturevalue(backend))
    with app.app_context():
        assert "form_nonces" in inspect(db.engine).get_table_names()
        downgrade(revision="0011-1")
        assert "form_nonces" not in inspect(db.engine).get_table_names()
        upgrade()
        assert "form_nonces" in inspect(db.engine).get_table_names()
