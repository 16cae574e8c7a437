"""A unit's progress by spreadsheet: its pre-filled sheet downloaded, filled offline and
uploaded back as reports, validated like the form, all or nothing; only its own people."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from conftest import Browser, csrf_from
from tracker.extensions import db
from tracker.ledger.operations import create_task
from tracker.models import ProgressReport
from tracker.spreadsheets.issues import SheetRejected
from tracker.spreadsheets.report_sheet import import_report_sheet, report_sheet_xlsx
from xlsx_support import save


@pytest.fixture
def world(make_world):
    world = make_world()
    create_task(world.users["office"], title="园区提质", due_date=date(2026, 12, 31),
                lead_unit_id=world.lead.id, target_value=5, target_unit="亿元")
    db.session.commit()
    return world


def _filled(data: bytes, fill: dict[str, tuple]) -> bytes:
    """The sheet with rows filled by title: (本期进度, 累计完成, 进展情况, 存在问题, 下步计划)."""
    book = load_workbook(io.BytesIO(data))
    ws = book.active
    for row in ws.iter_rows(min_row=3):
        if row[1].value in fill:
            for cell, value in zip(row[7:12], fill[row[1].value]):
                cell.value = value
    return save(book)


def _reports() -> int:
    return db.session.scalar(select(func.count()).select_from(ProgressReport))


def test_the_sheet_lists_the_units_open_items_with_their_last_values(world):
    data = report_sheet_xlsx(world.users["lead"], world.lead, "2026-W47")
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert "2026-W47" in rows[0][0] and rows[1][:3] == ("编号", "任务名称", "完成时限")
    assert {r[1] for r in rows[2:]} == {"重点产业项目完成投资", "园区提质"}
    assert all(r[5] == 0 for r in rows[2:])  # 上次进度


def test_a_filled_sheet_becomes_the_units_reports(world):
    lead = world.users["lead"]
    data = _filled(report_sheet_xlsx(lead, world.lead, "2026-W47"), {
        "重点产业项目完成投资": (40, "3亿元", "已开工", "用地未批", "加快审批"),
        "园区提质": ("60%", None, "完成规划", None, None)})
    plan = import_report_sheet(lead, world.lead, data, "sheet.xlsx", dry_run=True)
    assert len(plan.rows) == 2 and _reports() == 0
    import_report_sheet(lead, world.lead, data, "sheet.xlsx", dry_run=False)
    db.session.commit()
    reports = {r.task.title: r for r in db.session.scalars(select(ProgressReport))}
    first = reports["重点产业项目完成投资"]
    assert (first.period, first.progress, first.actual_value, first.problems) == ("2026-W47", 40, 3, "用地未批")
    assert first.task.progress == 40 and reports["园区提质"].progress == 60


def test_a_sheet_with_bad_rows_lists_every_one_and_reports_nothing(world):
    lead = world.users["lead"]
    data = _filled(report_sheet_xlsx(lead, world.lead, "2026-W47"), {
        "重点产业项目完成投资": (140, None, "已开工", None, None),
        "园区提质": (50, "很多", None, None, None)})
    with pytest.raises(SheetRejected) as caught:
        import_report_sheet(lead, world.lead, data, "sheet.xlsx", dry_run=False)
    db.session.rollback()
    texts = sorted(i.text() for i in caught.value.issues)
    assert len(texts) == 3, texts
    assert any("「本期进度(%)」" in t for t in texts) and any("「累计完成」" in t for t in texts)
    assert any("「进展情况」：进展情况为空" in t for t in texts)
    assert _reports() == 0


def test_only_the_units_own_people_upload_its_sheet(world):
    data = _filled(report_sheet_xlsx(world.users["office"], world.lead, "2026-W47"),
                   {"园区提质": (50, None, "推进中", None, None)})
    for who in ("office", "co", "leader"):
        with pytest.raises(Exception, match="本单位"):
            import_report_sheet(world.users[who], world.lead, data, "s.xlsx", dry_run=True)


def test_the_unit_downloads_uploads_previews_and_confirms_on_its_page(world, client):
    Browser(client).login("lead")
    sheet = client.get(f"/units/{world.lead.id}/report-sheet.xlsx")
    assert sheet.status_code == 200
    data = _filled(sheet.data, {"园区提质": (55, None, "完成规划", None, None)})
    page = client.get(f"/units/{world.lead.id}/report-sheet")
    preview = client.post(f"/units/{world.lead.id}/report-sheet", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(data), "sheet.xlsx")},
        content_type="multipart/form-data")
    assert preview.status_code == 200 and "园区提质" in preview.get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview.get_data(as_text=True))[1]
    done = client.post(f"/units/{world.lead.id}/report-sheet/confirm",
                       data={"csrf_token": csrf_from(preview), "token": token})
    assert done.status_code == 302 and _reports() == 1
    again = client.post(f"/units/{world.lead.id}/report-sheet/confirm",
                        data={"csrf_token": csrf_from(preview), "token": token})
    assert again.status_code == 302 and _reports() == 1  # the upload is spent
    assert client.get(f"/units/{world.co.id}/report-sheet").status_code == 403
