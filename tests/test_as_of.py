"""A judgement for a past day counts the ledger as it stood at the end of that day: what
happens afterwards (new items, reports, extensions, sign-offs, suspensions) does not move
it. tracker/ledger/timeline.py keeps the history that makes this a query."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest

from tracker.clock import LOCAL_TZ
from tracker.extensions import db
from tracker.ledger.lights import light_counts
from tracker.ledger.operations import update_task
from tracker.models import Task, TaskState
from tracker.regime.redblack import redblack
from tracker.reports.operations import submit_report
from tracker.signoff.operations import (approve_extension, approve_signoff, request_extension,
                                        request_signoff)
from sqlalchemy import select

PAST = date(2026, 11, 10)


def at(app, day: date, hour: int = 10):
    app.config["FIXED_NOW"] = datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


@pytest.fixture
def ledger(app, make_unit, make_user, make_task, office_user):
    """As of 10 November: two bureaus, three items each, one of each overdue."""
    app.config["SETTINGS"]["redblack"]["overrides"] = {"min_due_items": 1, "red_min_reporting": 0,
                                                       "overdue_workdays": 1}
    at(app, date(2026, 10, 8))
    units = [make_unit(n) for n in ("市发展改革局", "市交通运输局")]
    users = [make_user("unit", unit) for unit in units]
    tasks = {}
    for unit, key in zip(units, "ab"):
        tasks[f"{key}_late"] = make_task(lead=unit, due=date(2026, 10, 30), title=f"{key}逾期")
        tasks[f"{key}_soon"] = make_task(lead=unit, due=date(2026, 11, 20), title=f"{key}将到期")
        tasks[f"{key}_later"] = make_task(lead=unit, due=date(2026, 12, 31), title=f"{key}年底")
    at(app, date(2026, 11, 9))
    for key, task in tasks.items():
        submit_report(users["ab".index(key[0])], task, progress=80, text="按计划推进")
    db.session.commit()
    at(app, PAST, 17)
    return units, users, tasks


def _judgements():
    lights = light_counts(select(Task), PAST)
    result = redblack(PAST)
    return (lights["totals"], sorted((u["unit_id"], u["red"]) for u in lights["units"]),
            [(e["unit_id"], e["reason"]) for e in result["red"]],
            [(e["unit_id"], e["reason"]) for e in result["black"]])


def test_nothing_done_later_moves_a_past_days_judgements(app, ledger, office_user, make_task):
    units, users, tasks = ledger
    before = _judgements()
    assert before[0] == {"green": 4, "yellow": 0, "red": 2}
    # Afterwards: a new overdue item, a report, an extension, a sign-off, a suspension.
    at(app, date(2026, 11, 12))
    make_task(lead=units[0], due=date(2026, 11, 1), title="后来新建的事项")
    submit_report(users[0], tasks["a_later"], progress=5, text="进度调整")   # would be red now
    extension = request_extension(users[1], tasks["b_soon"], date(2027, 1, 31), "受汛期影响")
    approve_extension(office_user, tasks["b_soon"], extension.id)
    request = request_signoff(users[0], tasks["a_late"], "已完工")
    approve_signoff(office_user, tasks["a_late"], request.id)
    update_task(office_user, tasks["b_late"], tasks["b_late"].version, {"status": "suspended"})
    db.session.commit()
    at(app, date(2026, 11, 18))
    assert _judgements() == before
    # …while today's judgement does see them.
    # (the new item, overdue, and a_later, 5% against 48% 序时进度)
    assert light_counts(select(Task), date(2026, 11, 18))["totals"]["red"] == 2


def test_every_change_of_status_or_deadline_is_a_stretch_of_history(app, ledger, office_user):
    units, users, tasks = ledger
    task = tasks["a_soon"]
    at(app, date(2026, 11, 12))
    extension = request_extension(users[0], task, date(2027, 1, 31), "受汛期影响")
    approve_extension(office_user, task, extension.id)
    db.session.commit()
    stretches = db.session.execute(select(TaskState.status, TaskState.due_date, TaskState.valid_to)
                                   .where(TaskState.task_id == task.id).order_by(TaskState.id)).all()
    assert [(s.status, s.due_date) for s in stretches] == [
        ("not_started", date(2026, 11, 20)), ("in_progress", date(2026, 11, 20)),
        ("in_progress", date(2027, 1, 31))]
    assert [s.valid_to is None for s in stretches] == [False, False, True]


def test_a_week_spent_suspended_owes_no_report_even_after_the_item_resumes(app, ledger, office_user):
    from tracker.reports.cycles import unit_summaries

    units, users, tasks = ledger
    task = tasks["a_later"]
    at(app, date(2026, 11, 2, ), 9)
    update_task(office_user, task, task.version, {"status": "suspended"})
    at(app, date(2026, 11, 16), 9)
    update_task(office_user, task, task.version, {"status": "in_progress"})
    db.session.commit()
    at(app, date(2026, 11, 18))
    owed = unit_summaries(["2026-W45", "2026-W47"], date(2026, 11, 18))
    w45 = owed["2026-W45"][units[0].id]
    # W45 (2–8 Nov) ended while a_later was suspended: a's two other items owed it only.
    assert w45["on_time"] + w45["late"] + w45["missing"] == 2
    w47 = owed["2026-W47"][units[0].id]
    assert w47["on_time"] + w47["late"] + w47["missing"] + w47.get("pending", 0) == 3
