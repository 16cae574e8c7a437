"""In real Chromium, on a phone-sized screen: the office uploads its ledger workbook, reads
the preview of every row, confirms, and finds the items in the ledger."""
import pytest
from sqlalchemy import func, select

from test_browser_ledger import login
from tracker.extensions import db
from tracker.models import Task
from xlsx_support import messy_ledger

pytestmark = pytest.mark.browser


def test_upload_preview_confirm_in_chromium(live_server, chromium, office_user, make_unit, tmp_path):
    for name in ("市发展改革局", "市工业和信息化局", "市投资促进局"):
        make_unit(name)
    sheet = tmp_path / "2026年重点任务台账.xlsx"
    sheet.write_bytes(messy_ledger())
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, live_server, "office")
    page.goto(f"{live_server}/tasks")
    page.click("text=从 Excel 导入")
    page.set_input_files("input[type=file]", str(sheet))
    page.click("#preview-import")
    page.wait_for_selector("#import-preview")
    assert "共 7 行：新增 7，修改 0，无变化 0" in page.inner_text("#import-summary")
    assert page.locator("tr.outcome-create").count() == 7
    # The preview's table scrolls inside its card; the page itself stays phone-wide.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Task)) == 0
    page.click("#confirm-import")
    page.wait_for_url(lambda url: url.rstrip("/").endswith("/tasks"))
    assert "已导入 7 行" in page.content() and "签约亿元项目" in page.content()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Task)) == 7
    context.close()
