"""Choosing an item's parent by its code or title: the suggestions the picker offers
(only items of the same plan, never the item itself or one below it) and reading what
was typed back into a task."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from tracker import clock, validation
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.models import Plan, Task

SUGGESTIONS = 20
TITLE_SHOWN = 60


def parent_label(task: Task | None) -> str:
    """How the picker shows an item: its code and title ("2.3.1 推进……")."""
    if task is None:
        return ""
    title = task.title if len(task.title) <= TITLE_SHOWN else task.title[:TITLE_SHOWN] + "…"
    return f"{task.code} {title}"


def plan_id_for(task: Task | None) -> int | None:
    """The plan an item's parent must belong to: the item's own, or this year's for a new one."""
    if task is not None:
        return task.plan_id
    return db.session.scalar(select(Plan.id).where(Plan.year == clock.today().year))


def suggestions(words: str, plan_id: int | None, task: Task | None = None) -> list[str]:
    """Up to SUGGESTIONS items of the plan whose code or title holds *words*, codes first,
    in tree order; never *task* or an item under it (that would make a cycle)."""
    if plan_id is None:
        return []
    query = select(Task).where(Task.plan_id == plan_id).order_by(Task.sort_key)
    words = words.strip()
    if words:
        pattern = f"%{validation.like_escaped(words)}%"
        query = query.where(or_(Task.code.like(f"{validation.like_escaped(words)}%", escape="\\"),
                                Task.title.like(pattern, escape="\\")))
    found = []
    for candidate in db.session.scalars(query.limit(SUGGESTIONS * 2)):
        if task is None or not is_under(candidate, task):
            found.append(parent_label(candidate))
        if len(found) == SUGGESTIONS:
            break
    return found


def is_under(candidate: Task, task: Task) -> bool:
    """True when *candidate* is *task* or lies below it in the tree."""
    node: Task | None = candidate
    while node is not None:
        if node.id == task.id:
            return True
        node = node.parent
    return False


def resolve_parent(text: str | None, plan_id: int | None, field: str = "parent_id") -> int | None:
    """The id of the item *text* names in the plan: its code, its code and title as the
    picker shows them, or words of its title that only one item holds. None when blank
    (a top-level item); a ValidationError in the user's words otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    if plan_id is None:
        raise _no_match(text, field)
    code = text.split(maxsplit=1)[0]
    found = db.session.scalar(select(Task.id).where(Task.plan_id == plan_id, Task.code == code))
    if found is not None:
        return found
    pattern = f"%{validation.like_escaped(text)}%"
    matches = db.session.execute(
        select(Task.id, Task.code).where(Task.plan_id == plan_id, Task.title.like(pattern, escape="\\"))
        .order_by(Task.sort_key).limit(6)).all()
    if len(matches) == 1:
        return matches[0].id
    if not matches:
        raise _no_match(text, field)
    codes = "、".join(row.code for row in matches[:5])
    raise ValidationError(
        f"{field}: {text!r} matches several tasks ({codes})", field,
        text=_l("“%(text)s”对应多个事项（%(codes)s），请输入编号或选择一项", text=text, codes=codes))


def _no_match(text: str, field: str) -> ValidationError:
    return ValidationError(f"{field}: no task with code or title {text!r} in this plan", field,
                           text=_l("本年度任务清单中没有编号或名称为“%(text)s”的事项", text=text))
