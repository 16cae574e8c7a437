"""In real Chromium on a 390×844 phone: the office sees an item forecast late with its chart,
finds the item's problem in the problem list, assigns it to a coordinating unit on the
page; no page scrolls sideways and the chart fits the screen."""
from datetime import date

import pytest
from sqlalchemy import select

from test_browser_pickers import _pick
from test_browser_workbench import PHONE, fits, login
from tracker.extensions import db
from tracker.models import Problem
from tracker.reports.operations import submit_report

pytestmark = pytest.mark.browser


def test_the_office_reads_the_forecast_and_assigns_a_problem_on_a_phone(live_server, chromium, make_world):
    w = make_world(task={"code": "3.1", "title": "重点产业项目完成投资", "due_date": date(2026, 12, 18)})
    for period, progress in (("2026-W38", 10), ("2026-W42", 15), ("2026-W46", 20)):
        submit_report(w.users["lead"], w.task, progress=progress, text="推进中",
                      problems="项目用地指标未落实", period=period)
    db.session.commit()
    page = chromium.new_context(viewport=PHONE).new_page()
    login(page, live_server, "office")
    page.goto(f"{live_server}/tasks/{w.task.id}")
    assert "预计逾期" in page.locator("#forecast").inner_text()
    chart = page.locator("svg.forecast-chart").bounding_box()
    assert chart["width"] <= PHONE["width"] and chart["height"] > 120
    assert fits(page)
    page.goto(f"{live_server}/problems?category=用地")
    assert fits(page)
    page.click("table.problems a:has-text('项目用地指标未落实')")
    _pick(page, "coordinator_unit_id", w.other.name[1:3], w.other.name)
    page.fill("input[name=due_date]", "2026-11-30")
    page.click("#assign button[type=submit]")
    page.wait_for_load_state()
    assert "已交办协调单位" in page.content() and fits(page)
    db.session.expire_all()
    problem = db.session.scalar(select(Problem))
    assert (problem.status, problem.coordinator_unit_id) == ("assigned", w.other.id)
