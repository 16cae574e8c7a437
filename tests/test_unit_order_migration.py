"""Migration 0010 gives every unit that existed before it a sort_order: by kind (office,
专班, departments, counties, towns, other), then in the order the units were entered; and
steps down again (SQLite and PostgreSQL)."""
import pytest
from sqlalchemy import inspect, text

from tracker.extensions import db

UNITS = [(1, "遂溪县", "county"), (2, "市发展改革局", "department"), (3, "办", "office"),
         (4, "县域经济专班", "taskforce"), (5, "城月镇", "town"), (6, "市工业和信息化局", "department"),
         (7, "市领导", "other"), (8, "乡村振兴专班", "taskforce")]


@pytest.mark.parametrize("backend", ["sqlite_url", "pg_url"])
def test_0010_seeds_sort_order_by_kind_then_entry_order(request, make_app, backend):
    from flask_migrate import downgrade, upgrade

    app = make_app(request.getfixturevalue(backend))
    with app.app_context():
        downgrade(revision="0010-1")
        assert "sort_order" not in {c["name"] for c in inspect(db.engine).get_columns("units")}
        with db.engine.begin() as conn:
            for uid, name, kind in UNITS:
                conn.execute(text("INSERT INTO units (id, name, kind, created_at) VALUES "
                                  "(:id, :name, :kind, '2026-01-01 00:00:00')"),
                             {"id": uid, "name": name, "kind": kind})
        upgrade()
        with db.engine.begin() as conn:
            order = conn.execute(text("SELECT name, sort_order FROM units ORDER BY sort_order, name")).all()
        assert [tuple(row) for row in order] == [
            ("办", 10), ("县域经济专班", 1010), ("乡村振兴专班", 1020), ("市发展改革局", 2010),
            ("市工业和信息化局", 2020), ("遂溪县", 3010), ("城月镇", 4010), ("市领导", 5010)]
        downgrade(revision="0010-1")
        assert "sort_order" not in {c["name"] for c in inspect(db.engine).get_columns("units")}
        upgrade()
