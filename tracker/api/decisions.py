"""API: sign-off (销号) and extension (延期) requests and the office's decisions on them."""
from __future__ import annotations

from typing import Any

from flask import g
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.api.blueprint import bp
from tracker.api.inputs import optional_body, submission, with_dates
from tracker.api.parsing import body, page_of
from tracker.api.spec import PAGING, operation, page, path_id
from tracker.extensions import db
from tracker.ledger.operations import get_task
from tracker.ledger.serialize import task_dict
from tracker.models import ExtensionRequest, SignoffRequest
from tracker.signoff import operations


@bp.get("/tasks/<int:task_id>/signoff-requests")
def list_signoff_requests(task_id: int):
    task = get_task(g.api_user, task_id)
    requests = operations.requests_query(task, "signoff").options(
        selectinload(SignoffRequest.evidence))
    return page_of(requests, SignoffRequest.to_dict)


@bp.post("/tasks/<int:task_id>/signoff-requests")
def request_signoff(task_id: int):
    task = get_task(g.api_user, task_id)
    data, files = submission()
    req = operations.request_signoff(g.api_user, task, data.get("note"), files)
    db.session.commit()
    return _decided(req), 201


@bp.post("/tasks/<int:task_id>/signoff-requests/<int:request_id>/approve")
def approve_signoff(task_id: int, request_id: int):
    return _decide(operations.approve_signoff, task_id, request_id)


@bp.post("/tasks/<int:task_id>/signoff-requests/<int:request_id>/reject")
def reject_signoff(task_id: int, request_id: int):
    return _decide(operations.reject_signoff, task_id, request_id, optional_body().get("reason"))


@bp.get("/tasks/<int:task_id>/extension-requests")
def list_extension_requests(task_id: int):
    task = get_task(g.api_user, task_id)
    return page_of(operations.requests_query(task, "extension"), ExtensionRequest.to_dict)


@bp.post("/tasks/<int:task_id>/extension-requests")
def request_extension(task_id: int):
    task = get_task(g.api_user, task_id)
    data = with_dates(body(), "new_due_date")
    req = operations.request_extension(g.api_user, task, data.get("new_due_date"),
                                       data.get("reason"))
    db.session.commit()
    return _decided(req), 201


@bp.post("/tasks/<int:task_id>/extension-requests/<int:request_id>/approve")
def approve_extension(task_id: int, request_id: int):
    return _decide(operations.approve_extension, task_id, request_id)


@bp.post("/tasks/<int:task_id>/extension-requests/<int:request_id>/reject")
def reject_extension(task_id: int, request_id: int):
    return _decide(operations.reject_extension, task_id, request_id, optional_body().get("reason"))


def _decide(decide, task_id: int, *args) -> dict[str, Any]:
    """Run an office decision on one of the task's requests and answer the decided request."""
    req = decide(g.api_user, get_task(g.api_user, task_id), *args)
    db.session.commit()
    return _decided(req)


def _decided(req: SignoffRequest | ExtensionRequest) -> dict[str, Any]:
    """The request with the task as it now stands (status, due_date, version)."""
    return {**req.to_dict(), "task": task_dict(req.task, clock.today())}


TASK = path_id("task_id", "task id")
REQUEST = path_id("request_id", "request id")


def _decision(kind: str, verb: str, effect: str, reason: bool) -> dict[str, Any]:
    schema = "SignoffRequest" if kind == "signoff" else "ExtensionRequest"
    return {"post": operation(
        f"{verb.capitalize()} a {kind} request (office)", tag=kind, returns=schema,
        body="Reason" if reason else None, params=[TASK, REQUEST], errors=(403, 404, 409),
        description=f"{effect} 409 when the request was already decided.")}


PATHS = {
    "/tasks/{task_id}/signoff-requests": {
        "get": operation("List a task's sign-off requests, oldest first", tag="signoff",
                         returns=page("SignoffRequest"), params=[TASK, *PAGING],
                         errors=(400, 403, 404)),
        "post": operation(
            "Ask for sign-off (lead unit)", tag="signoff", body="SignoffInput", multipart=True,
            returns="SignoffRequest", status=201, params=[TASK], errors=(403, 404, 409),
            description="JSON `{note}` or multipart with `note` and `evidence` files; the task "
                        "moves to `signoff_requested`. 409 from `signed_off` or "
                        "`signoff_requested`."),
    },
    "/tasks/{task_id}/signoff-requests/{request_id}/approve":
        _decision("signoff", "approve", "The task moves to `signed_off`.", reason=False),
    "/tasks/{task_id}/signoff-requests/{request_id}/reject":
        _decision("signoff", "reject", "`reason` is required; the task goes back to "
                                       "`in_progress`.", reason=True),
    "/tasks/{task_id}/extension-requests": {
        "get": operation("List a task's extension requests, oldest first", tag="extension",
                         returns=page("ExtensionRequest"), params=[TASK, *PAGING],
                         errors=(400, 403, 404)),
        "post": operation(
            "Ask for a later deadline (lead unit)", tag="extension", body="ExtensionInput",
            returns="ExtensionRequest", status=201, params=[TASK], errors=(403, 404, 409),
            description="Only before the deadline (else 409); `new_due_date` must be after the "
                        "current one; one pending request at a time (else 409)."),
    },
    "/tasks/{task_id}/extension-requests/{request_id}/approve":
        _decision("extension", "approve", "`due_date` moves; the old one stays in the history.",
                  reason=False),
    "/tasks/{task_id}/extension-requests/{request_id}/reject":
        _decision("extension", "reject", "`reason` is required; the deadline stands.",
                  reason=True),
}
