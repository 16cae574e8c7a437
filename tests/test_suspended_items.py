"""A suspended (暂缓) item, as ledger/state.py settles it: still overdue as a fact (ledger,
API, dashboard), but nobody is chased or judged for it."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.ledger.operations import update_task
from tracker.models import Notification
from tracker.regime.redblack import redblack


def _overdue_pair(make_task, make_unit, office_user):
    lead = make_unit("市交通运输局", email="jtj@gov.test")
    paused, chased = (make_task(lead=lead, due=date(2026, 10, 9), title=t) for t in ("暂缓的路", "在建的桥"))
    update_task(office_user, paused, paused.version, {"status": "suspended"})
    db.session.commit()
    return lead, paused, chased


def test_a_suspended_item_is_overdue_but_not_chased(runner, make_task, make_unit, office_user):
    lead, paused, chased = _overdue_pair(make_task, make_unit, office_user)
    result = runner.invoke(args=["tracker", "run-job", "weekly-overdue-notice", "--as-of", "2026-11-16",
                                 "--no-send"])
    assert result.exit_code == 0, result.output
    notice = db.session.scalar(select(Notification).where(Notification.rule == "weekly-overdue-notice",
                                                          Notification.unit_id == lead.id))
    assert notice.task_ids == [chased.id]
    assert "在建的桥" in notice.body and "暂缓的路" not in notice.body


def test_a_suspended_item_is_listed_overdue_lit_green_and_kept_off_the_black_list(
        app, client, token_for, make_task, make_unit, office_user):
    app.config["SETTINGS"]["redblack"]["overrides"] = {"min_due_items": 1}
    _, paused, chased = _overdue_pair(make_task, make_unit, office_user)
    headers = token_for(office_user)
    items = client.get("/api/v1/tasks?overdue=true", headers=headers).get_json()["items"]
    by_id = {item["id"]: item for item in items}
    assert set(by_id) == {paused.id, chased.id}
    assert by_id[paused.id]["light"] == "green" and by_id[paused.id]["light_reason"] == "暂缓"
    assert by_id[chased.id]["light"] == "red"
    black_items = {item["task_id"] for entry in redblack(date(2026, 11, 18))["black"]
                   for item in entry["items"]}
    assert paused.id not in black_items and chased.id in black_items


def test_sign_off_asked_by_the_deadline_is_lit_green_while_it_waits(app, make_task, make_unit,
                                                                   make_user):
    from datetime import datetime, time

    from tracker.clock import LOCAL_TZ
    from tracker.ledger.lights import light_counts, light_of
    from tracker.models import Task
    from tracker.signoff.operations import request_signoff

    unit = make_unit("市自然资源局")
    on_time, late = (make_task(lead=unit, due=date(2026, 11, 6), title=t) for t in ("按时申请", "逾期申请"))
    liaison = make_user("unit", unit)
    for task, day in ((on_time, date(2026, 11, 6)), (late, date(2026, 11, 9))):
        app.config["FIXED_NOW"] = datetime.combine(day, time(16), tzinfo=LOCAL_TZ)
        request_signoff(liaison, task, "已完工")
    db.session.commit()
    today = date(2026, 11, 18)
    assert (light_of(on_time, today).color, light_of(on_time, today).reason) == (
        "green", "已于完成时限前申请销号，待审核")
    assert light_of(late, today).color == "red"
    assert light_counts(select(Task), today)["totals"] == {"green": 1, "yellow": 0, "red": 1}


def test_one_items_suspension_does_not_cancel_another_items_report(app, make_task, make_unit, make_user,
                                                                   office_user):
    """Worked by hand: 甲 was suspended over the end of 第45周 (3–10 November) and 乙 briefly in
    第46周 (11–12 November), so both were once suspended. 乙's report for 第45周 counts: only
    an item's own suspension at a week's end takes that week off it. 甲 owes 第46周 only."""
    from datetime import datetime, time

    from tracker.clock import LOCAL_TZ
    from tracker.reports import cycles
    from tracker.reports.operations import submit_report

    def at(day):
        app.config["FIXED_NOW"] = datetime.combine(day, time(10), tzinfo=LOCAL_TZ)

    now = app.config["FIXED_NOW"]
    at(date(2026, 11, 1))
    unit = make_unit("市水务局")
    liaison = make_user("unit", unit)
    first, second = (make_task(lead=unit, due=date(2026, 12, 31), title=t) for t in ("甲", "乙"))
    for day, task, status in ((date(2026, 11, 3), first, "suspended"), (date(2026, 11, 10), first, "in_progress"),
                              (date(2026, 11, 11), second, "suspended"), (date(2026, 11, 12), second, "in_progress")):
        at(day)
        update_task(office_user, task, task.version, {"status": status})
        db.session.commit()
    for day, period in ((date(2026, 11, 6), "2026-W45"), (date(2026, 11, 13), "2026-W46")):
        at(day)
        submit_report(liaison, second, progress=20, text="推进中", period=period)
        db.session.commit()
    app.config["FIXED_NOW"] = now
    counts = cycles.item_counts(["2026-W45", "2026-W46"], date(2026, 11, 20))
    assert counts[second.id] == {"on_time": 2, "late": 0, "missing": 0}
    assert counts[first.id] == {"on_time": 0, "late": 0, "missing": 1}
    summary = cycles.unit_summaries(["2026-W45", "2026-W46"], date(2026, 11, 20))
    assert summary["2026-W45"][unit.id]["on_time"] == 1 and summary["2026-W45"][unit.id]["missing"] == 0


def test_todays_list_and_the_same_day_read_back_judge_a_changed_deadline_alike(
        app, make_task, make_unit, make_user, office_user):
    """Worked by hand: sign-off asked on 27 November for a deadline of 30 November; on 4
    December, while it waits, the office sets the deadline to 1 December. The stretch in
    待销号 now began on 4 December, after its deadline, so as of 8 December the item is
    overdue whether the list reads the items (today) or their history (8 December read back
    on 9 December). Both readings take the stretch's start."""
    from datetime import datetime, time

    from tracker.clock import LOCAL_TZ
    from tracker.regime.redblack import _units_with_overdue, overdue_items, rule_set
    from tracker.signoff.operations import request_signoff

    def at(day):
        app.config["FIXED_NOW"] = datetime.combine(day, time(10), tzinfo=LOCAL_TZ)

    at(date(2026, 11, 20))
    unit = make_unit("市城管局")
    liaison = make_user("unit", unit)
    task = make_task(lead=unit, due=date(2026, 11, 30), title="背街小巷整治")
    at(date(2026, 11, 27))
    request_signoff(liaison, task, "已完成整治")
    db.session.commit()
    at(date(2026, 12, 4))
    update_task(office_user, task, task.version, {"due_date": date(2026, 12, 1)})
    db.session.commit()
    rules = dict(rule_set(), overdue_workdays=0)
    at(date(2026, 12, 8))
    _, live = overdue_items(date(2026, 12, 8), rules)
    at(date(2026, 12, 9))
    history = _units_with_overdue([(date(2026, 12, 8), 0)])[(date(2026, 12, 8), 0)]
    assert unit.id in live and unit.id in history


def test_the_ledger_marks_an_item_awaiting_review_apart_from_an_overdue_one(
        app, browser, make_task, make_unit, make_user, office_user):
    """The ledger page, the item page and the ledger's .xlsx put 待审核, not 逾期, beside an
    item whose sign-off was asked on its due day; the one asked late stays 逾期. The 仅看逾期
    filter still lists both (overdue as a fact, as the API says)."""
    import re
    from datetime import datetime, time

    from tracker.clock import LOCAL_TZ
    from tracker.signoff.operations import request_signoff
    from xlsx_support import read_rows

    unit = make_unit("市自然资源局")
    on_time = make_task(lead=unit, due=date(2026, 11, 6), code="3.1", title="按时申请")
    late = make_task(lead=unit, due=date(2026, 11, 6), code="3.2", title="逾期申请")
    liaison = make_user("unit", unit)
    for task, day in ((on_time, date(2026, 11, 6)), (late, date(2026, 11, 9))):
        app.config["FIXED_NOW"] = datetime.combine(day, time(16), tzinfo=LOCAL_TZ)
        request_signoff(liaison, task, "已完工")
    db.session.commit()
    app.config["FIXED_NOW"] = datetime.combine(date(2026, 11, 18), time(10), tzinfo=LOCAL_TZ)
    browser.login(liaison.login)

    def marks(html: str) -> dict[str, list[str]]:
        rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
        return {title: re.findall(r'class="badge badge-(?:overdue|review)"[^>]*>([^<]+)<', row)
                for row in rows for title in ("按时申请", "逾期申请") if title in row}

    page = browser.get("/tasks?overdue=y").get_data(as_text=True)
    assert marks(page) == {"按时申请": ["待审核"], "逾期申请": ["逾期"]}
    for task, mark in ((on_time, "待审核"), (late, "逾期")):
        item = browser.get(f"/tasks/{task.id}").get_data(as_text=True)
        assert re.findall(r'class="badge badge-(?:overdue|review)"[^>]*>(逾期|待审核)<', item) == [mark]
    sheet = read_rows(browser.get("/regime/ledger.xlsx").data)
    statuses = {row[2]: row[7] for row in sheet[2:]}
    assert statuses == {"按时申请": "待销号、待审核", "逾期申请": "待销号、逾期"}
    # The dashboard's 逾期事项最多的单位 charges the unit with the late one only.
    from tracker.regime.charts import overdue_by_unit
    assert [(bar["label"], bar["value"]) for bar in overdue_by_unit(office_user, date(2026, 11, 18))] \
        == [("市自然资源局", 1)]
