"""Every message a page shows is in the reader's language and plain words, once, naming the
field by its label: the operations' refusals, conflicts, the error pages and failed
deliveries; the API keeps its `error` and `field` as documented. Chinese is the default,
English the language switch (?lang=en)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.ledger.operations import update_task
from tracker.models import Notification
from tracker.notify import outbox
from tracker.notify.delivery import deliver

# Technical or English text that must never reach a page in Chinese mode.
TECHNICAL = ("does not exist", "is not a", "parent_id", "lead_unit_id", "stale version", "Errno",
             "ConnectionRefusedError", "must be", "Not Found", "Bad Request", "standard")


def _main(page: str) -> str:
    """The page's main text, without tags, scripts or the <details> behind a toggle."""
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<details.*?</details>", "", main, flags=re.S)
    return re.sub(r"<[^>]+>", " ", main)


def _plain_chinese(page: str) -> None:
    text = _main(page)
    assert not [t for t in TECHNICAL if t in text], text


@pytest.fixture
def signed_in(browser, make_world):
    def factory(who: str = "office", lang: str = "zh"):
        world = make_world()
        browser.login(who)
        browser.get(f"/tasks?lang={lang}")
        return world
    return factory


@pytest.mark.parametrize("lang,message", [("zh", "找不到该事项：它不存在，或不属于你的单位"),
                                          ("en", "No such item: it does not exist, or belongs to another unit")])
def test_an_unknown_item_is_a_404_page_in_the_users_words(browser, signed_in, lang, message):
    signed_in("office", lang)
    response = browser.get("/tasks/99999")
    assert response.status_code == 404 and message in response.get_data(as_text=True)
    assert "task 99999" not in response.get_data(as_text=True)


@pytest.mark.parametrize("lang,message", [("zh", "找不到该页面：链接有误，或内容已不存在"),
                                          ("en", "Page not found: the link is wrong, or what it showed is gone")])
def test_an_unknown_address_is_a_404_page_in_the_users_words(browser, signed_in, lang, message):
    signed_in("office", lang)
    response = browser.get("/no-such-page")
    assert response.status_code == 404 and message in response.get_data(as_text=True)
    assert "The requested URL" not in response.get_data(as_text=True)


def test_a_form_without_its_token_is_told_to_reload(client, browser, signed_in):
    world = signed_in("lead")
    response = client.post(f"/tasks/{world.task.id}/reports", data={"progress": "10", "text": "x"})
    assert response.status_code == 400
    assert "页面已过期（安全令牌失效），请刷新页面后重新提交" in response.get_data(as_text=True)
    _plain_chinese(response.get_data(as_text=True))


@pytest.mark.parametrize("lang,period,message", [
    ("zh", "2026-W60", "2026年没有“2026-W60”这一期，请检查周次或月份"),
    ("zh", "2026-13", "期间应写作 2026-W47"),
    ("en", "2026-W60", "2026 has no period “2026-W60”: check the week or month"),
    ("en", "2026-13", "Write the period as 2026-W47"),
])
def test_a_bad_report_period_is_said_on_its_field_once(browser, signed_in, lang, period, message):
    world = signed_in("lead", lang)
    response = browser.post(f"/tasks/{world.task.id}/reports",
                            {"progress": "30", "text": "进展", "period": period}, form_url=f"/tasks/{world.task.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and page.count(message) == 1
    if lang == "zh":
        _plain_chinese(page)


@pytest.mark.parametrize("lang,message", [
    ("zh", "事项已被他人修改（当前第2版，你打开的是第1版），请刷新页面后重新修改"),
    ("en", "Someone else changed this item (now version 2, you opened version 1): reload the page and edit again"),
])
def test_a_stale_edit_is_a_conflict_said_once_in_plain_words(browser, signed_in, office_user, lang, message):
    world = signed_in("office", lang)
    edit = browser.get(f"/tasks/{world.task.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', edit).group(1)
    update_task(office_user, world.task, world.task.version, {"leader": "王副市长"})
    db.session.commit()
    response = browser.post(f"/tasks/{world.task.id}/edit", {
        "title": "改名", "lead_unit_id": str(world.lead.id), "due_date": "2026-12-18", "version": version})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and page.count(message) == 1
    if lang == "zh":
        _plain_chinese(page)


def test_a_wtforms_message_is_in_chinese_and_names_its_field(browser, signed_in):
    world = signed_in("lead")
    response = browser.post(f"/tasks/{world.task.id}/reports", {"progress": "很多", "text": "进展"},
                            form_url=f"/tasks/{world.task.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    field = re.search(r'<div class="field has-error">(.*?)</div>', page, re.S).group(1)
    assert "进度（%）" in field and "Not a valid" not in page


def test_the_api_keeps_its_error_and_field(client, token_for, office_user, make_world):
    world = make_world()
    answer = client.get("/api/v1/tasks/99999", headers=token_for(office_user))
    assert answer.status_code == 404 and answer.get_json() == {"error": "task 99999 does not exist",
                                                               "field": None}
    answer = client.post(f"/api/v1/tasks/{world.task.id}/reports", headers=token_for(world.users["lead"]),
                         json={"progress": 10, "text": "x", "period": "2026-W60"})
    assert answer.get_json() == {"error": "period: 2026-W60 is not a week of 2026", "field": "period"}


@pytest.mark.parametrize("lang,plain", [("zh", "邮件服务器无法连接（127.0.0.1:9）"),
                                        ("en", "Cannot reach the mail server (127.0.0.1:9)")])
def test_a_failed_delivery_reads_in_plain_words_with_the_raw_error_behind_a_toggle(
        app, browser, office_user, make_unit, lang, plain):
    app.config["SETTINGS"]["mail"].update(host="127.0.0.1", port=9)  # nothing listens: refused
    unit = make_unit("市发展改革局", email="fgj@gov.test")
    outbox.enqueue_for_unit("weekly-overdue-notice", unit, f"unit:{unit.id}", "2026-W47",
                            "【周调度】逾期事项", "- 1.1 标准厂房", "http://127.0.0.1:5000/tasks")
    db.session.commit()
    deliver()
    raw = db.session.scalar(select(Notification)).last_error
    assert raw.startswith("SMTP 127.0.0.1:9: ConnectionRefusedError")
    browser.login("office")
    page = browser.get(f"/notify/?lang={lang}").get_data(as_text=True)
    assert plain in _main(page)
    details = re.search(r"<details[^>]*>(.*?)</details>", page, re.S).group(1)
    assert "ConnectionRefusedError" in details
    if lang == "zh":
        _plain_chinese(page)


def test_the_red_black_list_names_its_rules_by_label(browser, signed_in):
    signed_in("office")
    page = browser.get("/regime/redblack").get_data(as_text=True)
    assert "规则：标准规则" in page
    _plain_chinese(page)
    assert "Rules: standard rules" in browser.get("/regime/redblack?lang=en").get_data(as_text=True)


def test_the_jobs_page_names_jobs_triggers_and_counts_in_words(app, browser, office_user, make_unit):
    from conftest import TODAY
    from tracker.jobs import runner

    app.config["SETTINGS"]["mail"].update(host="127.0.0.1", port=9)
    make_unit("市发展改革局", email="fgj@gov.test")
    runner.run("weekly-overdue-notice", TODAY)
    db.session.commit()
    browser.login("office")
    page = browser.get("/notify/jobs").get_data(as_text=True)
    runs = _main(page).split("运行记录", 1)[1]
    assert "周调度逾期通报" in runs and "手动" in runs and "单位 0" in runs
    assert "weekly-overdue-notice" not in runs and "manual" not in runs and "queued" not in runs
