"""Workbooks in the shapes offices send, written with openpyxl for the spreadsheet tests."""
from __future__ import annotations

import io
from datetime import datetime
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


GROUP = [None] * 9


def messy_ledger() -> bytes:
    """A merged title, a note above the header (header on row 3), 一、（一）1. codes, dates in
    five spellings, several units per cell, full-width digits, 亿元 in the cell, notes below."""
    return workbook([
        ["一、", "产业振兴", *GROUP],
        ["（一）", "招商引资", None, "市发展改革局", "市工业和信息化局、市投资促进局", "张三", "2026-01-01",
         "2026年12月底", "１２.５亿元", None, "重点"],
        ["1.", "签约亿元项目", None, "市发展改革局", "市工业和信息化局，市投资促进局", None,
         datetime(2026, 2, 1), "2026年第四季度", "３０", "个", None],
        ["2.", "开工建设项目", None, "市发展改革局;市工业和信息化局", None, None, None, "12月底",
         "3,000亩", None, None],
        ["（二）", "园区提质", None, "市工业和信息化局", "市发展改革局\n市投资促进局", None, None,
         "2026/11/30", None, None, None],
        ["二、", "城乡融合", *GROUP],
        ["（一）", "城镇建设", None, "市投资促进局", None, None, None, "2026.12.31", "12", "公里", None],
    ], notes_above=["填报单位（盖章）：市百千万工程指挥部办公室"], notes_below=["备注：本表由各单位填报", "填表人：李四"])
