"""The problem ledger (问题清单): every report's 存在问题 becomes problem records of its item,
which the office classifies, assigns to a coordinating unit with a deadline (协调事项) and
closes with a note; the coordinating unit sees them and adds notes. Each step is audited;
an assignment tells the coordinating unit through the outbox (tracker.notify.events).

What "the same problem" means: a report's 存在问题 is split into problems at line breaks
and list markers (1. 2、（3） 一是 …); each is normalised (Unicode NFKC, case folded,
whitespace and punctuation dropped). On the same item, a problem is the same as a record
when its normalised text equals the record's key, contains it or is contained in it, or is
at least `[foresight] same_ratio` similar (difflib). The same problem again updates the
record (its text, reporter, count and last report) and reopens it if it had been resolved.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError

from tracker import audit, clock, validation
from tracker.accounts.permissions import can_view_task, require_office, unit_filter
from tracker.errors import Conflict, NotFound, PermissionDenied, ValidationError
from tracker.extensions import db
from tracker.lookup import require
from tracker.models import Problem, ProblemNote, ProgressReport, Task, Unit, User

STATUSES = ("open", "assigned", "resolved")
KEY_LENGTH = 200
_MARKERS = re.compile(r"(?:^|\s|[；;。])(?:\d{1,2}[.、．)）]|[（(]\d{1,2}[)）]|[一二三四五六七八九十]是|[①-⑩])")
_DROP = re.compile(r"[\W_]+", re.UNICODE)


def _cfg() -> dict[str, Any]:
    return current_app.config["SETTINGS"]["foresight"]


def normalise(text: str) -> str:
    """The comparable form of a problem: NFKC, case folded, no whitespace or punctuation."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text).casefold())[:KEY_LENGTH]


def split(text: str) -> list[str]:
    """The problems one 存在问题 holds: one per line or list item; "无" and the like none."""
    parts = []
    for line in text.splitlines():
        parts += [p.strip(" \t；;，,。") for p in _MARKERS.split(line)]
    none = {normalise(w) for w in _cfg()["none_words"]}
    out = []
    for part in parts:
        key = normalise(part)
        if key and key not in none and part not in out:
            out.append(part)
    return out


def propose_category(text: str) -> str:
    """The keyword table's category for *text*: the first whose word it contains, else the
    last category (其他)."""
    cfg = _cfg()
    for category, words in cfg["keywords"].items():
        if category in cfg["categories"] and any(w in text for w in words):
            return category
    return cfg["categories"][-1]


def _same(key: str, other: str) -> bool:
    if key == other or key in other or other in key:
        return True
    return difflib.SequenceMatcher(None, key, other).ratio() >= float(_cfg()["same_ratio"])


def record_from_report(report: ProgressReport) -> list[Problem]:
    """The report's 存在问题 into the item's problem records: new ones added, repeats
    updated (and reopened when resolved). Called by the report operation."""
    out = []
    for text in split(report.problems or ""):
        out.append(_record(report, text))
    return out


def _record(report: ProgressReport, text: str) -> Problem:
    key = normalise(text)
    known = db.session.scalars(select(Problem).where(Problem.task_id == report.task_id)
                               .order_by(Problem.id)).all()
    match = next((p for p in known if p.key == key), None) or next(
        (p for p in known if _same(key, p.key)), None)
    if match is None:
        try:
            with db.session.begin_nested():
                match = Problem(task_id=report.task_id, unit_id=report.unit_id, text=text, key=key,
                                category=propose_category(text), status="open", times_reported=1,
                                last_report_id=report.id, first_reported_at=report.submitted_at,
                                last_reported_at=report.submitted_at, resolution="")
                db.session.add(match)
            audit.record(report.user, "problem.create", match, task_id=report.task_id,
                         detail={"problem_id": match.id, "text": text, "category": match.category,
                                 "report_id": report.id})
            return match
        except IntegrityError:  # the same problem, recorded at the same moment by another report
            match = db.session.scalars(select(Problem).where(
                Problem.task_id == report.task_id, Problem.key == key)).one()
    match.text, match.unit_id, match.last_report_id = text, report.unit_id, report.id
    match.last_reported_at = max(match.last_reported_at, report.submitted_at)
    match.times_reported += 1
    detail: dict[str, Any] = {"problem_id": match.id, "report_id": report.id,
                              "times_reported": match.times_reported}
    if match.status == "resolved":
        match.status = "assigned" if match.coordinator_unit_id else "open"
        match.resolved_at = None
        db.session.add(ProblemNote(problem_id=match.id, kind="reopen", text=text,
                                   user_id=report.user_id, unit_id=report.unit_id))
        detail["reopened"] = True
    db.session.flush()
    audit.record(report.user, "problem.repeat", match, task_id=match.task_id, detail=detail)
    return match


# --- the office's steps ---------------------------------------------------------------------

def _note(problem: Problem, user: User, kind: str, text: str) -> None:
    db.session.add(ProblemNote(problem_id=problem.id, kind=kind, text=text, user_id=user.id,
                               unit_id=user.unit_id))


def classify(user: User, problem: Problem, category: Any) -> Problem:
    """The office sets the problem's category (one of `[foresight] categories`)."""
    require_office(user)
    category = _category(category)
    before = problem.category
    problem.category, problem.is_classified = category, True
    _note(problem, user, "classify", category)
    db.session.flush()
    audit.record(user, "problem.classify", problem, task_id=problem.task_id,
                 detail={"problem_id": problem.id, "category": {"before": before, "after": category}})
    return problem


def _category(value: Any) -> str:
    category = validation.text(value, "category", required=True)
    if category not in _cfg()["categories"]:
        raise ValidationError(f"category must be one of {'、'.join(_cfg()['categories'])}", "category")
    return category


def assign(user: User, problem: Problem, *, coordinator_unit_id: Any, due_date: Any,
           note: Any = "", category: Any = None) -> Problem:
    """The office makes the problem a 协调事项 of a coordinating unit with a deadline; the
    unit is told (rule `problem-assigned`) once per problem."""
    require_office(user)
    if problem.status == "resolved":
        raise Conflict("问题已解决，不能再交办 (problem already resolved)")
    unit_id = validation.integer(coordinator_unit_id, "coordinator_unit_id")
    if db.session.get(Unit, unit_id) is None:
        raise ValidationError(f"unit {unit_id} does not exist", "coordinator_unit_id",
                              text=_l("请从列表中选择协调单位"))
    due = validation.day(due_date, "due_date", required=True)
    note = validation.text(note, "note")
    if category not in (None, ""):
        problem.category, problem.is_classified = _category(category), True
    before = {"coordinator_unit_id": problem.coordinator_unit_id, "due_date": problem.due_date}
    problem.coordinator_unit_id, problem.due_date, problem.status = unit_id, due, "assigned"
    _note(problem, user, "assign", note)
    db.session.flush()
    audit.record(user, "problem.assign", problem, task_id=problem.task_id,
                 detail={"problem_id": problem.id, "text": problem.text, "coordinator_unit_id": unit_id,
                         "due_date": due, "note": note, "category": problem.category,
                         "before": before})
    return problem


def resolve(user: User, problem: Problem, note: Any) -> Problem:
    """The office closes the problem with a note (required)."""
    require_office(user)
    if problem.status == "resolved":
        raise Conflict("问题已解决 (problem already resolved)")
    note = validation.text(note, "note", required=True)
    problem.status, problem.resolution, problem.resolved_at = "resolved", note, clock.now()
    _note(problem, user, "resolve", note)
    db.session.flush()
    audit.record(user, "problem.resolve", problem, task_id=problem.task_id,
                 detail={"problem_id": problem.id, "note": note})
    return problem


def add_note(user: User, problem: Problem, text: Any) -> ProblemNote:
    """The coordinating unit (or the office) notes what has been done on the problem."""
    if not (user.is_office or (not user.is_leader and user.unit_id == problem.coordinator_unit_id)):
        raise PermissionDenied("只有协调单位或指挥部办公室可以填写办理情况 (coordinating unit only)")
    text = validation.text(text, "note", required=True)
    note = ProblemNote(problem_id=problem.id, kind="note", text=text, user_id=user.id,
                       unit_id=user.unit_id)
    db.session.add(note)
    db.session.flush()
    audit.record(user, "problem.note", problem, task_id=problem.task_id,
                 detail={"problem_id": problem.id, "note": text})
    return note


# --- reading --------------------------------------------------------------------------------

def can_view(user: User, problem: Problem) -> bool:
    """Office and leaders see all; a unit its items' problems and those it coordinates."""
    return can_view_task(user, problem.task) or user.unit_id == problem.coordinator_unit_id


def get_problem(user: User, problem_id: Any) -> Problem:
    problem = require(Problem, problem_id, "problem")
    if not can_view(user, problem):   # answered like a problem that does not exist
        raise NotFound(f"problem {problem_id} does not exist")
    return problem


def problem_query(user: User, *, status: str | None = None, category: str | None = None,
                  unit_id: int | None = None, older_than: int | None = None,
                  today: date | None = None) -> Select:
    """Problems *user* may see, oldest first; *unit_id* matches the item's lead unit, the
    reporting unit or the coordinating unit; *older_than* days since first reported."""
    query = select(Problem).join(Task, Task.id == Problem.task_id)
    if not (user.is_office or user.is_leader):
        query = query.where(or_(unit_filter(user.unit_id), Problem.coordinator_unit_id == user.unit_id))
    if status:
        if status not in STATUSES:
            raise ValidationError(f"status must be one of {', '.join(STATUSES)}", "status")
        query = query.where(Problem.status == status)
    if category:
        query = query.where(Problem.category == category)
    if unit_id is not None:
        query = query.where(or_(Task.lead_unit_id == unit_id, Problem.unit_id == unit_id,
                                Problem.coordinator_unit_id == unit_id))
    if older_than:
        query = query.where(Problem.first_reported_at < _days_ago(older_than, today))
    return query.order_by(Problem.first_reported_at, Problem.id)


def _days_ago(days: int, today: date | None) -> datetime:
    """The start of the day after the one *days* days before *today*: first reported before
    it means at least *days* days old."""
    return clock.local_datetime(clock.today(today) - timedelta(days=days - 1), time(0, 0))


def age_days(problem: Problem, today: date) -> int:
    """Days since the problem was first reported (0 on that day)."""
    return days_since(problem.first_reported_at, today)


def days_since(at: datetime, today: date) -> int:
    """Days from the stored instant *at* to *today* (Asia/Shanghai; 0 on that day)."""
    return (today - clock.local(at).date()).days


def task_problems(task: Task) -> list[Problem]:
    return list(db.session.scalars(select(Problem).where(Problem.task_id == task.id)
                                   .order_by(Problem.status == "resolved", Problem.first_reported_at)))


def coordinating(unit_id: int) -> list[Problem]:
    """Problems the unit must help resolve: assigned to it, not yet resolved."""
    return list(db.session.scalars(select(Problem).where(
        Problem.coordinator_unit_id == unit_id, Problem.status == "assigned")
        .order_by(Problem.due_date, Problem.id)))


def counts_by_category(status: str | None = None) -> dict[str, int]:
    query = select(Problem.category, func.count()).group_by(Problem.category)
    if status:
        query = query.where(Problem.status == status)
    return dict(db.session.execute(query).all())


def problem_dict(problem: Problem) -> dict[str, Any]:
    """The API.md problem object."""
    return {"id": problem.id, "task_id": problem.task_id, "unit_id": problem.unit_id,
            "text": problem.text, "category": problem.category, "status": problem.status,
            "is_classified": problem.is_classified,
            "coordinator_unit_id": problem.coordinator_unit_id,
            "due_date": problem.due_date and problem.due_date.isoformat(),
            "times_reported": problem.times_reported,
            "first_reported_at": clock.local(problem.first_reported_at).isoformat(),
            "last_reported_at": clock.local(problem.last_reported_at).isoformat(),
            "resolved_at": problem.resolved_at and clock.local(problem.resolved_at).isoformat(),
            "resolution": problem.resolution}
