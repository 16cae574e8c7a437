"""Task statuses and the transitions allowed between them."""
from __future__ import annotations

from tracker.errors import Conflict
from tracker.models import STATUSES, Task

# from-status → statuses it may move to
ALLOWED = {
    "not_started": {"in_progress", "signoff_requested", "suspended"},
    "in_progress": {"signoff_requested", "suspended"},
    "signoff_requested": {"signed_off", "in_progress"},
    "suspended": {"in_progress"},
    "signed_off": set(),
}


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
    return change
