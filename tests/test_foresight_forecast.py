"""Completion forecasts (预计逾期), worked out by hand. "Today" is Wednesday 18 November
2026; the item is due Friday 18 December. Reports describe ISO weeks: W38 ends Sunday
20 September, W42 ends 18 October, W46 ends 15 November (28 days apart)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from api_support import world  # noqa: F401 - world is a fixture

from conftest import NOW
from tracker.clock import LOCAL_TZ
from tracker.extensions import db
from tracker.foresight import forecast
from tracker.foresight.fit import Point
from tracker.foresight.fit import forecast as fit
from tracker.reports import periods

WEEKS = ("2026-W38", "2026-W42", "2026-W46")


def _report(world, period, progress, actual=None, who="lead"):
    body = {"progress": progress, "text": "推进中", "period": period}
    if actual is not None:
        body["actual_value"] = actual
    response = world.call(who, "POST", f"/tasks/{world.task.id}/reports", body)
    assert response.status_code == 201, response.get_json()


def _forecast(world):
    return world.call("office", "GET", f"/tasks/{world.task.id}").get_json()["forecast"]


def test_an_item_at_10_15_20_percent_with_a_month_left_is_forecast_late(world):
    for period, progress in zip(WEEKS, (10, 15, 20)):
        _report(world, period, progress)
    got = _forecast(world)
    # 5 points per 28 days; 80 points to go from 15 November take 448 days: 6 February 2028.
    assert got["projected_date"] == "2028-02-06"
    assert got["basis"] == "progress" and got["is_late"] is True
    assert got["late_by_workdays"] > 250


def test_a_steadily_advancing_item_is_on_time(world):
    for period, progress in zip(WEEKS, (25, 50, 75)):
        _report(world, period, progress)
    got = _forecast(world)
    # 25 points per 28 days: the last 25 take 28 days, 13 December, before the deadline.
    assert got == {"projected_date": "2026-12-13", "late_by_workdays": 0, "basis": "progress",
                   "confidence": "medium", "reports": 3, "is_late": False, "as_of": "2026-11-18"}


def test_a_stalled_item_has_no_projected_date_and_is_late(world):
    for period in WEEKS:
        _report(world, period, 40)
    got = _forecast(world)
    assert (got["basis"], got["projected_date"], got["late_by_workdays"], got["is_late"]) == (
        "stalled", None, None, True)


def test_a_quantified_target_ahead_of_the_percentage_is_what_counts(make_world):
    world = make_world(login="{role}-user", tokens=True, task={
        "title": "新建道路", "due_date": date(2026, 12, 18), "target_value": 100, "target_unit": "公里"})
    for period, progress, actual in zip(WEEKS, (10, 15, 20), (30, 55, 80)):
        _report(world, period, progress, actual)
    got = _forecast(world)
    # 30 → 55 → 80 of 100 km: 25 km per 28 days, 20 to go take 22 days: 7 December.
    assert (got["basis"], got["projected_date"], got["is_late"]) == ("target", "2026-12-07", False)


def test_one_report_gives_no_forecast(world):
    _report(world, WEEKS[0], 30)
    assert _forecast(world) is None


def test_the_trend_follows_the_periods_described_not_the_typing_order(world):
    for period, progress in zip(reversed(WEEKS), (75, 50, 25)):
        _report(world, period, progress)
    assert _forecast(world)["projected_date"] == "2026-12-13"


def test_a_co_units_report_does_not_move_the_forecast(world):
    for period, progress in zip(WEEKS, (25, 50, 75)):
        _report(world, period, progress)
    _report(world, "2026-W47", 5, who="co")
    assert _forecast(world)["projected_date"] == "2026-12-13"


def test_a_deadline_moved_by_the_office_rejudges_the_forecast(world):
    for period, progress in zip(WEEKS, (25, 40, 55)):
        _report(world, period, progress)
    # 15 points per 28 days; 45 to go take 84 days: 7 February 2027, late.
    assert _forecast(world)["is_late"] is True
    version = world.call("office", "GET", f"/tasks/{world.task.id}").get_json()["version"]
    response = world.call("office", "PATCH", f"/tasks/{world.task.id}",
                          {"version": version, "due_date": "2027-03-31"})
    assert response.status_code == 200, response.get_json()
    got = response.get_json()["forecast"]
    assert (got["projected_date"], got["late_by_workdays"], got["is_late"]) == ("2027-02-07", 0, False)


def test_the_job_rebuilds_forecasts_as_of_a_past_day(world, app, monkeypatch):
    for period, progress in zip(WEEKS, (25, 50, 75)):
        # Each report made on the Monday after its week.
        monday = periods.period_bounds(period)[1] + timedelta(days=1)
        monkeypatch.setitem(app.config, "FIXED_NOW", datetime.combine(monday, time(9), LOCAL_TZ))
        _report(world, period, progress)
    monkeypatch.setitem(app.config, "FIXED_NOW", NOW)
    # As of 1 November only W38 and W42 had ended: 25 per 28 days from 18 October, 50 to go.
    assert forecast.refresh_all(date(2026, 11, 1)) == {"items": 1, "late": 0}
    db.session.commit()
    got = _forecast(world)
    assert (got["projected_date"], got["as_of"]) == ("2026-12-13", "2026-11-01")


def test_the_milestone_plan_explains_a_flat_stretch():
    plan = {date(2026, 10, 1): 50, date(2026, 12, 1): 90}
    points = [Point(date(2026, 10, 4), 55), Point(date(2026, 10, 11), 55), Point(date(2026, 10, 18), 55)]

    def expected(day):
        return max((v for d, v in plan.items() if d <= day), default=0)

    got = fit(points, target=None, window=6, plan=expected, due=date(2026, 12, 18))
    assert (got.basis, got.projected_date) == ("milestones", date(2026, 12, 18))
    assert fit(points, target=None, window=6, due=date(2026, 12, 18)).basis == "stalled"
