"""Which items figures and lists count (口径): the leaves by default, the items with no
sub-items (the measures that carry the work), so no piece of work is counted twice;
`[regime] count_level` may name a depth instead (0 stage goals … 3 measures). Parents
appear only as group headings and in item paths."""
from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import Select, func, or_, select, true
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


def counted_clause(as_of: date | None = None, item_id=None):
    """SQL: the item is at the counting level; for a past day, in the tree as it stood at
    its end (an item whose sub-items came later was a leaf then). *item_id*: the column
    holding the item's id when the query does not join the item itself (a problem's
    task_id, say), so that a leaf test costs no join."""
    level = _level()
    if level == "leaf":
        child = aliased(Task)
        children = select(child.id).where(child.parent_id == (Task.id if item_id is None else item_id))
        if as_of is not None and as_of < clock.today():
            children = children.where(child.created_at < clock.cutoff(as_of))
        return ~children.exists()
    if item_id is None:
        return Task.depth == level
    return item_id.in_(select(Task.id).where(Task.depth == level))


def counted_on_days(days: list[date]):
    """(a WHERE clause, day → a column clause, add: what to join to the query) for counting
    at the level of the tree as it stood on each of *days* in one query. One day's level
    goes in the WHERE (counted_clause). With several days each day's goes into its own
    columns, so an earlier day is not counted by a later tree; for leaves each item's first
    sub-item's creation time is joined once (an outer join on one grouping of the tree), so
    a day's test is a comparison, not counted_clause's NOT EXISTS repeated per day and row."""
    distinct = set(days)
    if len(distinct) == 1:
        return counted_clause(days[0]), lambda day: true(), lambda query: query
    if _level() != "leaf":
        return true(), counted_clause, lambda query: query
    child = aliased(Task)
    kids = (select(child.parent_id, func.min(child.created_at).label("first_at"))
            .where(child.parent_id.is_not(None)).group_by(child.parent_id).subquery("kids"))
    today = clock.today()

    def add(query: Select) -> Select:
        return query.outerjoin(kids, kids.c.parent_id == Task.id)

    def clause(day: date | None):
        if day is None or day >= today:
            return kids.c.parent_id.is_(None)
        return or_(kids.c.parent_id.is_(None), kids.c.first_at >= clock.cutoff(day))
    return true(), clause, add


def basis_note() -> str:
    """The 口径 sentence documents print."""
    level = _level()
    if level == "leaf":
        return "统计口径：按末级事项（量化实化目标举措等不再细分的事项）计，上级事项不重复计数。"
    name = DEPTHS[level] if level < len(DEPTHS) else f"第{level + 1}级事项"
    return f"统计口径：按{name}计。"
