"""Bulletin tables as .xlsx (openpyxl, write-only so 60,000 rows stream): on every sheet a
title row, a bold filled header, thin borders and wrapped text, numbers and dates stored as
such with their formats, the header frozen, and printing set to landscape A4 one page wide
with the title and header repeated on each page.

User text is never a formula: a string cell stays a string even when it starts with "=",
and text a spreadsheet would take for a formula once the cell is edited or the sheet saved
as CSV (= + - @ tab CR, cells.formula_like) is marked as text (quotePrefix).
"""
from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from datetime import date
from itertools import chain, islice
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from tracker.regime.documents.cells import (CELL_LIMIT, NUMERIC, SAMPLE_ROWS, as_date, clean,
                                            column_formats, column_widths, formula_like,
                                            is_number)

NUMBER_FORMATS = {"text": "General", "int": "0", "number": "0.00", "percent": "0.0%",
                  "date": 'yyyy"年"m"月"d"日"'}
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
OVERVIEW_WIDTH = 100
# Points per line of 11 pt text, and the tallest row Excel allows.
LINE_HEIGHT, MAX_ROW_HEIGHT = 15, 409


def xlsx_bytes(content: dict[str, Any]) -> bytes:
    """The bulletin's tables, one sheet per section with a table, after an overview sheet
    (title, statistics cut-off, each section's title and paragraphs)."""
    book = Workbook(write_only=True)
    _overview(_sheet(book, "概况"), content)
    for section in content["sections"]:
        table = section.get("table")
        if table:
            write_table(book, section["title"], table["columns"], table["rows"],
                        table.get("formats"))
    return save(book)


def table_xlsx(title: str, columns: list[str], rows: Iterable[list[Any]],
               formats: list[str] | None = None) -> bytes:
    """One table on one sheet (the weekly dispatch export), its rows streamed: the formats
    and widths are judged on the first rows, then each row is written as it comes."""
    book = Workbook(write_only=True)
    write_table(book, title, columns, rows, formats)
    return save(book)


class _StreamedSheet(WriteOnlyWorksheet):
    """A write-only sheet appended rows of cells already styled and typed, one cell object
    per column reused row after row (the writer serialises a row before the next one is
    appended). openpyxl's own path builds, binds and styles 700,000 cells one at a time and
    made the dispatch export more than twice as slow."""

    def _values_to_row(self, cells, row_idx):
        for cell in cells:
            cell.row = row_idx
            yield cell


def _sheet(book: Workbook, title: str) -> _StreamedSheet:
    sheet = _StreamedSheet(parent=book, title=sheet_title(title))
    book._add_sheet(sheet)
    return sheet


def write_table(book: Workbook, title: str, columns: Sequence[str],
                rows: Iterable[Sequence[Any]], formats: Sequence[str] | None = None) -> None:
    """A sheet named after *title*: the title row, the header and *rows*, the page set up.
    Formats (when not given) and widths are judged on the first rows, then each row is
    written as it comes."""
    sheet = _sheet(book, title)
    rows = iter(rows)
    head = list(islice(rows, SAMPLE_ROWS))
    kinds = column_formats({"columns": columns, "rows": head, "formats": formats})
    widths = column_widths(columns, head, kinds)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    _set_up_page(sheet, len(columns))
    sheet.append([_styled(sheet, 1, clean(title), font=TITLE_FONT)])
    header = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.append([_styled(sheet, n, clean(name), font=HEADER_FONT, fill=HEADER_FILL,
                          border=BORDER, alignment=header)
                  for n, name in enumerate(columns, start=1)])
    # Numbers right-aligned, also text in a numeric column ("57.1%" of a stored draft).
    aligns = {kind: Alignment(horizontal="right" if kind in NUMERIC else None, vertical="top",
                              wrap_text=True) for kind in set(kinds)}
    # Per column one cell as typed and one marked as text, for text that looks like a formula.
    plain, quoted = ([_styled(sheet, n, None, border=BORDER, number_format=NUMBER_FORMATS[kind],
                              alignment=aligns[kind], quotePrefix=quote)
                      for n, kind in enumerate(kinds, start=1)] for quote in (False, True))
    for number, row in enumerate(chain(head, rows), start=3):
        lines = 1
        cells = []
        for index, (value, kind, width) in enumerate(zip(_padded(row, len(plain)), kinds, widths)):
            stored, data_type = _stored(value, kind)
            text = data_type == "s" and stored
            cell = quoted[index] if text and formula_like(stored) else plain[index]
            cell._value, cell.data_type = stored, data_type
            if text:
                lines = max(lines, _lines(stored, width))
            cells.append(cell)
        if lines > 1:
            sheet.row_dimensions[number].height = min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines)
        sheet.append(cells)


def _lines(text: str, width: int) -> int:
    """Lines *text* wraps to in a column *width* characters wide. The row is given that
    height: neither Excel nor LibreOffice grows a row for wrapped text a file was written
    with. A CJK character is two wide: (UTF-8 bytes + characters) / 2 counts it so at C
    speed."""
    if len(text) * 2 < width and "\n" not in text:
        return 1
    room = max(1, width - 1)
    return sum(max(1, -(-((len(part.encode()) + len(part)) // 2) // room))
               for part in text.split("\n"))


def _padded(row: Sequence[Any], width: int) -> list[Any]:
    return list(row[:width]) + [None] * (width - len(row))


def _stored(value: Any, kind: str) -> tuple[Any, str]:
    """(value, openpyxl data type) the cell holds: numbers as numbers, dates as dates in a
    date column (ISO strings parsed), nothing as an empty cell, anything else as text XML
    can carry, never a formula ("=...") or an error code ("#N/A")."""
    if value is None:
        return None, "n"
    if is_number(value):
        return (value, "n") if math.isfinite(value) else (None, "n")
    if kind == "date" and (day := as_date(value)) is not None:
        return day, "d"
    if isinstance(value, date):
        return value.isoformat(), "s"
    return clean(value)[:CELL_LIMIT] or None, "s"


class _StyledCell(Cell):
    """A reused cell whose style never changes: its style id is looked up once, not for
    every row written (openpyxl hashes the style into the workbook's list each time)."""

    style_id = None  # set once the style is; shadows StyleableObject.style_id


def _styled(sheet: Worksheet, column: int, value: Any, **style) -> WriteOnlyCell:
    """A cell with *style*; text that looks like a formula is marked as text."""
    if isinstance(value, str) and formula_like(value):
        style.setdefault("quotePrefix", True)
    cell = _StyledCell(sheet)
    cell.column = column
    if value is not None:
        cell._value, cell.data_type = value, "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    cell.style_id = Cell.style_id.fget(cell)
    return cell


def _set_up_page(sheet: Worksheet, width: int, rows_above: int = 2) -> None:
    """The title (merged across the table) and header frozen; printed landscape on A4, one
    page wide and as many long as it takes, the rows above the table on every page."""
    sheet.freeze_panes = f"A{rows_above + 1}"
    if width > 1:
        sheet.merged_cells.add(f"A1:{get_column_letter(width)}1")
    setup = sheet.page_setup
    setup.orientation, setup.paperSize = "landscape", Worksheet.PAPERSIZE_A4
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"1:{rows_above}"
    sheet.print_options.horizontalCentered = True


def _overview(sheet: Worksheet, content: dict[str, Any]) -> None:
    sheet.column_dimensions["A"].width = OVERVIEW_WIDTH
    _set_up_page(sheet, 1, rows_above=1)
    wrap = Alignment(wrap_text=True, vertical="top")
    lines = [(content["title"], TITLE_FONT), (f"统计截至{content['as_of']}", None)]
    for section in content["sections"]:
        lines += [("", None), (section["title"], HEADER_FONT)]
        lines += [(text, None) for text in section["paragraphs"]]
    for text, font in lines:
        style = {"alignment": wrap, **({"font": font} if font else {})}
        sheet.append([_styled(sheet, 1, clean(text)[:CELL_LIMIT] or None, **style)])


def sheet_title(title: str) -> str:
    """*title* as Excel allows a sheet name: no []:*?/\\ and at most 31 characters."""
    name = "".join(c for c in clean(title) if c not in "[]:*?/\\").strip("'")
    return name[:31] or "Sheet"


def save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
