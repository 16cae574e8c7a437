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
