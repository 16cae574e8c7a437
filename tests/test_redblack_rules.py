"""The red/black list's rules on small ledgers worked out by hand, and its invariants on
generated ones (Hypothesis): a unit is on at most one list, once.

Today is Wed 2026-11-18; every item below was assigned on 1 Oct and nothing owes reports
(no start of reporting is checked here: discipline counts only with `discipline_weeks`
of closed weeks, and these units owe the same reports), so the lists turn on completion
and overdue facts."""
from __future__ import annotations

from datetime import date, datetime, time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import NOW
from tracker.clock import LOCAL_TZ
from tracker.extensions import db
from tracker.models import SignoffRequest
from tracker.regime.redblack import redblack
from tracker.signoff.operations import reject_signoff, request_signoff

DUE = date(2026, 10, 30)


def at(app, day: date, hour: int = 10):
    app.config["FIXED_NOW"] = datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


def sign_off(task, day: date):
    task.status, task.progress = "signed_off", 100
    task.signed_off_at = datetime.combine(day, time(15), tzinfo=LOCAL_TZ)


def _rules(app, **overrides):
    app.config["SETTINGS"]["redblack"]["overrides"] = {
        "red_top": 1, "black_bottom": 1, "min_due_items": 1, "missed_report_weeks": 99,
        "red_min_reporting": 0, **overrides}


def _items(app, make_task, unit, done: int, late: int, due: date = DUE):
    """*done* items signed off on time and *late* items still open, all due on *due*."""
    at(app, date(2026, 10, 1))
    tasks = [make_task(lead=unit, due=due) for _ in range(done + late)]
    app.config["FIXED_NOW"] = NOW
    for task in tasks[:done]:
        sign_off(task, due)
    db.session.commit()
    return tasks[done:]


def test_a_unit_top_by_rate_with_one_overdue_item_is_black_not_red(app, make_unit, make_task):
    _rules(app, black_below=0.5)
    best, second = make_unit("甲局"), make_unit("乙局")
    _items(app, make_task, best, done=9, late=1)       # 90%, one item 13 working days late
    _items(app, make_task, second, done=4, late=1, due=date(2026, 11, 16))  # 80%, 2 days late
    result = redblack()
    assert [e["unit_id"] for e in result["black"]] == [best.id]
    assert result["black"][0]["rules"] == ["overdue_items"]
    # 乙局 is overdue too (under the 10-day line), which bars the red list as well.
    assert result["red"] == []
    _rules(app, black_below=0.5, red_no_overdue=False)
    assert [e["unit_id"] for e in redblack()["red"]] == [second.id]


def test_each_series_is_ranked_on_its_own(app, make_unit, make_task):
    _rules(app, red_min_completion=0)
    counties = [make_unit(n, kind="county") for n in ("赤坎区", "霞山区")]
    bureaus = [make_unit(n) for n in ("市发展改革局", "市交通运输局")]
    for unit, done in zip(counties + bureaus, (3, 1, 2, 1)):
        _items(app, make_task, unit, done=done, late=0)
        _items(app, make_task, unit, done=0, late=1, due=date(2026, 11, 16))   # 2 days late
    _rules(app, red_min_completion=0, red_no_overdue=False)
    result = redblack()
    assert {(e["series"], e["unit_id"]) for e in result["red"]} == {
        ("县（市、区）", counties[0].id), ("市直部门", bureaus[0].id)}
    assert {(e["series"], e["unit_id"]) for e in result["black"]} == {
        ("县（市、区）", counties[1].id), ("市直部门", bureaus[1].id)}


def test_sign_off_asked_by_the_deadline_is_not_overdue_while_it_waits(app, make_unit, make_user,
                                                                      make_task):
    _rules(app, black_below=0)
    unit = make_unit("市自然资源局")
    liaison = make_user("unit", unit)
    waiting, asked_late = _items(app, make_task, unit, done=0, late=2)
    at(app, DUE, hour=17)
    request_signoff(liaison, waiting, "已完工")   # on the due day
    db.session.commit()
    at(app, date(2026, 11, 2), hour=9)
    request_signoff(liaison, asked_late, "已完工")   # the next working day: too late
    db.session.commit()
    app.config["FIXED_NOW"] = NOW
    # Only the item asked after its deadline is overdue (13 working days); the other waits.
    [entry] = redblack()["black"]
    assert [i["task_id"] for i in entry["items"]] == [asked_late.id]
    # Sent back on 10 November: overdue again, its clock restarting that day, so as of
    # NOW (18 November) 6 working days, not the 13 since its deadline: not more than the
    # 10 the rule lists.
    at(app, date(2026, 11, 10))
    request_id = db.session.scalar(db.select(SignoffRequest.id).where(SignoffRequest.task_id == waiting.id))
    reject_signoff(make_user("office"), waiting, request_id, "材料不全")
    db.session.commit()
    app.config["FIXED_NOW"] = NOW
    [entry] = redblack()["black"]
    assert [i["task_id"] for i in entry["items"]] == [asked_late.id]
    _rules(app, black_below=0, overdue_workdays=5)
    [entry] = redblack()["black"]
    assert {i["task_id"]: i["workdays_overdue"] for i in entry["items"]} == {asked_late.id: 13, waiting.id: 6}
    assert "2026年11月10日销号申请被退回后重新计算" in entry["items"][1]["reason"]


ledgers = st.lists(st.tuples(st.sampled_from(["county", "department", "taskforce"]),
                             st.integers(0, 4), st.integers(0, 3)), min_size=1, max_size=7)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ledger=ledgers, top=st.integers(1, 3), bottom=st.integers(1, 3), minimum=st.integers(1, 4))
def test_no_unit_is_on_both_lists_or_twice_on_one(app, make_unit, make_task, ledger, top, bottom,
                                                  minimum):
    _rules(app, red_top=top, black_bottom=bottom, min_due_items=minimum, red_min_completion=0)
    for kind, done, late in ledger:
        unit = make_unit(kind=kind)
        _items(app, make_task, unit, done=done, late=late)
    result = redblack()
    red = [e["unit_id"] for e in result["red"]]
    black = [e["unit_id"] for e in result["black"]]
    unranked = [e["unit_id"] for e in result["unranked"]]
    assert len(red) == len(set(red)) and len(black) == len(set(black))
    assert not set(red) & set(black)
    assert not set(unranked) & (set(red) | set(black))
    for entry in result["black"]:
        assert entry["reason"] and entry["task_id"] is None
