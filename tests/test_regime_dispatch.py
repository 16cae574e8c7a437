"""The weekly dispatch (周调度): the week's table on a page and as .xlsx in the ledger's
layout, and the dispatch meeting whose agreed items become tasks and open next week's table."""
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from test_regime_redblack import at, report
from conftest import NOW
from tracker.extensions import db
from tracker.models import DispatchMeeting, ProgressReport, Task

HEADER = ("序号", "编号", "任务名称", "牵头单位", "责任领导", "完成时限", "年度目标", "累计完成",
          "完成率", "序时进度", "亮灯", "本周进展", "存在问题", "下步计划", "报送情况")


@pytest.fixture
def week(app, make_unit, make_task, make_user, office_user):
    """W46 (9–15 Nov, reports due Tue 17 Nov 12:00): 1 on time, 2 late, 3 missing."""
    fgj, gxj = make_unit("市发展改革局"), make_unit("市工业和信息化局")
    at(app, date(2026, 10, 1))
    park = make_task(lead=fgj, due=date(2026, 12, 31), code="1", title="产业园区扩容",
                     leader="李副市长")
    base = make_task(lead=gxj, due=date(2026, 11, 6), code="2", title="5G基站建设",
                     leader="王副市长")
    road = make_task(lead=gxj, due=date(2026, 12, 15), code="3", title="农村公路")
    app.config["FIXED_NOW"] = NOW
    report(park, "2026-W46")
    report(base, "2026-W46", on_time=False)
    db.session.execute(ProgressReport.__table__.update().where(ProgressReport.task_id == park.id)
                       .values(text="完成土地征收80%", problems="用地指标紧张", next_steps="完成剩余征收"))
    db.session.commit()
    make_user("unit", unit=gxj, login="gxj")
    return {"fgj": fgj, "gxj": gxj, "park": park, "base": base, "road": road}


def test_dispatch_page_lists_each_item_with_its_report_and_light(browser, week):
    browser.login("office")
    page = browser.get("/regime/dispatch?period=2026-W46").get_data(as_text=True)
    table = page.split('id="dispatch-table"')[1].split("</section>")[0]
    assert "应报送 3 项" in table and "按时报送 1 项" in table and "迟报 1 项" in table \
        and "缺报 1 项" in table
    for text in ("产业园区扩容", "完成土地征收80%", "用地指标紧张", "完成剩余征收", "李副市长"):
        assert text in table
    assert "红灯（逾期8个工作日）" in table          # item 2, due 6 Nov


def test_dispatch_is_last_week_by_default_and_a_bad_week_is_refused(browser, week):
    browser.login("office")
    assert "<title>周调度 第46周（11月9日—15日） · 督办</title>" in browser.get("/regime/dispatch").get_data(as_text=True)
    page = browser.get("/regime/dispatch?period=2026-W99", follow_redirects=True).get_data(as_text=True)
    assert "2026年没有“2026-W99”这一期" in page and "is not a week" not in page
    assert 'value="2026-W46"' in page


def test_dispatch_xlsx_reads_back_in_the_ledger_layout(browser, week):
    browser.login("office")
    response = browser.get("/regime/dispatch/2026-W46.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="dispatch-2026-W46.xlsx"'
    rows = list(load_workbook(io.BytesIO(response.data)).active.values)
    assert rows[0][0] == "2026年第46周工作调度表"
    assert rows[1] == HEADER
    first = rows[2]
    assert first[:5] == (1, "1", "产业园区扩容", "市发展改革局", "李副市长")
    assert first[5].date() == date(2026, 12, 31)              # a date cell, not text
    assert first[6:8] == (None, None)                          # no quantified target
    # 完成率 is the reported progress (50%); 序时进度 the share of 1 Oct–31 Dec elapsed by 18 Nov.
    assert first[8] == 0.5 and first[9] == 0.52
    assert first[11:] == ("完成土地征收80%", "用地指标紧张", "完成剩余征收", "按时报送")
    assert [r[1] for r in rows[2:]] == ["1", "2", "3"]      # grouped by lead unit, ledger order
    assert [r[14] for r in rows[2:]] == ["按时报送", "迟报", "缺报"]
    assert rows[3][10] == "红灯（逾期8个工作日）"


def test_a_unit_sees_only_its_items_in_the_dispatch(browser, week):
    browser.login("gxj")
    page = browser.get("/regime/dispatch?period=2026-W46").get_data(as_text=True)
    assert "产业园区扩容" not in page and "5G基站建设" in page and "农村公路" in page
    rows = list(load_workbook(io.BytesIO(browser.get("/regime/dispatch/2026-W46.xlsx").data)).active.values)
    assert [r[1] for r in rows[2:]] == ["2", "3"]
    assert 'id="meeting-form"' not in page


def _meeting(browser, week, period="2026-W46"):
    return browser.post(f"/regime/dispatch?period={period}", {
        "title": "第46周调度会", "held_on": "2026-11-18", "notes": "研究5G基站建设推进",
        "items-0-title": "协调解决5G基站用地", "items-0-lead_unit": str(week["gxj"].id),
        "items-0-due_date": "2026-11-30", "items-0-leader": "王副市长",
        "items-1-title": "园区污水管网接入", "items-1-lead_unit": str(week["fgj"].id),
        "items-1-due_date": "2026-12-10", "items-1-leader": "",
        "items-2-title": "", "items-3-title": "", "items-4-title": ""})


def test_agreed_items_become_tasks_and_open_next_weeks_table(browser, week):
    browser.login("office")
    response = _meeting(browser, week)
    assert response.status_code == 302
    meeting = db.session.scalars(select(DispatchMeeting)).one()
    titles = [t.title for t in meeting.agreed_items]
    assert sorted(titles) == ["协调解决5G基站用地", "园区污水管网接入"]
    task = db.session.scalar(select(Task).where(Task.title == "协调解决5G基站用地"))
    assert task.lead_unit_id == week["gxj"].id and task.due_date == date(2026, 11, 30)
    assert task.leader == "王副市长" and "第46周调度会议定事项" in task.description
    this_week = browser.get("/regime/dispatch?period=2026-W46").get_data(as_text=True)
    assert "第46周调度会" in this_week.split('id="meetings"')[1]
    # Next week's table opens with how these agreed items went.
    next_week = browser.get("/regime/dispatch?period=2026-W47").get_data(as_text=True)
    review = next_week.split('id="agreed-review"')[1].split("</section>")[0]
    assert "协调解决5G基站用地" in review and "园区污水管网接入" in review
    assert "第46周调度会" in review and "未启动" in review
    assert next_week.index('id="agreed-review"') < next_week.index('id="dispatch-table"')
    empty = browser.get("/regime/dispatch?period=2026-W46").get_data(as_text=True)
    assert "第45周（11月2日—8日）无议定事项" in empty


def test_a_meeting_needs_an_agreed_item(browser, week):
    browser.login("office")
    response = browser.post("/regime/dispatch?period=2026-W46",
                            {"title": "空会", "held_on": "2026-11-18", "items-0-title": ""})
    assert response.status_code == 400
    assert "请至少填写一项议定事项" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(DispatchMeeting)) == 0


def test_a_unit_may_not_record_a_meeting(browser, week):
    browser.login("gxj")
    tasks = db.session.scalar(select(func.count()).select_from(Task))
    assert _meeting(browser, week).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(DispatchMeeting)) == 0
    assert db.session.scalar(select(func.count()).select_from(Task)) == tasks


def test_an_agreed_item_needs_a_known_lead_unit(browser, week):
    browser.login("office")
    tasks = db.session.scalar(select(func.count()).select_from(Task))
    response = browser.post("/regime/dispatch?period=2026-W46", {
        "title": "第46周调度会", "held_on": "2026-11-18", "items-0-title": "协调解决5G基站用地",
        "items-0-lead_unit": "99999", "items-0-due_date": "2026-11-30"})
    assert response.status_code == 400
    assert "所选单位不存在" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Task)) == tasks
    assert db.session.scalar(select(func.count()).select_from(DispatchMeeting)) == 0
