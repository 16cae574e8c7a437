"""Workbooks in the shapes offices send, written with openpyxl for the spreadsheet tests."""
from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook, load_workbook

HEADER = ["编号", "任务名称", "上级编号", "牵头单位", "配合单位", "责任领导", "开始日期", "完成时限",
          "目标值", "计量单位", "备注"]


def workbook(rows: list[list[Any]], header: list[str] = HEADER, *, title: str | None = "2026年百千万工程重点任务清单",
             notes_above: list[str] = (), notes_below: list[str] = (), sheet: str = "Sheet1",
             merges: list[str] = ()) -> bytes:
    """A sheet: a merged title row, notes, the header, *rows*, notes under the table."""
    book = Workbook()
    ws = book.active
    ws.title = sheet
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    for note in notes_above:
        ws.append([note])
    ws.append(header)
    for row in rows:
        ws.append(row)
    for note in notes_below:
        ws.append([note])
    for cells in merges:
        ws.merge_cells(cells)
    return save(book)


def save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_rows(data: bytes) -> list[list[Any]]:
    return [list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]
