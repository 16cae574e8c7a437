"""Tasks as the API and exports show them."""
from __future__ import annotations

from datetime import date
from typing import Any

from tracker.foresight.forecast import forecast_dict
from tracker.ledger import state
from tracker.ledger.lights import light_of
from tracker.models import Task


def task_dict(task: Task, today: date) -> dict[str, Any]:
    """The API.md task object, judged as of *today*."""
    light = light_of(task, today)
    return {
        "id": task.id, "code": task.code, "title": task.title, "description": task.description,
        "parent_id": task.parent_id, "lead_unit_id": task.lead_unit_id,
        "co_unit_ids": [u.id for u in task.co_units], "leader": task.leader,
        "start_date": task.start_date and task.start_date.isoformat(),
        "due_date": task.due_date.isoformat(), "target_value": task.target_value,
        "target_unit": task.target_unit, "actual_value": task.actual_value,
        "progress": task.progress, "status": task.status, "overdue": state.is_overdue(task, today),
        "light": light.color, "light_reason": light.reason, "version": task.version,
        "forecast": forecast_dict(task),
        "milestones": [{"due_date": m.due_date.isoformat(), "expected_progress": m.expected_progress,
                        "title": m.title} for m in task.milestones],
    }
