"""Choosing things by name, without JavaScript (the test client): units from a list grouped
by kind in their configured order, co-units as a multiple choice, the parent item typed as a
code or title within the plan and never below the item itself. The browser's side, with the
searchable pickers, is test_browser_pickers.py."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.ledger.operations import plan_for_year
from tracker.models import Task, Unit


@pytest.fixture
def units(make_unit, office_user):
    """Units entered in no particular order: a county, departments, a 专班, a town."""
    made = {}
    for name, kind in (("遂溪县", "county"), ("市发展改革局", "department"), ("县域经济专班", "taskforce"),
                       ("城月镇", "town"), ("市工业和信息化局", "department")):
        made[name] = make_unit(name, kind)
    return made


@pytest.fixture
def tree(make_task, units):
    """1 推进县域经济高质量发展 → 1.1 培育壮大县域主导产业 → 1.1.1 新建标准厂房; 2 城镇建设."""
    lead = units["市发展改革局"]
    top = make_task(lead=lead, title="推进县域经济高质量发展")
    child = make_task(lead=lead, title="培育壮大县域主导产业", parent_id=top.id)
    grandchild = make_task(lead=lead, title="新建标准厂房50万平方米", parent_id=child.id)
    other = make_task(lead=lead, title="城镇建设提质增效")
    return top, child, grandchild, other


def _groups(page: str, select_name: str) -> list[tuple[str, list[str]]]:
    """[(optgroup label, [option texts])] of the select named *select_name*."""
    body = re.search(rf'<select[^>]*name="{select_name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [(label, re.findall(r"<option[^>]*>([^<]*)</option>", options))
            for label, options in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', body, re.S)]


def test_unit_pickers_list_units_grouped_by_kind_in_the_configured_order(browser, units):
    browser.login("office")
    page = browser.get("/tasks/new").get_data(as_text=True)
    assert "ID" not in re.sub(r"<[^>]+>", "", page.split("<main")[1])  # no form asks for an id
    expected = [("指挥部办公室", ["市百千万工程指挥部办公室"]), ("工作专班", ["县域经济专班"]),
                ("成员单位", ["市发展改革局", "市工业和信息化局"]), ("县（市、区）", ["遂溪县"]),
                ("镇（街）", ["城月镇"])]
    assert _groups(page, "lead_unit_id") == expected
    assert _groups(page, "co_unit_ids") == expected
    assert re.search(r'<select[^>]*name="co_unit_ids"[^>]*multiple', page)
    # The ledger's filter, the dispatch meeting and the account forms pick units the same way.
    assert _groups(browser.get("/tasks").get_data(as_text=True), "unit") == expected
    dispatch = browser.get("/regime/dispatch").get_data(as_text=True)
    assert _groups(dispatch, "items-0-lead_unit") == expected
    assert _groups(browser.get("/admin/users").get_data(as_text=True), "unit_id") == expected

    # sort_order is the order: the office moves 市工业和信息化局 to the head of its group.
    db.session.get(Unit, units["市工业和信息化局"].id).sort_order = 0
    db.session.commit()
    page = browser.get("/tasks/new").get_data(as_text=True)
    assert dict(_groups(page, "lead_unit_id"))["成员单位"] == ["市工业和信息化局", "市发展改革局"]


def test_the_office_assigns_an_item_by_typing_its_parent_and_choosing_co_units(browser, units, tree):
    top, child, _, _ = tree
    browser.login("office")
    response = browser.post("/tasks/new", {
        "title": "建设县域产业园区", "parent": "县域主导产业",  # words of the parent's title
        "lead_unit_id": str(units["县域经济专班"].id),
        "co_unit_ids": [str(units["遂溪县"].id), str(units["城月镇"].id)], "due_date": "2026-12-31"})
    assert response.status_code == 302, response.get_data(as_text=True)
    task = db.session.scalar(select(Task).where(Task.title == "建设县域产业园区"))
    assert task.parent_id == child.id and task.code == "1.1.2"
    assert {u.name for u in task.co_units} == {"遂溪县", "城月镇"}
    page = browser.get(response.location).get_data(as_text=True)
    assert "1.1 培育壮大县域主导产业" in page and "遂溪县" in page and "城月镇" in page

    # The code alone, or the picker's "code title", name the parent as well.
    for typed in ("1", "1 推进县域经济高质量发展"):
        response = browser.post("/tasks/new", {"title": f"挂在1下（{typed}）", "parent": typed,
                                               "lead_unit_id": str(units["市发展改革局"].id),
                                               "due_date": "2026-12-31"})
        assert response.status_code == 302
        assert db.session.scalar(select(Task).where(Task.title == f"挂在1下（{typed}）")).parent_id == top.id
    # The edit form shows the parent as the picker writes it.
    edit = browser.get(f"/tasks/{task.id}/edit").get_data(as_text=True)
    assert 'value="1.1 培育壮大县域主导产业"' in edit


def test_parent_suggestions_stay_in_the_plan_and_never_below_the_item(browser, tree):
    top, child, grandchild, other = tree
    stray = db.session.get(Task, other.id)
    stray.plan = plan_for_year(2025)  # last year's plan: never offered
    db.session.commit()
    browser.login("office")
    items = browser.get(f"/tasks/parents?task={child.id}&q=").get_json()["items"]
    assert items == ["1 推进县域经济高质量发展"]  # not 1.1 itself, not 1.1.1 below it, not 2
    assert browser.get("/tasks/parents?q=标准厂房").get_json()["items"] == ["1.1.1 新建标准厂房50万平方米"]
    assert browser.get("/tasks/parents?q=1.1").get_json()["items"] == [
        "1.1 培育壮大县域主导产业", "1.1.1 新建标准厂房50万平方米"]


def test_a_unit_gets_no_parent_suggestions(browser, make_user, units, tree):
    make_user("unit", unit=units["市发展改革局"], login="fgj")
    browser.login("fgj")
    assert browser.get("/tasks/parents?q=1").status_code == 403


@pytest.mark.parametrize("lang,message", [
    ("zh", "上级事项不能是本事项或它的下级事项"),
    ("en", "The parent item cannot be this item or one below it"),
])
def test_a_cycle_is_refused_in_the_users_words_once(browser, client, tree, lang, message):
    top, child, grandchild, _ = tree
    browser.login("office")
    browser.get(f"/tasks?lang={lang}")
    edit = browser.get(f"/tasks/{child.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', edit).group(1)
    response = browser.post(f"/tasks/{child.id}/edit", {
        "title": child.title, "parent": "1.1.1", "lead_unit_id": str(child.lead_unit_id),
        "due_date": "2026-12-18", "version": version})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert page.count(message) == 1 and "parent_id" not in page
    assert db.session.get(Task, child.id).parent_id == top.id


def test_the_ledger_operation_refuses_a_cycle_too(client, token_for, office_user, tree):
    top, child, grandchild, _ = tree
    answer = client.patch(f"/api/v1/tasks/{top.id}", headers=token_for(office_user),
                          json={"version": db.session.get(Task, top.id).version, "parent_id": grandchild.id})
    assert answer.status_code == 400
    assert answer.get_json() == {"error": "parent_id would put the task under itself", "field": "parent_id"}
    assert db.session.get(Task, top.id).parent_id is None


@pytest.mark.parametrize("typed,message", [
    ("9999", "本年度任务清单中没有编号或名称为“9999”的事项"),
    ("县域", "“县域”对应多个事项（1、1.1），请输入编号或选择一项"),
])
def test_a_parent_that_names_no_single_item_is_said_so_on_its_field(browser, units, tree, typed, message):
    browser.login("office")
    response = browser.post("/tasks/new", {"title": "新事项", "parent": typed,
                                           "lead_unit_id": str(units["市发展改革局"].id),
                                           "due_date": "2026-12-31"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and page.count(message) == 1
    assert 'value="新事项"' in page  # the input is kept
    assert db.session.scalar(select(Task).where(Task.title == "新事项")) is None


def test_the_ledger_filters_by_the_unit_picked(browser, units, make_task):
    make_task(lead=units["遂溪县"], title="遂溪县的事项")
    make_task(lead=units["城月镇"], title="城月镇的事项")
    browser.login("office")
    page = browser.get(f"/tasks?unit={units['遂溪县'].id}").get_data(as_text=True)
    assert "遂溪县的事项" in page and "城月镇的事项" not in page
    assert f'<option value="{units["遂溪县"].id}" selected>遂溪县</option>' in page
    everything = browser.get("/tasks?unit=").get_data(as_text=True)
    assert "遂溪县的事项" in everything and "城月镇的事项" in everything


def test_an_edit_that_sends_no_parent_keeps_the_parent(browser, tree):
    _, child, grandchild, _ = tree
    browser.login("office")
    edit = browser.get(f"/tasks/{grandchild.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', edit).group(1)
    response = browser.post(f"/tasks/{grandchild.id}/edit", {
        "title": "新建标准厂房60万平方米", "lead_unit_id": str(grandchild.lead_unit_id),
        "due_date": "2026-12-18", "version": version})
    assert response.status_code == 302
    assert db.session.get(Task, grandchild.id).parent_id == child.id


@pytest.mark.parametrize("value", ["99999999999", "abc", "-1"])
def test_a_unit_filter_no_unit_has_filters_nothing(browser, units, make_task, value):
    make_task(lead=units["遂溪县"], title="遂溪县的事项")
    browser.login("office")
    response = browser.get(f"/tasks?unit={value}")
    assert response.status_code == 200 and "遂溪县的事项" in response.get_data(as_text=True)
