"""An item's audit trail as people read it: field labels, unit names, statuses in Chinese."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from sqlalchemy import select

from tracker import audit
from tracker.accounts.lookups import unit_names
from tracker.extensions import db
from tracker.labels import FIELDS, label
from tracker.models import Task

UNIT_FIELDS = ("lead_unit_id", "co_unit_ids", "unit_id")
TASK_FIELDS = ("parent_id",)
HIDDEN = ("request_id", "report_id", "exemption_id")


def readable_history(task_id: int) -> list[dict[str, Any]]:
    """Events oldest first, each with `lines`: (field label, before or None, after) tuples.
    Fields are named by their labels (a field without one is left out: ids and flags kept
    for machines), units by name and items by code and title."""
    events = audit.task_history(task_id)
    names = {"unit": _unit_names(events), "task": _task_names(events)}
    for event in events:
        event["label"] = label("action", event["action"])
        # A problem's text is the problem (存在问题), not a report's 进展情况.
        rename = {"text": "problems"} if event["action"].startswith("problem.") else {}
        event["lines"] = [_line(rename.get(field, field), value, names)
                          for field, value in event["detail"].items() if field not in HIDDEN
                          and field in FIELDS and value not in (None, "", [])]
    return events


def suspension_of(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest 暂缓 among *events* (readable_history's), with its reason, actor and time."""
    for event in reversed(events):
        status = event["detail"].get("status")
        if isinstance(status, dict) and status.get("after") == "suspended":
            return {"reason": event["detail"].get("reason") or "—", "actor": event["actor"],
                    "on": date.fromisoformat(event["at"][:10])}
    return None


def _line(field: str, value: Any, names: dict) -> tuple[str, str | None, str]:
    if isinstance(value, dict) and "before" in value:
        return (label("field", field), _show(field, value["before"], names),
                _show(field, value["after"], names))
    return label("field", field), None, _show(field, value, names)


def _show(field: str, value: Any, names: dict) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if field in UNIT_FIELDS:
        ids = value if isinstance(value, list) else [value]
        return _("、").join(names["unit"].get(i, str(i)) for i in ids)
    if field in TASK_FIELDS:
        return names["task"].get(value, str(value))
    if field == "milestones" and isinstance(value, list):
        return _("；").join(str(v) for v in value)
    if field == "status":
        return label("status", value)
    if field == "on_time":
        return _("是") if value else _("否")
    if isinstance(value, list):
        return _("、").join(str(v) for v in value)
    return str(value)


def _task_names(events: list[dict[str, Any]]) -> dict[int, str]:
    """"code title" of every item the events name as a parent, in one query."""
    ids: set[int] = set()
    for event in events:
        for field in TASK_FIELDS:
            value = event["detail"].get(field)
            for part in (value.values() if isinstance(value, dict) else [value]):
                if isinstance(part, int):
                    ids.add(part)
    if not ids:
        return {}
    rows = db.session.execute(select(Task.id, Task.code, Task.title).where(Task.id.in_(ids)))
    return {tid: f"{code} {title}" for tid, code, title in rows}


def _unit_names(events: list[dict[str, Any]]) -> dict[int, str]:
    """Names of every unit the events mention, in one query."""
    ids: set[int] = set()
    for event in events:
        for field in UNIT_FIELDS:
            value = event["detail"].get(field)
            for part in (value.values() if isinstance(value, dict) else [value]):
                ids.update(part if isinstance(part, list) else [part] if part else [])
    if not ids:
        return {}
    return unit_names(ids)
