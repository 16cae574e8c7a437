"""The schema comes from the migrations, and they match the models exactly."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from tracker.extensions import db


def _drift(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


@pytest.mark.parametrize("backend", ["sqlite_url", "pg_url"])
def test_upgrade_on_empty_database_yields_exactly_the_models_schema(request, make_app, backend):
    app = make_app(request.getfixturevalue(backend))
    assert _drift(app) == []
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


@pytest.mark.parametrize("backend", ["sqlite_url", "pg_url"])
def test_0004_settles_what_the_old_rules_let_in(request, make_app, backend, tmp_path):
    """Far deadlines become the last day allowed; of duplicate pending requests a race left,
    the oldest stays pending; then the database keeps one pending request per item."""
    from flask_migrate import upgrade
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from flask_migrate import downgrade

    app = make_app(request.getfixturevalue(backend))
    with app.app_context():
        downgrade(revision="0004-1")  # the database before 0004, with rows the old rules accepted
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO units (id, name, kind, created_at) VALUES "
                              "(1, '办', 'office', '2026-01-01 00:00:00')"))
            conn.execute(text("INSERT INTO users (id, login, name, unit_id, role, password_hash, "
                              "is_active, created_at) VALUES (1, 'u', 'u', 1, 'unit', 'x', true, "
                              "'2026-01-01 00:00:00')"))
            conn.execute(text("INSERT INTO plans (id, year, title, created_at) VALUES "
                              "(1, 2026, 'p', '2026-01-01 00:00:00')"))
            conn.execute(text(
                "INSERT INTO tasks (id, plan_id, code, sort_key, depth, title, description, "
                "lead_unit_id, leader, due_date, target_unit, progress, status, version, "
                "created_at, updated_at) VALUES (1, 1, '1', '0001', 0, 't', '', 1, '', "
                "'9999-12-31', '', 0, 'in_progress', 1, '2026-01-01 00:00:00', "
                "'2026-01-01 00:00:00')"))
            for rid in (1, 2):
                conn.execute(text(
                    "INSERT INTO extension_requests (id, task_id, unit_id, requested_by_id, "
                    "old_due_date, new_due_date, reason, status, decision_reason, created_at) "
                    f"VALUES ({rid}, 1, 1, 1, '2026-12-01', '9999-12-31', 'r', 'pending', '', "
                    "'2026-01-01 00:00:00')"))
        upgrade()
        with db.engine.begin() as conn:
            assert str(conn.execute(text("SELECT due_date FROM tasks")).scalar()) == "2099-12-31"
            rows = conn.execute(text("SELECT id, status, new_due_date FROM extension_requests "
                                     "ORDER BY id")).all()
            assert [(r[0], r[1], str(r[2])) for r in rows] == [
                (1, "pending", "2099-12-31"), (2, "rejected", "2099-12-31")]
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(text("UPDATE extension_requests SET status = 'pending' WHERE id = 2"))
