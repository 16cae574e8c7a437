"""The ledger as a workbook in the import layout (so an unchanged export re-imports as
unchanged), with the item's state after it: 状态, 亮灯, 进度, 最新进展, 存在问题. Styled and set
up for printing by the regime's xlsx writer (landscape A4, one page wide, header frozen)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import Select, func, select

from tracker import clock
from tracker.extensions import db
from tracker.ledger.lights import light_of
from tracker.models import ProgressReport, Task
from tracker.spreadsheets.reading import LEDGER_COLUMNS

STATE_COLUMNS = ("状态", "亮灯", "进度", "最新进展", "存在问题")
LIGHTS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}
LEDGER_FORMATS = ["text", "text", "text", "text", "text", "text", "date", "date", "number",
                  "text", "text"]
BATCH = 500


def ledger_xlsx(tasks: Select, title: str, progress=None) -> bytes:
    """The tasks *tasks* selects, in its order, as one sheet titled *title*."""
    from tracker.regime.documents.xlsx import save, write_table  # on first use (start-up stays light)
    from openpyxl import Workbook  # on first use: web workers start without it

    book = Workbook(write_only=True)
    columns = [*LEDGER_COLUMNS.values(), *STATE_COLUMNS]
    formats = [*LEDGER_FORMATS, "text", "text", "int", "text", "text"]
    write_table(book, title, columns, _rows(tasks, clock.today(), progress), formats)
    return save(book)


def template_xlsx() -> bytes:
    """The empty ledger layout to fill in, and a sheet saying how."""
    from tracker.regime.documents.xlsx import save, write_table  # on first use (start-up stays light)
    from openpyxl import Workbook  # on first use: web workers start without it

    book = Workbook(write_only=True)
    write_table(book, f"{clock.today().year}年度任务清单", list(LEDGER_COLUMNS.values()), [],
                LEDGER_FORMATS)
    write_table(book, "填写说明", ["填写说明"], [[line] for line in TEMPLATE_NOTES], ["text"])
    return save(book)


TEMPLATE_NOTES = (
    "编号：1、1.1、1.1.1，或 一、（一）1.；下级事项的编号以上级编号开头，也可在“上级编号”列写明上级。",
    "牵头单位、配合单位：填单位全称，多个单位用顿号、逗号、分号或换行分隔；牵头单位写多个时，第一个牵头、其余配合。",
    "开始日期、完成时限：2026-12-31、2026/12/31、2026.12.31、2026年12月31日、12月底、年底、2026年第四季度均可。",
    "目标值：数字，可带单位（如“12.5亿元”），单位也可写在“计量单位”列。",
    "表头可以不在第一行；表头上方的标题和表格下方的“填报单位”“备注”等说明会被跳过。",
    "同一编号再次导入时更新该事项，不会重复新建。",
)


def _rows(tasks: Select, today: date, progress) -> Iterator[list]:
    done = 0
    ids = list(db.session.scalars(tasks.with_only_columns(Task.id).options()))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        order = {task_id: n for n, task_id in enumerate(chunk)}
        loaded = db.session.scalars(tasks.where(Task.id.in_(chunk)).order_by(None)).all()
        latest = _latest_reports(chunk)
        for task in sorted(loaded, key=lambda t: order[t.id]):
            report = latest.get(task.id)
            yield [task.code, task.title, task.parent.code if task.parent else None,
                   task.lead_unit.name, "、".join(u.name for u in task.co_units), task.leader,
                   task.start_date, task.due_date, task.target_value, task.target_unit,
                   task.description, task.status_label, LIGHTS[light_of(task, today).color],
                   task.progress, report.text if report else None,
                   report.problems if report else None]
            done += 1
        if progress:
            progress(done)


def _latest_reports(task_ids: list[int]) -> dict[int, ProgressReport]:
    """Each task's newest report (by submission), in one query."""
    newest = (select(func.max(ProgressReport.id)).where(ProgressReport.task_id.in_(task_ids))
              .group_by(ProgressReport.task_id))
    return {r.task_id: r for r in db.session.scalars(
        select(ProgressReport).where(ProgressReport.id.in_(newest)))}
