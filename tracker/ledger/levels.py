"""Which items figures and lists count (口径): the leaves by default, the items with no
sub-items (the measures that carry the work), so no piece of work is counted twice;
`[regime] count_level` may name a depth instead (0 stage goals … 3 measures). Parents
appear only as group headings and in item paths."""
from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import aliased

from tracker import clock
from tracker.config import ConfigError
from tracker.models import Task

DEPTHS = ("阶段目标", "主要任务", "重点工作", "量化实化目标举措")


def _level() -> str | int:
    level = current_app.config["SETTINGS"]["regime"]["count_level"]
    if level != "leaf" and not (isinstance(level, int) and not isinstance(level, bool) and level >= 0):
        raise ConfigError(f'[regime] count_level must be "leaf" or a depth 0–3, got {level!r}')
    return level


def counted_clause(as_of: date | None = None):
    """SQL: the item is at the counting level; for a past day, in the tree as it stood at
    its end (an item whose sub-items came later was a leaf then)."""
    level = _level()
    if level == "leaf":
        child = aliased(Task)
        children = select(child.id).where(child.parent_id == Task.id)
        if as_of is not None and as_of < clock.today():
            children = children.where(child.created_at < clock.cutoff(as_of))
        return ~children.exists()
    return Task.depth == level


def basis_note() -> str:
    """The 口径 sentence documents print."""
    level = _level()
    if level == "leaf":
        return "统计口径：按末级事项（量化实化目标举措等不再细分的事项）计，上级事项不重复计数。"
    name = DEPTHS[level] if level < len(DEPTHS) else f"第{level + 1}级事项"
    return f"统计口径：按{name}计。"
