"""The office's 催办 (chase): a button on an item, or on a unit's overdue list, with an
optional message. An item is chased to its lead unit at most once a (local) day: the
`chases` row for (item, unit, day) is taken first, and a second chase of it that day is
refused (409). Every chase is audited on its item and told to the unit (rule `chase`)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tracker import audit, calendar, clock, validation
from tracker.accounts.lookups import office_name
from tracker.accounts.permissions import require_office
from tracker.clock import cn_date
from tracker.errors import Conflict
from tracker.extensions import db
from tracker.ledger import state
from tracker.models import Chase, Task, Unit, User
from tracker.notify import messages as m
from tracker.notify import outbox
from tracker.notify.outbox import Notice

RULE = "chase"
MESSAGE_LIMIT = 500


def chase_task(actor: User, task: Task, message: Any = None) -> Chase:
    """Chase *task*'s lead unit; Conflict if the item is closed or paused, or was already
    chased today."""
    message = _check(actor, message)
    state.check(actor, task, "chase", clock.today())
    chased = _take(actor, [task], message)
    if not chased:
        raise Conflict("该事项今天已催办过，每个事项每天最多催办一次 (already chased today)", "task_id")
    _tell(chased, task.lead_unit_id, message, f"task:{task.id}",
          f"【催办】{task.code} {task.title}", m.url(f"/tasks/{task.id}"))
    return chased[0]


def chase_unit(actor: User, unit: Unit, message: Any = None) -> list[Chase]:
    """Chase every overdue item *unit* leads that was not chased today, in one notice;
    Conflict when there is none."""
    message = _check(actor, message)
    today = clock.today()
    tasks = list(db.session.scalars(
        select(Task).where(Task.lead_unit_id == unit.id, state.chased_clause(), Task.due_date < today)
        .order_by(Task.due_date, Task.sort_key)))
    if not tasks:
        raise Conflict("该单位没有可催办的逾期事项 (the unit has no overdue item to chase)", "unit_id")
    chased = _take(actor, tasks, message)
    if not chased:
        raise Conflict("该单位的逾期事项今天都已催办过 (every overdue item was chased today)", "unit_id")
    _tell(chased, unit.id, message, f"unit:{unit.id}",
          f"【催办】{len(chased)}项逾期工作，请抓紧办理", m.unit_items_url(unit.id, overdue=True))
    return chased


def chases_today(task: Task) -> list[Chase]:
    """Today's chases of *task* (the item page says it was chased)."""
    return list(db.session.scalars(select(Chase).where(Chase.task_id == task.id,
                                                       Chase.day == clock.today())))


def to_dict(chase: Chase) -> dict:
    """The API's chase object."""
    return {"id": chase.id, "task_id": chase.task_id, "unit_id": chase.unit_id,
            "day": chase.day.isoformat(), "message": chase.message,
            "created_at": clock.local(chase.created_at).isoformat()}


def _check(actor: User, message: Any) -> str:
    require_office(actor)
    message = validation.text(message, "message", MESSAGE_LIMIT)
    if not outbox.is_enabled(RULE):
        raise Conflict("催办通知已在配置中关闭 (the chase rule is switched off)", None)
    return message


def _take(actor: User, tasks: list[Task], message: str) -> list[Chase]:
    """Take today's chase of each task (skipping those already taken) and audit it; returns
    the chases taken."""
    today, at = clock.today(), clock.now()
    rows = [{"task_id": t.id, "unit_id": t.lead_unit_id, "day": today, "message": message,
             "chased_by_id": actor.id, "created_at": at} for t in tasks]
    table = Chase.__table__
    taken = outbox.insert_ignoring(table, ("task_id", "unit_id", "day")).returning(table.c.id)
    ids = [row.id for row in db.session.execute(taken, rows)]
    chased = list(db.session.scalars(select(Chase).where(Chase.id.in_(ids)).order_by(Chase.id)))
    by_id = {t.id: t for t in tasks}
    for chase in chased:
        audit.record(actor, "task.chase", by_id[chase.task_id], task_id=chase.task_id,
                     detail={"unit_id": chase.unit_id, "message": message})
    return chased


def _tell(chased: list[Chase], unit_id: int, message: str, subject: str, title: str,
          link: str) -> None:
    tasks = {t.id: t for t in db.session.scalars(select(Task).where(
        Task.id.in_([c.task_id for c in chased])))}
    today = clock.today()
    office = office_name() or "指挥部办公室"
    lines = [f"{office}于{cn_date(today)}催办你单位牵头的以下工作，请抓紧办理，及时报送进展。"]
    if message:
        lines.append(f"催办意见：{message}")
    for chase in chased:
        t = tasks[chase.task_id]
        days = calendar.workdays_between(t.due_date, today) if t.due_date < today else 0
        late = f"｜{m.overdue_days(days)}" if days else ""
        lines.append(f"- {m.item_link(t.id, t.code, t.title)}｜完成时限 {cn_date(t.due_date)}{late}")
    notice = Notice(RULE, subject, f"chase:{chased[0].id}", title, "\n".join(lines), link,
                    [c.task_id for c in chased])
    outbox.enqueue_for_units([(unit_id, notice)])

