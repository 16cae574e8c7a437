"""Properties of judgements "as of" a past day, on generated ledgers (Hypothesis): whatever
is done afterwards — new items and sub-items, reports (late ones for past weeks too),
sign-offs approved or sent back, extensions, suspensions — the lights, the bulletin's
figures, the red/black list and the evaluation as of that day do not move; and the
总体情况 partition adds up to the total, its shares to 100%."""
from __future__ import annotations

from datetime import date, datetime, time

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tracker.clock import LOCAL_TZ
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.ledger.lights import light_counts
from tracker.ledger.operations import create_task, update_task
from tracker.models import Task
from tracker.regime.compilers import sections
from tracker.regime.evaluation import evaluate
from tracker.regime.redblack import redblack
from tracker.reports.operations import submit_report
from tracker.signoff.operations import (approve_extension, approve_signoff, reject_signoff,
                                        request_extension, request_signoff)

PAST = date(2026, 11, 10)
DUES = [date(2026, 10, 16), date(2026, 10, 30), date(2026, 11, 6), date(2026, 11, 20),
        date(2026, 12, 31)]
ACTIONS = ("report", "late_report", "signoff", "send_back", "extend", "suspend", "sub_item",
           "new_item")


def at(app, day: date, hour: int = 10):
    app.config["FIXED_NOW"] = datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


items = st.tuples(st.integers(0, len(DUES) - 1),       # deadline
                  st.booleans(),                       # reported in the week before PAST
                  st.booleans())                       # signed off before PAST
units = st.lists(st.tuples(st.sampled_from(["county", "department"]),
                           st.lists(items, min_size=1, max_size=4)), min_size=1, max_size=4)
later = st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 15)), max_size=8)


def _judgements(tasks: list[int]):
    """Everything judged as of PAST, over this example's items (earlier examples' rows
    stay in the database)."""
    mine = select(Task).where(Task.id.in_(tasks))
    lights = light_counts(mine, PAST)
    lists = redblack(PAST)
    scores = evaluate(2026, PAST)
    return {"lights": lights,
            "figures": sections.summary(PAST),
            "red": lists["red"], "black": lists["black"], "unranked": lists["unranked"],
            "scores": [(e["unit_id"], e["score"], e["rank"], e["grade"]) for e in scores["items"]],
            "unscored": scores["unscored"]}


def _fresh(shared_app, tmp_path, make_user):
    """Each example on an empty database (examples share the test's), with its office."""
    db.session.remove()
    app = shared_app.reset(tmp_path)
    app.config["SETTINGS"]["redblack"]["overrides"] = {"min_due_items": 1, "overdue_workdays": 1}
    app.config["SETTINGS"]["evaluation"]["min_items"] = 1
    at(app, date(2026, 10, 1))
    return make_user("office", login="office")


def _build(app, make_unit, make_user, office_user, ledger):
    at(app, date(2026, 10, 1))
    tasks, people = [], {}
    for kind, rows in ledger:
        unit = make_unit(kind=kind)
        people[unit.id] = make_user("unit", unit)
        for due, reported, done in rows:
            task = create_task(office_user, title="生成的事项", due_date=DUES[due], lead_unit_id=unit.id)
            tasks.append(task)
    db.session.commit()
    for task, (due, reported, done) in zip(tasks, (r for _, rows in ledger for r in rows)):
        user = people[task.lead_unit_id]
        if reported:
            at(app, date(2026, 11, 3))
            submit_report(user, task, progress=60, text="按计划推进")
        if done:
            at(app, min(DUES[due], date(2026, 11, 9)), 15)
            request = request_signoff(user, task, "已完成")
            at(app, date(2026, 11, 9), 16)
            approve_signoff(office_user, task, request.id)
    db.session.commit()
    return tasks, people


def _act(app, office_user, people, tasks, action: str, n: int) -> None:
    """One change made after PAST; refused ones (a rule said no) change nothing."""
    task = tasks[n % len(tasks)]
    user = people.get(task.lead_unit_id)
    try:
        if action == "report":
            submit_report(user, task, progress=100, text="已全部完成")
        elif action == "late_report":
            submit_report(user, task, progress=90, text="补报", period="2026-W45")
        elif action == "signoff":
            request = request_signoff(user, task, "已完成")
            approve_signoff(office_user, task, request.id)
        elif action == "send_back":
            request = request_signoff(user, task, "已完成")
            reject_signoff(office_user, task, request.id, "佐证材料不全")
        elif action == "extend":
            extension = request_extension(user, task, date(2027, 3, 31), "受汛期影响")
            approve_extension(office_user, task, extension.id)
        elif action == "suspend":
            update_task(office_user, task, task.version, {"status": "suspended"})
        elif action == "sub_item":
            tasks.append(create_task(office_user, title="后来分解的子事项", due_date=date(2026, 11, 1),
                                     lead_unit_id=task.lead_unit_id, parent_id=task.id))
        elif action == "new_item":
            tasks.append(create_task(office_user, title="后来新建的事项", due_date=date(2026, 10, 20),
                                     lead_unit_id=task.lead_unit_id))
        db.session.commit()
    except DomainError:
        db.session.rollback()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(ledger=units, changes=later)
def test_a_past_days_judgements_do_not_move(app, shared_app, tmp_path, make_unit, make_user, ledger,
                                            changes):
    office_user = _fresh(shared_app, tmp_path, make_user)
    tasks, people = _build(app, make_unit, make_user, office_user, ledger)
    ids = [t.id for t in tasks]
    at(app, PAST, 18)
    before = _judgements(ids)
    for day, (action, n) in zip(range(12, 30), changes):
        at(app, date(2026, 11, day if day <= 30 else 30), 11)
        _act(app, office_user, people, tasks, action, n)
    at(app, date(2026, 11, 30), 12)
    assert _judgements(ids) == before


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(ledger=units, changes=later, day=st.sampled_from([PAST, date(2026, 11, 30)]))
def test_the_overall_partition_adds_up(app, shared_app, tmp_path, make_unit, make_user, ledger, changes,
                                       day):
    office_user = _fresh(shared_app, tmp_path, make_user)
    tasks, people = _build(app, make_unit, make_user, office_user, ledger)
    for d, (action, n) in zip(range(12, 30), changes):
        at(app, date(2026, 11, d), 11)
        _act(app, office_user, people, tasks, action, n)
    at(app, date(2026, 11, 30), 12)
    figures = sections.ledger_figures(day)
    parts = [figures[name] for name, _ in sections.PARTS]
    assert all(n >= 0 for n in parts)
    assert sum(parts) == figures["total"] == sum(figures["by_status"].values())
    assert sum(figures["lights"].values()) == figures["total"]
    shares = sections.shares(parts)
    if figures["total"]:
        assert round(sum(float(s.rstrip("%")) for s in shares), 1) == 100.0
