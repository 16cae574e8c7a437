"""Reading an office's workbook as it is: the header row found among the first rows by its
names (synonyms configurable), notes above and below the table skipped, vertically merged
cells (a 牵头单位 written once for several items) filled down, the title's indentation kept,
and a first column of group names merged down over their items read as the tree.

.xlsx and .xlsm are read with openpyxl; .xls, .et and .ods with python-calamine.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from tracker.errors import ValidationError
from tracker.spreadsheets.cells import normal

# The columns of the ledger layout, in order: field name → the header's Chinese name.
LEDGER_COLUMNS = {"code": "编号", "title": "任务名称", "parent_code": "上级编号",
                  "lead_unit": "牵头单位", "co_units": "配合单位", "leader": "责任领导",
                  "start_date": "开始日期", "due_date": "完成时限", "target_value": "目标值",
                  "target_unit": "计量单位", "description": "备注"}
# A table ends where the office's notes begin.
NOTE_STARTS = ("填报单位", "填表", "填报人", "制表", "审核人", "联系人", "联系电话", "备注", "注", "说明",
               "合计", "小计")
# What an .xlsx may unpack to: a few thousand rows take a few MB; more is a zip bomb.
MAX_UNPACKED = 256 * 1024 * 1024
# Columns whose merged cells are not filled down: each row has its own code and title.
OWN_CELL = ("code", "title", "parent_code")


class WorkbookError(ValidationError):
    """The file is no workbook this reader can open; the message is shown to the user."""

    def __init__(self, message: str):
        super().__init__(message, "file")


@dataclass
class Row:
    """One data row: its sheet, its row number as the spreadsheet shows it, the raw values
    by field name, and the title's indentation level."""

    sheet: str
    number: int
    values: dict[str, Any]
    indent: int = 0


@dataclass
class Table:
    sheet: str
    header_row: int
    columns: dict[str, int]
    rows: list[Row] = field(default_factory=list)


@dataclass
class Grid:
    """A sheet's cells as values (None for empty), the merged ranges as (min_row, min_col,
    max_row, max_col) 1-based, and the indentation of cells that have one."""

    name: str
    values: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    # The openpyxl sheet, asked for a cell's indentation only where one matters (the title
    # column): reading every cell's style costs a third of the load.
    sheet: Any = None

    def indent(self, row: int, column: int) -> int:
        if self.sheet is None:
            return 0
        alignment = self.sheet.cell(row, column).alignment
        return int(alignment.indent or 0) if alignment is not None else 0


def synonyms(columns: dict[str, str]) -> dict[str, str]:
    """Normalised header text → field, from the columns' own names and `[spreadsheets]
    synonyms` (configurable: an office's 序号 is our 编号)."""
    extra = current_app.config["SETTINGS"]["spreadsheets"]["synonyms"]
    names: dict[str, str] = {}
    for field_name, label in columns.items():
        for text in (label, *extra.get(label, ())):
            names[header_text(text)] = field_name
    return names


def header_text(value: Any) -> str:
    """A header cell's name without spaces, line breaks, required marks (*) or a
    parenthesised note: "完成时限\n（年月日）*" → "完成时限"."""
    text = re.sub(r"\(.*?\)", "", normal(value))
    return re.sub(r"[\s*※:：]", "", text)


def load_grids(data: bytes, filename: str) -> list[Grid]:
    """Every sheet of the workbook in *data*."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in ("xls", "et", "ods"):
        return _calamine_grids(data)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise WorkbookError("文件不是 Excel 工作簿（.xlsx），请另存为 .xlsx 后重试")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
            raise WorkbookError("工作簿解压后过大，请删去无关的工作表或图片后重试")
    return _openpyxl_grids(data)


def _openpyxl_grids(data: bytes) -> list[Grid]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise WorkbookError(f"无法读取工作簿：{type(exc).__name__}") from None
    grids = []
    for sheet in book.worksheets:
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        merged = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in sheet.merged_cells.ranges]
        grids.append(Grid(sheet.title, values, merged, sheet))
    return grids


def _calamine_grids(data: bytes) -> list[Grid]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return [Grid(name, [list(row) for row in book.get_sheet_by_name(name).to_python()])
                for name in book.sheet_names]
    except Exception as exc:  # calamine's errors are of its own kinds
        raise WorkbookError(f"无法读取工作簿：{type(exc).__name__}") from None


def find_tables(grids: list[Grid], columns: dict[str, str], required: tuple[str, ...]) -> list[Table]:
    """The table of each sheet whose header (all *required* columns, found among the first
    `[spreadsheets] header_scan_rows` rows) names our columns; sheets without one are left."""
    names = synonyms(columns)
    scan = current_app.config["SETTINGS"]["spreadsheets"]["header_scan_rows"]
    tables = []
    for grid in grids:
        for r, row in enumerate(grid.values[:scan], start=1):
            found: dict[str, int] = {}
            for c, value in enumerate(row, start=1):
                name = names.get(header_text(value))
                if name and name not in found:
                    found[name] = c
            if all(name in found for name in required):
                tables.append(_table(grid, r, found))
                break
    return tables


def _table(grid: Grid, header_row: int, columns: dict[str, int]) -> Table:
    table = Table(grid.name, header_row, columns)
    values = _filled_down(grid, header_row, columns)
    title_col = columns.get("title")
    groups = _first_column_groups(grid, header_row, columns)
    group_end = 0
    for r in range(header_row + 1, len(values) + 1):
        row = values[r - 1]
        cells = {name: row[c - 1] if c - 1 < len(row) else None for name, c in columns.items()}
        present = [v for v in row if normal(v)]
        if not present:
            continue
        if normal(present[0]).startswith(NOTE_STARTS) and not _has_data(cells):
            break  # the notes under the table
        if r in groups:     # the group's own row, then its items one level below it
            group_end, name = groups[r]
            table.rows.append(Row(grid.name, r, {"title": name}, 0))
            if not any(normal(v) for v in cells.values()):
                continue    # the group's name alone on its first row
        indent = 1 if r <= group_end else 0
        if title_col:
            indent += grid.indent(r, title_col) or _leading_indent(cells.get("title"))
        table.rows.append(Row(grid.name, r, cells, indent))
    return table


def _first_column_groups(grid: Grid, header_row: int, columns: dict[str, int]) -> dict[int, tuple[int, str]]:
    """{first row: (last row, group name)} for a ledger without 编号 whose first column is
    not one of ours and names groups in cells merged down over their items (一、产业振兴
    over three rows): each group becomes an item with those rows under it."""
    if "code" in columns or 1 in columns.values():
        return {}
    groups = {}
    for min_row, min_col, max_row, _ in grid.merged:
        if min_col == 1 and max_row > min_row > header_row:
            name = normal(grid.values[min_row - 1][0]) if grid.values[min_row - 1] else ""
            if name:
                groups[min_row] = (max_row, name)
    return groups


def _has_data(cells: dict[str, Any]) -> bool:
    """A note row holds text in one place; a table row has a deadline or a unit too."""
    return sum(1 for v in cells.values() if normal(v)) > 1 and any(
        normal(cells.get(name)) for name in ("due_date", "lead_unit", "progress"))


def _leading_indent(value: Any) -> int:
    """Levels of indentation typed as leading spaces: an ideographic space or two spaces each."""
    if not isinstance(value, str):
        return 0
    head = value[:len(value) - len(value.lstrip(" \u3000"))]
    return head.count("\u3000") + head.count(" ") // 2


def _filled_down(grid: Grid, header_row: int, columns: dict[str, int]) -> list[list[Any]]:
    """The values with each vertically merged cell below the header copied into every row it
    spans (but not into the code or title columns)."""
    keep = {columns[name] for name in OWN_CELL if name in columns}
    values = [list(row) for row in grid.values]
    for min_row, min_col, max_row, max_col in grid.merged:
        if max_row == min_row or min_row <= header_row:
            continue
        top = values[min_row - 1][min_col - 1] if min_col - 1 < len(values[min_row - 1]) else None
        for r in range(min_row + 1, min(max_row, len(values)) + 1):
            for c in range(min_col, max_col + 1):
                if c not in keep and c - 1 < len(values[r - 1]):
                    values[r - 1][c - 1] = top
    return values
