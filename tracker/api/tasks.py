"""API: the ledger (台账) — tasks, their progress reports and their history."""
from __future__ import annotations

from typing import Any

from flask import g, request
from sqlalchemy.orm import selectinload

from tracker import audit, clock
from tracker.api.blueprint import bp
from tracker.api.inputs import submission, with_dates
from tracker.api.parsing import body, page_args, page_of, query_bool, query_date, query_int
from tracker.api.spec import AS_OF, PAGING, STATUS, operation, page, path_id, query
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.ledger import operations, rows
from tracker.ledger.serialize import task_dict
from tracker.models import ProgressReport
from tracker.reports.operations import reports_query, submit_report

# Body fields of POST /tasks, as create_task takes them.
CREATE_FIELDS = ("code", "title", "description", "parent_id", "lead_unit_id", "co_unit_ids",
                 "leader", "start_date", "due_date", "target_value", "target_unit", "milestones")
DATES = ("start_date", "due_date")


@bp.get("/tasks")
def list_tasks():
    overdue = query_bool("overdue")
    as_of = query_date("as_of")
    tasks = operations.task_list(
        g.api_user, unit_id=query_int("unit_id"), status=request.args.get("status") or None,
        overdue=overdue, q=request.args.get("q") or None, as_of=as_of,
        order="due" if overdue else "ledger")
    today = clock.today(as_of)
    number, per_page = page_args()
    found = rows.page_of_rows(tasks, number, per_page, clamp=False)
    return {"items": [task_dict(task, today) for task in found.items], "total": found.total,
            "page": number, "per_page": per_page}


@bp.post("/tasks")
def create_task():
    data = body()
    unknown = sorted(set(data) - set(CREATE_FIELDS))
    if unknown:
        raise ValidationError(f"{unknown[0]} is not a field of a new task", unknown[0])
    fields = with_dates(data, *DATES)
    if fields.get("milestones") is not None:
        fields["milestones"] = _milestones(fields["milestones"])
    # Missing required fields go in as None so that create_task refuses them by name.
    task = operations.create_task(g.api_user, **{"title": None, "due_date": None,
                                                 "lead_unit_id": None, **fields})
    db.session.commit()
    return task_dict(task, clock.today()), 201


@bp.get("/tasks/<int:task_id>")
def get_task(task_id: int):
    return task_dict(operations.get_task(g.api_user, task_id), clock.today())


@bp.patch("/tasks/<int:task_id>")
def update_task(task_id: int):
    task = operations.get_task(g.api_user, task_id)
    values = with_dates(body(), *DATES)
    if values.get("milestones") is not None:
        values["milestones"] = _milestones(values["milestones"])
    version = values.pop("version", None)
    operations.update_task(g.api_user, task, version, values)
    db.session.commit()
    return task_dict(task, clock.today())


@bp.get("/tasks/<int:task_id>/reports")
def list_reports(task_id: int):
    task = operations.get_task(g.api_user, task_id)
    return page_of(reports_query(task).options(selectinload(ProgressReport.evidence)), report_dict)


@bp.post("/tasks/<int:task_id>/reports")
def submit(task_id: int):
    task = operations.get_task(g.api_user, task_id)
    data, files = submission(numbers=("progress", "actual_value"))
    report = submit_report(g.api_user, task, progress=data.get("progress"), text=data.get("text"),
                           problems=data.get("problems"), next_steps=data.get("next_steps"),
                           actual_value=data.get("actual_value"), period=data.get("period"),
                           files=files)
    db.session.commit()
    return report_dict(report), 201


@bp.get("/tasks/<int:task_id>/history")
def history(task_id: int):
    task = operations.get_task(g.api_user, task_id)
    return {"items": audit.task_history(task.id)}


def report_dict(report: ProgressReport) -> dict[str, Any]:
    return {**report.to_dict(), "evidence": [e.to_dict() for e in report.evidence]}


def _milestones(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(m, dict) for m in value):
        raise ValidationError("milestones must be a list of objects", "milestones")
    return [with_dates(m, "due_date") for m in value]


TASK = path_id("task_id", "task id")
PATHS = {
    "/tasks": {
        "get": operation(
            "List tasks", tag="tasks", returns=page("Task"),
            description="Office and leaders see every task; a unit user sees the tasks its unit "
                        "leads or co-handles. `overdue=true` lists earliest deadline first; "
                        "otherwise ledger (code) order.",
            params=[query("unit_id", "integer", "tasks this unit leads or co-handles"),
                    query("status", STATUS, "only this status"),
                    query("overdue", "boolean", "due before today (or as_of) and not signed off"),
                    AS_OF, query("q", "string", "text in title, code or leader"), *PAGING],
            errors=(400,)),
        "post": operation("Create a task (office)", tag="tasks", body="TaskInput", returns="Task",
                          status=201, errors=(403,),
                          description="Unknown ids in the body (`lead_unit_id`, `co_unit_ids`, "
                                      "`parent_id`) → 400 naming the field."),
    },
    "/tasks/{task_id}": {
        "get": operation("Get a task", tag="tasks", returns="Task", params=[TASK],
                         errors=(403, 404)),
        "patch": operation(
            "Edit a task (office)", tag="tasks", body="TaskPatch", returns="Task", params=[TASK],
            errors=(403, 404, 409),
            description="Send the `version` you read; a stale one → 409 and nothing changes. "
                        "`status` may only suspend (暂缓) or resume a task."),
    },
    "/tasks/{task_id}/reports": {
        "get": operation("List a task's progress reports, newest first", tag="reports",
                         returns=page("Report"), params=[TASK, *PAGING],
                         errors=(400, 403, 404)),
        "post": operation(
            "Report progress (lead or co-unit)", tag="reports", body="ReportInput",
            multipart=True, returns="Report", status=201, params=[TASK], errors=(403, 404, 409),
            description="JSON, or multipart/form-data with the same fields and `evidence` "
                        "files. The lead unit's report sets the task's progress."),
    },
    "/tasks/{task_id}/history": {
        "get": operation("A task's audit trail, oldest first", tag="tasks", params=[TASK],
                         errors=(403, 404),
                         returns={"type": "object", "required": ["items"], "properties": {
                             "items": {"type": "array", "items": {
                                 "$ref": "#/components/schemas/HistoryEvent"}}}}),
    },
}
