"""Milestones (时间节点): set when assigning, edited later by form or API, kept in history."""
from datetime import date

from conftest import csrf_from
from tracker.audit import task_history
from tracker.extensions import db


def test_office_edits_milestones_in_the_item_form(browser, office_user, make_task):
    task = make_task(milestones=[{"due_date": date(2026, 12, 1), "expected_progress": 50,
                                  "title": "主体封顶"}])
    browser.login("office")
    page = browser.get(f"/tasks/{task.id}/edit")
    assert "2026-12-01 50 主体封顶" in page.get_data(as_text=True)
    form = {"title": task.title, "lead_unit_id": task.lead_unit_id, "due_date": "2026-12-18",
            "version": task.version, "milestones": "2026-12-01 60 主体封顶\n2026-12-15 90% 竣工验收",
            "csrf_token": csrf_from(page)}
    response = browser.client.post(f"/tasks/{task.id}/edit", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    assert [(m.due_date, m.expected_progress, m.title) for m in task.milestones] == [
        (date(2026, 12, 1), 60, "主体封顶"), (date(2026, 12, 15), 90, "竣工验收")]
    change = task_history(task.id)[-1]["detail"]["milestones"]
    assert change == {"before": ["2026-12-01 50 主体封顶"],
                      "after": ["2026-12-01 60 主体封顶", "2026-12-15 90 竣工验收"]}


def test_a_bad_milestone_line_is_named_and_nothing_changes(browser, office_user, make_task):
    task = make_task()
    browser.login("office")
    page = browser.get(f"/tasks/{task.id}/edit")
    form = {"title": "改名", "lead_unit_id": task.lead_unit_id, "due_date": "2026-12-18",
            "version": task.version, "milestones": "2026-12-01 60 主体封顶\n12月底 完成",
            "csrf_token": csrf_from(page)}
    response = browser.client.post(f"/tasks/{task.id}/edit", data=form)
    assert response.status_code == 400
    assert "第2行" in response.get_data(as_text=True)
    db.session.expire_all()
    assert task.title != "改名" and task.milestones == []


def test_api_patch_replaces_milestones(client, office_user, token_for, make_task):
    task = make_task(milestones=[{"due_date": date(2026, 12, 1), "expected_progress": 50}])
    response = client.patch(f"/api/v1/tasks/{task.id}", headers=token_for(office_user), json={
        "version": task.version,
        "milestones": [{"due_date": "2026-12-10", "expected_progress": 70, "title": "通车"}]})
    assert response.status_code == 200
    assert response.get_json()["milestones"] == [
        {"due_date": "2026-12-10", "expected_progress": 70, "title": "通车"}]


def test_api_rejects_a_milestone_without_progress(client, office_user, token_for, make_task):
    task = make_task()
    response = client.patch(f"/api/v1/tasks/{task.id}", headers=token_for(office_user), json={
        "version": task.version, "milestones": [{"due_date": "2026-12-10"}]})
    assert response.status_code == 400
    assert response.get_json()["field"] == "milestones"


def test_saving_the_form_with_unchanged_milestones_keeps_their_rows(browser, office_user, make_task):
    task = make_task(milestones=[{"due_date": date(2026, 12, 1), "expected_progress": 50,
                                  "title": "主体封顶"}])
    [before] = [m.id for m in task.milestones]
    browser.login("office")
    page = browser.get(f"/tasks/{task.id}/edit")
    form = {"title": "改名后", "lead_unit_id": task.lead_unit_id, "due_date": "2026-12-18",
            "version": task.version, "milestones": "2026-12-01 50 主体封顶",
            "csrf_token": csrf_from(page)}
    assert browser.client.post(f"/tasks/{task.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert task.title == "改名后" and [m.id for m in task.milestones] == [before]
    assert "milestones" not in task_history(task.id)[-1]["detail"]
