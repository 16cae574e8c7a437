"""A unit's progress by spreadsheet: the pre-filled report sheet of a period (the unit's open
items with their last values), filled offline and uploaded; each filled row becomes a
progress report through the reporting rules (reports.operations.submit_report), all or
nothing, with the same preview as the ledger import."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


from tracker import clock
from tracker.accounts.permissions import require_view_unit
from tracker.errors import DomainError, PermissionDenied
from tracker.extensions import db
from tracker.ledger import state
from tracker.ledger.operations import task_query
from tracker.models import Task, Unit, User
from tracker.reports import periods
from tracker.reports.operations import submit_report
from tracker.spreadsheets import cells
from tracker.spreadsheets.cells import CellError
from tracker.spreadsheets.issues import Issue, SheetRejected
from tracker.spreadsheets.reading import find_tables, load_grids

COLUMNS = {"code": "编号", "title": "任务名称", "due_date": "完成时限", "target_value": "目标值",
           "target_unit": "计量单位", "last_progress": "上次进度(%)", "last_actual": "上次累计完成",
           "progress": "本期进度(%)", "actual_value": "累计完成", "text": "进展情况",
           "problems": "存在问题", "next_steps": "下步计划"}
FORMATS = ["text", "text", "date", "number", "text", "int", "number", "int", "number", "text",
           "text", "text"]
FILLED = ("progress", "actual_value", "text", "problems", "next_steps")
_PERIOD = re.compile(r"(\d{4}-(?:W\d{2}|Q[1-4]|\d{2}))")
# Where a reporting rule's refusal points, by the field it names.
_COLUMN_OF = {"progress": "本期进度(%)", "actual_value": "累计完成", "text": "进展情况",
              "problems": "存在问题", "next_steps": "下步计划", "period": "编号", "status": "编号"}


@dataclass
class SheetReport:
    """One filled row's outcome (action "report")."""

    row: int
    code: str
    task: Task
    values: dict[str, Any]


@dataclass
class ReportPlan:
    period: str
    rows: list[SheetReport] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"period": self.period, "rows": len(self.rows), "reports": len(self.rows)}


def unit_tasks(user: User, unit: Unit) -> list[Task]:
    query = task_query(user, unit_id=unit.id).where(state.open_clause())
    return list(db.session.scalars(query))


def sheet_title(unit: Unit, period: str) -> str:
    return f"{unit.name}进展报送表 {period}"


def report_sheet_xlsx(user: User, unit: Unit, period: str | None = None) -> bytes:
    """The unit's sheet for *period* (default: the period being reported now)."""
    from openpyxl import Workbook  # on first use (start-up stays light)

    from tracker.regime.documents.xlsx import save, write_table
    require_view_unit(user, unit.id)
    period = period or periods.reporting_period(clock.today())
    rows = [[t.code, t.title, t.due_date, t.target_value, t.target_unit, t.progress,
             t.actual_value, None, None, None, None, None] for t in unit_tasks(user, unit)]
    book = Workbook(write_only=True)
    write_table(book, sheet_title(unit, period), list(COLUMNS.values()), rows, FORMATS)
    return save(book)


def import_report_sheet(user: User, unit: Unit, data: bytes, filename: str, *,
                        dry_run: bool) -> ReportPlan:
    """Read the filled sheet and submit its rows as *user*'s reports (unless *dry_run*);
    SheetRejected lists every problem and nothing is kept. Only the unit's own people
    upload its sheet."""
    if user.is_leader or user.unit_id != unit.id:
        raise PermissionDenied("只能上传本单位的报送表 (your own unit's sheet only)")
    grids = load_grids(data, filename)
    tables = find_tables(grids, COLUMNS, ("code", "progress", "text"))
    if not tables:
        raise SheetRejected([Issue("", 0, "本期进度(%)", "找不到报送表的表头（编号、本期进度、进展情况）")])
    period = _period(grids)
    plan, issues = ReportPlan(period), []
    tasks = {t.code: t for t in sorted(unit_tasks(user, unit), key=lambda t: t.plan_id)}
    for table in tables:
        for row in table.rows:
            if all(cells.is_blank(row.values.get(name)) for name in FILLED):
                continue
            code = cells.normal(row.values.get("code")).replace(" ", "")
            where = (table.sheet, row.number)
            if code not in tasks:
                issues.append(Issue(*where, "编号", f"“{code}”不是本单位的在办事项"))
                continue
            values = _values(row.values, where, issues)
            if values is not None:
                plan.rows.append(SheetReport(row.number, code, tasks[code], values))
    issues += _submitted(user, plan, tables[0].sheet, keep=not dry_run and not issues)
    if issues:
        raise SheetRejected(issues)
    return plan


def _submitted(user: User, plan: ReportPlan, sheet: str, keep: bool) -> list[Issue]:
    """Each row submitted as the form would be, in a savepoint of its own so every refusal
    is found; all undone unless *keep* and none was refused."""
    issues = []
    outer = db.session.begin_nested()
    for row in plan.rows:
        try:
            with db.session.begin_nested():
                submit_report(user, row.task, period=plan.period, **row.values)
        except DomainError as exc:
            issues.append(Issue(sheet, row.row, _COLUMN_OF.get(exc.field or "", "编号"), exc.message))
    if issues or not keep:
        outer.rollback()
    else:
        outer.commit()
    return issues


def _values(values: dict[str, Any], where: tuple[str, int], issues: list[Issue]) -> dict | None:
    before = len(issues)
    out: dict[str, Any] = {}
    raw = cells.normal(values.get("progress")).rstrip("%").strip()
    try:
        number = float(raw)
        if not number.is_integer():
            raise ValueError(raw)
        out["progress"] = int(number)
    except ValueError:
        issues.append(Issue(*where, "本期进度(%)", f"进度应为0至100的整数，而不是“{raw}”" if raw else "本期进度为空"))
    try:
        out["actual_value"] = cells.parse_quantity(values.get("actual_value"))[0]
    except CellError as exc:
        issues.append(Issue(*where, "累计完成", str(exc)))
    for name in ("text", "problems", "next_steps"):
        value = values.get(name)
        out[name] = "" if value is None else str(value)
    if not out["text"].strip():
        issues.append(Issue(*where, "进展情况", "进展情况为空"))
    return out if len(issues) == before else None


def _period(grids) -> str:
    """The period the sheet's title names, else the one being reported now."""
    for grid in grids:
        for row in grid.values[:3]:
            for value in row:
                if isinstance(value, str) and (m := _PERIOD.search(value)):
                    return m[1]
    return periods.reporting_period(clock.today())
