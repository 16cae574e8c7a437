"""Where forecasts and the problem ledger show: the weekly notice's 预计无法按期完成 section
(a warning, never the black list), the item page's chart, the workbench's lists, the
quarterly review's sections. "Today" is 18 November 2026."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from conftest import Browser
from tracker.extensions import db
from tracker.models import Notification, Problem, UnitNotice

WEEKS = ("2026-W38", "2026-W42", "2026-W46")


@pytest.fixture
def world(make_world):
    """The lead unit reported 10%, 15%, 20% over two months on an item due in a month, with a
    problem each time; another unit (市投资促进局) to coordinate."""
    w = make_world(login="{role}-user", tokens=True, emails={"lead": "fgj@gov.test"},
                   task={"title": "重点产业项目完成投资", "code": "3.1", "due_date": date(2026, 12, 18)})
    for period, progress in zip(WEEKS, (10, 15, 20)):
        response = w.call("lead", "POST", f"/tasks/{w.task.id}/reports",
                          {"progress": progress, "text": "推进中", "problems": "项目用地指标未落实",
                           "period": period})
        assert response.status_code == 201, response.get_json()
    return w


def test_the_weekly_notice_warns_of_items_forecast_late_and_the_black_list_ignores_them(
        app, world, runner):
    result = runner.invoke(args=["tracker", "run-job", "weekly-overdue-notice", "--as-of", "2026-11-18",
                                 "--no-send"])
    assert result.exit_code == 0, result.output
    notice = db.session.scalar(select(Notification).where(Notification.rule == "weekly-overdue-notice",
                                                          Notification.unit_id == world.lead.id))
    assert notice.title == "【预警提醒】第47周（11月16日—22日）：1项工作预计无法按期完成"
    lines = notice.body.splitlines()
    assert lines[0] == "市发展改革局："
    assert lines[1].startswith("预计无法按期完成（预警")
    assert "3.1 重点产业项目完成投资" in lines[2] and "预计2028年2月6日完成" in lines[2]
    assert "黑榜" not in notice.body and "逾期原因" not in notice.body
    summary = db.session.scalar(select(UnitNotice.body).where(
        UnitNotice.rule == "weekly-overdue-summary").limit(1))
    assert "1项工作预计无法按期完成（预警，不列入黑榜）" in summary
    app.config["SETTINGS"]["redblack"]["overrides"] = {"min_due_items": 0}
    black = world.call("office", "GET", "/redblack?as_of=2026-11-18").get_json()["black"]
    assert world.lead.id not in [e["unit_id"] for e in black]


def test_the_item_page_draws_progress_against_plan_and_the_projection(world, browser):
    browser.login("lead-user")
    html = browser.get(f"/tasks/{world.task.id}").get_data(as_text=True)
    assert "预计逾期" in html and "2028年2月6日" in html
    assert 'class="chart forecast-chart"' in html and html.count("<circle") >= 3
    assert "项目用地指标未落实" in html and "报送3次" in html


def _page(app, login: str, url: str) -> str:
    browser = Browser(app.test_client())
    assert browser.login(login).status_code == 302
    return browser.get(url).get_data(as_text=True)


def test_the_workbenches_list_items_forecast_late_and_problems_to_coordinate(app, world):
    problem_id = db.session.scalar(select(Problem.id))
    response = world.call("office", "POST", f"/problems/{problem_id}/assign",
                          {"coordinator_unit_id": world.other.id, "due_date": "2026-11-30"})
    assert response.status_code == 200
    lead_home = _page(app, "lead-user", f"/units/{world.lead.id}/home")
    assert 'id="late-forecast"' in lead_home and "预计2028年2月6日完成" in lead_home
    other_home = _page(app, "other-user", f"/units/{world.other.id}/home")
    assert 'id="coordinating"' in other_home and "项目用地指标未落实" in other_home
    dashboard = _page(app, "office", "/")
    assert 'id="late-forecast"' in dashboard and "3.1 重点产业项目完成投资" in dashboard


def test_the_quarterly_review_names_late_forecasts_per_series_and_the_coordinators_record(world):
    problem_id = db.session.scalar(select(Problem.id))
    world.call("office", "POST", f"/problems/{problem_id}/assign",
               {"coordinator_unit_id": world.other.id, "due_date": "2026-11-30"})
    world.call("office", "POST", f"/problems/{problem_id}/resolve", {"note": "指标已下达"})
    response = world.call("office", "POST", "/bulletins", {"kind": "quarterly", "period": "2026-Q4"})
    assert response.status_code == 201, response.get_json()
    sections = {s["key"]: s for s in response.get_json()["content"]["sections"]}
    assert sections["forecast"]["table"]["rows"] == [
        [1, "市直部门", "3.1", "重点产业项目完成投资", "市发展改革局", "2026-12-18", "2028-02-06",
         sections["forecast"]["table"]["rows"][0][7]]]
    assert sections["coordinators"]["table"]["rows"] == [[1, "市投资促进局", 1, 1, 1, 0, 0]]
    assert sections["problems"]["paragraphs"] == ["截至统计日，问题清单中无尚未解决的问题。"]


def test_the_same_problem_on_several_items_is_named_once_with_its_items(world, office_user):
    """存在问题 names a problem by its words once, with every item that reports them, rather
    than the same sentence item after item."""
    from tracker.foresight.documents import ledger_groups, problems_section
    from tracker.ledger.operations import create_task
    from tracker.reports.operations import submit_report

    for code in ("3.2", "3.3", "3.4", "3.5"):
        task = create_task(office_user, title=f"项目{code}", code=code, due_date=date(2026, 12, 18),
                           lead_unit_id=world.lead.id)
        submit_report(world.users["lead"], task, progress=10, text="推进中", problems="项目用地指标未落实",
                      period="2026-W46")
    db.session.commit()
    section = problems_section("problems", "五、存在问题", ledger_groups(date(2026, 11, 18)))
    [paragraph] = section["paragraphs"]
    assert paragraph.count("项目用地指标未落实") == 1
    assert "“项目用地指标未落实”（3.1、3.2、3.3等5项，已提出" in paragraph
    [row] = section["table"]["rows"]
    assert row[:3] == ["用地", 5, 5] and row[5].count("项目用地指标未落实") == 1


def test_a_category_names_its_three_oldest_texts_each_with_its_first_items_and_count(app, world, office_user):
    """Worked by hand: in 用地, 3.1's text came first (on 3.1 and, last, on 4.12), then 4.1's,
    4.2's and 4.3's; 4.1's text is on eight more items. The section names the three oldest
    texts, each with its first three items and how many it is on, and lists the category's
    first ten items; 资金 has two texts of one item each, counted in their own columns."""
    from tracker.foresight.documents import ledger_groups, problems_section
    from tracker.ledger.operations import create_task
    from tracker.reports.operations import submit_report

    def report(code, problem):
        task = create_task(office_user, title=f"项目{code}", code=code, due_date=date(2026, 12, 18),
                           lead_unit_id=world.lead.id)
        submit_report(world.users["lead"], task, progress=10, text="推进中", problems=problem,
                      period="2026-W46")

    for code, problem in (("4.1", "土地报批进度慢"), ("4.2", "林地占用未获批"), ("4.3", "规划调整未完成")):
        report(code, problem)
    for n in range(4, 12):
        report(f"4.{n}", "土地报批进度慢")
    report("4.12", "项目用地指标未落实")
    report("5.1", "资金拨付未到位")
    report("5.2", "专项债未发行")
    db.session.commit()
    group, funds = ledger_groups(date(2026, 11, 18))
    assert [entry[:3] for entry in funds["oldest"]] == [("资金拨付未到位", ["5.1"], 1), ("专项债未发行", ["5.2"], 1)]
    assert (funds["kind"], funds["count"], funds["items"]) == ("资金", 2, ["5.1", "5.2"])
    assert (group["kind"], group["count"], group["item_count"]) == ("用地", 13, 13)
    assert group["items"] == ["3.1", "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "4.9"]
    assert [entry[:3] for entry in group["oldest"]] == [
        ("项目用地指标未落实", ["3.1", "4.12"], 2),
        ("土地报批进度慢", ["4.1", "4.4", "4.5"], 9),
        ("林地占用未获批", ["4.2"], 1)]
    row, _ = problems_section("problems", "五、存在问题", [group, funds])["table"]["rows"]
    assert row[:5] == ["用地", 13, 13, 0, "3.1、4.1、4.2、4.3、4.4、4.5、4.6、4.7、4.8、4.9"]
    assert "土地报批进度慢（4.1、4.4、4.5等9项" in row[5] and "规划调整未完成" not in row[5]
    # Counted at a depth instead of the leaves: every item here is a top-level one.
    app.config["SETTINGS"]["regime"]["count_level"] = 0
    assert ledger_groups(date(2026, 11, 18)) == [group, funds]
    app.config["SETTINGS"]["regime"]["count_level"] = 1
    assert ledger_groups(date(2026, 11, 18)) == []


def test_a_past_dated_review_quotes_the_forecasts_of_its_day(world, app):
    """预计逾期 as of a past day is what the reports known then foretold: a report made since
    (3.1 at 90% for 第46周, on 19 November) takes the item off today's list, not off the
    list as of 18 November."""
    from datetime import datetime, time

    from tracker.clock import LOCAL_TZ
    from tracker.foresight.documents import late_forecast_section

    def listed(day):
        table = late_forecast_section("forecast", "四、预计不能按期完成的事项", day).get("table")
        return [row[2] for row in table["rows"]] if table else []

    app.config["FIXED_NOW"] = datetime.combine(date(2026, 11, 19), time(10), tzinfo=LOCAL_TZ)
    assert listed(date(2026, 11, 18)) == ["3.1"]
    response = world.call("lead", "POST", f"/tasks/{world.task.id}/reports",
                          {"progress": 90, "text": "基本完成", "period": "2026-W46"})
    assert response.status_code == 201, response.get_json()
    assert listed(date(2026, 11, 18)) == ["3.1"]      # the past day's list stands
    assert listed(date(2026, 11, 19)) == []           # today's follows the new report
