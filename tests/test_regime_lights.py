"""Lights (亮灯): each rule by hand, and the SQL aggregation agreeing with the per-item light."""
from datetime import date

from sqlalchemy import func, select

from conftest import NOW, TODAY
from tracker.extensions import db
from tracker.models import Milestone, Task
from tracker.ledger.lights import light_counts, light_expression, light_of


def _task(make_task, lead, *, status="in_progress", progress=0, **fields):
    task = make_task(lead=lead, **fields)
    task.status, task.progress = status, progress
    if status == "signed_off":
        task.signed_off_at = NOW
    db.session.commit()
    return task


def test_each_light_rule_with_its_reason(make_task, make_unit):
    a, b = make_unit("甲局"), make_unit("乙局")
    nov1 = date(2026, 11, 1)
    cases = [
        (_task(make_task, a, due=date(2026, 11, 10)), "red", "逾期6个工作日"),
        (_task(make_task, a, due=date(2026, 11, 10), status="signed_off"), "green", "已销号"),
        (_task(make_task, a, start_date=nov1, due=date(2026, 11, 30), progress=20),
         "red", "落后序时进度38个百分点"),  # 100*17//29 = 58 expected
        (_task(make_task, b, start_date=nov1, due=date(2026, 11, 30), progress=45),
         "yellow", "落后序时进度13个百分点"),
        (_task(make_task, b, status="not_started", start_date=date(2026, 11, 16),
               due=date(2026, 12, 31)), "yellow", "已过计划开始日期（2026-11-16）仍未启动"),
        (_task(make_task, b, start_date=nov1, due=date(2026, 11, 20), progress=85),
         "yellow", "距完成时限还有2个工作日"),  # Thu 19, Fri 20
        (_task(make_task, b, status="signoff_requested", start_date=nov1,
               due=date(2026, 11, 20), progress=100), "green", "按序时推进"),
        (_task(make_task, b, start_date=nov1, due=date(2027, 3, 1), progress=20),
         "green", "按序时推进"),
        (_task(make_task, b, status="suspended", due=date(2026, 11, 2)), "green", "暂缓"),
    ]
    milestone_task = _task(make_task, b, start_date=nov1, due=date(2027, 3, 1), progress=40)
    milestone_task.milestones.append(Milestone(due_date=date(2026, 11, 15), expected_progress=60))
    milestone_task.milestones.append(Milestone(due_date=date(2026, 12, 15), expected_progress=90))
    db.session.commit()
    cases.append((milestone_task, "yellow", "落后序时进度20个百分点"))

    for task, color, reason in cases:
        assert (light_of(task, TODAY).color, light_of(task, TODAY).reason) == (color, reason), task.title

    counts = light_counts(select(Task), TODAY)
    assert counts["totals"] == {"green": 4, "yellow": 4, "red": 2}
    assert counts["units"] == [{"unit_id": a.id, "green": 1, "yellow": 0, "red": 2},
                               {"unit_id": b.id, "green": 3, "yellow": 4, "red": 0}]


def test_sql_lights_match_item_lights_across_dates(make_task, make_unit):
    unit = make_unit()
    for n, progress in enumerate((0, 15, 35, 60, 90)):
        _task(make_task, unit, start_date=date(2026, 10, 1 + n), due=date(2026, 11, 20 + n),
              progress=progress, status="not_started" if progress == 0 else "in_progress")
    tasks = db.session.scalars(select(Task)).all()
    for day in (date(2026, 10, 1), date(2026, 10, 20), date(2026, 11, 17), date(2026, 11, 24)):
        expected = {"green": 0, "yellow": 0, "red": 0}
        for task in tasks:
            expected[light_of(task, day).color] += 1
        light = light_expression(day)
        counted = dict(db.session.execute(select(light, func.count()).group_by(light)).all())
        assert {color: counted.get(color, 0) for color in expected} == expected, day


def test_weekend_after_a_friday_deadline_is_red_without_claiming_working_days(make_task, make_unit):
    task = _task(make_task, make_unit(), due=date(2026, 11, 13))  # Friday
    sunday = date(2026, 11, 15)
    assert (light_of(task, sunday).color, light_of(task, sunday).reason) == (
        "red", "已过完成时限（2026-11-13）")
    assert light_of(task, date(2026, 11, 16)).reason == "逾期1个工作日"


def test_sql_and_item_lights_agree_on_the_border_of_a_fraction(make_task, make_unit):
    """序时进度 is whole points rounded down in SQL as on the item: 17 of 29 days is 58 (not
    58.6), so an item at 28% is 30 points behind, yellow, on the item page and in the
    counts (the dashboard's and the bulletin's) alike."""
    task = _task(make_task, make_unit(), start_date=date(2026, 11, 1), due=date(2026, 11, 30),
                 progress=28)
    assert (light_of(task, TODAY).color, light_of(task, TODAY).reason) == ("yellow", "落后序时进度30个百分点")
    assert light_counts(select(Task), TODAY)["totals"] == {"green": 0, "yellow": 1, "red": 0}
