"""`seed-demo` and `bench-seed`: what they load, and when they refuse."""
from __future__ import annotations

import shutil
from datetime import timedelta

from conftest import TODAY
from sqlalchemy import func, select

from tracker.accounts.operations import authenticate
from tracker.audit import task_history
from tracker.demo.data import DEMO_PASSWORD, UNITS
from tracker.extensions import db
from tracker.labels import STATUSES
from tracker.ledger.operations import create_task, task_query
from tracker.ledger.state import is_overdue
from tracker.models import ExtensionRequest, ProgressReport, SignoffRequest, Task, Unit, User


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def seed(runner, *args):
    return runner.invoke(args=["tracker", "seed-demo", *args])


def test_seed_demo_loads_items_in_every_status(runner):
    result = seed(runner)
    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output
    assert {t.status for t in db.session.scalars(select(Task))} == set(STATUSES)
    office = db.session.scalar(select(User).where(User.login == "office"))
    overdue = db.session.scalars(task_query(office, overdue=True)).all()
    assert len(overdue) >= 5
    open_items = db.session.scalars(task_query(office, overdue=False)).all()
    due_soon = [t for t in open_items
                if t.status != "signed_off" and t.due_date <= TODAY + timedelta(days=7)]
    assert len(due_soon) >= 3
    assert db.session.scalar(select(func.count()).where(SignoffRequest.status == "pending")) >= 3
    assert db.session.scalar(select(func.count()).where(SignoffRequest.status == "rejected")) == 1
    assert db.session.scalar(select(func.count()).where(ExtensionRequest.status == "pending")) == 2
    late = db.session.scalar(select(func.count()).where(ProgressReport.on_time.is_(False)))
    assert 0 < late < count(ProgressReport) / 4


def test_seed_demo_history_is_the_real_audit_trail(runner):
    assert seed(runner).exit_code == 0
    task = db.session.scalar(select(Task).where(Task.status == "signed_off",
                                                Task.target_value.is_not(None)))
    actions = [event["action"] for event in task_history(task.id)]
    assert actions[0] == "task.create"
    assert actions[-2:] == ["signoff.request", "signoff.approve"]
    assert "report.submit" in actions
    stamps = [event["at"] for event in task_history(task.id)]
    assert stamps == sorted(stamps) and stamps[-1] < "2026-11-18T10:00"


def test_every_demo_login_works_with_the_printed_password(runner):
    output = seed(runner).output
    for login, name, _, _ in UNITS:
        assert f"  {login} " in output and name in output
        assert authenticate(login, DEMO_PASSWORD, "127.0.0.1").unit.name == name
    assert authenticate("leader", DEMO_PASSWORD, "127.0.0.1").role == "leader"


def test_seed_demo_refuses_a_database_with_data(runner, make_unit):
    make_unit("已有单位")
    result = seed(runner)
    assert result.exit_code == 1
    assert "database not empty" in result.output
    assert count(Unit) == 1 and count(Task) == 0


def test_if_empty_loads_once_then_does_nothing(runner):
    assert seed(runner, "--if-empty").exit_code == 0
    loaded = count(Task), count(ProgressReport), count(User)
    again = seed(runner, "--if-empty")
    assert again.exit_code == 0 and "not loaded" in again.output
    assert (count(Task), count(ProgressReport), count(User)) == loaded


# --- bench-seed --------------------------------------------------------------------------

BENCH_ARGS = ["tracker", "bench-seed", "--units", "40", "--tasks", "300", "--reports", "1000"]
TABLES = ("units", "users", "plans", "tasks", "task_co_units", "milestones", "signoff_requests",
          "audit_events", "progress_reports")


def dump() -> dict[str, list[tuple]]:
    """Every bench table's rows (password hashes aside: they are salted)."""
    rows = {}
    for name in TABLES:
        table = db.metadata.tables[name]
        columns = [c for c in table.columns if c.name != "password_hash"]
        rows[name] = db.session.execute(
            select(*columns).order_by(*table.primary_key.columns)).all()
    return rows


def test_bench_seed_is_deterministic(make_app, migrated_db, tmp_path):
    dumps = []
    for name in ("first.db", "second.db"):
        shutil.copy(migrated_db, tmp_path / name)
        app = make_app(f"sqlite:///{tmp_path / name}")
        result = app.test_cli_runner().invoke(args=[*BENCH_ARGS, "--seed", "7"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            dumps.append(dump())
    first, second = dumps
    assert first == second
    assert len(first["units"]) == 40 and len(first["tasks"]) == 300
    assert len(first["progress_reports"]) == 1000


def test_bench_seed_shape(runner):
    assert runner.invoke(args=BENCH_ARGS).exit_code == 0
    tasks = db.session.scalars(select(Task)).all()
    overdue = sum(is_overdue(t, TODAY) for t in tasks)
    assert 0.2 < overdue / len(tasks) < 0.45
    assert {t.depth for t in tasks} == {0, 1, 2, 3}
    assert {t.status for t in tasks} == set(STATUSES)
    reported = db.session.scalar(select(func.count()).where(Task.last_report_at.is_not(None)))
    assert reported > len(tasks) / 2
    assert authenticate("u0002", "bench-password", "127.0.0.1").unit_id == 2


def test_app_adds_rows_after_bench_seed(runner, make_unit):
    """The bulk load's explicit ids must not collide with the next rows the app adds."""
    assert runner.invoke(args=BENCH_ARGS).exit_code == 0
    office = db.session.scalar(select(User).where(User.login == "office"))
    unit = make_unit("新增单位")
    task = create_task(office, title="新增事项", due_date=TODAY, lead_unit_id=unit.id)
    db.session.commit()
    assert unit.id == 41 and task.id == 301


def test_bench_seed_refuses_a_database_with_data(runner, make_unit):
    make_unit()
    result = runner.invoke(args=BENCH_ARGS)
    assert result.exit_code == 1 and "database not empty" in result.output
    assert count(Task) == 0
