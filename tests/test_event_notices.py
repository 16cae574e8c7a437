"""The unit is told of every decision on its items: each event notice exactly once per
channel (a real webhook server and a real SMTP server), in its in-app notices, none when
the rule is off, and nothing more when the dispatcher runs again."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from conftest import NOW
from peers import robots, smtp  # noqa: F401 - fixtures
from tracker.extensions import db
from tracker.models import AuditEvent, Notification, UnitNotice
from tracker.notify.channel_settings import add_channel


@pytest.fixture
def peers(app, robots, smtp):  # noqa: F811 - fixture use
    app.config["SETTINGS"]["mail"].update(host="127.0.0.1", port=smtp.port)
    return robots, smtp


@pytest.fixture
def world(make_world, office_user, peers):
    """The lead unit with a webhook and an email address, the co-unit with email only, and
    no item yet: each test makes the change it is about."""
    robots, _ = peers
    w = make_world(task=False, tokens=True, emails={"lead": "fgj@gov.test", "co": "gxj@gov.test"})
    add_channel(office_user, w.lead, "webhook", robots.url("/webhook/lead"), "hook-secret")
    robots.secrets["/webhook/lead"] = "hook-secret"
    db.session.commit()
    return w


def dispatch(runner) -> str:
    result = runner.invoke(args=["tracker", "run-job", "dispatch-outbox"])
    assert result.exit_code == 0, result.output
    return result.output


def received(peers, rule: str | None = None):
    """(webhook payloads, {address: [(subject, text)]}) delivered so far (of *rule*)."""
    robots, mail = peers
    hooks = [r.body for r in robots.delivered_to("/webhook/lead") if rule in (None, r.body["rule"])]
    emails: dict[str, list] = {}
    for to, msg in mail.messages:
        emails.setdefault(to[0], []).append((str(msg["Subject"]),
                                             msg.get_body(("plain",)).get_content()))
    return hooks, emails


def new_task(world, **fields) -> dict:
    body = {"title": "湛江钢铁三高炉系统改造", "code": "2.3.1", "lead_unit_id": world.lead.id,
            "co_unit_ids": [world.co.id], "due_date": "2026-12-18", "leader": "王副市长", **fields}
    response = world.call("office", "POST", "/tasks", body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def in_app(unit) -> list[UnitNotice]:
    return list(db.session.scalars(select(UnitNotice).where(UnitNotice.unit_id == unit.id)
                                   .order_by(UnitNotice.id)))


def test_an_item_assigned_tells_the_lead_and_the_co_unit_once_on_every_channel(
        world, peers, runner):
    task = new_task(world)
    dispatch(runner)
    hooks, emails = received(peers)
    [hook] = hooks
    assert hook["rule"] == "assignment" and hook["task_ids"] == [task["id"]]
    assert hook["title"] == "【交办】2.3.1 湛江钢铁三高炉系统改造"
    assert "交办你单位牵头以下工作" in hook["text"] and "完成时限 2026年12月18日" in hook["text"]
    assert "责任领导 王副市长" in hook["text"]
    assert hook["link"].endswith(f"/tasks/{task['id']}")
    assert [s for s, _ in emails["fgj@gov.test"]] == ["【交办】2.3.1 湛江钢铁三高炉系统改造"]
    [(_, co_text)] = emails["gxj@gov.test"]
    assert "交办你单位配合以下工作" in co_text and "/notify/ack/" in co_text
    assert [n.title for n in in_app(world.lead)] == ["【交办】2.3.1 湛江钢铁三高炉系统改造"]
    assert len(in_app(world.co)) == 1 and in_app(world.other) == []

    assert "sent 0" in dispatch(runner)
    hooks_again, emails_again = received(peers)
    assert len(hooks_again) == 1 and sum(map(len, emails_again.values())) == 2


def test_a_unit_added_later_is_told_and_the_others_are_not_told_again(world, peers, runner):
    task = new_task(world, co_unit_ids=[])
    dispatch(runner)
    peers[0].delivered.clear()
    peers[1].messages.clear()
    response = world.call("office", "PATCH", f"/tasks/{task['id']}",
                          {"version": task["version"], "co_unit_ids": [world.other.id],
                           "title": "湛江钢铁三高炉系统改造（二期）"})
    assert response.status_code == 200, response.get_json()
    dispatch(runner)
    hooks, _ = received(peers)
    assert hooks == []
    assert [n.rule for n in in_app(world.other)] == ["assignment"]
    assert "配合" in in_app(world.other)[0].body
    assert [n.rule for n in in_app(world.lead)] == ["assignment"]


def test_sending_back_a_signoff_tells_the_unit_why_and_approving_tells_it_is_done(
        world, peers, runner):
    task = new_task(world)
    url = f"/tasks/{task['id']}/signoff-requests"
    rid = world.call("lead", "POST", url, {"note": "已完成"}).get_json()["id"]
    assert world.call("office", "POST", f"{url}/{rid}/reject",
                      {"reason": "缺少竣工验收报告"}).status_code == 200
    rid2 = world.call("lead", "POST", url, {"note": "已补充验收报告"}).get_json()["id"]
    assert world.call("office", "POST", f"{url}/{rid2}/approve").status_code == 200
    dispatch(runner)
    dispatch(runner)
    [rejected] = received(peers, "signoff-rejected")[0]
    assert rejected["title"] == "【退回】2.3.1 湛江钢铁三高炉系统改造：销号申请被退回"
    assert "退回理由：缺少竣工验收报告" in rejected["text"] and "恢复为推进中" in rejected["text"]
    [approved] = received(peers, "signoff-approved")[0]
    assert "已同意销号" in approved["title"] and "2026年11月18日" in approved["text"]
    subjects = [s for s, _ in received(peers)[1]["fgj@gov.test"]]
    assert subjects.count("【退回】2.3.1 湛江钢铁三高炉系统改造：销号申请被退回") == 1
    assert subjects.count("【销号】2.3.1 湛江钢铁三高炉系统改造：已同意销号") == 1
    # The co-unit did not ask: it hears of neither decision.
    assert [s for s, _ in received(peers)[1]["gxj@gov.test"]] == ["【交办】2.3.1 湛江钢铁三高炉系统改造"]


def test_extension_decisions_name_the_new_or_kept_deadline_and_the_reason(world, peers, runner):
    task = new_task(world)
    url = f"/tasks/{task['id']}/extension-requests"
    rid = world.call("lead", "POST", url, {"new_due_date": "2027-01-31",
                                           "reason": "征地手续延误"}).get_json()["id"]
    assert world.call("office", "POST", f"{url}/{rid}/reject",
                      {"reason": "不符合延期条件"}).status_code == 200
    rid2 = world.call("lead", "POST", url, {"new_due_date": "2027-01-15",
                                            "reason": "设备到货推迟"}).get_json()["id"]
    assert world.call("office", "POST", f"{url}/{rid2}/approve").status_code == 200
    dispatch(runner)
    [rejected] = received(peers, "extension-rejected")[0]
    assert "延期申请未获同意" in rejected["title"]
    assert "完成时限仍为2026年12月18日" in rejected["text"] and "驳回理由：不符合延期条件" in rejected["text"]
    [approved] = received(peers, "extension-approved")[0]
    assert "由2026年12月18日调整为2027年1月15日" in approved["text"] and "设备到货推迟" in approved["text"]
    # An approved extension moves the deadline and is told once, as extension-approved.
    assert received(peers, "deadline-change")[0] == []
    assert "sent 0" in dispatch(runner)


def test_the_office_moving_a_deadline_tells_lead_and_co_unit_once(world, peers, runner):
    task = new_task(world)
    response = world.call("office", "PATCH", f"/tasks/{task['id']}",
                          {"version": task["version"], "due_date": "2026-11-30"})
    assert response.status_code == 200, response.get_json()
    dispatch(runner)
    [hook] = received(peers, "deadline-change")[0]
    assert hook["title"] == "【时限调整】2.3.1 湛江钢铁三高炉系统改造"
    assert "由2026年12月18日调整为2026年11月30日" in hook["text"]
    emails = received(peers)[1]
    assert sum(s.startswith("【时限调整】") for s, _ in emails["fgj@gov.test"]) == 1
    assert sum(s.startswith("【时限调整】") for s, _ in emails["gxj@gov.test"]) == 1
    assert "sent 0" in dispatch(runner)


def test_chase_once_a_day_per_item_with_the_office_message(app, world, peers, runner):
    task = new_task(world, due_date="2026-11-13")
    url = f"/tasks/{task['id']}/chase"
    assert world.call("lead", "POST", url, {"message": "x"}).status_code == 403
    response = world.call("office", "POST", url, {"message": "请于本周五前报送整改措施"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["day"] == "2026-11-18" and response.get_json()["unit_id"] == world.lead.id
    again = world.call("office", "POST", url)
    assert again.status_code == 409 and again.get_json()["error"]
    dispatch(runner)
    [hook] = received(peers, "chase")[0]
    assert hook["title"] == "【催办】2.3.1 湛江钢铁三高炉系统改造"
    assert "催办意见：请于本周五前报送整改措施" in hook["text"] and "逾期3个工作日" in hook["text"]
    assert [e.action for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.task_id == task["id"], AuditEvent.action == "task.chase"))] == ["task.chase"]
    # The unit's overdue list the same day: nothing left to chase.
    assert world.call("office", "POST", f"/units/{world.lead.id}/chase").status_code == 409
    app.config["FIXED_NOW"] = NOW + timedelta(days=1)
    listed = world.call("office", "POST", f"/units/{world.lead.id}/chase", {"message": "抓紧"})
    assert listed.status_code == 201, listed.get_json()
    assert [c["task_id"] for c in listed.get_json()["items"]] == [task["id"]]
    dispatch(runner)
    assert len(received(peers, "chase")[0]) == 2
    assert "sent 0" in dispatch(runner)


@pytest.mark.parametrize("rule", ["assignment", "deadline-change", "signoff-rejected", "chase"])
def test_a_rule_switched_off_sends_and_files_nothing(app, world, peers, runner, rule):
    app.config["SETTINGS"]["notify"]["rules"][rule] = False
    task = new_task(world, due_date="2026-11-13")
    world.call("office", "PATCH", f"/tasks/{task['id']}", {"version": task["version"],
                                                          "due_date": "2026-11-16"})
    url = f"/tasks/{task['id']}/signoff-requests"
    rid = world.call("lead", "POST", url, {"note": "已完成"}).get_json()["id"]
    world.call("office", "POST", f"{url}/{rid}/reject", {"reason": "材料不全"})
    chased = world.call("office", "POST", f"/tasks/{task['id']}/chase")
    assert chased.status_code == (409 if rule == "chase" else 201)
    dispatch(runner)
    rules = {n.rule for n in db.session.scalars(select(Notification))}
    assert rule not in rules
    assert rule not in {n.rule for n in in_app(world.lead)}
    others = {"assignment", "deadline-change", "signoff-rejected", "chase"} - {rule}
    assert others <= rules
    assert {r.body["rule"] for r in peers[0].delivered} == others


def test_in_app_notices_count_unread_and_opening_one_marks_it_read_like_the_receipt(
        world, peers, runner, browser):
    task = new_task(world)
    dispatch(runner)
    browser.login("lead")
    home = browser.get("/units/{}/home".format(world.lead.id)).get_data(as_text=True)
    assert 'class="notices-link"' in home and ">1</b>" in home
    page = browser.get("/notify/inbox").get_data(as_text=True)
    assert "【交办】2.3.1 湛江钢铁三高炉系统改造" in page and "未读" in page
    assert "[2.3.1" not in page  # item links shown as their text
    [notice] = in_app(world.lead)
    opened = browser.get(f"/notify/inbox/{notice.id}")
    assert opened.status_code == 302 and opened.headers["Location"] == f"/tasks/{task['id']}"
    db.session.expire_all()
    notice = db.session.get(UnitNotice, notice.id)
    rows = list(db.session.scalars(select(Notification).where(Notification.unit_id == world.lead.id)))
    assert notice.read_at is not None and notice.read_by_id == world.users["lead"].id
    assert len(rows) == 2 and {r.read_at for r in rows} == {notice.read_at}
    assert ">1</b>" not in browser.get("/notify/inbox").get_data(as_text=True)
    # Another unit's notice is not theirs to open, nor in their list: it answers like none.
    [co_notice] = in_app(world.co)
    assert browser.get(f"/notify/inbox/{co_notice.id}").status_code == 404
    assert browser.get("/notify/inbox/999999").status_code == 404
    db.session.expire_all()
    assert db.session.get(UnitNotice, co_notice.id).read_at is None


def test_the_receipt_link_in_a_message_marks_the_in_app_notice_read(world, peers, runner, browser):
    new_task(world)
    dispatch(runner)
    [hook] = received(peers)[0]
    browser.login("co")
    assert browser.get(hook["ack_link"].split("5000", 1)[1]).status_code == 302  # not its unit
    browser.client.post("/logout", data={"csrf_token": _csrf(browser)})
    browser.login("lead")
    assert browser.get(hook["ack_link"].split("5000", 1)[1]).status_code == 302
    db.session.expire_all()
    [notice] = in_app(world.lead)
    email_row = db.session.scalar(select(Notification).where(
        Notification.unit_id == world.lead.id, Notification.channel_kind == "email"))
    hook_row = db.session.get(Notification, hook["id"])
    assert hook_row.read_at is not None and notice.read_at == hook_row.read_at == email_row.read_at
    assert in_app(world.co)[0].read_at is None


def _csrf(browser) -> str:
    import re

    page = browser.get("/notify/inbox").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_the_office_chases_from_the_item_page_and_the_button_then_says_so(world, peers, browser):
    task = new_task(world, due_date="2026-11-13")
    browser.login("office")
    page = browser.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert 'id="chase"' in page
    response = browser.post(f"/notify/chase/tasks/{task['id']}", {"message": "抓紧"},
                            form_url=f"/tasks/{task['id']}", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "已催办，通知已发送给牵头单位" in text and "今天已催办过该事项" in text
    assert [n.rule for n in in_app(world.lead)][-1] == "chase"
    # Without the CSRF token nothing is chased.
    assert browser.client.post(f"/notify/chase/units/{world.lead.id}").status_code == 400
    # A unit is offered no chase.
    browser.client.post("/logout", data={"csrf_token": _csrf(browser)})
    browser.login("lead")
    assert 'id="chase"' not in browser.get(f"/tasks/{task['id']}").get_data(as_text=True)


def test_no_event_means_no_notice_for_an_unrelated_edit(world, peers, runner):
    task = new_task(world)
    dispatch(runner)
    response = world.call("office", "PATCH", f"/tasks/{task['id']}",
                          {"version": task["version"], "title": "湛江钢铁三高炉系统改造（更名）"})
    assert response.status_code == 200
    assert "sent 0" in dispatch(runner)
    assert date(2026, 12, 18).isoformat() == task["due_date"]
