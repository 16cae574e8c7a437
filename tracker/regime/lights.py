"""Traffic lights (亮灯) per item, each with the reason behind it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app

from tracker import calendar, clock
from tracker.models import Task


@dataclass(frozen=True)
class Light:
    color: str  # green | yellow | red
    reason: str


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
    return round(100 * (today - start).days / max((task.due_date - start).days, 1))


def light_of(task: Task, today: date) -> Light:
    """The item's light as of *today* by the configured thresholds."""
    if task.status == "signed_off":
        return Light("green", "已销号")
    if task.status == "suspended":
        return Light("green", "暂缓")
    cfg = current_app.config["SETTINGS"]["regime"]
    if task.due_date < today:
        days = calendar.workdays_between(task.due_date, today)
        return Light("red", f"逾期{days}个工作日")
    behind = expected_progress(task, today) - task.progress
    if behind > cfg["red_behind"]:
        return Light("red", f"落后序时进度{behind}个百分点")
    if behind >= cfg["yellow_behind"]:
        return Light("yellow", f"落后序时进度{behind}个百分点")
    if task.status == "not_started" and task.start_date and task.start_date <= today:
        return Light("yellow", f"已过计划开始日期（{task.start_date}）仍未启动")
    left = calendar.workdays_between(today, task.due_date)
    if left <= cfg["due_soon_workdays"] and task.status != "signoff_requested":
        return Light("yellow", f"距完成时限还有{left}个工作日")
    return Light("green", "按序时推进")
