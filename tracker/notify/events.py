"""Event notices: the unit concerned is told of every decision on its items.

They are derived from the audit trail, in the transaction that records the change
(`audit.listen`): whatever entry point made the change (page, API, CLI, a meeting's agreed
items), the operation's one `audit.record` call is what tells the unit, so no operation
has to remember to. Each notice is queued through the outbox (every channel of the unit,
its email, its in-app notices; delivered by `dispatch-outbox`) under a key that makes it
exactly once per event:

| audit action | rule | to | subject, period |
| --- | --- | --- | --- |
| task.create | assignment | the lead unit and each co-unit | task:T, event:E |
| task.update, task.deadline_change (units added) | assignment | each unit added | task:T, event:E |
| task.update, task.deadline_change (due_date moved) | deadline-change | lead and co-units | task:T, event:E |
| signoff.approve / signoff.reject | signoff-approved / signoff-rejected | the asking unit | signoff:R, decided |
| extension.approve / extension.reject | extension-approved / extension-rejected | the asking unit | extension:R, decided |
| problem.assign | problem-assigned | the coordinating unit | problem:P, unit:U (once per problem and unit) |

An approved extension moves the deadline too, but is told once, as extension-approved.
The office's 催办 (chase) has its own operation: `tracker.notify.chase`. Inside
`gathered_assignments()` (a ledger import) the assignment notices are gathered and told
once per unit and role, listing the items (subject import:E:role, period event:E).
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from datetime import date

from tracker import audit
from tracker.accounts.lookups import office_name
from tracker.clock import cn_date, local
from tracker.extensions import db
from tracker.models import AuditEvent, ExtensionRequest, SignoffRequest, Task
from tracker.notify import messages as m
from tracker.notify import outbox
from tracker.notify.outbox import Notice

OFFICE = "指挥部办公室"  # when no office-kind unit is named
# Items listed in one gathered assignment notice; more are counted, not listed.
GATHERED_LINES = 50
# (first event, {(unit_id, role): [task]}) while assignments are gathered, else None.
_gathered: ContextVar[tuple[list[AuditEvent], dict[tuple[int, str], list[Task]]] | None] = \
    ContextVar("gathered_assignments", default=None)


def register() -> None:
    """Tell units of what the audit trail records (called once when the app is built)."""
    audit.listen(on_event)


def on_event(event: AuditEvent) -> None:
    """Queue the notices *event* calls for, if any."""
    handler = HANDLERS.get(event.action)
    if handler is None or event.task_id is None:
        return
    task = db.session.get(Task, event.task_id)
    if task is not None:
        handler(event, task)


def _item(task: Task) -> str:
    return f"{task.code} {task.title}"


def _line(task: Task) -> str:
    leader = f"｜责任领导 {task.leader}" if task.leader else ""
    return f"- {m.item_link(task.id, task.code, task.title)}｜完成时限 {cn_date(task.due_date)}{leader}"


def _day(event: AuditEvent) -> str:
    """"<office>于<date>": who decided, and when."""
    return f"{office_name() or OFFICE}于{cn_date(local(event.at).date())}"


def _queue(rule: str, task: Task, unit_ids, subject: str, period: str, title: str,
           lines: list[str]) -> int:
    notice = Notice(rule, subject, period, title, "\n".join([*lines, _line(task)]),
                    m.url(f"/tasks/{task.id}"), (task.id,))
    return outbox.enqueue_for_units((unit_id, notice) for unit_id in dict.fromkeys(unit_ids))


def _event_period(event: AuditEvent) -> str:
    """The key of a notice told once per audit event (the event needs its id: flush it)."""
    if event.id is None:
        db.session.flush()
    return f"event:{event.id}"


# --- assignment and deadline changes ------------------------------------------------------

@contextlib.contextmanager
def gathered_assignments() -> Iterator[None]:
    """Within the block, tell each unit of the items assigned to it in one notice per role
    (牵头 / 配合), queued when the block ends without an error."""
    gathered: tuple[list[AuditEvent], dict] = ([], {})
    token = _gathered.set(gathered)
    try:
        yield
    finally:
        _gathered.reset(token)
    events, by_unit = gathered
    if not by_unit:
        return
    period, day = _event_period(events[0]), _day(events[0])
    notices = []
    for (unit_id, role), tasks in by_unit.items():
        lines = [f"{day}交办你单位{role}以下{len(tasks)}项工作，请按完成时限推进，并按期报送进展。",
                 *(_line(task) for task in tasks[:GATHERED_LINES])]
        if len(tasks) > GATHERED_LINES:
            lines.append(f"……等共{len(tasks)}项")
        notices.append((unit_id, Notice("assignment", f"import:{period}:{role}", period,
                                        f"【交办】{len(tasks)}项工作", "\n".join(lines),
                                        m.url(f"/tasks?unit={unit_id}"), tuple(t.id for t in tasks))))
    outbox.enqueue_for_units(notices)


def _assigned(event: AuditEvent, task: Task, unit_ids: list[int]) -> None:
    if not unit_ids:
        return
    roles = {uid: "牵头" if uid == task.lead_unit_id else "配合" for uid in unit_ids}
    gathered = _gathered.get()
    if gathered is not None:
        events, by_unit = gathered
        events[:1] = events[:1] or [event]
        for uid, role in roles.items():
            by_unit.setdefault((uid, role), []).append(task)
        return
    for role in ("牵头", "配合"):
        units = [uid for uid, r in roles.items() if r == role]
        if units:
            _queue("assignment", task, units, f"task:{task.id}", _event_period(event),
                   f"【交办】{_item(task)}",
                   [f"{_day(event)}交办你单位{role}以下工作，请按完成时限推进，并按期报送进展。"])


def _created(event: AuditEvent, task: Task) -> None:
    detail = event.detail
    _assigned(event, task, [detail["lead_unit_id"], *detail.get("co_unit_ids", [])])


def _updated(event: AuditEvent, task: Task) -> None:
    detail = event.detail
    added = []
    if "lead_unit_id" in detail:
        added.append(detail["lead_unit_id"]["after"])
    if "co_unit_ids" in detail:
        before = set(detail["co_unit_ids"]["before"] or [])
        added += [uid for uid in detail["co_unit_ids"]["after"] if uid not in before]
    _assigned(event, task, added)
    if "due_date" in detail:
        before, after = (date.fromisoformat(detail["due_date"][k]) for k in ("before", "after"))
        told = [uid for uid in [task.lead_unit_id, *(u.id for u in task.co_units)] if uid not in added]
        if told:
            _queue("deadline-change", task, told, f"task:{task.id}", _event_period(event),
                   f"【时限调整】{_item(task)}",
                   [f"{_day(event)}将该事项的完成时限由{cn_date(before)}调整为"
                    f"{cn_date(after)}，请按新的完成时限推进。"])


# --- decisions on the unit's requests -----------------------------------------------------

def _signoff(approved: bool) -> Callable[[AuditEvent, Task], None]:
    def handle(event: AuditEvent, task: Task) -> None:
        req = db.session.get(SignoffRequest, event.detail["request_id"])
        if approved:
            rule, title = "signoff-approved", f"【销号】{_item(task)}：已同意销号"
            lines = [f"{_day(event)}审核同意你单位的销号申请，该事项已销号。"]
        else:
            rule, title = "signoff-rejected", f"【退回】{_item(task)}：销号申请被退回"
            lines = [f"{_day(event)}退回了你单位的销号申请，事项恢复为推进中。",
                     f"退回理由：{req.reason}",
                     "请按退回理由补充完善，重新报送进展后再申请销号。"]
        _queue(rule, task, [req.unit_id], f"signoff:{req.id}", "decided", title, lines)
    return handle


def _extension(approved: bool) -> Callable[[AuditEvent, Task], None]:
    def handle(event: AuditEvent, task: Task) -> None:
        req = db.session.get(ExtensionRequest, event.detail["request_id"])
        if approved:
            rule, title = "extension-approved", f"【延期】{_item(task)}：延期申请已同意"
            lines = [f"{_day(event)}同意你单位的延期申请，完成时限由"
                     f"{cn_date(req.old_due_date)}调整为{cn_date(req.new_due_date)}。",
                     f"申请理由：{req.reason}"]
        else:
            rule, title = "extension-rejected", f"【延期】{_item(task)}：延期申请未获同意"
            lines = [f"{_day(event)}驳回了你单位的延期申请（申请延至{cn_date(req.new_due_date)}），"
                     f"完成时限仍为{cn_date(task.due_date)}。",
                     f"驳回理由：{req.decision_reason}"]
        _queue(rule, task, [req.unit_id], f"extension:{req.id}", "decided", title, lines)
    return handle


def _problem_assigned(event: AuditEvent, task: Task) -> None:
    detail = event.detail
    unit_id = detail["coordinator_unit_id"]
    due = cn_date(date.fromisoformat(detail["due_date"]))
    lines = [f"{_day(event)}将以下问题交由你单位协调解决，请于{due}前协调到位，并在问题清单中填写办理情况。",
             f"问题（{detail['category']}）：{detail['text']}"]
    if detail.get("note"):
        lines.append(f"交办意见：{detail['note']}")
    notice = Notice("problem-assigned", f"problem:{detail['problem_id']}", f"unit:{unit_id}",
                    f"【协调事项】{_item(task)}", "\n".join([*lines, _line(task)]),
                    m.url(f"/problems/{detail['problem_id']}"), (task.id,))
    outbox.enqueue_for_units([(unit_id, notice)])


HANDLERS: dict[str, Callable[[AuditEvent, Task], None]] = {
    "task.create": _created,
    "task.update": _updated,
    "task.deadline_change": _updated,
    "signoff.approve": _signoff(True),
    "signoff.reject": _signoff(False),
    "extension.approve": _extension(True),
    "extension.reject": _extension(False),
    "problem.assign": _problem_assigned,
}
