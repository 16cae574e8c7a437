"""API: the office's 催办 (chase) of an item, or of a unit's overdue items."""
from __future__ import annotations

from typing import Any

from flask import g, request

from tracker.api.blueprint import bp
from tracker.api.spec import DATE, INT, STAMP, STR, obj, operation, path_id
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.ledger.operations import get_task
from tracker.lookup import require
from tracker.models import Unit
from tracker.notify import chase


def _message() -> Any:
    """The optional body's `message` (no body at all is an empty message)."""
    if not request.get_data():
        return None
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError("request body must be a JSON object", None)
    unknown = sorted(set(data) - {"message"})
    if unknown:
        raise ValidationError(f"{unknown[0]} is not a field of a chase", unknown[0])
    return data.get("message")


@bp.post("/tasks/<int:task_id>/chase")
def chase_task(task_id: int):
    done = chase.chase_task(g.api_user, get_task(g.api_user, task_id), _message())
    db.session.commit()
    return chase.to_dict(done), 201


@bp.post("/units/<int:unit_id>/chase")
def chase_unit(unit_id: int):
    done = chase.chase_unit(g.api_user, require(Unit, unit_id), _message())
    db.session.commit()
    return {"unit_id": unit_id, "items": [chase.to_dict(c) for c in done]}, 201


SCHEMAS = {
    "Chase": obj(["id", "task_id", "unit_id", "day", "message", "created_at"], id=INT,
                 task_id=INT, unit_id={**INT, "description": "the unit chased: the item's lead unit"},
                 day={**DATE, "description": "the local day; one chase per item and unit a day"},
                 message=STR, created_at=STAMP),
    "ChaseInput": obj([], message={**STR, "maxLength": chase.MESSAGE_LIMIT,
                                   "description": "催办意见, optional; the body may be omitted"}),
}

PATHS = {
    "/tasks/{task_id}/chase": {
        "post": operation(
            "Chase an item's lead unit (催办, office)", tag="notifications", body="ChaseInput",
            returns="Chase", status=201, params=[path_id("task_id", "task id")],
            errors=(403, 404, 409),
            description="Queues a `chase` notice to the lead unit (every channel, email and its "
                        "in-app notices). 409 when the item was already chased today, is signed "
                        "off or suspended, or the `chase` rule is switched off."),
    },
    "/units/{unit_id}/chase": {
        "post": operation(
            "Chase a unit's overdue items (催办, office)", tag="notifications", body="ChaseInput",
            returns=obj(["unit_id", "items"], unit_id=INT,
                        items={"type": "array", "items": {"$ref": "#/components/schemas/Chase"}}),
            status=201, params=[path_id("unit_id", "unit id")], errors=(403, 404, 409),
            description="Chases every overdue item the unit leads that was not chased today, in "
                        "one `chase` notice. 409 when there is none left to chase today."),
    },
}
