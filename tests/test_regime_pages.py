"""The regime pages: bulletins (compile, edit, publish, printable view with its read
receipt, downloads), red/black list, lights, annual evaluation and the dashboard charts,
each with the right permissions."""
import io
import re
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select

from test_regime_redblack import at, report, sign_off
from conftest import NOW
from tracker.extensions import db
from tracker.models import AuditEvent, Bulletin, EvaluationAdjustment, Notification
from tracker.regime.bulletins import create_draft, publish


@pytest.fixture
def world(app, make_world, make_task):
    """The role world's 市发展改革局 (a, with the leader) and 市工业和信息化局 (b, with the unit
    user gxj), each with an email; three items as of 18 November 2026."""
    w = make_world(other=None, task=False,
                   emails={"lead": "fgj@example.cn", "co": "gxj@example.cn"},
                   users=("co", "leader"), logins={"co": "gxj"}, leader_unit="lead")
    a, b = w.lead, w.co
    at(app, date(2026, 10, 1))
    done = make_task(lead=a, due=date(2026, 11, 10), code="1", title="标准厂房建设")
    late = make_task(lead=b, due=date(2026, 11, 6), code="2", title="5G基站建设", leader="王副市长")
    road = make_task(lead=b, due=date(2026, 12, 15), code="3", title="农村公路")
    app.config["FIXED_NOW"] = NOW
    sign_off(done, date(2026, 11, 5))
    road.progress = 70
    db.session.commit()
    report(late, "2026-W46")
    return {"a": a, "b": b, "late": late, "road": road, "unit": w.users["co"],
            "leader": w.users["leader"]}


def _compile(browser, kind="monthly", period="2026-11"):
    return browser.post("/regime/bulletins", {"kind": kind, "period": period}, form_url="/regime/")


def _only_bulletin():
    return db.session.scalars(select(Bulletin)).one()


def test_office_compiles_edits_and_publishes_a_monthly_bulletin(browser, world):
    browser.login("office")
    response = _compile(browser)
    assert response.status_code == 302
    bulletin = _only_bulletin()
    assert response.location.endswith(f"/regime/bulletins/{bulletin.id}")
    page = browser.get(response.location).get_data(as_text=True)
    assert "关于2026年11月百千万工程工作推进情况的通报" in page and "草稿" in page
    for heading in ("一、总体情况", "二、各单位推进情况", "三、红榜", "四、黑榜", "五、存在问题",
                    "六、下步工作"):
        assert heading in page

    edit_url = f"/regime/bulletins/{bulletin.id}/edit"
    saved = browser.post(edit_url, {"opening": "11月全市重点任务总体推进有序。", "commentary": "请黑榜单位限期整改。",
                                    "key_points": "抓好年底冲刺\n确保农村公路完工"})
    assert saved.status_code == 302
    page = browser.get(f"/regime/bulletins/{bulletin.id}").get_data(as_text=True)
    assert "11月全市重点任务总体推进有序。" in page and "请黑榜单位限期整改。" in page
    assert page.index("抓好年底冲刺") > page.index("六、下步工作")
    edits = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bulletin.edit")).all()
    assert len(edits) == 1 and set(edits[0].detail) == {"opening", "commentary", "key_points"}

    published = browser.post(f"/regime/bulletins/{bulletin.id}/publish", {"confirmed": "1"},
                             form_url=f"/regime/bulletins/{bulletin.id}")
    assert published.status_code == 302
    db.session.refresh(bulletin)
    assert bulletin.is_published and bulletin.version == 1
    assert bulletin.content["key_points"] == "抓好年底冲刺\n确保农村公路完工"
    units = db.session.execute(select(Notification.unit_id).where(
        Notification.subject == f"bulletin-{bulletin.id}")).scalars().all()
    assert sorted(units) == sorted([world["a"].id, world["b"].id])
    page = browser.get(f"/regime/bulletins/{bulletin.id}").get_data(as_text=True)
    assert "已发布" in page and "编辑草稿" not in page and "重新发布为新版本" in page


def test_a_published_bulletin_shows_its_frozen_content(browser, world):
    browser.login("office")
    _compile(browser)
    bulletin = _only_bulletin()
    browser.post(f"/regime/bulletins/{bulletin.id}/publish", {"confirmed": "1"}, form_url=f"/regime/bulletins/{bulletin.id}")
    world["road"].title = "改名后的农村公路"
    db.session.commit()
    page = browser.get(f"/regime/bulletins/{bulletin.id}").get_data(as_text=True)
    assert "农村公路" in page and "改名后的农村公路" not in page
    assert browser.post(f"/regime/bulletins/{bulletin.id}/edit", {"opening": "x"}).status_code == 409
    db.session.refresh(bulletin)
    assert bulletin.opening == ""


def _office():
    from tracker.models import User

    return db.session.scalar(select(User).where(User.login == "office"))


def test_unit_cannot_compile_edit_or_publish_and_nothing_changes(browser, world):
    bulletin, _ = create_draft(_office(), "monthly", "2026-11")
    db.session.commit()
    browser.login("gxj")
    token = _csrf(browser.get("/regime/"))
    assert browser.client.post("/regime/bulletins", data={"kind": "monthly", "period": "2026-10",
                                                          "csrf_token": token}).status_code == 403
    assert browser.get(f"/regime/bulletins/{bulletin.id}").status_code == 403       # a draft
    assert browser.get(f"/regime/bulletins/{bulletin.id}/edit").status_code == 403
    assert browser.client.post(f"/regime/bulletins/{bulletin.id}/edit",
                               data={"opening": "改", "csrf_token": token}).status_code == 403
    assert browser.client.post(f"/regime/bulletins/{bulletin.id}/publish",
                               data={"csrf_token": token}).status_code == 403
    assert browser.get(f"/regime/bulletins/{bulletin.id}/document.docx").status_code == 403
    db.session.refresh(bulletin)
    assert db.session.scalar(select(func.count()).select_from(Bulletin)) == 1
    assert bulletin.status == "draft" and bulletin.opening == ""
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.rule == "bulletin")) == 0
    listing = browser.get("/regime/").get_data(as_text=True)
    assert "生成草稿" not in listing and f"/regime/bulletins/{bulletin.id}" not in listing


def _csrf(response):
    match = re.search(r'name="csrf-token" content="([^"]+)"', response.get_data(as_text=True))
    return match.group(1)


def test_publishing_needs_the_csrf_token(browser, world):
    browser.login("office")
    _compile(browser)
    bulletin = _only_bulletin()
    assert browser.client.post(f"/regime/bulletins/{bulletin.id}/publish").status_code == 400
    db.session.refresh(bulletin)
    assert bulletin.status == "draft"


def _published(period="2026-10"):
    bulletin, _ = create_draft(_office(), "monthly", period)
    publish(_office(), bulletin)
    db.session.commit()
    return bulletin


def test_unit_opening_the_notice_link_signs_for_it(browser, world, app):
    bulletin = _published()
    notice = db.session.scalar(select(Notification).where(Notification.unit_id == world["b"].id,
                                                          Notification.rule == "bulletin"))
    link = notice.link.removeprefix(app.config["SETTINGS"]["app"]["base_url"].rstrip("/"))
    assert link == f"/regime/bulletins/{bulletin.id}"
    browser.login("gxj")
    page = browser.get(link).get_data(as_text=True)
    assert "2026年10月工作推进情况通报" in page and "已签收" in page
    db.session.refresh(notice)
    assert notice.read_at is not None and notice.read_by_id == world["unit"].id
    other = db.session.scalar(select(Notification).where(Notification.unit_id == world["a"].id,
                                                         Notification.rule == "bulletin"))
    assert other.read_at is None          # another unit's notice stays unread


def test_a_leader_reading_a_bulletin_signs_for_no_unit(browser, world):
    """The leader belongs to unit a, whose notice stays unread: leaders only read."""
    bulletin = _published()
    browser.login("leader")
    page = browser.get(f"/regime/bulletins/{bulletin.id}").get_data(as_text=True)
    assert "2026年10月工作推进情况通报" in page and "已签收" not in page
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.read_at.is_not(None))) == 0


def test_bulletin_downloads_from_the_page(browser, world):
    browser.login("office")
    _compile(browser)
    bulletin = _only_bulletin()
    docx = browser.get(f"/regime/bulletins/{bulletin.id}/document.docx")
    texts = [p.text for p in Document(io.BytesIO(docx.data)).paragraphs]
    assert "关于2026年11月百千万工程工作推进情况的通报" in texts and "四、黑榜" in texts
    book = load_workbook(io.BytesIO(browser.get(f"/regime/bulletins/{bulletin.id}/table.xlsx").data))
    assert book.sheetnames[:3] == ["概况", "一、总体情况", "二、各单位推进情况"]


def test_bulletin_list_filters_by_kind_and_status(browser, world):
    browser.login("office")
    _compile(browser)
    _compile(browser, "quarterly", "2026-Q4")
    listed = browser.get("/regime/?kind=quarterly").get_data(as_text=True).split('id="bulletins"')[1]
    assert "季推进" in listed and "月通报" not in listed
    published = browser.get("/regime/?status=published").get_data(as_text=True)
    assert "暂无通报" in published.split('id="bulletins"')[1]
    bad = _compile(browser, "monthly", "2026-13")
    assert bad.status_code == 400 and "period" in bad.get_data(as_text=True)


def test_redblack_page_names_reasons_and_escalations(app, browser, world):
    app.config["SETTINGS"]["redblack"]["overrides"] = {"min_due_items": 1, "red_min_reporting": 0}
    browser.login("gxj")
    page = browser.get("/regime/redblack?as_of=2026-11-18").get_data(as_text=True)
    assert "市发展改革局" in page and "按时完成率100%（按时完成1项/应完成1项）" in page
    assert "按时完成率0%（按时完成0项/应完成1项），在市直部门中排名倒数第1" in page
    # As of 31 October nothing of unit b's was due yet, so this is its first placing.
    assert "连续7周存在迟报缺报" in page and "连续第1次上黑榜" in page and "约谈分管领导" in page


def test_lights_page_counts_per_light_and_unit(browser, world):
    browser.login("office")
    page = browser.get("/regime/lights?as_of=2026-11-18").get_data(as_text=True)
    totals = re.findall(r'<div class="stat[^"]*"><b>(\d+)</b>', page)
    assert totals == ["2", "0", "1"]               # green, yellow, red
    units = page.split('id="unit-lights"')[1]
    assert units.index("市工业和信息化局") < units.index("市发展改革局")    # most red first


def test_a_unit_sees_the_lights_of_its_own_items(browser, world):
    browser.login("gxj")
    page = browser.get("/regime/lights?as_of=2026-11-18").get_data(as_text=True)
    assert re.findall(r'<div class="stat[^"]*"><b>(\d+)</b>', page) == ["1", "0", "1"]
    assert "市发展改革局" not in page.split('id="unit-lights"')[1]


def test_evaluation_page_adjustment_needs_a_reason_and_is_audited(app, browser, world):
    app.config["SETTINGS"]["evaluation"]["min_items"] = 1
    browser.login("office")
    page = browser.get("/regime/evaluation?year=2026&as_of=2026-11-18").get_data(as_text=True)
    assert "2026年度考评" in page and "5G基站建设：逾期未完成" in page
    form = {"unit_id": world["b"].id, "kind": "adjustment", "points": "2", "reason": ""}
    refused = browser.post("/regime/evaluation?year=2026", form)
    assert refused.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(EvaluationAdjustment)) == 0
    form["reason"] = "主动承担攻坚任务"
    assert browser.post("/regime/evaluation?year=2026", form).status_code == 302
    page = browser.get("/regime/evaluation?year=2026&as_of=2026-11-18").get_data(as_text=True)
    assert "加减分：主动承担攻坚任务" in page
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "evaluation.adjust")) == 1
    book = load_workbook(io.BytesIO(browser.get("/regime/evaluation/2026.xlsx?as_of=2026-11-18").data))
    scores = list(book["考评得分与排名"].values)
    assert scores[1][:3] == ("排名", "单位", "得分")
    lines = list(book["得分明细"].values)
    assert ("市工业和信息化局", "加减分", 2, None, "加减分：主动承担攻坚任务") in lines


def test_unit_cannot_adjust_scores(browser, world):
    browser.login("gxj")
    form = {"unit_id": world["b"].id, "kind": "adjustment", "points": "5", "reason": "自评"}
    assert browser.post("/regime/evaluation?year=2026", form).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(EvaluationAdjustment)) == 0
    assert 'id="adjust-form"' not in browser.get("/regime/evaluation").get_data(as_text=True)


def test_dashboard_shows_the_regime_charts(browser, world):
    browser.login("office")
    page = browser.get("/").get_data(as_text=True)
    charts = page.split('id="regime-charts"')[1]
    assert "各单位亮灯" in charts and "逾期事项最多的单位" in charts
    assert "市工业和信息化局 红灯: 1" in charts
    assert "<title>市工业和信息化局: 1</title>" in charts
    assert "<title>2026-11: 1</title>" in page         # one item signed off in November
