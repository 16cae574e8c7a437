"""Builders for the OpenAPI description, and the shared component schemas.

Each resource module describes its routes in a module-level `PATHS` dict built with
`operation()`, and may add schemas of its own in a module-level `SCHEMAS` dict;
/api/v1/openapi.json merges both from every module `tracker.api.resources` lists.
"""
from __future__ import annotations

from typing import Any

ERRORS = {
    400: ("BadRequest", "bad input; `field` names the offending field"),
    401: ("Unauthorized", "missing or invalid bearer token"),
    403: ("Forbidden", "not allowed for this user"),
    404: ("NotFound", "unknown id in the path"),
    409: ("Conflict", "stale `version`, or a transition not allowed from the current status"),
    413: ("TooLarge", "request body over the size limit"),
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def page(schema: str) -> dict[str, Any]:
    """The list envelope {items, total, page, per_page} around *schema*."""
    return {"type": "object", "required": ["items", "total", "page", "per_page"],
            "properties": {"items": {"type": "array", "items": ref(schema)},
                           "total": {"type": "integer"}, "page": {"type": "integer"},
                           "per_page": {"type": "integer", "maximum": 500}}}


def path_id(name: str, what: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": what,
            "schema": {"type": "integer"}}


def query(name: str, schema: dict[str, Any] | str, what: str) -> dict[str, Any]:
    """A query parameter; *schema* may be a JSON type name ("string", "integer" …)."""
    if isinstance(schema, str):
        schema = {"type": schema}
    return {"name": name, "in": "query", "required": False, "description": what, "schema": schema}


PAGING = [query("page", {"type": "integer", "minimum": 1, "default": 1}, "page number"),
          query("per_page", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50},
                "items per page")]
AS_OF = query("as_of", {"type": "string", "format": "date"},
              "judge as of this date (default: today in Asia/Shanghai)")


def operation(summary: str, *, tag: str, returns: dict[str, Any] | str | None = None,
              status: int = 200, body: dict[str, Any] | str | None = None, multipart: bool = False,
              params: list[dict[str, Any]] = (), errors: tuple[int, ...] = (),
              description: str = "", public: bool = False) -> dict[str, Any]:
    """One operation object. *returns* / *body* are schemas or component names; 401 is
    added unless *public*; 400 and 413 whenever there is a body."""
    op: dict[str, Any] = {"summary": summary, "tags": [tag]}
    if description:
        op["description"] = description
    if params:
        op["parameters"] = list(params)
    codes = set(errors)
    if body is not None:
        content = {"application/json": {"schema": _schema(body)}}
        if multipart:
            content["multipart/form-data"] = {"schema": _with_evidence(_schema(body))}
        op["requestBody"] = {"required": True, "content": content}
        codes |= {400, 413}
    if not public:
        codes.add(401)
        op["security"] = [{"bearer": []}]
    else:
        op["security"] = []
    response: dict[str, Any] = {"description": "OK" if status == 200 else "Created"}
    if returns is not None:
        response["content"] = {"application/json": {"schema": _schema(returns)}}
    op["responses"] = {str(status): response}
    for code in sorted(codes):
        op["responses"][str(code)] = {"$ref": f"#/components/responses/{ERRORS[code][0]}"}
    return op


def _schema(value: dict[str, Any] | str) -> dict[str, Any]:
    return ref(value) if isinstance(value, str) else value


def _with_evidence(schema: dict[str, Any]) -> dict[str, Any]:
    """The multipart form of a JSON body: the same fields plus `evidence` files."""
    files = {"type": "array", "items": {"type": "string", "contentMediaType": "application/octet-stream"},
             "description": "evidence files (佐证材料)"}
    return {"allOf": [schema, {"type": "object", "properties": {"evidence": files}}]}


def obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


STR, INT, NUM, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
STAMP = {"type": "string", "format": "date-time"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "type": [schema["type"], "null"]}


def enum(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


STATUS = enum("not_started", "in_progress", "signoff_requested", "signed_off", "suspended")
UNIT_KIND = enum("office", "taskforce", "department", "county", "town", "other")
CHANNEL_KIND = enum("email", "wecom", "dingtalk", "feishu", "webhook")
ROLE = enum("office", "unit", "leader")
REQUEST_STATUS = enum("pending", "approved", "rejected")
MILESTONE = obj(["due_date", "expected_progress"], due_date=DATE,
                 expected_progress={"type": "integer", "minimum": 0, "maximum": 100}, title=STR)
TASK_FIELDS = dict(
    code={**STR, "description": "e.g. 2.3.1; next free code under the parent when omitted"},
    title=STR, description=STR, parent_id=nullable(INT), lead_unit_id=INT,
    co_unit_ids={"type": "array", "items": INT}, leader=STR, start_date=nullable(DATE),
    due_date=DATE, target_value=nullable(NUM), target_unit=STR,
    milestones={"type": "array", "items": MILESTONE,
                "description": "时间节点; on PATCH the list replaces the item's milestones"})

SCHEMAS: dict[str, Any] = {
    "Error": obj(["error", "field"], error=STR, field=nullable(STR)),
    "Unit": obj(["id", "name", "kind", "parent_id", "email"], id=INT, name=STR, kind=UNIT_KIND,
                 parent_id=nullable(INT), email=nullable(STR),
                 sort_order={**INT, "description": "the unit's place in pickers and lists"}),
    "UnitInput": obj(["name", "kind"], name=STR, kind=UNIT_KIND, parent_id=nullable(INT),
                      email=nullable(STR),
                      sort_order={**INT, "description": "default: after the last unit of its kind"}),
    "Channel": obj(["id", "unit_id", "kind", "target", "has_secret", "is_active"], id=INT,
                    unit_id=INT, kind=CHANNEL_KIND, target=STR, has_secret=BOOL, is_active=BOOL),
    "ChannelInput": obj(["kind", "target"], kind=CHANNEL_KIND,
                         target={**STR, "description": "an address (email) or an http(s) URL"},
                         secret={**STR, "description": "signing secret (DingTalk, Feishu, webhook)"}),
    "User": obj(["id", "login", "name", "unit_id", "role"], id=INT, login=STR, name=STR,
                 unit_id=INT, role=ROLE, email=nullable(STR)),
    "UserInput": obj(["login", "name", "unit_id", "role", "password"], login=STR, name=STR,
                      unit_id=INT, role=ROLE, password={**STR, "minLength": 8}, email=nullable(STR)),
    "Task": obj(["id", "code", "title", "description", "parent_id", "lead_unit_id", "co_unit_ids",
                  "leader", "start_date", "due_date", "target_value", "target_unit",
                  "actual_value", "progress", "status", "overdue", "light", "version"],
                 id=INT, **TASK_FIELDS, actual_value=nullable(NUM),
                 progress={"type": "integer", "minimum": 0, "maximum": 100}, status=STATUS,
                 overdue=BOOL, light=enum("green", "yellow", "red"), light_reason=STR,
                 version=INT, forecast={
                     "type": ["object", "null"], "required": ["projected_date", "late_by_workdays", "basis"],
                     "description": "completion forecast (预计完成); null with fewer than two reports "
                                    "or for an item signed off or suspended",
                     "properties": {
                         "projected_date": nullable(DATE), "late_by_workdays": nullable(INT),
                         "basis": enum("progress", "target", "milestones", "stalled", "done"),
                         "confidence": enum("high", "medium", "low"), "reports": INT,
                         "is_late": {**BOOL, "description": "预计逾期"}, "as_of": DATE}}),
    "TaskInput": obj(["title", "lead_unit_id", "due_date"], **TASK_FIELDS),
    "TaskPatch": obj(["version"], version={**INT, "description": "the version you read"},
                      **TASK_FIELDS, status=enum("suspended", "in_progress"),
                      reason={**STR, "description": "why (暂缓的理由); only with `status`, kept in "
                                                    "the history"}),
    "Evidence": obj(["id", "name", "size", "content_type"], id=INT, name=STR, size=INT,
                     content_type=STR),
    "Report": obj(["id", "task_id", "unit_id", "period", "progress", "text", "problems",
                    "next_steps", "actual_value", "submitted_at", "on_time"],
                   id=INT, task_id=INT, unit_id=INT,
                   period={**STR, "examples": ["2026-W47", "2026-11"]},
                   progress=INT, text=STR, problems=STR, next_steps=STR,
                   actual_value=nullable(NUM), submitted_at=STAMP, on_time=BOOL,
                   evidence={"type": "array", "items": ref("Evidence")}),
    "ReportInput": obj(["progress", "text"],
                        progress={"type": "integer", "minimum": 0, "maximum": 100},
                        text={**STR, "description": "进展情况"},
                        problems={**STR, "description": "存在问题"},
                        next_steps={**STR, "description": "下步计划"}, actual_value=nullable(NUM),
                        period={**STR, "description": "ISO week (2026-W47), default the "
                                "current one; or a month (2026-11) when [reporting] monthly is on"}),
    "SignoffRequest": obj(["id", "task_id", "status"], id=INT, task_id=INT, status=REQUEST_STATUS,
                           note=STR, reason=STR, created_at=STAMP, decided_at=nullable(STAMP),
                           evidence={"type": "array", "items": ref("Evidence")},
                           task=ref("Task")),
    "SignoffInput": obj([], note=STR),
    "ExtensionRequest": obj(["id", "task_id", "status", "old_due_date", "new_due_date", "reason"],
                             id=INT, task_id=INT, status=REQUEST_STATUS, old_due_date=DATE,
                             new_due_date=DATE, reason=STR, decision_reason=STR,
                             created_at=STAMP, decided_at=nullable(STAMP), task=ref("Task")),
    "ExtensionInput": obj(["new_due_date", "reason"], new_due_date=DATE, reason=STR),
    "Reason": obj(["reason"], reason=STR),
    "HistoryEvent": obj(["at", "actor", "action", "detail"], at=STAMP, actor=STR, action=STR,
                         detail={"type": "object"}),
}
