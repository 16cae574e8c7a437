"""API: the problem ledger (问题清单) and its office steps: assign (协调事项), resolve."""
from __future__ import annotations

from flask import g, request

from tracker.api.blueprint import bp
from tracker.api.inputs import with_dates
from tracker.api.parsing import body, page_of, query_int
from tracker.api.spec import (BOOL, DATE, INT, PAGING, STAMP, STR, enum, nullable, obj, operation,
                              page, path_id, query)
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.foresight import problems

ASSIGN_FIELDS = ("coordinator_unit_id", "due_date", "note", "category")
MAX_AGE_DAYS = 36500


@bp.get("/problems")
def list_problems():
    query = problems.problem_query(
        g.api_user, status=request.args.get("status") or None,
        category=request.args.get("category") or None, unit_id=query_int("unit_id"),
        older_than=query_int("older_than_days", maximum=MAX_AGE_DAYS))
    return page_of(query, problems.problem_dict)


@bp.get("/problems/<int:problem_id>")
def get_problem(problem_id: int):
    return problems.problem_dict(problems.get_problem(g.api_user, problem_id))


@bp.post("/problems/<int:problem_id>/assign")
def assign_problem(problem_id: int):
    data = with_dates(body(), "due_date")
    unknown = sorted(set(data) - set(ASSIGN_FIELDS))
    if unknown:
        raise ValidationError(f"{unknown[0]} is not a field of an assignment", unknown[0])
    problem = problems.get_problem(g.api_user, problem_id)
    problems.assign(g.api_user, problem, coordinator_unit_id=data.get("coordinator_unit_id"),
                    due_date=data.get("due_date"), note=data.get("note"),
                    category=data.get("category"))
    db.session.commit()
    return problems.problem_dict(problem)


@bp.post("/problems/<int:problem_id>/resolve")
def resolve_problem(problem_id: int):
    data = body()
    unknown = sorted(set(data) - {"note"})
    if unknown:
        raise ValidationError(f"{unknown[0]} is not a field of a resolution", unknown[0])
    problem = problems.get_problem(g.api_user, problem_id)
    problems.resolve(g.api_user, problem, data.get("note"))
    db.session.commit()
    return problems.problem_dict(problem)


PROBLEM_STATUS = enum(*problems.STATUSES)

SCHEMAS = {
    "Problem": obj(["id", "task_id", "unit_id", "text", "category", "status", "coordinator_unit_id",
                    "due_date", "first_reported_at", "last_reported_at"],
                   id=INT, task_id=INT, unit_id={**INT, "description": "the unit that reported it (last)"},
                   text={**STR, "description": "存在问题 as last reported"},
                   category={**STR, "description": "one of [foresight] categories"},
                   is_classified={**BOOL, "description": "the office confirmed the category"},
                   status=PROBLEM_STATUS, coordinator_unit_id=nullable(INT), due_date=nullable(DATE),
                   times_reported=INT, first_reported_at=STAMP, last_reported_at=STAMP,
                   resolved_at=nullable(STAMP), resolution=STR),
    "ProblemAssign": obj(["coordinator_unit_id", "due_date"], coordinator_unit_id=INT, due_date=DATE,
                         note=STR, category=STR),
    "ProblemResolve": obj(["note"], note={**STR, "minLength": 1}),
}

PATHS = {
    "/problems": {
        "get": operation(
            "The problem ledger (问题清单)", tag="problems", returns=page("Problem"),
            params=[query("status", PROBLEM_STATUS, "open, assigned or resolved"),
                    query("category", STR, "a category"),
                    query("unit_id", INT, "the item's lead unit, the reporting or the coordinating unit"),
                    query("older_than_days", {"type": "integer", "minimum": 1, "maximum": MAX_AGE_DAYS},
                          "first reported at least this many days ago"),
                    *PAGING],
            description="Problems the caller may see, oldest first: the office and leaders all; a "
                        "unit those of its items and those it coordinates. The same problem "
                        "reported again on the same item updates its record."),
    },
    "/problems/{problem_id}": {
        "get": operation("A problem", tag="problems", returns="Problem",
                         params=[path_id("problem_id", "problem id")], errors=(403, 404)),
    },
    "/problems/{problem_id}/assign": {
        "post": operation(
            "Assign a problem to a coordinating unit (协调事项, office)", tag="problems",
            body="ProblemAssign", returns="Problem", params=[path_id("problem_id", "problem id")],
            errors=(403, 404, 409),
            description="Sets the coordinating unit and deadline (and the category, if given) and "
                        "queues one `problem-assigned` notice to that unit. 409 once resolved."),
    },
    "/problems/{problem_id}/resolve": {
        "post": operation(
            "Close a problem with a note (office)", tag="problems", body="ProblemResolve",
            returns="Problem", params=[path_id("problem_id", "problem id")], errors=(403, 404, 409),
            description="409 when already resolved."),
    },
}
