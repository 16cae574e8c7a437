"""Each page renders for the roles that may see it, with what they need to see."""
from __future__ import annotations

from datetime import date

import pytest


@pytest.fixture
def ledger(make_unit, make_user, make_task, office_user):
    """Two units' items: one overdue, one due soon, one later; a liaison for the lead unit."""
    lead, other = make_unit("市发展改革局"), make_unit("市交通运输局")
    items = {
        "overdue": make_task(lead=lead, due=date(2026, 11, 10), title="重点产业项目投资"),
        "soon": make_task(lead=lead, due=date(2026, 11, 20), title="标准厂房建设"),
        "later": make_task(lead=other, co=[lead], due=date(2026, 12, 30), title="农村公路改造"),
    }
    return {"lead": lead, "other": other, "items": items,
            "liaison": make_user("unit", lead, login="fgj"),
            "leader": make_user("leader", login="lingdao")}


def test_office_dashboard_shows_totals_units_and_chart(browser, ledger):
    browser.login("office")
    page = browser.get("/")
    assert page.status_code == 200
    html = page.data.decode()
    assert "督办总览" in html and "<svg" in html
    assert "市发展改革局" in html and "市交通运输局" in html
    # 3 items, 1 overdue, 1 due within 7 days
    assert '<b>3</b><span>事项总数' in html
    assert '<b>1</b><span>逾期' in html
    assert '<b>1</b><span>7天内到期' in html


def test_leader_sees_the_dashboard_and_a_liaison_goes_to_the_unit_home(browser, ledger):
    browser.login("lingdao")
    assert "督办总览" in browser.get("/").data.decode()


def test_unit_home_lists_overdue_then_due_soon_then_the_rest(browser, ledger):
    browser.login("fgj")
    home = browser.get("/")
    assert home.status_code == 302
    assert home.headers["Location"].endswith(f"/units/{ledger['lead'].id}/home")
    html = browser.get(home.headers["Location"]).data.decode()
    positions = [html.index(t) for t in ("重点产业项目投资", "标准厂房建设", "农村公路改造")]
    assert positions == sorted(positions)


def test_a_unit_cannot_open_another_units_home(browser, ledger):
    browser.login("fgj")
    assert browser.get(f"/units/{ledger['other'].id}/home").status_code == 403
    assert browser.get("/units/99999/home").status_code == 404


def test_ledger_filters_by_overdue_status_unit_and_text(browser, ledger):
    browser.login("office")
    html = browser.get("/tasks?overdue=y").data.decode()
    assert "重点产业项目投资" in html and "标准厂房建设" not in html
    html = browser.get(f"/tasks?unit={ledger['other'].id}").data.decode()
    assert "农村公路改造" in html and "标准厂房建设" not in html
    html = browser.get("/tasks?q=厂房").data.decode()
    assert "标准厂房建设" in html and "农村公路改造" not in html
    html = browser.get("/tasks?status=signed_off").data.decode()
    assert "没有符合条件的事项" in html
    assert "新建事项" in html


def test_ledger_shows_light_with_reason_and_indents_children(browser, ledger, make_task):
    parent = ledger["items"]["later"]
    make_task(lead=ledger["other"], parent_id=parent.id, title="子事项", due=date(2026, 12, 1))
    browser.login("office")
    html = browser.get("/tasks").data.decode()
    assert 'class="dot dot-red" title="红灯：逾期' in html
    assert 'class="depth-1"' in html


def test_a_unit_sees_only_its_items_in_the_ledger_and_no_create_button(browser, ledger, make_task):
    make_task(title="别家的事项")
    browser.login("fgj")
    html = browser.get("/tasks").data.decode()
    assert "农村公路改造" in html and "别家的事项" not in html
    assert "新建事项" not in html


def test_item_page_shows_fields_light_and_forms_for_the_lead_unit(browser, ledger):
    task = ledger["items"]["soon"]
    browser.login("fgj")
    html = browser.get(f"/tasks/{task.id}").data.decode()
    assert "标准厂房建设" in html and "市发展改革局" in html
    assert "报送进展" in html and "申请销号" in html and "申请延期" in html
    assert "历史记录" in html and "新建事项" in html  # the history's first event
    assert "修改" not in html


def test_a_co_unit_may_report_but_not_request_signoff(browser, ledger):
    task = ledger["items"]["later"]
    browser.login("fgj")
    html = browser.get(f"/tasks/{task.id}").data.decode()
    assert 'id="report"' in html
    assert 'id="signoff"' not in html and 'id="extension"' not in html


def test_review_queue_and_admin_pages_render_for_the_office(browser, ledger):
    browser.login("office")
    for url in ("/review", "/admin/units", "/admin/users", "/admin/tokens", "/tasks/new",
                f"/tasks/{ledger['items']['soon'].id}/edit"):
        assert browser.get(url).status_code == 200, url


def test_english_with_lang_parameter(browser, ledger):
    browser.login("office")
    html = browser.get("/tasks?lang=en").data.decode()
    assert "Ledger" in html and "New item" in html
    assert "事项台账" not in html
    # the choice sticks for the session
    assert "Ledger" in browser.get("/").data.decode()
