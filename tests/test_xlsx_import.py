"""Importing an office's ledger workbook: the messy shapes real files come in, every error
named by sheet, row and column with nothing written, re-imports that change only what
changed, and the CLI and API around it."""
from __future__ import annotations

import io
from pathlib import Path
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from openpyxl.styles import Alignment
from sqlalchemy import func, select

from conftest import Browser, csrf_from
from tracker.extensions import db
from tracker.models import AuditEvent, Task, Unit
from tracker.spreadsheets import cells
from tracker.spreadsheets.issues import SheetRejected
from tracker.spreadsheets.ledger_import import import_ledger
from xlsx_support import messy_ledger, save, workbook

@pytest.fixture
def office(app, office_user, make_unit):
    for name in ("市发展改革局", "市工业和信息化局", "市投资促进局"):
        make_unit(name)
    return office_user


def _task(code: str) -> Task:
    return db.session.scalar(select(Task).where(Task.code == code))


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Task))


def test_a_messy_office_ledger_imports_with_its_tree_dates_units_and_targets(office):
    plan = import_ledger(office, messy_ledger(), "台账.xlsx", dry_run=False)
    db.session.commit()
    assert plan.summary() == {"rows": 7, "created": 7, "updated": 0, "unchanged": 0}
    assert [t.code for t in db.session.scalars(select(Task).order_by(Task.sort_key))] == [
        "1", "1.1", "1.1.1", "1.1.2", "1.2", "2", "2.1"]
    item = _task("1.1")
    assert (item.title, item.lead_unit.name, item.leader) == ("招商引资", "市发展改革局", "张三")
    assert {u.name for u in item.co_units} == {"市工业和信息化局", "市投资促进局"}
    assert (item.start_date, item.due_date) == (date(2026, 1, 1), date(2026, 12, 31))
    assert (item.target_value, item.target_unit, item.description) == (12.5, "亿元", "重点")
    assert item.parent.code == "1"
    signed = _task("1.1.1")
    assert (signed.due_date, signed.target_value, signed.target_unit) == (date(2026, 12, 31), 30, "个")
    assert _task("1.1.2").target_value == 3000 and _task("1.1.2").target_unit == "亩"
    # Several units in the lead cell: the first leads, the others co-handle.
    assert [u.name for u in _task("1.1.2").co_units] == ["市工业和信息化局"]
    assert {u.name for u in _task("1.2").co_units} == {"市发展改革局", "市投资促进局"}
    # A group row without deadline or lead: its latest child's deadline, the office as lead.
    assert _task("1").due_date == date(2026, 12, 31) and _task("1").lead_unit_id == office.unit_id
    assert _task("2.1").target_unit == "公里"
    # Audited through the ledger's operations, and once as an import.
    actions = list(db.session.scalars(select(AuditEvent.action)))
    assert actions.count("task.create") == 7 and actions.count("ledger.import") == 1


def test_importing_the_same_sheet_again_changes_nothing(office):
    import_ledger(office, messy_ledger(), "台账.xlsx", dry_run=False)
    db.session.commit()
    versions = {t.code: t.version for t in db.session.scalars(select(Task))}
    plan = import_ledger(office, messy_ledger(), "台账.xlsx", dry_run=False)
    db.session.commit()
    assert plan.summary() == {"rows": 7, "created": 0, "updated": 0, "unchanged": 7}
    assert _count() == 7
    assert {t.code: t.version for t in db.session.scalars(select(Task))} == versions


def test_a_changed_row_updates_only_its_fields_with_the_version_bumped_and_audited(office):
    import_ledger(office, workbook([["1", "招商引资", None, "市发展改革局", None, None, None,
                                     "2026-12-31", None, None, None]]), "a.xlsx", dry_run=False)
    db.session.commit()
    version = _task("1").version
    plan = import_ledger(office, workbook([["1", "招商引资", None, "市发展改革局", "市投资促进局", None,
                                            None, "2026年11月30日", None, None, None]]),
                         "a.xlsx", dry_run=False)
    db.session.commit()
    assert [(p.code, p.action, p.fields) for p in plan.rows] == [("1", "update", ["co_units", "due_date"])]
    item = _task("1")
    assert item.due_date == date(2026, 11, 30) and item.version > version
    assert [u.name for u in item.co_units] == ["市投资促进局"]
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "task.update")) == 1


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(office):
    plan = import_ledger(office, messy_ledger(), "台账.xlsx", dry_run=True)
    db.session.rollback()
    assert plan.count("create") == 7 and _count() == 0


def twenty_errors() -> bytes:
    bad = [
        ["1", "", None, "市发展改革局", None, None, None, "2026-12-31", None, None, None],  # 1 title
        ["2", "事项", None, "不存在的局", None, None, None, "2026-12-31", None, None, None],  # 2 lead
        ["3", "事项", None, "市发展改革局", "某某公司", None, None, "2026-12-31", None, None, None],  # 3 co
        ["4", "事项", None, "市发展改革局", None, None, None, "十二月份", None, None, None],  # 4 date
        ["5", "事项", None, "市发展改革局", None, None, "去年", "2026-12-31", None, None, None],  # 5 start
        ["6", "事项", None, "市发展改革局", None, None, None, "2150-01-01", None, None, None],  # 6 bound
        ["7", "事项", None, "市发展改革局", None, None, None, "2026-12-31", "很多", None, None],  # 7 number
        ["8", "事项", None, "市发展改革局", None, None, None, "2026-12-31", "5亿元", "万元", None],  # 8 unit
        ["9", "事项", None, "市发展改革局", None, "长" * 65, None, "2026-12-31", None, None, None],  # 9 leader
        ["10", "事项", None, "市发展改革局", None, None, None, None, None, None, None],  # 10 due missing
        ["11", "事项", None, None, None, None, None, "2026-12-31", None, None, None],  # 11 lead missing
        ["12", "事项", "99", "市发展改革局", None, None, None, "2026-12-31", None, None, None],  # 12 parent
        ["1", "重复编号", None, "市发展改革局", None, None, None, "2026-12-31", None, None, None],  # 13 dup
        ["A B", "事项", None, "市发展改革局", None, None, None, "2026-12-31", None, None, None],  # 14 code
        ["15", "长" * 301, None, "市发展改革局", None, None, None, "2026-12-31", None, None, None],  # 15
        ["16", "事项", None, "市发展改革局", None, None, None, "2026-13-01", None, None, None],  # 16
        ["17", "事项", None, "市发展改革局", None, None, None, "2026-12-31", "1e20", None, None],  # 17
        ["18", "事项", None, "市发展改革局", None, None, None, "2026-12-31", None, "单" * 21, None],  # 18
        ["19", "事项", None, "新的局", None, None, None, "2026-12-31", None, None, None],  # 19 lead
        ["20", "事项", None, "市发展改革局", None, None, "2026-12-31", "2027年第五季度", None, None, None],  # 20
    ]
    return workbook(bad, sheet="台账")


def test_a_sheet_with_twenty_mixed_errors_reports_all_twenty_and_imports_nothing(office):
    with pytest.raises(SheetRejected) as caught:
        import_ledger(office, twenty_errors(), "bad.xlsx", dry_run=False)
    db.session.rollback()
    issues = caught.value.issues
    assert len(issues) == 20, [i.text() for i in issues]
    assert {i.row for i in issues} == set(range(3, 23))
    assert all(i.sheet == "台账" and i.column for i in issues)
    by_row = {i.row: i for i in issues}
    assert by_row[6].text() == "台账 第6行「完成时限」：无法识别的日期“十二月份”"
    assert by_row[4].column == "牵头单位" and "不存在的局" in by_row[4].message
    assert by_row[15].column == "编号" and "重复" in by_row[15].message
    assert _count() == 0


def test_unknown_units_are_created_with_a_kind_guessed_from_the_name_when_asked(office):
    data = workbook([["1", "事项", None, "某某县", "某某镇、乡村振兴专班、市住房城乡建设局", None, None,
                      "2026-12-31", None, None, None]])
    with pytest.raises(SheetRejected):
        import_ledger(office, data, "a.xlsx", dry_run=True)
    plan = import_ledger(office, data, "a.xlsx", dry_run=False, create_units=True)
    db.session.commit()
    assert plan.new_units == {"某某县": "county", "某某镇": "town", "乡村振兴专班": "taskforce",
                              "市住房城乡建设局": "department"}
    kinds = dict(db.session.execute(select(Unit.name, Unit.kind)).all())
    assert kinds["某某县"] == "county" and kinds["乡村振兴专班"] == "taskforce"


def test_a_sheet_without_codes_takes_its_tree_from_the_indentation_and_merged_units(office):
    book = Workbook()
    ws = book.active
    ws.append(["序号外的表", None, None])
    ws.append(["工作任务", "责任单位", "完成时间"])
    rows = [("产业振兴", 0), ("招商引资", 1), ("签约项目", 2), ("园区提质", 1), ("城乡融合", 0)]
    for n, (title, indent) in enumerate(rows):
        ws.append([title, "市发展改革局" if n in (0, 3, 4) else None, "年底"])
        ws.cell(ws.max_row, 1).alignment = Alignment(indent=indent)
    ws.merge_cells("B3:B5")  # the lead unit written once for three items
    import_ledger(office, save(book), "a.xlsx", dry_run=False)
    db.session.commit()
    tree = {t.code: (t.title, t.parent.code if t.parent else None, t.lead_unit.name)
            for t in db.session.scalars(select(Task))}
    assert tree == {"1": ("产业振兴", None, "市发展改革局"), "1.1": ("招商引资", "1", "市发展改革局"),
                    "1.1.1": ("签约项目", "1.1", "市发展改革局"), "1.2": ("园区提质", "1", "市发展改革局"),
                    "2": ("城乡融合", None, "市发展改革局")}


def test_a_first_column_of_group_names_merged_over_their_items_is_the_tree(office):
    book = Workbook()
    ws = book.active
    ws.append(["类别", "工作任务", "责任单位", "完成时间"])
    ws.append(["一、产业振兴", "招商引资", "市发展改革局", "6月底"])
    ws.append([None, "园区提质", "市工业和信息化局", "年底"])
    ws.append(["二、城乡融合", "县城扩容", "市住房城乡建设局", "2026年第三季度"])
    ws.append([None, "镇街改造", "市住房城乡建设局", "2026-10-31"])
    ws.append([None, "乡村风貌", "市农业农村局", "年底"])
    ws.merge_cells("A2:A3")
    ws.merge_cells("A4:A6")
    import_ledger(office, save(book), "a.xlsx", dry_run=False, create_units=True)
    db.session.commit()
    tree = {t.code: (t.title, t.parent.code if t.parent else None, t.due_date)
            for t in db.session.scalars(select(Task))}
    assert tree == {
        "1": ("一、产业振兴", None, date(2026, 12, 31)), "1.1": ("招商引资", "1", date(2026, 6, 30)),
        "1.2": ("园区提质", "1", date(2026, 12, 31)),
        "2": ("二、城乡融合", None, date(2026, 12, 31)), "2.1": ("县城扩容", "2", date(2026, 9, 30)),
        "2.2": ("镇街改造", "2", date(2026, 10, 31)), "2.3": ("乡村风貌", "2", date(2026, 12, 31))}


def test_a_group_name_alone_on_its_first_row_is_the_group_only(office):
    book = Workbook()
    ws = book.active
    ws.append(["类别", "工作任务", "责任单位", "完成时间"])
    ws.append(["一、产业振兴", None, None, None])
    ws.append([None, "招商引资", "市发展改革局", "6月底"])
    ws.merge_cells("A2:A3")
    import_ledger(office, save(book), "a.xlsx", dry_run=False)
    db.session.commit()
    tree = {t.code: (t.title, t.parent.code if t.parent else None) for t in db.session.scalars(select(Task))}
    assert tree == {"1": ("一、产业振兴", None), "1.1": ("招商引资", "1")}


@pytest.mark.parametrize("written, expected", [
    ("2026-12-31", date(2026, 12, 31)), ("2026/12/31", date(2026, 12, 31)),
    ("2026.12.31", date(2026, 12, 31)), ("2026年12月31日", date(2026, 12, 31)),
    ("２０２６年１２月３１日", date(2026, 12, 31)), ("2026年12月底", date(2026, 12, 31)),
    ("2026年2月底前", date(2026, 2, 28)), ("6月底", date(2026, 6, 30)), ("年底", date(2026, 12, 31)),
    ("2026年第四季度", date(2026, 12, 31)), ("2026年第一季度", date(2026, 3, 31)),
    ("上半年", date(2026, 6, 30)), (datetime(2026, 5, 4, 0, 0), date(2026, 5, 4)),
    (46387, date(2026, 12, 31)), ("2027年底", date(2027, 12, 31)),
])
def test_dates_are_read_in_every_spelling_offices_use(written, expected):
    assert cells.parse_date(written, 2026) == expected


@pytest.mark.parametrize("written", ["十二月份", "尽快", "2026-02-30", "Q5", "12345678"])
def test_dates_that_name_no_day_are_refused_with_the_text_quoted(written):
    with pytest.raises(cells.CellError, match="无法识别的日期"):
        cells.parse_date(written, 2026)


@pytest.mark.parametrize("written, expected", [
    ("12.5亿元", (12.5, "亿元")), ("１２０ 万元", (120.0, "万元")), ("3,000亩", (3000.0, "亩")),
    ("约15公里", (15.0, "公里")), ("8家", (8.0, "家")), (42, (42.0, "")), (None, (None, "")),
])
def test_numbers_with_units_split_into_value_and_unit(written, expected):
    assert cells.parse_quantity(written) == expected


def test_cli_imports_with_one_summary_line_and_refuses_with_every_error_on_stderr(office, runner, tmp_path):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(messy_ledger())
    bad.write_bytes(twenty_errors())
    result = runner.invoke(args=["tracker", "import-xlsx", str(good), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("rows 7: created 7, updated 0, unchanged 0 (dry run, nothing written)")
    assert _count() == 0
    result = runner.invoke(args=["tracker", "import-xlsx", str(bad)])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if "第" in line]
    assert len(lines) == 20 and "台账 第6行「完成时限」：无法识别的日期“十二月份”" in lines
    assert _count() == 0
    result = runner.invoke(args=["tracker", "import-xlsx", str(good)])
    assert result.exit_code == 0 and "rows 7: created 7, updated 0, unchanged 0" in result.stdout
    out = tmp_path / "out.xlsx"
    result = runner.invoke(args=["tracker", "export-xlsx", str(out), "--unit", "市投资促进局"])
    assert result.exit_code == 0 and out.stat().st_size > 0


def test_api_previews_imports_and_lists_every_error(office, make_user, token_for, client):
    headers = token_for(office)

    def post(data: bytes, **form):
        return client.post("/api/v1/imports/ledger", headers=headers,
                           data={"file": (io.BytesIO(data), "台账.xlsx"), **form})

    preview = post(messy_ledger(), dry_run="true")
    assert preview.status_code == 200 and preview.json["dry_run"] is True
    assert (preview.json["rows"], preview.json["created"]) == (7, 7) and _count() == 0
    assert preview.json["changes"][1] == {"row": 5, "sheet": "Sheet1", "code": "1.1",
                                          "action": "create", "fields": preview.json["changes"][1]["fields"]}
    done = post(messy_ledger(), dry_run="false")
    assert done.status_code == 200 and done.json["created"] == 7 and _count() == 7
    again = post(messy_ledger())
    assert again.json["unchanged"] == 7
    refused = post(twenty_errors())
    assert refused.status_code == 400 and refused.json["field"] == "file"
    assert len(refused.json["errors"]) == 20
    assert set(refused.json["errors"][0]) == {"sheet", "row", "column", "message"}
    unit_user = make_user("unit")
    assert client.post("/api/v1/imports/ledger", headers=token_for(unit_user),
                       data={"file": (io.BytesIO(messy_ledger()), "a.xlsx")}).status_code == 403
    not_a_workbook = post(b"just text")
    assert not_a_workbook.status_code == 400 and not_a_workbook.json["field"] == "file"


def test_the_office_uploads_previews_and_confirms_on_the_page(office, client):
    browser = Browser(client)
    browser.login("office")
    page = client.get("/imports/ledger")
    preview = client.post("/imports/ledger", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(messy_ledger()), "台账.xlsx")},
        content_type="multipart/form-data")
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    assert "共 7 行：新增 7，修改 0，无变化 0" in text and _count() == 0
    token = csrf_from(preview)
    import re
    upload = re.search(r'name="token" type="hidden" value="([^"]+)"', text) or \
        re.search(r'id="token" name="token" type="hidden" value="([^"]+)"', text)
    assert upload, text
    done = client.post("/imports/ledger/confirm", data={"csrf_token": token, "token": upload[1],
                                                        "create_units": ""})
    assert done.status_code == 302 and _count() == 7
    refused = client.post("/imports/ledger", data={
        "csrf_token": token, "file": (io.BytesIO(twenty_errors()), "bad.xlsx")},
        content_type="multipart/form-data")
    assert refused.status_code == 400
    assert refused.get_data(as_text=True).count('class="issue"') == 20


def test_a_unit_cannot_reach_the_import_page(app, make_world, client):
    make_world()
    Browser(client).login("lead")
    assert client.get("/imports/ledger").status_code == 403


def test_each_unit_is_told_once_per_role_of_what_the_import_assigned_it(office):
    from tracker.models import UnitNotice

    import_ledger(office, messy_ledger(), "台账.xlsx", dry_run=False)
    db.session.commit()
    notices = list(db.session.scalars(select(UnitNotice).where(UnitNotice.rule == "assignment")))
    by_unit = {}
    for notice in notices:
        by_unit.setdefault(db.session.get(Unit, notice.unit_id).name, []).append(notice)
    told = {name: sorted(len(n.task_ids) for n in ns) for name, ns in by_unit.items()}
    # 发改 leads 1.1, 1.1.1, 1.1.2 and co-handles 1.2; 工信 leads 1.2 and co-handles the three.
    assert told == {"市发展改革局": [1, 3], "市工业和信息化局": [1, 3], "市投资促进局": [1, 3],
                    "市百千万工程指挥部办公室": [2]}


@pytest.mark.parametrize("name", ["messy.ods", "messy.xls"])
def test_the_same_ledger_saved_by_libreoffice_as_ods_or_xls_imports_alike(office, name):
    """tests/data holds messy_ledger() as LibreOffice Calc saved it (soffice --convert-to);
    those formats are read by python-calamine."""
    data = (Path(__file__).parent / "data" / name).read_bytes()
    plan = import_ledger(office, data, name, dry_run=True)
    expected = import_ledger(office, messy_ledger(), "台账.xlsx", dry_run=True)
    assert [(p.code, p.action, p.values) for p in plan.rows] == \
        [(p.code, p.action, p.values) for p in expected.rows]


def test_a_workbook_that_unpacks_too_large_is_refused_before_it_is_read(office, monkeypatch):
    from tracker.spreadsheets import reading

    monkeypatch.setattr(reading, "MAX_UNPACKED", 1000)
    with pytest.raises(reading.WorkbookError, match="解压后过大"):
        import_ledger(office, messy_ledger(), "台账.xlsx", dry_run=True)


def test_an_item_created_between_preview_and_commit_refuses_the_whole_import(office):
    from tracker.errors import DomainError
    from tracker.ledger.operations import create_task
    from tracker.spreadsheets.ledger_import import commit
    from tracker.spreadsheets.ledger_plan import plan_import

    plan = plan_import(office, messy_ledger(), "台账.xlsx")
    unit = db.session.scalar(select(Unit).where(Unit.name == "市投资促进局"))
    create_task(office, code="2", title="别人刚建的", due_date=date(2026, 12, 31), lead_unit_id=unit.id)
    with pytest.raises(DomainError):
        commit(office, plan, "台账.xlsx")
    db.session.rollback()
    assert _count() == 0
