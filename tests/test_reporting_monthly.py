"""The monthly reporting cycle (`[reporting] monthly = true`), worked out by hand.

Today is Wed 2026-11-18. Monthly reports are due on the 5th of the next month at 12:00,
rolled to the next working day: October's on Thu 5 Nov; September's on Thu 8 Oct (5 Oct
falls in the National Day holiday, 1–7 Oct 2026); November's on Mon 7 Dec (5 Dec is a
Saturday). Items of the ledger were assigned on Tue 1 Sep 2026 unless said otherwise.
"""
from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from conftest import NOW
from test_regime_redblack import at, sign_off
from tracker.clock import LOCAL_TZ
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.jobs import fires, notices
from tracker.models import Notification, ProgressReport
from tracker.reports import cycles
from tracker.regime.compilers import compile_content
from tracker.regime.evaluation import evaluate
from tracker.reports import periods
from tracker.reports.operations import submit_report


def local(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


@pytest.fixture
def monthly(app):
    app.config["SETTINGS"]["reporting"]["monthly"] = True


# --- periods -------------------------------------------------------------------------------

@pytest.mark.parametrize("period, due", [
    ("2026-10", local(date(2026, 11, 5))),     # Thursday, a working day
    ("2026-09", local(date(2026, 10, 8))),     # 5 Oct: National Day holiday
    ("2026-04", local(date(2026, 5, 6))),      # 5 May: Labour Day holiday
    ("2026-11", local(date(2026, 12, 7))),     # 5 Dec: Saturday
    ("2026-W47", local(date(2026, 11, 24))),   # weeks unchanged: Tuesday of the next week
])
def test_monthly_and_weekly_deadlines_roll_to_the_next_working_day(app, period, due):
    assert periods.period_deadline(period) == due


def test_monthly_deadline_day_and_time_are_configurable(app):
    app.config["SETTINGS"]["reporting"].update(monthly_deadline_day=10, monthly_deadline_time="17:30")
    assert periods.period_deadline("2026-10") == datetime(2026, 11, 10, 17, 30, tzinfo=LOCAL_TZ)


@pytest.mark.parametrize("period, bounds", [
    ("2026-02", (date(2026, 2, 1), date(2026, 2, 28))),
    ("2026-12", (date(2026, 12, 1), date(2026, 12, 31))),
    ("2026-W01", (date(2025, 12, 29), date(2026, 1, 4))),
])
def test_period_bounds_of_both_kinds(app, period, bounds):
    assert periods.period_bounds(period) == bounds


def test_months_are_valid_periods_only_where_asked_for(app):
    assert periods.parse_period("2026-11", kinds=periods.KINDS) == (2026, 11)
    assert periods.parse_period("2026-W47", kinds=periods.KINDS) == (2026, 47)
    with pytest.raises(ValidationError, match="ISO week like 2026-W47") as weekly_only:
        periods.parse_period("2026-11")
    assert weekly_only.value.field == "period"
    with pytest.raises(ValidationError, match="2026-13 is not a month of 2026"):
        periods.parse_period("2026-13", kinds=periods.KINDS)
    assert periods.next_period("2026-12") == "2027-01"
    assert periods.periods_in(date(2026, 10, 1), date(2026, 12, 31), "monthly") == [
        "2026-10", "2026-11", "2026-12"]
    # The month whose report falls due next: October's until 5 Nov, then November's.
    assert [periods.next_due(day, "monthly") for day in
            (date(2026, 9, 29), date(2026, 11, 3), date(2026, 11, 5), date(2026, 11, 6))] == [
        "2026-09", "2026-10", "2026-10", "2026-11"]
    assert periods.due_within(date(2026, 11, 1), date(2026, 11, 30), "monthly") == ["2026-10"]


def test_enabled_kinds_follow_the_configuration(app):
    assert periods.enabled_kinds() == ("weekly",)
    app.config["SETTINGS"]["reporting"]["monthly"] = True
    assert periods.enabled_kinds() == ("weekly", "monthly")


# --- a hand-built ledger --------------------------------------------------------------------

@pytest.fixture
def ledger(app, monthly, make_unit, make_user, make_task):
    """Units 甲局 (A), 乙局 (B), 丙县 (C) and their liaisons; reports made through
    submit_report at the hours given, so `on_time` is judged by the code under test.

    October (due Thu 5 Nov 12:00): a1 on time (4 Nov); a2 late (6 Nov); a3 none (only a
    weekly report for W44); b1 reported by its co-unit A only, so missing for B; b2 signed
    off on 30 Sep, owes nothing; b3 starts 2 Nov, owes nothing; b4 on 28 Oct (on time) and
    again on 6 Nov: on time. C: c1 assigned 10 Nov, c2 suspended: owes nothing for October.
    Weekly: a1 reported W45 and W46 on time; nothing else.
    """
    units = {k: make_unit(name, email=f"{k.lower()}@gov.test")
             for k, name in (("A", "甲局"), ("B", "乙局"), ("C", "丙县"))}
    users = {k: make_user("unit", unit=u) for k, u in units.items()}
    at(app, date(2026, 9, 1))
    t = {}
    for key, lead, fields in (("a1", "A", {}), ("a2", "A", {}), ("a3", "A", {}),
                              ("b1", "B", {"co": [units["A"]]}), ("b2", "B", {}),
                              ("b3", "B", {"start_date": date(2026, 11, 2)}), ("b4", "B", {}),
                              ("c2", "C", {})):
        t[key] = make_task(lead=units[lead], due=date(2026, 12, 18), code=key,
                           title=f"事项{key}", **fields)
    t["c2"].status = "suspended"      # since 1 September
    db.session.commit()
    at(app, date(2026, 11, 10))
    t["c1"] = make_task(lead=units["C"], due=date(2026, 12, 18), code="c1", title="事项c1")
    sign_off(t["b2"], date(2026, 9, 30))
    db.session.commit()
    for day, who, key, period in ((date(2026, 10, 28), "B", "b4", "2026-10"),
                                  (date(2026, 11, 2), "A", "a3", "2026-W44"),
                                  (date(2026, 11, 4), "A", "a1", "2026-10"),
                                  (date(2026, 11, 4), "A", "b1", "2026-10"),
                                  (date(2026, 11, 6), "A", "a2", "2026-10"),
                                  (date(2026, 11, 6), "B", "b4", "2026-10"),
                                  (date(2026, 11, 9), "A", "a1", "2026-W45"),
                                  (date(2026, 11, 16), "A", "a1", "2026-W46")):
        at(app, day)
        submit_report(users[who], t[key], progress=20, text="推进中", period=period)
        db.session.commit()
    app.config["FIXED_NOW"] = NOW
    return units, users, t


def _states(summary: dict) -> dict:
    return {unit_id: {k: v for k, v in states.items() if v} for unit_id, states in summary.items()}


def test_october_on_time_late_and_missing_per_unit_and_item(ledger):
    units, _, t = ledger
    a, b = units["A"].id, units["B"].id
    assert _states(cycles.unit_summaries(["2026-10"])["2026-10"]) == {
        a: {"on_time": 1, "late": 1, "missing": 1}, b: {"on_time": 1, "missing": 1}}
    names = {task.id: key for key, task in t.items()}
    assert {(names[task_id], state) for task_id, _, state in
            db.session.execute(cycles.report_states("2026-10"))} == {
        ("a1", "on_time"), ("a2", "late"), ("a3", "missing"), ("b1", "missing"), ("b4", "on_time")}
    counts = cycles.item_counts(["2026-09", "2026-10"], None)
    assert counts[t["a2"].id] == {"on_time": 0, "late": 1, "missing": 1}
    assert counts[t["b4"].id] == {"on_time": 1, "late": 0, "missing": 1}
    assert t["c1"].id not in counts and t["b3"].id not in counts


def test_before_the_deadline_unsent_monthly_reports_are_pending(ledger):
    units, _, _ = ledger
    a, b, c = (units[k].id for k in "ABC")
    # As of 4 Nov only b4 (28 Oct) and a1 (4 Nov) had reported for October.
    assert _states(cycles.unit_summaries(["2026-10"], date(2026, 11, 4))["2026-10"]) == {
        a: {"on_time": 1, "pending": 2}, b: {"on_time": 1, "pending": 1}}
    assert _states(cycles.unit_summaries(["2026-11"])["2026-11"]) == {
        a: {"pending": 3}, b: {"pending": 3}, c: {"pending": 1}}


# --- reporting through the API and the web form -------------------------------------------

@pytest.fixture
def reporter(app, make_unit, make_user, make_task, token_for):
    unit = make_unit("市发展改革局")
    liaison = make_user("unit", unit=unit, login="liaison")
    task = make_task(lead=unit, code="1", title="标准厂房建设")
    return task, token_for(liaison)


def _post(client, reporter, **fields):
    task, headers = reporter
    return client.post(f"/api/v1/tasks/{task.id}/reports", headers=headers,
                       json={"progress": 40, "text": "主体完工", **fields})


def test_a_month_is_refused_as_period_while_monthly_is_off(client, reporter):
    response = _post(client, reporter, period="2026-11")
    assert response.status_code == 400
    assert response.get_json() == {"error": "period must be an ISO week like 2026-W47",
                                   "field": "period"}
    assert db.session.scalar(select(func.count()).select_from(ProgressReport)) == 0


def test_with_monthly_on_a_report_may_name_a_month_judged_by_its_deadline(client, reporter,
                                                                          monthly):
    current = _post(client, reporter, period="2026-11").get_json()
    assert (current["period"], current["on_time"]) == ("2026-11", True)   # due 7 Dec
    past = _post(client, reporter, period="2026-10").get_json()
    assert (past["period"], past["on_time"]) == ("2026-10", False)       # due 5 Nov
    assert _post(client, reporter).get_json()["period"] == "2026-W47"    # default: this week
    for period in ("2026-13", "2026-12", "2026-1"):
        response = _post(client, reporter, period=period)
        assert response.status_code == 400 and response.get_json()["field"] == "period", period


def test_liaison_reports_a_month_through_the_form(browser, reporter, monthly):
    task, _ = reporter
    browser.login("liaison")
    page = browser.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "2026-11（月）" in page
    response = browser.post(f"/tasks/{task.id}/reports", form_url=f"/tasks/{task.id}",
                            data={"progress": "50", "text": "十月进展", "period": "2026-10"})
    assert response.status_code == 302
    report = db.session.scalar(select(ProgressReport))
    assert (report.period, report.on_time, report.text) == ("2026-10", False, "十月进展")


# --- monthly-report-reminder ----------------------------------------------------------------

def _reminders() -> list[Notification]:
    return db.session.scalars(select(Notification).where(
        Notification.rule == "monthly-report-reminder")).all()


def test_reminder_fires_two_working_days_before_the_monthly_deadline(app, monthly):
    fired = [day for day in (date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30),
                             date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4),
                             date(2026, 11, 5), date(2026, 12, 3))
             if fires.monthly_reminder_day(day)]
    # September: due Thu 8 Oct (after the holiday) → Tue 29 Sep; October: due 5 Nov → Tue 3
    # Nov; November: due Mon 7 Dec → Thu 3 Dec.
    assert fired == [date(2026, 9, 29), date(2026, 11, 3), date(2026, 12, 3)]
    app.config["SETTINGS"]["reporting"]["monthly"] = False
    assert not fires.monthly_reminder_day(date(2026, 11, 3))


def test_reminder_names_units_still_owing_the_month_and_is_sent_once(ledger, runner):
    units, _, t = ledger
    result = runner.invoke(args=["tracker", "run-job", "monthly-report-reminder",
                                 "--as-of", "2026-11-03", "--no-send"])
    assert result.exit_code == 0, result.output
    # a3 (no monthly report) and b1 (only its co-unit reported); c1 was assigned after
    # October, b3 starts in November, b2 is signed off, the rest reported.
    owing = {n.unit_id: sorted(n.task_ids) for n in _reminders()}
    assert owing == {units["A"].id: [t["a3"].id], units["B"].id: [t["b1"].id]}
    [notice] = [n for n in _reminders() if n.unit_id == units["A"].id]
    assert notice.period == "2026-10" and notice.target == "a@gov.test"
    assert notice.title == "【月报提醒】2026年10月进展尚有1项未报送，截止2026年11月5日 12:00"
    again = runner.invoke(args=["tracker", "run-job", "monthly-report-reminder",
                                "--as-of", "2026-11-03", "--no-send"])
    assert again.exit_code == 0 and len(_reminders()) == 2


def test_reminder_does_nothing_while_monthly_is_off(ledger, app):
    app.config["SETTINGS"]["reporting"]["monthly"] = False
    assert notices.monthly_report_reminder(date(2026, 11, 3)) == {"units": 0, "items": 0, "queued": 0}
    assert _reminders() == []


def test_notification_log_labels_the_monthly_reminder(ledger, browser, office_user):
    notices.monthly_report_reminder(date(2026, 11, 3))
    db.session.commit()
    browser.login("office")
    page = browser.get("/notify/?rule=monthly-report-reminder").get_data(as_text=True)
    assert "<td>月报提醒</td>" in page and "2026年10月进展尚有1项未报送" in page


# --- the monthly bulletin and the annual evaluation ----------------------------------------

def test_monthly_bulletin_rate_takes_in_the_month_that_fell_due(ledger, app):
    _, users, t = ledger
    submit_report(users["B"], t["b1"], progress=30, text="推进中", problems="资金缺口",
                  period="2026-11")
    db.session.commit()
    # The weeks whose reports fell due in November and closed by 18 Nov: W44 (due 2 Nov:
    # A 3 owed, a3 on time; B 2 owed, b3 not started yet), W45 (A 3 owed, a1 on time; B 3
    # owed), W46 (the same, plus c1 for C); and October (due 5 Nov: A 1 of 3, B 1 of 2)
    # → 5 on time of 23 owed. A 4 of 12, B 1 of 10.
    content = compile_content("monthly", "2026-11")
    sections = {s["key"]: s for s in content["sections"]}
    assert sections["overall"]["paragraphs"][2] == (
        "本月（第44周（10月26日—11月1日）至第46周（11月9日—15日）、2026年10月月报）按时报送率21.7%"
        "（按时报送5次/应报送23次）。")
    assert {row[2]: row[-1] for row in sections["units"]["table"]["rows"]} == {
        "甲局": 0.3333, "乙局": 0.1, "丙县": 0.0}
    # October's bulletin, as of its last day, rated no week of W44: nor will any other.
    october = compile_content("monthly", "2026-10")
    assert "第44周" not in {s["key"]: s for s in october["sections"]}["overall"]["paragraphs"][2]
    # The month's problems from the problem ledger: one 资金 problem, on b1, not yet assigned.
    [problem] = sections["problems"]["table"]["rows"]
    assert problem[:4] == ["资金", 1, 1, 0] and "b1" in problem[4] and "资金缺口" in problem[5]
    # Monthly off: weeks only (3 of 18); the problem stays in the problem ledger, which the
    # section quotes whichever cycle's report named it.
    app.config["SETTINGS"]["reporting"]["monthly"] = False
    sections = {s["key"]: s for s in compile_content("monthly", "2026-11")["sections"]}
    assert sections["overall"]["paragraphs"][2] == (
        "本月（第44周（10月26日—11月1日）至第46周（11月9日—15日））按时报送率16.7%（按时报送3次/应报送18次）。")
    assert {row[2]: row[-1] for row in sections["units"]["table"]["rows"]} == {
        "甲局": 0.3333, "乙局": 0.0, "丙县": 0.0}
    assert [row[:2] for row in sections["problems"]["table"]["rows"]] == [["资金", 1]]


def test_evaluation_counts_late_and_missing_monthly_reports(ledger, app):
    units, _, _ = ledger

    def report_lines() -> dict[str, str]:
        [a] = [i for i in evaluate(2026)["items"] if i["unit_id"] == units["A"].id]
        return {line["task_code"]: line["reason"] for line in a["lines"] if line["part"] == "reports"}

    # Weeks W36–W46 closed (11); months September and October closed.
    assert report_lines() == {"a1": "a1 事项a1：迟报0次、缺报10次",   # 9 weeks + September
                              "a2": "a2 事项a2：迟报1次、缺报12次",   # 11 weeks + Sep; Oct late
                              "a3": "a3 事项a3：迟报0次、缺报12次"}   # 10 weeks + Sep + Oct
    app.config["SETTINGS"]["reporting"]["monthly"] = False
    assert report_lines() == {"a1": "a1 事项a1：迟报0次、缺报9次",
                              "a2": "a2 事项a2：迟报0次、缺报11次",
                              "a3": "a3 事项a3：迟报0次、缺报10次"}
