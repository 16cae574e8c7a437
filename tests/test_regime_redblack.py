"""The red/black list on a hand-built ledger, every entry worked out by hand.

Today is Wed 2026-11-18. Closed report weeks: W40 (28 Sep) … W46 (9–15 Nov); W46 closed
on Tue 17 Nov 12:00. Every item was assigned on 1 Oct. Working days after a date are
counted with China's calendar (National Day holiday 1–7 Oct 2026).
"""
from datetime import date, datetime, time, timedelta

import pytest

from conftest import NOW
from tracker.clock import LOCAL_TZ
from tracker.extensions import db
from tracker.models import ProgressReport
from tracker.regime.redblack import redblack
from tracker.reports.periods import period_bounds, period_deadline

WEEKS = [f"2026-W{n}" for n in range(40, 47)]


def at(app, day: date, hour: int = 10):
    app.config["FIXED_NOW"] = datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


def sign_off(task, day: date):
    task.status, task.progress = "signed_off", 100
    task.signed_off_at = datetime.combine(day, time(15), tzinfo=LOCAL_TZ)
    db.session.commit()


def report(task, period: str, on_time: bool = True):
    deadline = period_deadline(period)
    db.session.add(ProgressReport(
        task_id=task.id, unit_id=task.lead_unit_id, period=period, progress=50, text="推进中",
        submitted_at=deadline - timedelta(hours=2) if on_time else deadline + timedelta(hours=5),
        on_time=on_time))
    db.session.commit()


def report_weeks(task, weeks, on_time=True):
    """Report *task* for each week it owed a report in (not signed off before the week)."""
    for period in weeks:
        monday = period_bounds(period)[0]
        if task.signed_off_at is None or task.signed_off_at.astimezone(LOCAL_TZ).date() >= monday:
            report(task, period, on_time)


@pytest.fixture
def ledger(app, make_unit, make_task):
    app.config["SETTINGS"]["redblack"]["overrides"] = {"red_top": 1, "black_bottom": 1,
                                                       "min_due_items": 1}
    units = {k: make_unit(name) for k, name in
             (("A", "甲局"), ("B", "乙局"), ("C", "丙县"), ("D", "丁县"), ("E", "戊镇"), ("F", "己局"))}
    at(app, date(2026, 10, 1))
    t = {}
    for key, lead, due in (("a1", "A", date(2026, 11, 10)), ("a2", "A", date(2026, 11, 10)),
                           ("a3", "A", date(2026, 12, 31)), ("b1", "B", date(2026, 11, 10)),
                           ("b2", "B", date(2026, 11, 10)), ("b3", "B", date(2026, 12, 31)),
                           ("c1", "C", date(2026, 11, 10)), ("c2", "C", date(2026, 11, 10)),
                           ("d1", "D", date(2026, 10, 20)), ("e1", "E", date(2026, 12, 31)),
                           ("f1", "F", date(2026, 11, 2))):
        t[key] = make_task(lead=units[lead], due=due, code=key, title=f"事项{key}")
    app.config["FIXED_NOW"] = NOW
    sign_off(t["a1"], date(2026, 11, 5))
    sign_off(t["a2"], date(2026, 11, 5))
    sign_off(t["a3"], date(2026, 11, 12))   # early: counts as on time
    sign_off(t["b1"], date(2026, 11, 9))
    sign_off(t["b2"], date(2026, 11, 12))   # two days late
    sign_off(t["c1"], date(2026, 11, 6))
    for key in ("a1", "a2", "a3", "b1", "b2", "b3", "e1", "f1"):
        report_weeks(t[key], WEEKS)
    report_weeks(t["d1"], WEEKS[:5])                    # W40–W44 on time
    report(t["d1"], "2026-W46", on_time=False)          # W45 missing, W46 late
    return units, t


def test_red_and_black_entries_with_rules_reasons_and_escalation(ledger):
    units, t = ledger
    result = redblack()
    assert result["as_of"] == "2026-11-18"
    assert [(e["unit_id"], e["series"], e["task_id"], e["rule"], e["reason"]) for e in result["red"]] == [
        (units["A"].id, "市直部门", None, "completion_top",
         "按时完成率100%（按时完成3项/应完成3项），按时报送率100%，在市直部门中排名第1")]
    # Ranking: A (3/3), B (1/2, reports 100%), C (1/2, reports 0%), F (0/1, 100%), D (0/1, 50%):
    # D is the bottom one. Black facts: d1 21 and f1 12 working days overdue (c2, 6 days, is
    # under the 10-day line); C missed seven weeks, D two. B has no black fact but misses the
    # red list's 80% completion. One row per unit, most serious first.
    assert [(e["unit_id"], e["rules"], e["reason"], e["consecutive"], e["escalation"])
            for e in result["black"]] == [
        (units["D"].id, ["overdue_items", "missed_reports", "completion_bottom"],
         "逾期未完成1项（d1逾期21个工作日）；连续2周存在迟报缺报（累计迟报1项次、缺报1项次，"
         "最近为第46周（11月9日—15日））；按时完成率0%（按时完成0项/应完成1项），在市直部门中排名倒数第1",
         1, "约谈分管领导"),  # not black on 31 Oct: then alone in its series (see below)
        (units["F"].id, ["overdue_items"], "逾期未完成1项（f1逾期12个工作日）", 1, "约谈分管领导"),
        (units["C"].id, ["missed_reports"],
         "连续7周存在迟报缺报（累计迟报0项次、缺报13项次，最近为第46周（11月9日—15日））",
         1, "约谈分管领导"),
    ]
    assert [(i["task_id"], i["reason"]) for i in result["black"][0]["items"]] == [
        (t["d1"].id, "d1 事项d1：逾期21个工作日（完成时限2026年10月20日）")]
    assert all(e["task_id"] is None for e in result["black"])
    assert {e["unit_name"] for e in result["black"]} == {"丙县", "丁县", "己局"}
    assert result["unranked"] == []


def test_placings_as_of_an_earlier_date(ledger, app):
    """As of 31 Oct only D has anything due (d1, 0/1, 8 working days late): alone in its
    series, it has no bottom place (倒数N名 stays in the lower half of a series), and 8
    days is under the 10-day line, so nobody is listed. C had missed W42 and W43 but nothing
    of its was due yet, so it is not ranked. With the guard off, D is the bottom one."""
    units, t = ledger
    result = redblack(date(2026, 10, 31))
    assert result["red"] == [] and result["black"] == []
    app.config["SETTINGS"]["redblack"]["overrides"]["black_lower_half"] = False
    result = redblack(date(2026, 10, 31))
    assert [(e["unit_id"], e["rules"], e["consecutive"]) for e in result["black"]] == [
        (units["D"].id, ["completion_bottom"], 1)]


def test_units_below_the_minimum_are_unranked_and_on_neither_list(ledger, app):
    units, t = ledger
    app.config["SETTINGS"]["redblack"]["overrides"]["min_due_items"] = 3
    result = redblack()
    assert [e["unit_id"] for e in result["red"]] == [units["A"].id]   # the only one with 3 due
    assert result["black"] == []
    assert {e["unit_id"]: e["reason"] for e in result["unranked"]} == {
        units[k].id: f"不参与排名（应完成事项不足3项，本期应完成{n}项）"
        for k, n in (("B", 2), ("C", 2), ("D", 1), ("F", 1))}


def test_ties_are_all_listed_and_units_with_nothing_due_are_left_out(app, make_unit, make_task):
    app.config["SETTINGS"]["redblack"]["overrides"] = {"red_top": 1, "black_bottom": 1,
                                                       "missed_report_weeks": 9, "min_due_items": 1}
    a, b, c, idle = (make_unit(n) for n in ("甲", "乙", "丙", "丁"))
    at(app, date(2026, 10, 1))
    done = [make_task(lead=u, due=date(2026, 10, 30)) for u in (a, b)]
    late = make_task(lead=c, due=date(2026, 11, 13))
    make_task(lead=idle, due=date(2026, 12, 30))
    app.config["FIXED_NOW"] = NOW
    for task in done:
        sign_off(task, date(2026, 10, 2))   # before W41: no reports owed since
    result = redblack()
    assert sorted(e["unit_id"] for e in result["red"]) == [a.id, b.id]
    assert {e["rank"] for e in result["red"]} == {1}
    assert [(e["unit_id"], e["rules"]) for e in result["black"]] == [(c.id, ["completion_bottom"])]
    assert late.id not in {i["task_id"] for e in result["black"] for i in e["items"]}


def test_completion_counts_as_of_today_read_the_items_and_agree_with_their_history(ledger):
    """按时完成率's counts worked by hand for 18 November: 甲局 3 of 3 (a3 signed off early),
    乙局 1 of 2 (b2 two days late; b3 not yet due), 丙县 1 of 2 (c2 overdue), 丁县 0 of 1,
    己局 0 of 1, 戊镇 nothing due. Counted from the items themselves (today alone) and from
    their history (today with another day), the same."""
    from tracker.regime.redblack import completion_counts

    units, _ = ledger
    today = date(2026, 11, 18)
    by_name = {u.id: k for k, u in units.items()}
    alone = {by_name[u]: (on_time, due) for u, on_time, due in completion_counts([today])[today]}
    assert alone == {"A": (3, 3), "B": (1, 2), "C": (1, 2), "D": (0, 1), "F": (0, 1)}
    with_history = completion_counts([today, date(2026, 10, 31)])[today]
    assert {by_name[u]: (on_time, due) for u, on_time, due in with_history} == alone
    # The bulletin's own pass over the items (ledger_figures) counts the same, today and
    # for a past day (the history), so its unit table and its lists quote one figure.
    from tracker.regime.compilers.sections import ledger_figures

    assert {by_name[u]: (on_time, due) for u, on_time, due in ledger_figures(today)["completion"]} == alone
    nov_12 = date(2026, 11, 12)     # from the history: a3 and b2 signed off that afternoon
    past = {by_name[u]: (on_time, due) for u, on_time, due in completion_counts([nov_12])[nov_12]}
    assert past == {"A": (3, 3), "B": (1, 2), "C": (1, 2), "D": (0, 1), "F": (0, 1)}
    assert {by_name[u]: (on_time, due) for u, on_time, due in ledger_figures(nov_12)["completion"]} == past


def test_the_better_of_two_ranked_units_is_never_also_bottom(app, make_unit, make_task):
    """Bottom 3 in a series of two, both short of the target: only the worse is 倒数第1. The
    better one, first of two, is not also named 倒数第2 (倒数N名 stays in the lower half)."""
    app.config["SETTINGS"]["redblack"]["overrides"] = {"missed_report_weeks": 99}
    better, worse = make_unit("甲局"), make_unit("乙局")
    at(app, date(2026, 10, 1))
    items = {unit: [make_task(lead=unit, due=date(2026, 11, 10)) for _ in range(3)]
             for unit in (better, worse)}
    app.config["FIXED_NOW"] = NOW
    sign_off(items[better][0], date(2026, 11, 6))
    result = redblack()
    assert result["red"] == []
    assert [(e["unit_id"], e["rules"], e["reason"]) for e in result["black"]] == [
        (worse.id, ["completion_bottom"], "按时完成率0%（按时完成0项/应完成3项），在市直部门中排名倒数第1")]
