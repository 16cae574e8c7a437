"""Each notice job, as of a given date: exactly whom it reaches and which items it lists."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from peers import robots, smtp  # noqa: F401 - fixtures
from tracker.accounts.operations import create_user
from tracker.extensions import db
from tracker.jobs import notices
from tracker.models import JobRun, Notification
from tracker.notify.delivery import deliver
from tracker.notify.channel_settings import add_channel
from tracker.reports.operations import submit_report
from tracker.signoff.operations import approve_signoff, request_signoff

MON = date(2026, 11, 16)


@pytest.fixture
def peers(app, robots, smtp):  # noqa: F811 - fixture use
    app.config["SETTINGS"]["mail"].update(host="127.0.0.1", port=smtp.port)
    robots.secrets.update({"/dingtalk/b": "SECb-dingtalk", "/feishu/office": "feishu-secret"})
    return robots, smtp


@pytest.fixture
def world(app, make_world, make_task, office_user, peers, smtp):  # noqa: F811 - fixture use
    """Units A (email + WeCom), B (signed DingTalk), C (nothing overdue) and the office
    (signed Feishu + an office user's email), with items around Monday 16 November 2026:
    the role world with A as lead unit and C as co-unit of a1, B the other unit."""
    robots, _ = peers
    office_user.email = "office@gov.test"
    w = make_world(co="市投资促进局", other="市工业和信息化局", users=("lead",),
                   emails={"lead": "fgj@gov.test", "co": "tzj@gov.test"},
                   task={"due_date": date(2026, 11, 13), "code": "1.1",
                         "title": "宝钢氢基竖炉项目投资"})
    a, b, c = w.lead, w.other, w.co
    add_channel(office_user, w.office, "feishu", robots.url("/feishu/office"), "feishu-secret")
    add_channel(office_user, a, "wecom", robots.url("/wecom/a"))
    add_channel(office_user, b, "dingtalk", robots.url("/dingtalk/b"), "SECb-dingtalk")
    db.session.commit()
    tasks = {
        "a1": w.task,
        "a2": make_task(a, due=date(2026, 11, 2), code="1.2", title="标准厂房建设"),
        "a3": make_task(a, due=date(2026, 11, 1), code="1.3", title="已销号事项"),
        "b1": make_task(b, due=MON, code="2.1", title="今日到期事项"),
        "b2": make_task(b, due=date(2026, 11, 15), code="2.2", title="5G基站建设"),
        "c1": make_task(c, due=date(2026, 12, 18), code="3.1", title="招商引资"),
    }
    liaison = w.users["lead"]
    request_signoff(liaison, tasks["a3"], "已完成")
    approve_signoff(office_user, tasks["a3"], tasks["a3"].id and _pending(tasks["a3"]))
    submit_report(liaison, tasks["a1"], progress=30, text="完成土地平整")
    db.session.commit()
    deliver()  # the units were told of their new items and the sign-off: those are sent
    robots.delivered.clear()
    smtp.messages.clear()
    return {"a": a, "b": b, "c": c, "office": w.office, "tasks": tasks, "robots": robots}


def _pending(task):
    from tracker.models import SignoffRequest

    return db.session.scalar(select(SignoffRequest.id).where(SignoffRequest.task_id == task.id))


def queued(rule=None):
    query = select(Notification).order_by(Notification.id)
    if rule:
        query = query.where(Notification.rule == rule)
    return list(db.session.scalars(query))


def test_weekly_overdue_notice_one_message_per_unit_with_exactly_its_overdue_items(
        runner, world, peers):
    robots, mail = peers
    result = runner.invoke(args=["tracker", "run-job", "weekly-overdue-notice", "--as-of", "2026-11-16"])
    assert result.exit_code == 0, result.output
    assert "weekly-overdue-notice as of 2026-11-16: units 2, items 3" in result.output
    assert "delivered: sent 5" in result.output

    [wecom_a] = robots.delivered_to("/wecom/a")
    text = wecom_a.body["markdown"]["content"]
    assert "1.1 宝钢氢基竖炉项目投资" in text and "逾期1个工作日" in text
    assert "1.2 标准厂房建设" in text and "逾期10个工作日" in text
    assert "已销号事项" not in text and "5G" not in text
    assert "最近报送 2026年11月18日" in text and "最近报送 未报送" in text
    [ding_b] = robots.delivered_to("/dingtalk/b")
    text = ding_b.body["markdown"]["text"]
    assert "2.2 5G基站建设" in text and "逾期1个工作日" in text and "今日到期事项" not in text
    [summary] = robots.delivered_to("/feishu/office")
    lines = [part[0]["text"] for part in summary.body["content"]["post"]["zh_cn"]["content"][:-1]]
    assert lines == ["截至2026年11月16日，2个单位共3项工作逾期：",
                     "- 市发展改革局：逾期2项，最长逾期10个工作日",
                     "- 市工业和信息化局：逾期1项，最长逾期1个工作日"]
    assert sorted(to[0] for to, _ in mail.messages) == ["fgj@gov.test", "office@gov.test"]
    assert not robots.delivered_to("/wecom/c")
    by_unit = {n.unit_id: sorted(n.task_ids) for n in queued("weekly-overdue-notice")}
    t = world["tasks"]
    assert by_unit == {world["a"].id: sorted([t["a1"].id, t["a2"].id]), world["b"].id: [t["b2"].id]}

    again = runner.invoke(args=["tracker", "run-job", "weekly-overdue-notice", "--as-of", "2026-11-16"])
    assert again.exit_code == 0 and "queued 0" in again.output
    assert len(robots.delivered) == 3 and len(mail.messages) == 2
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 2


def test_deadline_reminders_count_working_days_ahead(app, world):
    a, b = world["a"], world["b"]
    t = world["tasks"]
    counts = notices.deadline_reminders(date(2026, 11, 16))  # Monday; offsets 5, 2, 0
    db.session.commit()
    # due today (0) → b1 only; 2 working days → Wed 18th; 5 → Mon 23rd: none there
    assert counts == {"units": 1, "items": 1, "queued": 1}
    [n] = queued("deadline-reminder")
    assert n.unit_id == b.id and n.task_ids == [t["b1"].id] and "今日到期" in n.body
    friday = world["tasks"]["c1"]
    assert friday.lead_unit_id != a.id
    # 18 Dec (Fri) is 5 working days after Fri 11 Dec and 2 after Wed 16 Dec.
    assert notices.deadline_reminders(date(2026, 12, 11))["items"] == 1
    assert notices.deadline_reminders(date(2026, 12, 16))["items"] == 1
    assert notices.deadline_reminders(date(2026, 12, 15))["items"] == 0


def test_overdue_notices_chase_then_escalate_along_the_ladder(app, world, make_user):
    a = world["a"]
    leader = make_user("leader", unit=a, email="leader-a@gov.test")
    office_leader = create_user(None, "zhang", "张副市长", world["office"].id, "leader",
                                "password-123", "zhang@gov.test")
    world["tasks"]["a2"].leader = "张副市长"
    db.session.commit()
    # a2 (due Mon 2 Nov): 1 working day overdue on Tue 3 Nov, 3 on Thu 5, 10 on Mon 16.
    assert notices.overdue_notices(date(2026, 11, 3)) == {"units": 1, "items": 1, "queued": 2}
    assert notices.overdue_notices(date(2026, 11, 4))["items"] == 0
    third = notices.overdue_notices(date(2026, 11, 5))
    assert third["items"] == 1
    [esc] = queued("overdue-escalation")
    assert esc.target == "leader-a@gov.test" and esc.user_id == leader.id and "逾期3个工作日" in esc.body
    tenth = notices.overdue_notices(MON)  # also a1 and b2, each 1 working day overdue
    db.session.commit()
    assert tenth["items"] == 3
    targets = {n.target for n in queued("overdue-escalation") if n.period == "2026-11-16"}
    assert targets == {"office@gov.test", world["robots"].url("/feishu/office"), "zhang@gov.test"}
    assert office_leader.email == "zhang@gov.test"


def test_weekly_report_reminder_names_units_still_owing_last_weeks_report(app, world):
    a, t = world["a"], world["tasks"]  # the lead unit reported a1 in 2026-W47 (see world)
    counts = notices.weekly_report_reminder(date(2026, 11, 24))  # Tuesday: 2026-W47 due at 12:00
    db.session.commit()
    owing = {n.unit_id: sorted(n.task_ids) for n in queued("weekly-report-reminder")}
    assert owing == {a.id: [t["a2"].id], world["b"].id: sorted([t["b1"].id, t["b2"].id]),
                     world["c"].id: [t["c1"].id]}
    assert counts["items"] == 4
    [n] = [n for n in queued("weekly-report-reminder") if n.unit_id == a.id and n.channel_kind == "wecom"]
    assert n.period == "2026-W47"  # the key stays ISO; the words are as people write them
    assert n.title == "【报送提醒】第47周（11月16日—22日）进展尚有1项未报送，截止2026年11月24日 12:00"


def test_a_year_the_calendar_does_not_know_runs_with_a_warning(runner, world):
    result = runner.invoke(args=["tracker", "run-job", "deadline-reminders", "--as-of", "2027-03-01",
                                 "--no-send"])
    assert result.exit_code == 0, result.output
    assert "2027年的法定节假日安排尚未知晓" in result.output
    run = db.session.scalar(select(JobRun))
    assert "2027" in run.warning and run.error is None


@pytest.mark.parametrize("args, reason", [
    (["no-such-job"], "unknown job no-such-job"),
    (["weekly-overdue-notice", "--as-of", "2026-13-01"], "--as-of must be a date"),
])
def test_run_job_refuses_bad_input_with_one_line(runner, app, args, reason):
    result = runner.invoke(args=["tracker", "run-job", *args])
    assert result.exit_code != 0 and reason in result.output


def test_a_rerun_builds_nothing_for_units_already_told_but_reaches_a_channel_added_since(
        app, world, office_user, monkeypatch):
    assert notices.overdue_notices(date(2026, 11, 16))["queued"] > 0
    db.session.commit()
    built = []
    real = notices._supervision_body
    monkeypatch.setattr(notices, "_supervision_body", lambda *a: built.append(a[0]) or real(*a))
    notices.weekly_overdue_notice(date(2026, 11, 16))
    db.session.commit()
    first = len(built)
    assert first == 2
    assert notices.weekly_overdue_notice(date(2026, 11, 16))["queued"] == 0
    assert len(built) == first  # nothing built the second time
    add_channel(office_user, world["b"], "webhook", world["robots"].url("/webhook/b-new"))
    db.session.commit()
    assert notices.weekly_overdue_notice(date(2026, 11, 16))["queued"] == 1
    assert len(built) == first + 1
    [new] = [n for n in queued("weekly-overdue-notice") if n.target.endswith("/webhook/b-new")]
    assert new.unit_id == world["b"].id
