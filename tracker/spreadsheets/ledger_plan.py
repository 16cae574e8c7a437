"""The import plan of a ledger workbook: every row read, checked and compared with the
ledger — new, changed (which fields), unchanged, or an error naming sheet, row and column.
Nothing is written here; `ledger_import.commit` carries a plan out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker import clock, validation
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.ledger.operations import CODE_RE
from tracker.models import Plan, Task, Unit, User
from tracker.spreadsheets import cells
from tracker.spreadsheets.cells import CellError, normal
from tracker.spreadsheets.reading import LEDGER_COLUMNS, Row, find_tables, load_grids
from tracker.spreadsheets.issues import Issue

# Compared with the ledger, in this order; the sheet's column names them in the preview.
FIELDS = ("title", "parent_code", "lead_unit", "co_units", "leader", "start_date", "due_date",
          "target_value", "target_unit", "description")
LIMITS = {"title": 300, "leader": 64, "target_unit": 20}


@dataclass
class Planned:
    """One row's outcome: action "create", "update", "unchanged" or "error"."""

    row: Row
    code: str = ""
    action: str = "error"
    values: dict[str, Any] = field(default_factory=dict)
    fields: list[str] = field(default_factory=list)
    task: Task | None = None
    depth: int = 0


@dataclass
class ImportPlan:
    year: int
    rows: list[Planned] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    new_units: dict[str, str] = field(default_factory=dict)
    # This year's items by code, as they stood when planned.
    existing: dict[str, Task] = field(default_factory=dict)

    def count(self, action: str) -> int:
        return sum(1 for p in self.rows if p.action == action)

    def summary(self) -> dict[str, int]:
        return {"rows": len(self.rows), "created": self.count("create"),
                "updated": self.count("update"), "unchanged": self.count("unchanged")}


def plan_import(actor: User, data: bytes, filename: str, *, create_units: bool = False) -> ImportPlan:
    """Read the workbook and plan its import into this year's ledger."""
    year = clock.today().year
    plan = ImportPlan(year)
    tables = find_tables(load_grids(data, filename), LEDGER_COLUMNS, ("title",))
    if not tables:
        plan.errors.append(Issue("", 0, "任务名称", "找不到表头：前几行中没有“任务名称”等列名"))
        return plan
    rows = [row for table in tables for row in table.rows]
    limit = current_app.config["SETTINGS"]["spreadsheets"]["max_rows"]
    if len(rows) > limit:
        plan.errors.append(Issue(tables[0].sheet, 0, "", f"共{len(rows)}行，超过上限{limit}行"))
        return plan
    units = {normal(u.name): u for u in db.session.scalars(select(Unit))}
    for table in tables:
        with_codes = "code" in table.columns and any(normal(r.values.get("code")) for r in table.rows)
        coder = cells.Outline() if with_codes else cells.IndentCoder()
        for row in table.rows:
            plan.rows.append(_read(plan, row, coder, with_codes, units, create_units, year))
    _link(plan, actor, year)
    return plan


def _read(plan: ImportPlan, row: Row, coder, with_codes: bool, units: dict[str, Unit],
          create_units: bool, year: int) -> Planned:
    out = Planned(row)
    before = len(plan.errors)

    def cell(name: str, parse):
        try:
            return parse(row.values.get(name))
        except (CellError, ValidationError) as exc:
            plan.errors.append(Issue(row.sheet, row.number, LEDGER_COLUMNS[name], _message(exc)))
            return None

    if with_codes:
        out.code = cell("code", coder.code) or ""
        if not out.code and len(plan.errors) == before:
            plan.errors.append(Issue(row.sheet, row.number, "编号", "编号为空（其他行有编号）"))
    else:
        out.code = coder.code(row.indent)
    if out.code and not CODE_RE.match(out.code) or len(out.code) > 40:
        plan.errors.append(Issue(row.sheet, row.number, "编号", f"编号“{out.code}”格式不对，应如 2.3.1"))
    values = out.values
    for name in ("title", "leader", "target_unit", "description"):
        if name in row.values:
            values[name] = cell(name, lambda v, n=name: _text(v, n))
    if values.get("title") == "":
        plan.errors.append(Issue(row.sheet, row.number, "任务名称", "任务名称为空"))
    for name in ("start_date", "due_date"):
        if name in row.values and not cells.is_blank(row.values[name]):
            values[name] = cell(name, lambda v, n=name: validation.day(cells.parse_date(v, year), n))
        elif name in row.values:
            values[name] = None
    if "target_value" in row.values:
        quantity = cell("target_value", cells.parse_quantity)
        if quantity is not None:
            values["target_value"] = quantity[0]
            if quantity[0] is not None and quantity[0] >= 1e14:
                plan.errors.append(Issue(row.sheet, row.number, "目标值", "数值过大（须小于10^14）"))
            if quantity[1] and values.get("target_unit") and quantity[1] != values["target_unit"]:
                plan.errors.append(Issue(row.sheet, row.number, "目标值",
                                         f"单位“{quantity[1]}”与计量单位“{values['target_unit']}”不一致"))
            elif quantity[1]:
                values["target_unit"] = quantity[1]
    for name in ("lead_unit", "co_units"):
        if name in row.values:
            values[name] = _units(plan, row, name, units, create_units)
    if not cells.is_blank(row.values.get("parent_code")):
        values["parent_code"] = normal(row.values["parent_code"]).replace(" ", "").rstrip(".、")
    else:
        values["parent_code"] = cells.parent_code(out.code) if out.code else None
    out.action = "error" if len(plan.errors) > before else "pending"
    return out


def _link(plan: ImportPlan, actor: User, year: int) -> None:
    """Codes unique, parents found, group rows completed, then each row compared with the
    item of the same code in this year's plan."""
    by_code: dict[str, Planned] = {}
    for planned in plan.rows:
        if planned.code in by_code:
            first = by_code[planned.code].row
            plan.errors.append(Issue(planned.row.sheet, planned.row.number, "编号",
                                     f"编号“{planned.code}”重复（第{first.number}行已有）"))
            planned.action = "error"
        elif planned.code:
            by_code[planned.code] = planned
    plan_row = db.session.scalar(select(Plan).where(Plan.year == year))
    existing = {} if plan_row is None else {t.code: t for t in db.session.scalars(
        select(Task).where(Task.plan_id == plan_row.id).options(
            selectinload(Task.co_units), selectinload(Task.lead_unit), selectinload(Task.parent)))}
    plan.existing = existing
    for planned in plan.rows:
        parent = planned.values.get("parent_code")
        if parent and parent not in by_code and parent not in existing:
            if not cells.is_blank(planned.row.values.get("parent_code")):
                plan.errors.append(Issue(planned.row.sheet, planned.row.number, "上级编号",
                                         f"上级编号“{parent}”不存在"))
                planned.action = "error"
            else:
                planned.values["parent_code"] = None  # "1.1" without a row "1": at the top
    _complete_groups(plan, by_code, existing, actor)
    for planned in plan.rows:
        planned.depth = _depth(planned, by_code)
        if planned.action != "error":
            _compare(plan, planned, existing.get(planned.code))


def _complete_groups(plan: ImportPlan, by_code: dict[str, Planned], existing: dict[str, Task],
                     actor: User) -> None:
    """A new row with children but no deadline takes its latest child's; with no lead unit,
    the office's. Any other new row must have both."""
    children: dict[str, list[Planned]] = {}
    for planned in plan.rows:
        if planned.values.get("parent_code"):
            children.setdefault(planned.values["parent_code"], []).append(planned)

    def latest(code: str, seen: frozenset = frozenset()) -> date | None:
        dates = []
        for child in children.get(code, ()):
            if child.code in seen:
                continue
            due = child.values.get("due_date") or latest(child.code, seen | {code})
            if due:
                dates.append(due)
        return max(dates, default=None)

    for planned in plan.rows:
        if planned.action == "error" or planned.code in existing:
            continue
        row = planned.row
        if not planned.values.get("due_date"):
            planned.values["due_date"] = latest(planned.code)
            if planned.values["due_date"] is None:
                plan.errors.append(Issue(row.sheet, row.number, "完成时限", "完成时限为空"))
                planned.action = "error"
        if not planned.values.get("lead_unit"):
            if planned.code in children:
                planned.values["lead_unit"] = actor.unit.name
            else:
                plan.errors.append(Issue(row.sheet, row.number, "牵头单位", "牵头单位为空"))
                planned.action = "error"


def _compare(plan: ImportPlan, planned: Planned, task: Task | None) -> None:
    values = planned.values
    lead = values.get("lead_unit")
    if lead and values.get("co_units"):
        values["co_units"] = [u for u in values["co_units"] if u != lead]
    if task is None:
        planned.action = "create"
        planned.fields = [f for f in FIELDS if values.get(f) not in (None, "", [])]
        return
    planned.task = task
    current = current_values(task)
    for name in ("lead_unit", "due_date", "title"):
        if not values.get(name):  # a required field left empty: kept as it is
            values[name] = current[name]
    planned.fields = [f for f in FIELDS if f in values and _differs(values[f], current[f])]
    if planned.fields and task.status == "signed_off":
        plan.errors.append(Issue(planned.row.sheet, planned.row.number, LEDGER_COLUMNS[planned.fields[0]],
                                 f"事项 {task.code} 已销号，不能修改"))
        planned.action = "error"
        return
    planned.action = "update" if planned.fields else "unchanged"


def current_values(task: Task) -> dict[str, Any]:
    """The item's values in the shape a row is read into."""
    return {"title": task.title, "parent_code": task.parent.code if task.parent else None,
            "lead_unit": task.lead_unit.name, "co_units": [u.name for u in task.co_units],
            "leader": task.leader, "start_date": task.start_date, "due_date": task.due_date,
            "target_value": task.target_value, "target_unit": task.target_unit,
            "description": task.description}


def _differs(new: Any, old: Any) -> bool:
    if isinstance(new, list) or isinstance(old, list):
        return sorted(new or []) != sorted(old or [])
    if isinstance(new, float) or isinstance(old, float):
        return (None if new is None else round(new, 4)) != (None if old is None else round(old, 4))
    return (new or None) != (old or None)


def _depth(planned: Planned, by_code: dict[str, Planned]) -> int:
    depth, parent, seen = 0, planned.values.get("parent_code"), {planned.code}
    while parent and parent in by_code and parent not in seen:
        seen.add(parent)
        depth += 1
        parent = by_code[parent].values.get("parent_code")
    return depth


def _units(plan: ImportPlan, row: Row, name: str, units: dict[str, Unit],
           create_units: bool) -> list[str] | str | None:
    names = []
    for unit_name in cells.unit_names(row.values.get(name)):
        unit = units.get(unit_name)
        if unit is not None:
            names.append(unit.name)
        elif len(unit_name) > 120:
            plan.errors.append(Issue(row.sheet, row.number, LEDGER_COLUMNS[name], "单位名称超过120字"))
        elif create_units:
            plan.new_units.setdefault(unit_name, cells.guess_kind(unit_name))
            names.append(unit_name)
        else:
            plan.errors.append(Issue(row.sheet, row.number, LEDGER_COLUMNS[name],
                                     f"单位“{unit_name}”不存在（可勾选“创建缺少的单位”）"))
    if name == "co_units":
        return names
    if len(names) > 1:  # 牵头单位 "A、B": A leads, B co-handles
        row.values.setdefault("co_units", None)
        plan_co = cells.unit_names(row.values.get("co_units"))
        row.values["co_units"] = "、".join(dict.fromkeys(names[1:] + plan_co))
    return names[0] if names else None


def _text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, date):
        value = value.isoformat()
    text = validation.clean(str(value)).strip()
    if name == "title":
        text = text.lstrip(" \u3000")
    limit = LIMITS.get(name) or current_app.config["SETTINGS"]["app"]["max_text_length"]
    if len(text) > limit:
        raise CellError(f"超过{limit}字（{len(text)}字）")
    return text


def _message(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return message.split(" (")[0] if "(" in message and message[0] > "\u2e80" else message
