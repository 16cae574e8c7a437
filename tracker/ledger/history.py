"""An item's audit trail as people read it: field labels, unit names, statuses in Chinese."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from tracker import audit
from tracker.accounts.lookups import unit_names
from tracker.labels import label

UNIT_FIELDS = ("lead_unit_id", "co_unit_ids")
HIDDEN = ("request_id", "report_id", "exemption_id")


def readable_history(task_id: int) -> list[dict[str, Any]]:
    """Events oldest first, each with `lines`: (field label, before or None, after) tuples."""
    events = audit.task_history(task_id)
    names = _unit_names(events)
    for event in events:
        event["label"] = label("action", event["action"])
        event["lines"] = [_line(field, value, names)
                          for field, value in event["detail"].items() if field not in HIDDEN
                          and value not in (None, "", [])]
    return events


def _line(field: str, value: Any, names: dict[int, str]) -> tuple[str, str | None, str]:
    if isinstance(value, dict) and "before" in value:
        return (label("field", field), _show(field, value["before"], names),
                _show(field, value["after"], names))
    return label("field", field), None, _show(field, value, names)


def _show(field: str, value: Any, names: dict[int, str]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if field in UNIT_FIELDS:
        ids = value if isinstance(value, list) else [value]
        return _("、").join(names.get(i, str(i)) for i in ids)
    if field == "status":
        return label("status", value)
    if field == "on_time":
        return _("是") if value else _("否")
    if isinstance(value, list):
        return _("、").join(str(v) for v in value)
    return str(value)


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
