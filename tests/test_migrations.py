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
