"""The office's notification pages, read receipts, the calendar upload and the API."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from peers import robots  # noqa: F401 - fixture
from tracker import calendar
from tracker.notify.channel_settings import add_channel
from tracker.extensions import db
from tracker.models import Channel, JobRun, Notification
from tracker.notify import outbox, receipts
from tracker.notify.delivery import deliver


def failed_notice(app, unit, robots, office_user):  # noqa: F811
    app.config["SETTINGS"]["notify"]["max_attempts"] = 1
    add_channel(office_user, unit, "wecom", robots.url("/wecom/down"))
    robots.fail_times["/wecom/down"] = 1
    outbox.enqueue_for_unit("weekly-overdue-notice", unit, f"unit:{unit.id}", "2026-W47",
                            "【周调度】逾期事项", "- 1.1 标准厂房", "http://127.0.0.1:5000/tasks?unit_id=1")
    db.session.commit()
    deliver()
    return db.session.scalar(select(Notification))


def test_log_shows_dead_notice_with_its_error_and_retry_sends_it(app, browser, office_user,
                                                                  make_unit, robots):  # noqa: F811
    unit = make_unit("市发展改革局")
    dead = failed_notice(app, unit, robots, office_user)
    assert dead.status == "dead"
    browser.login("office")
    page = browser.get("/notify/?status=dead").get_data(as_text=True)
    assert "【周调度】逾期事项" in page and "HTTP 500" in page and "重发" in page
    assert "暂无通知" in browser.get("/notify/?status=sent").get_data(as_text=True)
    assert "暂无通知" in browser.get(f"/notify/?unit_id={unit.id + 99}").get_data(as_text=True)
    response = browser.post(f"/notify/{dead.id}/retry", form_url="/notify/")
    assert response.status_code == 302
    deliver()
    db.session.expire_all()
    assert db.session.get(Notification, dead.id).status == "sent"
    assert len(robots.delivered_to("/wecom/down")) == 1


def test_notification_pages_are_office_only(browser, make_user):
    make_user("unit", login="liaison")
    browser.login("liaison")
    for url in ("/notify/", "/notify/channels", "/notify/jobs"):
        assert browser.get(url).status_code == 403


def test_channel_settings_add_a_channel_and_send_a_test_message(app, browser, office_user,
                                                                make_unit, robots):  # noqa: F811
    unit = make_unit("市工业和信息化局")
    browser.login("office")
    url = f"/notify/channels?unit_id={unit.id}"
    added = browser.post(url, {"kind": "dingtalk", "target": robots.url("/dingtalk/t"),
                               "secret": "SECtest"})
    assert added.status_code == 302
    channel = db.session.scalar(select(Channel).where(Channel.unit_id == unit.id))
    robots.secrets["/dingtalk/t"] = "SECtest"
    page = browser.get(url).get_data(as_text=True)
    assert robots.url("/dingtalk/t") in page and "发送测试消息" in page
    response = browser.post(f"/notify/channels/{channel.id}/test", form_url=url, follow_redirects=True)
    assert "测试消息已发送" in response.get_data(as_text=True)
    [got] = robots.delivered_to("/dingtalk/t")
    assert "测试" in got.body["markdown"]["title"]
    robots.fail_times["/dingtalk/t"] = 1
    response = browser.post(f"/notify/channels/{channel.id}/test", form_url=url, follow_redirects=True)
    assert "测试消息发送失败" in response.get_data(as_text=True)


def test_opening_the_receipt_link_marks_the_notice_read_by_a_user_of_the_unit(
        app, browser, make_unit, make_user):
    unit = make_unit(email="unit@gov.test")
    other = make_user("unit", login="stranger")
    liaison = make_user("unit", unit=unit, login="liaison")
    outbox.enqueue_for_unit("overdue-notice", unit, f"unit:{unit.id}", "2026-11-18", "【催办】",
                            "- 1.1", f"http://127.0.0.1:5000/tasks?unit_id={unit.id}&overdue=true")
    db.session.commit()
    notice = db.session.scalar(select(Notification))
    path = receipts.ack_url(notice.id).split("5000", 1)[1]
    browser.login("stranger")
    browser.get(path)
    db.session.expire_all()
    assert db.session.get(Notification, notice.id).read_at is None  # not its unit
    browser.client.post("/logout", data={"csrf_token": _csrf(browser)})
    browser.login("liaison")
    response = browser.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/tasks?unit_id={unit.id}&overdue=true"
    db.session.expire_all()
    read = db.session.get(Notification, notice.id)
    assert read.read_by_id == liaison.id and read.read_at is not None
    assert other.id != liaison.id
    assert browser.get(path[:-3] + "xyz").status_code == 404  # a forged link


def _csrf(browser):
    page = browser.get("/notify/").get_data(as_text=True) or browser.get("/").get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', page)
    return match.group(1) if match else ""


def test_jobs_page_warns_of_an_unknown_year_until_the_office_uploads_it(app, browser, office_user,
                                                                       runner):
    from conftest import NOW
    from datetime import timedelta

    app.config["FIXED_NOW"] = NOW + timedelta(days=40)  # late December: looks into 2027
    runner.invoke(args=["tracker", "run-job", "overdue-notices", "--as-of", "2026-12-28", "--no-send"])
    browser.login("office")
    page = browser.get("/notify/jobs").get_data(as_text=True)
    assert page.count("2027年的法定节假日安排尚未知晓") >= 2  # banner and the run's note
    assert "overdue-notices" in page
    csv_data = "日期,类型,说明\n2027-01-01,休,元旦\n2027-02-07,班,春节调休\n".encode()
    from io import BytesIO

    response = browser.post("/notify/jobs", {"file": (BytesIO(csv_data), "2027.csv")},
                            content_type="multipart/form-data")
    assert response.status_code == 302
    assert calendar.is_known_year(2027)
    assert not calendar.is_workday(date(2027, 1, 1)) and calendar.is_workday(date(2027, 2, 7))
    assert "尚未知晓" not in browser.get("/notify/jobs").get_data(as_text=True).split("运行记录")[0]
    bad = browser.post("/notify/jobs", {"file": (BytesIO("2027-13-01,休\n".encode()), "x.csv")},
                       content_type="multipart/form-data")
    assert bad.status_code == 400 and "第1行" in bad.get_data(as_text=True)
    assert db.session.scalar(select(JobRun)).warning


def test_api_lists_notifications_with_filters_and_retries(app, client, office_user, make_user,
                                                          make_unit, token_for, robots):  # noqa: F811
    unit = make_unit()
    dead = failed_notice(app, unit, robots, office_user)
    headers = token_for(office_user)
    body = client.get("/api/v1/notifications?status=dead", headers=headers).get_json()
    assert body["total"] == 1 and body["page"] == 1
    [item] = body["items"]
    assert set(item) == {"id", "rule", "channel_kind", "target", "unit_id", "task_ids", "period",
                         "status", "attempts", "last_error", "created_at", "sent_at", "read_at"}
    assert item["status"] == "dead" and item["unit_id"] == unit.id and "HTTP 500" in item["last_error"]
    assert client.get("/api/v1/notifications?status=sent", headers=headers).get_json()["total"] == 0
    assert client.get("/api/v1/notifications?rule=other", headers=headers).get_json()["total"] == 0
    bad = client.get("/api/v1/notifications?status=lost", headers=headers)
    assert bad.status_code == 400 and bad.get_json()["field"] == "status"
    unit_user = token_for(make_user("unit", unit=unit))
    assert client.get("/api/v1/notifications", headers=unit_user).status_code == 403
    retried = client.post(f"/api/v1/notifications/{dead.id}/retry", headers=headers)
    assert retried.status_code == 200 and retried.get_json()["status"] == "pending"
    assert client.post(f"/api/v1/notifications/{dead.id}/retry", headers=headers).status_code == 409
    assert client.post("/api/v1/notifications/999/retry", headers=headers).status_code == 404
    assert "/notifications" in client.get("/api/v1/openapi.json").get_json()["paths"]
