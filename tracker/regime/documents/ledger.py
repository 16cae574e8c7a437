"""The ledger page as a spreadsheet: the rows of the current filter, every page of them,
in the page's columns, written by the bulletins' .xlsx writer (formats, widths, borders,
print setup, formula-like text kept as text). Here, beside that writer, because the ledger
sits below the regime and may not import it."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import Select

from tracker import clock
from tracker.extensions import db
from tracker.labels import DEADLINE_MARKS, LIGHTS, STATUSES
from tracker.ledger import state
from tracker.ledger.lights import light_of
from tracker.regime.documents import xlsx

# The page's columns, in its order (the light is its unlabelled first column).
COLUMNS = ["亮灯", "编号", "任务名称", "牵头单位", "配合单位", "完成时限", "进度", "状态"]
FORMATS = ["text", "text", "text", "text", "text", "date", "percent", "text"]
BATCH = 500


def ledger_rows(query: Select, today: date) -> Iterator[list[Any]]:
    """One row per item the query selects, in its order, read in batches."""
    for task in db.session.scalars(query.execution_options(yield_per=BATCH)):
        light = light_of(task, today)
        mark = state.deadline_mark(task, today)
        status = STATUSES[task.status] + (f"、{DEADLINE_MARKS[mark]}" if mark else "")
        yield [f"{LIGHTS[light.color]}：{light.reason}", task.code, task.title, task.lead_unit.name,
               "、".join(u.name for u in task.co_units), task.due_date, task.progress / 100,
               status]


def ledger_xlsx(query: Select, today: date | None = None) -> bytes:
    """The items of *query* as one sheet titled with the day it was taken."""
    today = today or clock.today()
    title = f"事项台账（{clock.cn_date(today)}）"
    return xlsx.table_xlsx(title, COLUMNS, ledger_rows(query, today), FORMATS)
