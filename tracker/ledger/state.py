"""Task state in one place: the statuses, which of them are open, the overdue predicate (in
Python and in SQL), the transitions between statuses, and which actions a user may take
on an item today. Operations refuse through `check`; the item page shows exactly
`allowed_actions`.

How a suspended (暂缓) item counts, everywhere: it is still open and, past its deadline,
still overdue as a fact (`overdue`, the ledger's 逾期 filter, the dashboard's count, the
API); but the office has paused it, so nobody is chased or judged for it: it is lit green
(暂缓), gets no reminders or overdue notices, owes no reports, and counts on neither the
red/black list nor the evaluation. `chased_clause` is open and not suspended;
`judged_clause` is every item but the suspended ones.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, bindparam

from tracker import clock
from tracker.accounts.permissions import can_report, is_lead
from tracker.calendar.sql import day_number, local_day_number
from tracker.errors import Conflict, DomainError, PermissionDenied
from tracker.labels import OPEN_STATUSES, STATUSES
from tracker.models import Task, User

# Open and not paused by the office: reminded, chased, judged.
CHASED_STATUSES = ("not_started", "in_progress", "signoff_requested")

# from-status → statuses it may move to
ALLOWED = {
    "not_started": {"in_progress", "signoff_requested", "suspended"},
    "in_progress": {"signoff_requested", "suspended"},
    "signoff_requested": {"signed_off", "in_progress"},
    "suspended": {"in_progress"},
    "signed_off": set(),
}

# What a user may do on an item: report progress, ask sign-off, ask an extension, decide
# requests (approve or reject), edit, suspend, resume, chase (催办).
ACTIONS = ("report", "signoff", "extension", "decide", "edit", "suspend", "resume", "chase")


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def open_clause(status=Task.status):
    """SQL: the item is open, spelled as the open statuses written into the statement (so
    the (status, due_date) index serves it, and so does the partial ix_tasks_open_due,
    which a bound parameter would hide from SQLite's planner); over *status* as it stood,
    when given."""
    return status.in_(bindparam("open_statuses", OPEN_STATUSES, expanding=True, literal_execute=True,
                                unique=True))


def chased_clause():
    """SQL: the item is open and not suspended."""
    return Task.status.in_(CHASED_STATUSES)


def judged_clause(status=Task.status):
    """SQL: the item is not suspended, so the regime judges it (a signed-off one as done):
    the red/black list, the evaluation, the report cycles; over *status* as it stood,
    when given."""
    return status != "suspended"


def is_overdue(task, today: date) -> bool:
    """Past its deadline and not signed off (derived from the clock, never stored)."""
    return is_open(task.status) and task.due_date < today


def overdue_clause(today: date, status=Task.status, due_date=Task.due_date):
    """SQL twin of is_overdue; over the columns as they stood (timeline.as_of), when given."""
    return and_(due_date < today, open_clause(status))


def awaits_review(task) -> bool:
    """Sign-off asked on or before the deadline and awaiting the office's review: not
    overdue while it waits (lights green, listed apart as 待审核 in notices)."""
    since = getattr(task, "status_since", None)
    return (task.status == "signoff_requested" and since is not None
            and clock.local(since).date() <= task.due_date)


def awaits_review_clause(status=Task.status, since=Task.status_since, due_date=Task.due_date):
    """SQL twin of awaits_review, over the given columns (the ledger's, or as it stood)."""
    return and_(status == "signoff_requested", local_day_number(since) <= day_number(due_date))


def deadline_mark(task, today: date) -> str | None:
    """The mark beside an item's status (labels.DEADLINE_MARKS): "overdue" (逾期) when it is
    overdue, "review" (待审核) when it is past its deadline only because the office has not
    yet reviewed a sign-off asked in time (`awaits_review`: lit green, not chased), None
    otherwise. The `overdue` fact (the 逾期 filter, the API) is unchanged."""
    if not is_overdue(task, today):
        return None
    return "review" if awaits_review(task) else "overdue"


def answerable_overdue_clause(today: date):
    """SQL: overdue and the lead unit's to answer for: not suspended, and not past its
    deadline only for the office's review of a sign-off asked in time. What a unit is
    charged with (its workbench's 逾期, the dashboard's 逾期事项最多的单位)."""
    return and_(Task.due_date < today, chased_clause(), ~awaits_review_clause())


def check_transition(task: Task, new_status: str, what: str) -> None:
    """Raise Conflict (409) when *task* may not move to *new_status*; *what* names the action."""
    if new_status not in ALLOWED[task.status]:
        raise Conflict(f"事项当前状态为“{STATUSES[task.status]}”，不能{what} "
                       f"(not allowed from status {task.status})", "status")


def move(task: Task, new_status: str, what: str) -> dict[str, str]:
    """Move *task* to *new_status* after checking; returns the before/after for the audit."""
    check_transition(task, new_status, what)
    change = {"status": {"before": task.status, "after": new_status}}
    task.status = new_status
    task.status_since = clock.now()
    return change


def refusal(user: User, task: Task, action: str, today: date) -> DomainError | None:
    """Why *user* may not take *action* on *task* today (403 for the role, 409 for the
    item's state), or None when they may."""
    if action == "report":
        if not can_report(user, task):
            return PermissionDenied("只有牵头单位或配合单位可以报送进展")
        if task.status in ("signed_off", "suspended"):
            return Conflict(f"事项当前状态为“{STATUSES[task.status]}”，不能报送进展 "
                            f"(not allowed from status {task.status})", "status")
        return None
    if action in ("signoff", "extension"):
        if not is_lead(user, task):
            return PermissionDenied("只有牵头单位可以申请销号或延期")
        if action == "signoff":
            return _transition_refusal(task, "signoff_requested", "申请销号")
        if task.status == "signed_off":
            return Conflict("事项已销号，不能申请延期 (not allowed from status signed_off)", "status")
        if today > task.due_date:
            return Conflict(f"延期须在完成时限（{clock.cn_date(task.due_date)}）之前申请，事项已逾期 "
                            "(an extension must be asked before the deadline)", "due_date")
        return None
    if not user.is_office:
        return PermissionDenied("只有指挥部办公室可以执行此操作 (office only)")
    if action == "suspend":
        return _transition_refusal(task, "suspended", "暂缓")
    if action == "resume" and task.status != "suspended":
        return Conflict("只有暂缓的事项可以恢复推进 (only a suspended item can be resumed)", "status")
    if action == "chase" and task.status not in CHASED_STATUSES:
        return Conflict("只有未办结且未暂缓的事项可以催办 (only an open, not suspended item can be chased)",
                        "status")
    return None


def _transition_refusal(task: Task, new_status: str, what: str) -> Conflict | None:
    try:
        check_transition(task, new_status, what)
    except Conflict as exc:
        return exc
    return None


def check(user: User, task: Task, action: str, today: date) -> None:
    """Raise the refusal, if any, of *user* taking *action* on *task* today."""
    exc = refusal(user, task, action, today)
    if exc is not None:
        raise exc


def allowed_actions(user: User, task: Task, today: date) -> frozenset[str]:
    """The actions *user* may take on *task* today: what the item page offers."""
    return frozenset(a for a in ACTIONS if refusal(user, task, a, today) is None)
