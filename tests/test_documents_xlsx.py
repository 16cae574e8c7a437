"""The bulletin and dispatch .xlsx read back as a user opening them in Excel would see them:
a title over a bold, filled, bordered header, numbers and dates stored as such with their
formats, the header frozen, printing landscape on A4 one page wide with the title and
header on every page, and user text never turned into a formula."""
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from tracker.regime.documents import table_xlsx, xlsx_bytes

COLUMNS = ["序号", "任务名称", "完成率", "投资（亿元）", "完成时限", "存在问题"]
FORMATS = ["int", "text", "percent", "number", "date", "text"]
ROWS = [[1, "标准厂房建设", 0.571, 12.345, "2026-11-07", "用地指标未落实"],
        [2, "5G基站建设", None, 3, date(2026, 12, 1), None]]
HOSTILE = ["=1+1", '=HYPERLINK("http://x","y")', "#N/A", "+1", "-x", "@x", "a\x01b\x00",
           "lone \ud800 surrogate"]


def _bulletin(*tables) -> dict:
    return {"title": "2026年11月工作推进情况通报", "as_of": "2026-11-30", "sections": [
        {"key": f"s{n}", "title": title, "paragraphs": ["说明。"], "table": table}
        for n, (title, table) in enumerate(tables, start=1)]}


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


@pytest.fixture
def sheet():
    table = {"columns": COLUMNS, "rows": ROWS, "formats": FORMATS}
    return _book(xlsx_bytes(_bulletin(("二、到期事项", table))))["二、到期事项"]


def test_the_overview_sheet_comes_first_with_the_title_and_cut_off(sheet):
    book = sheet.parent
    assert book.sheetnames == ["概况", "二、到期事项"]
    overview = [row[0] for row in book["概况"].values]
    assert overview[:2] == ["2026年11月工作推进情况通报", "统计截至2026-11-30"]
    assert "二、到期事项" in overview and "说明。" in overview


def test_a_title_row_over_a_bold_filled_bordered_header(sheet):
    assert sheet["A1"].value == "二、到期事项" and sheet["A1"].font.b
    assert "A1:F1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [c.value for c in sheet[2]] == COLUMNS
    for cell in sheet[2]:
        assert cell.font.b and cell.fill.fgColor.rgb.endswith("D9E1F2")
        assert cell.border.bottom.style == "thin"
    for cell in sheet[3]:
        assert cell.border.left.style == cell.border.top.style == "thin"
        assert cell.alignment.wrap_text


def test_numbers_percentages_and_dates_are_stored_as_such_with_their_formats(sheet):
    number, name, rate, money, due, problem = sheet[3]
    assert number.value == 1 and number.data_type == "n" and number.number_format == "0"
    assert rate.value == pytest.approx(0.571) and rate.data_type == "n"
    assert rate.number_format == "0.0%"
    assert money.value == pytest.approx(12.345) and money.number_format == "0.00"
    assert due.value == datetime(2026, 11, 7) and due.is_date and "年" in due.number_format
    assert sheet["E4"].value == datetime(2026, 12, 1)
    assert sheet["C4"].value is None and sheet["F4"].value is None      # None: an empty cell
    assert name.value == "标准厂房建设" and name.data_type == "s"


def test_the_sheet_freezes_its_header_and_prints_landscape_one_page_wide(sheet):
    assert sheet.freeze_panes == "A3"
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and int(setup.paperSize) == 9     # A4
    assert int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$2"


def test_columns_are_as_wide_as_their_kind_and_content_allow(sheet):
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEF"}
    assert all(width for width in widths.values())
    assert widths["A"] < widths["B"]                   # 序号 narrower than a task name
    assert widths["E"] >= 12                            # a date fits
    long = {"columns": ["序号", "说明"], "rows": [[1, "很长的说明" * 100]]}
    capped = _book(xlsx_bytes(_bulletin(("说明", long))))["说明"]
    assert capped.column_dimensions["B"].width <= 30
    assert capped.row_dimensions[3].height > 15        # the wrapped text gets its lines


@pytest.mark.parametrize("build", ["bulletin", "table"])
def test_user_text_is_never_a_formula_or_an_error_and_bad_characters_are_dropped(build):
    rows = [[n, text] for n, text in enumerate(HOSTILE, start=1)]
    if build == "bulletin":
        data = xlsx_bytes(_bulletin(("问题", {"columns": ["序号", "内容"], "rows": rows})))
        sheet = _book(data)["问题"]
    else:
        sheet = _book(table_xlsx("第46周调度表", ["序号", "内容"], iter(rows))).active
    cells = [row[1] for row in sheet.iter_rows(min_row=3)]
    assert all(cell.data_type == "s" for cell in cells)
    assert [cell.value for cell in cells] == HOSTILE[:6] + ["ab", "lone  surrogate"]


def test_table_xlsx_streams_every_row_with_the_given_formats():
    rows = ([n, f"事项{n}", n / 1000, "2026-11-07"] for n in range(1, 1001))
    data = table_xlsx("2026年第46周工作调度表", ["序号", "任务", "完成率", "完成时限"], rows,
                      formats=["int", "text", "percent", "date"])
    sheet = _book(data).active
    assert sheet.title == "2026年第46周工作调度表" and sheet.max_row == 1002
    last = [c.value for c in sheet[1002]]
    assert last[:3] == [1000, "事项1000", 1.0] and last[3] == datetime(2026, 11, 7)
    assert sheet["C1002"].number_format == "0.0%" and sheet.print_title_rows == "$1:$2"
    assert sheet.freeze_panes == "A3" and sheet.page_setup.orientation == "landscape"


def test_table_xlsx_without_formats_keeps_strings_as_strings_and_numbers_as_numbers():
    sheet = _book(table_xlsx("调度表", ["序号", "完成时限", "完成率"],
                             [[1, "2026-12-31", "57.1%"]])).active
    assert [c.value for c in sheet[3]] == [1, "2026-12-31", "57.1%"]
    assert sheet["A3"].data_type == "n" and sheet["C3"].data_type == "s"


def test_a_stored_draft_without_formats_keeps_its_text_percentages():
    old = {"columns": ["类别", "数量", "占比"], "rows": [["已销号", 12, "57.1%"], ["暂缓", 0, "—"]]}
    sheet = _book(xlsx_bytes(_bulletin(("一、总体进展", old))))["一、总体进展"]
    assert [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=3)] == [
        ("已销号", 12, "57.1%"), ("暂缓", 0, "—")]
    assert sheet["B3"].number_format == "0"
    assert sheet["C3"].alignment.horizontal == "right"      # aligned as the number it shows
