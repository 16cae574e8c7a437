"""The weekly dispatch .xlsx (streamed by openpyxl in write-only mode):
Excel-readable with the title and header bold and frozen, and text XML cannot carry (control
characters pasted into a report) dropped instead of failing the download."""
import io

from openpyxl import load_workbook

from test_regime_dispatch import HEADER, week  # noqa: F401
from tracker.extensions import db
from tracker.models import ProgressReport


def test_dispatch_xlsx_has_a_bold_frozen_header_and_survives_control_characters(browser, week):
    db.session.execute(ProgressReport.__table__.update()
                       .where(ProgressReport.task_id == week["park"].id)
                       .values(text="完成土地征收\x0b80%", problems="用地<指标>紧张 & 待协调"))
    db.session.commit()
    browser.login("office")
    response = browser.get("/regime/dispatch/2026-W46.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.title == "2026年第46周工作调度表" and sheet.freeze_panes == "A3"
    assert sheet["A1"].font.b and sheet["A2"].font.b and not sheet["A3"].font.b
    rows = list(sheet.values)
    assert rows[1] == HEADER
    assert rows[2][:3] == (1, "1", "产业园区扩容") and isinstance(rows[2][0], int)
    # Word's vertical tab (manual line break) is a line break (issue 10).
    assert rows[2][11:13] == ("完成土地征收\n80%", "用地<指标>紧张 & 待协调")
    assert rows[4][11:14] == (None, None, None)     # item 3 sent no report
    assert sheet.page_setup.orientation == "landscape"
