"""The unit's workbench on its home page: what it owes this week, what was sent back and
why, what is new, what is due soon and what is overdue — each with the one link that
resolves it, and only links the person may use."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from conftest import NOW

from tracker.extensions import db
from tracker.ledger.operations import update_task
from tracker.reports.operations import submit_report
from tracker.signoff.operations import reject_signoff, request_signoff


@pytest.fixture
def world(make_world, make_task, office_user):
    """市发展改革局 leads: 1.1 (new, owes this week's report), 1.2 (due Friday), 1.3 (overdue),
    1.4 (sent back), 1.5 (suspended); 市工业和信息化局 co-handles 1.1."""
    w = make_world(task={"code": "1.1", "title": "新建产业园", "due_date": date(2026, 12, 18)},
                   users=("lead", "co", "leader"))
    lead = w.lead
    tasks = {"new": w.task,
             "soon": make_task(lead, due=date(2026, 11, 20), code="1.2", title="标准厂房竣工"),
             "late": make_task(lead, due=date(2026, 11, 13), code="1.3", title="征地拆迁"),
             "back": make_task(lead, due=date(2026, 12, 31), code="1.4", title="5G基站建设"),
             "paused": make_task(lead, due=date(2026, 11, 2), code="1.5", title="暂缓的事项")}
    liaison = w.users["lead"]
    for key in ("soon", "late", "back"):
        submit_report(liaison, tasks[key], progress=50, text="推进中", period="2026-W47")
    req = request_signoff(liaison, tasks["back"], "已完成")
    reject_signoff(office_user, tasks["back"], req.id, "缺少竣工验收报告")
    paused = tasks["paused"]
    update_task(office_user, paused, paused.version, {"status": "suspended"})
    db.session.commit()
    return w, tasks


def section(page: str, name: str) -> str:
    match = re.search(rf'<section class="card" id="{name}">(.*?)</section>', page, re.S)
    return match.group(1) if match else ""


def home(browser, w, login="lead") -> str:
    browser.login(login)
    return browser.get(f"/units/{w.lead.id}/home").get_data(as_text=True)


def test_the_unit_sees_each_list_with_its_facts_and_the_form_that_resolves_it(browser, world):
    w, tasks = world
    page = home(browser, w)
    owed = section(page, "owed")
    assert "本周应报送" in owed and "第47周（11月16日—22日）进展" in owed
    assert "截止2026年11月24日 12:00" in owed
    assert "1.1 新建产业园" in owed and "尚未报送第47周（11月16日—22日）进展" in owed
    assert f'/tasks/{tasks["new"].id}?period=2026-W47#report' in owed
    assert "1.2" not in owed and "1.5" not in owed  # reported; suspended

    back = section(page, "sent-back")
    assert "1.4 5G基站建设" in back and "退回理由：缺少竣工验收报告" in back
    assert f'/tasks/{tasks["back"].id}#report' in back

    new = section(page, "new")
    assert "1.1 新建产业园" in new and "/notify/inbox/" in new and "2026年12月18日" in new
    assert "1.3" not in new and "1.5" not in new  # reported on already; suspended

    soon = section(page, "due-soon")
    assert "1.2 标准厂房竣工" in soon and "还剩2个工作日" in soon
    assert f'/tasks/{tasks["soon"].id}#signoff' in soon

    late = section(page, "overdue")
    assert "1.3 征地拆迁" in late and "逾期3个工作日" in late and "1.5" not in late
    assert "催办逾期事项" not in late  # the office's button


def test_each_entry_leaves_its_list_once_resolved(app, browser, world):
    w, tasks = world
    liaison = w.users["lead"]
    link = re.search(r'href="(/notify/inbox/\d+)"', section(home(browser, w), "new")).group(1)
    assert browser.get(link).headers["Location"] == f"/tasks/{tasks['new'].id}"
    report = browser.get(f"/tasks/{tasks['new'].id}?period=2026-W47").get_data(as_text=True)
    assert 'value="2026-W47"' in report  # the link fills in the period owed
    app.config["FIXED_NOW"] = NOW + timedelta(hours=2)
    submit_report(liaison, tasks["new"], progress=10, text="开工", period="2026-W47")
    submit_report(liaison, tasks["back"], progress=100, text="补充验收报告", period="2026-W47")
    db.session.commit()
    page = browser.get(f"/units/{w.lead.id}/home").get_data(as_text=True)
    assert "本期进展已全部报送" in section(page, "owed")
    assert section(page, "sent-back") == "" and section(page, "new") == ""
    assert "1.3 征地拆迁" in section(page, "overdue")


def test_a_co_unit_sees_what_is_new_but_owes_the_lead_units_lists_nothing(browser, world):
    w, _ = world
    browser.login("co")
    page = browser.get(f"/units/{w.co.id}/home").get_data(as_text=True)
    assert "1.1 新建产业园" in section(page, "new")
    assert "1.1" not in section(page, "owed") and section(page, "overdue") == ""
    assert browser.get(f"/units/{w.lead.id}/home").status_code == 403


def test_only_the_units_own_people_get_acting_links_and_units_no_token_link(browser, world):
    w, tasks = world
    page = home(browser, w)
    assert "API 令牌" not in page and "/admin/tokens" not in page
    browser.post("/logout", form_url="/notify/inbox")
    leader = home(browser, w, "leader")
    assert "1.1 新建产业园" in section(leader, "owed")
    assert "#report" not in leader and "#signoff" not in leader and "催办逾期事项" not in leader
    browser.post("/logout", form_url="/notify/inbox")
    office = home(browser, w, "office")
    assert "#report" not in office and "催办逾期事项" in section(office, "overdue")
    assert "/admin/tokens" in office


def test_the_office_chases_a_units_overdue_list_from_its_home(browser, world):
    w, tasks = world
    home(browser, w, "office")
    response = browser.post(f"/notify/chase/units/{w.lead.id}", {"message": "请抓紧"},
                            form_url=f"/units/{w.lead.id}/home", follow_redirects=True)
    assert "已催办1项逾期事项" in response.get_data(as_text=True)
    again = browser.post(f"/notify/chase/units/{w.lead.id}", {}, form_url=f"/units/{w.lead.id}/home",
                         follow_redirects=True)
    assert "今天都已催办过" in again.get_data(as_text=True)


def test_the_workbench_reads_in_english_too(browser, world):
    w, _ = world
    browser.login("lead")
    page = browser.get(f"/units/{w.lead.id}/home?lang=en").get_data(as_text=True)
    for heading in ("Reports due this week", "Sent back", "Newly assigned", "Due soon"):
        assert heading in section(page, {"Reports due this week": "owed", "Sent back": "sent-back",
                                         "Newly assigned": "new", "Due soon": "due-soon"}[heading])
