"""API: the office's exemptions (豁免) of an item from the red/black list and the overdue
judgements (tracker/ledger/exemptions.py)."""
from __future__ import annotations

from flask import g

from tracker.api.blueprint import bp
from tracker.api.inputs import with_dates
from tracker.api.parsing import body
from tracker.api.spec import BOOL, DATE, INT, STR, nullable, obj, operation, path_id, ref
from tracker.extensions import db
from tracker.ledger import exemptions
from tracker.ledger.operations import get_task


@bp.get("/tasks/<int:task_id>/exemptions")
def list_exemptions(task_id: int):
    task = get_task(g.api_user, task_id)
    return {"items": [exemptions.exemption_dict(ex) for ex in exemptions.task_exemptions(task)]}


@bp.post("/tasks/<int:task_id>/exemptions")
def mark_exemption(task_id: int):
    task = get_task(g.api_user, task_id)
    data = with_dates(body(), "start_date", "end_date")
    ex = exemptions.mark_exemption(g.api_user, task, data.get("kind"), data.get("reason"),
                                   data.get("start_date"), data.get("end_date"))
    db.session.commit()
    return exemptions.exemption_dict(ex), 201


@bp.post("/tasks/<int:task_id>/exemptions/<int:exemption_id>/revoke")
def revoke_exemption(task_id: int, exemption_id: int):
    task = get_task(g.api_user, task_id)
    ex = exemptions.revoke_exemption(g.api_user, task, exemption_id, body().get("reason"))
    db.session.commit()
    return exemptions.exemption_dict(ex)


TASK = path_id("task_id", "task id")
SCHEMAS = {
    "Exemption": obj(["id", "task_id", "kind", "reason", "start_date", "end_date", "revoked"],
                     id=INT, task_id=INT,
                     kind={**STR, "description": "one of [regime] exemption_kinds (不可抗力 …)"},
                     reason=STR, start_date=DATE, end_date=nullable(DATE), created_by=STR,
                     created_at=STR, revoked=BOOL, revoked_at=nullable(STR),
                     revoked_by=nullable(STR), revoke_reason=STR),
    "ExemptionInput": obj(["kind", "reason", "start_date"], kind=STR, reason=STR,
                          start_date=DATE, end_date={**nullable(DATE), "description": "none: open-ended"}),
}
PATHS = {
    "/tasks/{task_id}/exemptions": {
        "get": operation("List a task's exemptions (豁免), revoked ones included, newest first",
                         tag="exemption", returns=obj(["items"], items={"type": "array", "items": ref("Exemption")}),
                         params=[TASK], errors=(403, 404)),
        "post": operation(
            "Mark the task exempt from the red/black list and overdue judgements (office)",
            tag="exemption", body="ExemptionInput", returns="Exemption", status=201, params=[TASK],
            errors=(400, 403, 404),
            description="From `start_date` to `end_date` (inclusive; none: open-ended). `reason` is "
                        "required; `kind` one of `[regime] exemption_kinds`. Judgements of a day "
                        "see only exemptions marked by the end of that day."),
    },
    "/tasks/{task_id}/exemptions/{exemption_id}/revoke": {"post": operation(
        "Revoke an exemption (office), from now on; the record stays", tag="exemption",
        body="Reason", returns="Exemption", params=[TASK, path_id("exemption_id", "exemption id")],
        errors=(400, 403, 404, 409), description="409 when it was already revoked.")},
}
