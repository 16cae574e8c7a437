"""Traffic lights (亮灯) per item, each with the reason behind it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, case, exists, func, select

from tracker import calendar, clock
from tracker.calendar.sql import day_number, day_of, local_day_number
from tracker.extensions import db
from tracker.i18n import N_, translated
from tracker.ledger import state, timeline
from tracker.models import Milestone, Task

COLORS = ("green", "yellow", "red")


@dataclass(frozen=True)
class Light:
    color: str  # green | yellow | red
    message: str  # the reason as a msgid, e.g. "逾期%(days)s个工作日"
    values: tuple[tuple[str, Any], ...] = ()

    @property
    def reason(self) -> str:
        """The reason in Chinese, as documents and the API give it."""
        return self.message % dict(self.values)

    @property
    def text(self) -> str:
        """The reason in the reader's language, for pages."""
        text = translated(self.message)
        return text % dict(self.values) if self.values else text


def _light(color: str, message: str, **values: Any) -> Light:
    return Light(color, message, tuple(values.items()))


def expected_progress(task: Task, today: date) -> int:
    """序时进度: from the latest milestone reached, else the elapsed share of the item's span."""
    if task.milestones:
        reached = [m.expected_progress for m in task.milestones if m.due_date <= today]
        return max(reached, default=0)
    start = task.start_date or clock.local(task.created_at).date()
    if today >= task.due_date:
        return 100
    if today <= start:
        return 0
    # Whole points, rounded down, exactly as light_expression computes it in SQL.
    return 100 * (today - start).days // max((task.due_date - start).days, 1)


def light_of(task: Task, today: date) -> Light:
    """The item's light as of *today* by the configured thresholds. *task*: a Task, or
    anything with its status, due_date, progress, start_date, created_at and milestones
    (each with due_date and expected_progress)."""
    if task.status == "signed_off":
        return _light("green", N_("已销号"))
    if task.status == "suspended":
        return _light("green", N_("暂缓"))
    cfg = current_app.config["SETTINGS"]["regime"]
    if task.due_date < today and state.awaits_review(task):
        return _light("green", N_("已于完成时限前申请销号，待审核"))
    if task.due_date < today:
        days = calendar.workdays_between(task.due_date, today)
        # Over the weekend after a Friday deadline no working day has passed yet.
        if days:
            return _light("red", N_("逾期%(days)s个工作日"), days=days)
        return _light("red", N_("已过完成时限（%(due)s）"), due=task.due_date)
    behind = expected_progress(task, today) - task.progress
    if behind > cfg["red_behind"]:
        return _light("red", N_("落后序时进度%(points)s个百分点"), points=behind)
    if behind >= cfg["yellow_behind"]:
        return _light("yellow", N_("落后序时进度%(points)s个百分点"), points=behind)
    if task.status == "not_started" and task.start_date and task.start_date <= today:
        return _light("yellow", N_("已过计划开始日期（%(start)s）仍未启动"), start=task.start_date)
    left = calendar.workdays_between(today, task.due_date)
    if left <= cfg["due_soon_workdays"] and task.status != "signoff_requested":
        return _light("yellow", N_("距完成时限还有%(days)s个工作日"), days=left)
    return _light("green", N_("按序时推进"))


def light_expression(today: date, columns: timeline.AsOf | None = None):
    """SQL CASE giving each task's light color, by the same rules as light_of; over the
    ledger as it stood at the end of *today* when *columns* (timeline.as_of) say so."""
    cfg = current_app.config["SETTINGS"]["regime"]
    status, due_date, progress, since = (
        (columns.status, columns.due_date, columns.progress, columns.since) if columns
        else (Task.status, Task.due_date, Task.progress, Task.status_since))
    behind = _expected_expression(today, due_date) - progress
    # Due within N working days ⟺ due before the (N+1)th working day after today.
    soon = calendar.add_workdays(today, int(cfg["due_soon_workdays"]) + 1)
    return case(
        (status.not_in(state.CHASED_STATUSES), "green"),
        (and_(due_date < today, state.awaits_review_clause(status, since, due_date)), "green"),
        (due_date < today, "red"),
        (behind > cfg["red_behind"], "red"),
        (behind >= cfg["yellow_behind"], "yellow"),
        (and_(status == "not_started", Task.start_date <= today), "yellow"),
        (and_(due_date < soon, status != "signoff_requested"), "yellow"),
        else_="green")


def _expected_expression(today: date, due_date=Task.due_date):
    """序时进度 in SQL: the latest reached milestone's figure, else the elapsed share."""
    has_milestones = exists().where(Milestone.task_id == Task.id)
    reached = (select(func.max(Milestone.expected_progress))
               .where(Milestone.task_id == Task.id, Milestone.due_date <= today)
               .scalar_subquery())
    day = day_of(today)
    start = func.coalesce(day_number(Task.start_date), local_day_number(Task.created_at))
    due = day_number(due_date)
    span = case((due - start < 1, 1), else_=due - start)
    elapsed = case((day >= due, 100), (day <= start, 0),
                   else_=(100 * (day - start)) // span)
    return case((has_milestones, func.coalesce(reached, 0)), else_=elapsed)


def light_counts(tasks: Select, today: date) -> dict[str, Any]:
    """Counts per light over the tasks *tasks* selects, as the ledger stood at the end of
    *today*: {"totals": {color: n}, "units": [{unit_id, green, yellow, red}]} by lead
    unit, all in SQL."""
    columns = timeline.as_of(today)
    sub = (columns.join(tasks.order_by(None).options())
           .with_only_columns(Task.lead_unit_id.label("unit_id"),
                              light_expression(today, columns).label("light")).subquery())
    rows = db.session.execute(select(sub.c.unit_id, sub.c.light, func.count())
                              .group_by(sub.c.unit_id, sub.c.light).order_by(sub.c.unit_id))
    totals = dict.fromkeys(COLORS, 0)
    units: dict[int, dict[str, int]] = {}
    for unit_id, color, n in rows:
        units.setdefault(unit_id, {"unit_id": unit_id, **dict.fromkeys(COLORS, 0)})[color] = n
        totals[color] += n
    return {"totals": totals, "units": list(units.values())}
