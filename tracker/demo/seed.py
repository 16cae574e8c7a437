"""`seed-demo`: a believable ledger built through the real operations, so that every
report, request, decision and audit event is what the app itself would have recorded.

The clock is moved back while the history is written: the ledger is assigned some weeks
ago, units report each Friday (some late), and the office decides on requests, so "today"
shows overdue, due-soon, in-progress, awaiting-sign-off and signed-off items, a rejected
sign-off, a pending extension and an approved one.
"""
from __future__ import annotations

import contextlib
import io
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from tracker import clock
from tracker.accounts.operations import create_unit, create_user
from tracker.demo import data
from tracker.demo.data import Item
from tracker.extensions import db
from tracker.ledger.operations import create_task, update_task
from tracker.models import ExtensionRequest, ProgressReport, SignoffRequest, Task, Unit, User
from tracker.ledger.lights import expected_progress
from tracker.reports.operations import submit_report
from tracker.reports.periods import period_of
from tracker.signoff import operations as signoff

HISTORY_WEEKS = 8
# Share of ordinary reports that come in after the deadline.
LATE_SHARE = 0.1
# Fixed so every load of the demo tells the same story.
RANDOM_SEED = 2026
# Stories that end in a decision right after the last report, so no report may come late.
CLOSING = ("done", "suspended")


def is_empty() -> bool:
    """True when the database holds no units, users or tasks yet."""
    return all(db.session.scalar(select(func.count()).select_from(model)) == 0
               for model in (Unit, User, Task))


@contextlib.contextmanager
def travel(moment: datetime) -> Iterator[None]:
    """Run the block with the clock pinned at *moment*, then put it back."""
    config = current_app.config
    had, before = "FIXED_NOW" in config, config.get("FIXED_NOW")
    config["FIXED_NOW"] = moment
    try:
        yield
    finally:
        if had:
            config["FIXED_NOW"] = before
        else:
            config.pop("FIXED_NOW")


@dataclass
class Demo:
    """What the stories need: the calendar of the history and the people in it."""

    today: date
    real_now: datetime
    start: date
    rng: random.Random = field(default_factory=lambda: random.Random(RANDOM_SEED))
    users: dict[str, User] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """A local moment on *day*, kept inside the history (after the start, before now)."""
        moment = clock.local_datetime(day, time(hour, minute))
        first = clock.local_datetime(self.start, time(9, 0)) + timedelta(minutes=5)
        return min(max(moment, first), self.real_now - timedelta(seconds=1))

    def fridays(self) -> list[date]:
        """The report day of every full week since the ledger was assigned."""
        friday = self.today - timedelta(days=self.today.weekday() - 4 + 7)
        days = [friday - timedelta(weeks=n) for n in range(HISTORY_WEEKS)]
        return sorted(d for d in days if d > self.start)


Event = tuple[datetime, Callable[[], object]]


def seed_demo(track: Callable[[list], contextlib.AbstractContextManager]) -> dict[str, int]:
    """Load the demo world into an empty database (the caller commits). *track* wraps the
    list of items in a progress bar. Returns what was loaded, by kind."""
    today = clock.today()
    monday = today - timedelta(days=today.weekday())
    demo = Demo(today, clock.now(), max(monday - timedelta(weeks=HISTORY_WEEKS),
                                        date(today.year, 1, 1)))
    with travel(demo.at(demo.start, 9)):
        _people(demo)
        tasks = _ledger(demo, data.LEDGER, None, "")
    finals = _finals(demo, tasks)
    with track(tasks) as bar:
        for node, task in bar:
            for moment, action in sorted(_story(demo, node, task, finals[task.id]),
                                         key=lambda e: e[0]):
                with travel(moment):
                    action()
    db.session.flush()
    return {"units": len(demo.units), "users": len(demo.users), "tasks": len(tasks),
            "reports": db.session.scalar(select(func.count()).select_from(ProgressReport))}


def logins() -> list[tuple[str, str, str]]:
    """(login, unit, role) of every demo user, office and leader first."""
    office_name = data.UNITS[0][1]
    rows = [("office", office_name, "office"), (data.LEADER[0], office_name, "leader")]
    return rows + [(login, name, "unit") for login, name, _, _ in data.UNITS[1:]]


def _people(demo: Demo) -> None:
    """The units (office first, everyone else under it) and one user each, plus the leader."""
    office = None
    for login, name, kind, person in data.UNITS:
        unit = create_unit(None, name, kind, office.id if office else None,
                           f"{login}@{data.EMAIL_DOMAIN}")
        office = office or unit
        role = "office" if kind == "office" else "unit"
        demo.units[login] = unit
        demo.users[login] = create_user(None, login, person, unit.id, role, data.DEMO_PASSWORD)
    login, person = data.LEADER
    demo.users[login] = create_user(None, login, person, office.id, "leader", data.DEMO_PASSWORD)


def _ledger(demo: Demo, nodes: tuple[Item, ...] | list[Item], parent: Task | None,
            leader: str) -> list[tuple[Item, Task]]:
    """Assign the items in ledger order (so codes come out 1, 1.1, 1.1.1 …)."""
    out = []
    for node in nodes:
        due = _due(demo, node)
        start = min(date(demo.today.year, 1, 1), due - timedelta(days=90))
        if node.plan == "not_started":
            start = demo.today + timedelta(days=10)
        task = create_task(
            demo.users["office"], title=node.title, due_date=due, start_date=start,
            lead_unit_id=demo.units[node.lead].id, parent_id=parent.id if parent else None,
            co_unit_ids=[demo.units[c].id for c in node.co], leader=node.leader or leader,
            target_value=node.target, target_unit=node.unit,
            milestones=_milestones(start, due) if node.target else None)
        out.append((node, task))
        out += _ledger(demo, node.kids, task, node.leader or leader)
    return out


def _due(demo: Demo, node: Item) -> date:
    """A leaf's deadline from its offset; a parent's is its latest child's, at least year end."""
    if not node.kids:
        return demo.today + timedelta(days=node.due)
    return max([date(demo.today.year, 12, 31)] + [_due(demo, kid) for kid in node.kids])


def _milestones(start: date, due: date) -> list[dict]:
    span = (due - start).days
    return [{"due_date": start + timedelta(days=span // 3), "expected_progress": 30,
             "title": "完成前期工作"},
            {"due_date": start + timedelta(days=2 * span // 3), "expected_progress": 65,
             "title": "主体工作基本完成"}]


def _finals(demo: Demo, tasks: list[tuple[Item, Task]]) -> dict[int, int]:
    """Each item's progress as of today: by its story, a parent's as its children's mean."""
    finals: dict[int, int] = {}
    for node, task in reversed(tasks):  # children before parents
        if node.kids:
            kids = [finals[t.id] for n, t in tasks if t.parent_id == task.id]
            finals[task.id] = round(sum(kids) / len(kids))
        else:
            finals[task.id] = _final(node.plan, expected_progress(task, demo.today))
    return finals


def _final(plan: str, expected: int) -> int:
    fixed = {"done": 100, "awaiting": 100, "rejected": 95, "extension": 55, "extended": 70,
             "overdue": 60, "silent": 0, "not_started": 0, "due_soon": 80, "suspended": 30}
    if plan == "on_track":
        return min(max(expected + 3, 10), 95)
    if plan == "lagging":
        return max(expected - 20, 5)
    return fixed[plan]


def _story(demo: Demo, node: Item, task: Task, final: int) -> list[Event]:
    """The dated events that bring *task* to where its plan says it is today."""
    plan, fridays = node.plan, demo.fridays()
    if plan in ("silent", "not_started"):
        return []
    if plan == "done":
        fridays = fridays[:-2] or fridays[:1]
    elif plan == "suspended":
        fridays = fridays[: max(len(fridays) // 2, 1)]
    events = []
    for i, friday in enumerate(fridays):
        progress = round(final * (i + 1) / len(fridays))
        late = (plan == "overdue" and i >= len(fridays) - 2) or (
            demo.rng.random() < LATE_SHARE and plan not in CLOSING)
        events.append(_report(demo, task, node.lead, friday, progress, late, node))
        if node.co and i % 2 == 1:
            events.append(_report(demo, task, node.co[0], friday, progress, False, node))
    return events + _decisions(demo, node, task, fridays)


def _report(demo: Demo, task: Task, login: str, friday: date, progress: int, late: bool,
            node: Item) -> Event:
    """A weekly report for *friday*'s week: on the Friday, or late on the next Wednesday."""
    on_time = demo.at(friday, 16, 30)
    moment = demo.at(friday + timedelta(days=5), 15) if late else on_time
    if moment >= demo.real_now - timedelta(seconds=1):
        moment = on_time
    is_lead = login == node.lead
    actual = round(node.target * progress / 100, 2) if node.target and is_lead else None
    troubled = node.plan in ("overdue", "lagging", "rejected", "extension", "extended")
    rng = demo.rng
    fields = {
        "progress": progress,
        "text": _report_text(rng, node, is_lead, friday, progress, actual),
        "problems": rng.choice(data.PROBLEMS) if troubled and is_lead else "",
        "next_steps": (data.SUSPEND_NOTE if node.plan == "suspended"
                       else "下一步将" + rng.choice(data.NEXT_STEPS) + "。"),
        "actual_value": actual, "period": period_of(friday)}
    return moment, lambda: submit_report(demo.users[login], task, **fields)


def _report_text(rng: random.Random, node: Item, is_lead: bool, friday: date, progress: int,
                 actual: float | None) -> str:
    if not is_lead:
        return rng.choice(data.CO_LINES) + "。"
    line = rng.choice(data.ROLLUP_LINES if node.kids else data.PROGRESS_LINES)
    if actual is not None:
        return (f"{line}。截至{friday.month}月{friday.day}日，累计完成{actual:g}{node.unit}，"
                f"占年度目标的{progress}%。")
    return f"{line}，总体完成{progress}%。"


def _decisions(demo: Demo, node: Item, task: Task, fridays: list[date]) -> list[Event]:
    """Sign-off and extension requests and the office's decisions, by plan."""
    office, lead = demo.users["office"], demo.users[node.lead]
    last = fridays[-1] if fridays else demo.start
    today = demo.today
    if node.plan == "done":
        return _signoff(demo, task, lead, demo.at(last + timedelta(days=3), 10),
                        approve_at=demo.at(last + timedelta(days=4), 15))
    if node.plan == "awaiting":
        return _signoff(demo, task, lead, demo.at(today - timedelta(days=1), 10))
    if node.plan == "rejected":
        monday = fridays[-2] + timedelta(days=3) if len(fridays) > 1 else last
        return _signoff(demo, task, lead, demo.at(monday, 10),
                        reject_at=demo.at(monday + timedelta(days=1), 16))
    if node.plan == "extension":
        return [_extension(demo, task, lead, demo.at(today - timedelta(days=1), 11))]
    if node.plan == "extended":
        return [_extension(demo, task, lead, demo.at(task.due_date - timedelta(days=10), 10)),
                (demo.at(task.due_date - timedelta(days=8), 15), lambda: signoff.approve_extension(
                    office, task, _pending_id(task, "extension")))]
    if node.plan == "suspended":
        return [(demo.at(last + timedelta(days=3), 10), lambda: update_task(
            office, task, task.version, {"status": "suspended"}))]
    return []


def _signoff(demo: Demo, task: Task, lead: User, asked_at: datetime,
             approve_at: datetime | None = None, reject_at: datetime | None = None) -> list[Event]:
    office = demo.users["office"]
    evidence = FileStorage(io.BytesIO(data.EVIDENCE_TEXT.encode()), filename="验收材料.txt",
                           content_type="text/plain")
    events: list[Event] = [(asked_at, lambda: signoff.request_signoff(
        lead, task, data.SIGNOFF_NOTE, [evidence]))]
    if approve_at:
        events.append((approve_at, lambda: signoff.approve_signoff(
            office, task, _pending_id(task, "signoff"))))
    if reject_at:
        events.append((reject_at, lambda: signoff.reject_signoff(
            office, task, _pending_id(task, "signoff"), data.REJECT_REASON)))
    return events


def _extension(demo: Demo, task: Task, lead: User, asked_at: datetime) -> Event:
    return asked_at, lambda: signoff.request_extension(
        lead, task, task.due_date + timedelta(days=30), data.EXTENSION_REASON)


def _pending_id(task: Task, kind: str) -> int:
    """The id of *task*'s pending request of *kind* (made earlier in its story)."""
    model = SignoffRequest if kind == "signoff" else ExtensionRequest
    return db.session.scalar(select(model.id).where(model.task_id == task.id,
                                                    model.status == "pending"))
