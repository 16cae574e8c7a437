"""API: the ledger in and out of Excel, and one's calendar subscription link."""
from __future__ import annotations

from flask import g, jsonify, request

from tracker import clock
from tracker.api.blueprint import bp
from tracker.api.parsing import body, query_bool, query_date, query_int
from tracker.api.spec import AS_OF, STATUS, operation, query
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.ical import operations as feeds
from tracker.ledger.operations import task_query
from tracker.responses import download
from tracker.spreadsheets import uploads
from tracker.spreadsheets.export import ledger_xlsx, template_xlsx
from tracker.spreadsheets.issues import SheetRejected
from tracker.spreadsheets.ledger_import import import_ledger


@bp.post("/imports/ledger")
def import_ledger_file():
    data, name = uploads.read_upload(request.files.get("file"))
    dry_run, create_units = _flag("dry_run"), _flag("create_units")
    try:
        plan = import_ledger(g.api_user, data, name, dry_run=dry_run, create_units=create_units)
    except SheetRejected as exc:
        db.session.rollback()
        response = jsonify({"error": exc.message, "field": "file",
                            "errors": [issue.to_dict() for issue in exc.issues]})
        response.status_code = 400
        return response
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return {"dry_run": dry_run, **plan.summary(), "units_created": list(plan.new_units),
            "changes": [{"row": p.row.number, "sheet": p.row.sheet, "code": p.code,
                         "action": p.action, "fields": p.fields} for p in plan.rows]}


def _flag(name: str) -> bool:
    raw = (request.form.get(name) or "false").strip().lower()
    if raw not in ("true", "false", "1", "0"):
        raise ValidationError(f"{name} must be true or false", name)
    return raw in ("true", "1")


@bp.get("/imports/ledger/template.xlsx")
def ledger_template():
    return download(template_xlsx(), "ledger-template.xlsx")


@bp.get("/tasks.xlsx")
def tasks_xlsx():
    as_of = query_date("as_of")
    tasks = task_query(g.api_user, unit_id=query_int("unit_id"),
                       status=request.args.get("status") or None, overdue=query_bool("overdue"),
                       q=request.args.get("q") or None, as_of=as_of)
    return download(ledger_xlsx(tasks, f"{clock.today(as_of).year}年度任务清单"), "ledger.xlsx")


@bp.post("/users/me/calendar")
def create_calendar():
    data = body() if request.get_data() else {}
    _feed, raw = feeds.create_feed(g.api_user, data.get("unit_id"))
    db.session.commit()
    return {"url": feeds.feed_url(raw)}, 201


@bp.delete("/users/me/calendar")
def revoke_calendar():
    feeds.revoke_feed(g.api_user)
    db.session.commit()
    return "", 204


IMPORT_BODY = {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary", "description": ".xlsx, .xls, .et or .ods"},
    "dry_run": {"type": "string", "enum": ["true", "false"], "default": "false"},
    "create_units": {"type": "string", "enum": ["true", "false"], "default": "false"}}}
IMPORT_RESULT = {"type": "object", "required": ["dry_run", "rows", "created", "updated",
                                                "unchanged", "changes"], "properties": {
    "dry_run": {"type": "boolean"}, "rows": {"type": "integer"}, "created": {"type": "integer"},
    "updated": {"type": "integer"}, "unchanged": {"type": "integer"},
    "units_created": {"type": "array", "items": {"type": "string"}},
    "changes": {"type": "array", "items": {"type": "object", "properties": {
        "row": {"type": "integer"}, "sheet": {"type": "string"}, "code": {"type": "string"},
        "action": {"type": "string", "enum": ["create", "update", "unchanged"]},
        "fields": {"type": "array", "items": {"type": "string"}}}}}}}
XLSX = {"description": "an .xlsx workbook", "content": {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}}}}


def _xlsx(op: dict) -> dict:
    op["responses"]["200"] = XLSX
    return op


_IMPORT = operation(
    "Import a ledger workbook (office)", tag="spreadsheets", returns=IMPORT_RESULT, errors=(403,),
    description="All or nothing. With errors: 400 `{error, field: \"file\", errors: [{sheet, row, "
                "column, message}]}` listing every one, nothing written. Items are matched by "
                "编号 within this year's plan.")
_IMPORT["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": IMPORT_BODY}}}
_IMPORT["responses"]["400"] = {"$ref": "#/components/responses/BadRequest"}
_IMPORT["responses"]["413"] = {"$ref": "#/components/responses/TooLarge"}
PATHS = {
    "/imports/ledger": {"post": _IMPORT},
    "/imports/ledger/template.xlsx": {"get": _xlsx(operation(
        "The empty ledger layout to fill in (.xlsx)", tag="spreadsheets"))},
    "/tasks.xlsx": {"get": _xlsx(operation(
        "The ledger (filtered as GET /tasks) in the import layout, with each item's state",
        tag="spreadsheets", errors=(400,),
        params=[query("unit_id", "integer", "tasks this unit leads or co-handles"),
                query("status", STATUS, "only this status"),
                query("overdue", "boolean", "due before today (or as_of) and not signed off"),
                AS_OF, query("q", "string", "text in title, code or leader")]))},
    "/users/me/calendar": {
        "post": operation(
            "A new secret iCal subscription link (the old one stops working)", tag="users",
            status=201, errors=(400, 403),
            returns={"type": "object", "required": ["url"], "properties": {
                "url": {"type": "string", "format": "uri"}}},
            description="Body optional: `{unit_id}` (office and leaders; default every item). "
                        "The URL answers text/calendar without other authentication."),
        "delete": operation("Revoke one's subscription link", tag="users", status=204),
    },
}
