"""The ledger out to Excel in the import layout: filtered like the list, with each item's
state, and an unchanged export re-imports as unchanged."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from conftest import Browser
from tracker.extensions import db
from tracker.ledger.operations import create_task, task_query
from tracker.models import Task
from tracker.reports.operations import submit_report
from tracker.spreadsheets.export import ledger_xlsx
from tracker.spreadsheets.issues import SheetRejected
from tracker.spreadsheets.ledger_import import import_ledger
from xlsx_support import HEADER, read_rows, save


@pytest.fixture
def ledger(make_world):
    """The role world plus a small tree with targets, co-units and a report."""
    world = make_world()
    office = world.users["office"]
    parent = create_task(office, title="产业振兴", due_date=date(2026, 12, 31), lead_unit_id=world.lead.id)
    create_task(office, title="签约亿元项目", due_date=date(2026, 10, 31), lead_unit_id=world.lead.id,
                parent_id=parent.id, co_unit_ids=[world.co.id, world.other.id], leader="王五",
                start_date=date(2026, 1, 1), target_value=12.5, target_unit="亿元",
                description="备注=1+1")
    create_task(office, title="园区提质", due_date=date(2026, 12, 31), lead_unit_id=world.other.id)
    submit_report(world.users["lead"], world.task, progress=40, text="已开工", problems="用地未批")
    db.session.commit()
    return world


def test_the_export_holds_the_import_layout_and_each_items_state(ledger):
    rows = read_rows(ledger_xlsx(task_query(ledger.users["office"]), "任务清单"))
    assert rows[0][0] == "任务清单"
    assert rows[1] == [*HEADER, "状态", "亮灯", "进度", "最新进展", "存在问题"]
    by_title = {r[1]: r for r in rows[2:]}
    item = by_title["签约亿元项目"]
    assert item[2] == by_title["产业振兴"][0]  # 上级编号
    assert (item[3], item[4], item[5]) == ("市发展改革局", "市工业和信息化局、市投资促进局", "王五")
    assert item[7].date() == date(2026, 10, 31) and (item[8], item[9]) == (12.5, "亿元")
    assert item[10] == "备注=1+1"
    reported = by_title["重点产业项目完成投资"]
    assert reported[11:] == ["推进中", reported[12], 40, "已开工", "用地未批"]


def test_export_then_import_changes_nothing(ledger):
    office = ledger.users["office"]
    versions = dict(db.session.execute(select(Task.code, Task.version)).all())
    data = ledger_xlsx(task_query(office), "任务清单")
    plan = import_ledger(office, data, "export.xlsx", dry_run=False)
    db.session.commit()
    assert plan.summary() == {"rows": 4, "created": 0, "updated": 0, "unchanged": 4}
    assert dict(db.session.execute(select(Task.code, Task.version)).all()) == versions


def test_a_units_export_holds_only_its_items_and_the_api_filters_like_the_list(ledger, token_for, client):
    headers = token_for(ledger.users["office"])
    response = client.get(f"/api/v1/tasks.xlsx?unit_id={ledger.other.id}", headers=headers)
    assert response.status_code == 200
    titles = {r[1] for r in read_rows(response.data)[2:]}
    assert titles == {"签约亿元项目", "园区提质"}
    assert client.get("/api/v1/tasks.xlsx?status=nonsense", headers=headers).status_code == 400
    lead = token_for(ledger.users["lead"])
    titles = {r[1] for r in read_rows(client.get("/api/v1/tasks.xlsx", headers=lead).data)[2:]}
    assert titles == {"重点产业项目完成投资", "产业振兴", "签约亿元项目"}


def test_the_template_is_the_layout_and_imports_as_nothing(ledger, token_for, client):
    response = client.get("/api/v1/imports/ledger/template.xlsx", headers=token_for(ledger.users["lead"]))
    assert response.status_code == 200
    assert read_rows(response.data)[1] == HEADER
    plan = import_ledger(ledger.users["office"], response.data, "template.xlsx", dry_run=True)
    assert plan.summary()["rows"] == 0


def test_the_ledger_page_exports_what_its_filters_show(ledger, client):
    Browser(client).login("office")
    response = client.get(f"/tasks.xlsx?unit_name={ledger.other.name}")
    assert response.status_code == 200
    assert {r[1] for r in read_rows(response.data)[2:]} == {"签约亿元项目", "园区提质"}


TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12)
CELL = st.one_of(st.none(), TEXT, st.integers(-10, 10**6),
                 st.floats(allow_nan=True, allow_infinity=True), st.dates(),
                 st.sampled_from(["市发展改革局", "2026年12月底", "一、", "（一）", "1.1", "12亿元", "年底"]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.permutations(HEADER), width=st.integers(1, len(HEADER)),
       rows=st.lists(st.lists(CELL, min_size=0, max_size=8), max_size=8),
       above=st.integers(0, 3))
def test_random_sheets_never_crash_the_importer(office_user, header, width, rows, above):
    """Whatever the sheet holds, the importer ends in a clean import or a list of errors each
    naming where, never anything else, and a refused sheet writes nothing."""
    book = Workbook()
    ws = book.active
    for _ in range(above):
        ws.append(["说明"])
    ws.append(header[:width])
    for row in rows:
        ws.append(row)
    before = db.session.scalar(select(func.count()).select_from(Task))
    try:
        import_ledger(office_user, save(book), "random.xlsx", dry_run=False, create_units=True)
    except SheetRejected as exc:
        db.session.rollback()
        assert exc.issues and all(i.message for i in exc.issues)
        assert db.session.scalar(select(func.count()).select_from(Task)) == before
    else:
        db.session.commit()
