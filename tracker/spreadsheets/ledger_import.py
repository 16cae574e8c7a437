"""Importing a ledger workbook: the plan (a dry run) or its commit, all or nothing. Items are
created and edited through the ledger's own operations (validation, audit, the version
bump, assignment notices); the caller commits the transaction."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker import audit
from tracker.accounts.operations import create_unit
from tracker.accounts.permissions import require_office
from tracker.errors import Conflict, DomainError
from tracker.extensions import db
from tracker.ledger import operations
from tracker.models import Task, Unit, User
from tracker.notify.events import gathered_assignments
from tracker.spreadsheets.issues import Issue, SheetRejected
from tracker.spreadsheets.ledger_plan import ImportPlan, Planned, plan_import
from tracker.spreadsheets.reading import LEDGER_COLUMNS

# Where an operation's refusal points, by the field it names.
_COLUMN_OF = {"code": "编号", "parent_id": "上级编号", "lead_unit_id": "牵头单位",
              "co_unit_ids": "配合单位", "start_date": "开始日期", "due_date": "完成时限",
              "target_value": "目标值", "target_unit": "计量单位", "title": "任务名称",
              "leader": "责任领导", "description": "备注", "name": "牵头单位", "version": "编号"}


def import_ledger(actor: User, data: bytes, filename: str, *, dry_run: bool,
                  create_units: bool = False, progress=None) -> ImportPlan:
    """Plan the import of the workbook in *data* and, unless *dry_run*, carry it out.
    Raises SheetRejected listing every issue (nothing written) when any row is wrong.
    *progress*, if given, is called with the number of rows done."""
    require_office(actor)
    plan = plan_import(actor, data, filename, create_units=create_units)
    if plan.errors:
        raise SheetRejected(plan.errors)
    if not dry_run:
        commit(actor, plan, filename, progress)
    return plan


def commit(actor: User, plan: ImportPlan, filename: str, progress=None) -> None:
    """Create the missing units, then each row parents first; an operation's refusal rolls
    the whole import back (by the caller) and names the row."""
    units = {u.name: u for u in db.session.scalars(select(Unit))}
    for name, kind in plan.new_units.items():
        units[name] = create_unit(actor, name, kind)
    by_code: dict[str, Task] = dict(plan.existing)
    done = 0
    # Each unit is told once of what the import assigned it, not once per item; the
    # operations flush each item themselves, so queries need not flush before they run.
    with gathered_assignments(), db.session.no_autoflush:
        for planned in sorted(plan.rows, key=lambda p: p.depth):
            if planned.action in ("create", "update"):
                try:
                    by_code[planned.code] = _carry_out(actor, planned, units, by_code)
                except IntegrityError:
                    # Another import or edit took this code meanwhile: the database decided.
                    db.session.rollback()
                    raise Conflict("台账已被他人同时修改，请重新预览后再导入 (concurrent change)",
                                   "file") from None
                except DomainError as exc:
                    db.session.rollback()
                    column = _COLUMN_OF.get(exc.field or "", LEDGER_COLUMNS.get(exc.field or "", ""))
                    raise SheetRejected([Issue(planned.row.sheet, planned.row.number, column,
                                               exc.message)]) from None
            done += 1
            if progress:
                progress(done)
    if plan.count("create") or plan.count("update"):
        ledger = next(iter(by_code.values())).plan
        audit.record(actor, "ledger.import", ledger, detail={"file": filename, **plan.summary(),
                                                             "units_created": list(plan.new_units)})


def _carry_out(actor: User, planned: Planned, units: dict[str, Unit],
               by_code: dict[str, Task]) -> Task:
    values = planned.values
    if planned.action == "create":
        fields = {name: values.get(name) for name in ("title", "leader", "start_date", "due_date",
                                                      "target_value", "target_unit", "description")
                  if values.get(name) is not None}
        parent = by_code.get(values.get("parent_code") or "")
        return operations.create_task(
            actor, code=planned.code, parent_id=parent.id if parent else None,
            lead_unit_id=units[values["lead_unit"]].id,
            co_unit_ids=[units[n].id for n in values.get("co_units") or []], **fields)
    task = planned.task
    change: dict[str, Any] = {}
    for name in planned.fields:
        value = values[name]
        if name == "lead_unit":
            change["lead_unit_id"] = units[value].id
        elif name == "co_units":
            change["co_unit_ids"] = [units[n].id for n in value]
        elif name == "parent_code":
            change["parent_id"] = by_code[value].id if value else None
        else:
            change[name] = "" if value is None and name in ("leader", "target_unit",
                                                            "description") else value
    return operations.update_task(actor, task, task.version, change)
