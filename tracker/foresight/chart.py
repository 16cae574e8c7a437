"""The item page's chart: reported progress against 序时进度 (tracker.ledger.lights, the one
home of the plan) and the forecast's projection, as coordinates for an inline SVG."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import format_date

from tracker import clock
from tracker.extensions import db
from tracker.foresight import forecast
from tracker.ledger.lights import expected_progress
from tracker.models import Task

WIDTH, HEIGHT = 600, 250
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 14, 34
PLAN_SAMPLES = 48


def item_chart(task: Task, today: date) -> dict[str, Any] | None:
    """{plan, reported, projection, today_x, due_x, ticks, y_ticks, ...} or None before the
    item has a report."""
    rows = db.session.execute(forecast.points_query(today, [task.id]))
    points = sorted(forecast.points_by_task(rows, today).get(task.id, []), key=lambda p: p.day)
    if not points:
        return None
    start = task.start_date or clock.local(task.created_at).date()
    start = min(start, points[0].day)
    row = task.forecast
    projected = row.projected_date if row is not None else None
    end = max(task.due_date, today, points[-1].day, projected or task.due_date)
    end = min(end, task.due_date + timedelta(days=365))  # keep the deadline readable
    span = max((end - start).days, 1)

    def x(day: date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * min(max((day - start).days, 0), span) / span, 1)

    def y(value: float) -> float:
        return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - min(max(value, 0), 100) / 100), 1)

    plan_days = sorted({start + timedelta(days=span * i // PLAN_SAMPLES) for i in range(PLAN_SAMPLES + 1)}
                       | {m.due_date for m in task.milestones if start <= m.due_date <= end})
    plan = [(x(d), y(expected_progress(task, d))) for d in plan_days]
    target = task.target_value
    reported = [(x(p.day), y(100 * p.actual / target if target and p.actual is not None else p.progress),
                 p.day.isoformat(), p.progress) for p in points]
    projection = None
    if row is not None and row.basis in ("progress", "target") and projected:
        last = reported[-1]
        beyond = projected > end
        projection = {"x1": last[0], "y1": last[1], "x2": x(min(projected, end)),
                      "y2": y(100 if not beyond else 100 - 100 * (projected - end).days
                                / max((projected - points[-1].day).days, 1)),
                      "date": projected.isoformat(), "beyond": beyond}
    months = []
    day = date(start.year, start.month, 1)
    while day <= end:
        if day >= start:
            months.append((x(day), format_date(day, "MMM")))
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    step = max(1, len(months) // 6)
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT,
            "top": TOP, "bottom": HEIGHT - BOTTOM, "plan": plan, "reported": reported,
            "projection": projection, "today_x": x(today), "due_x": x(task.due_date),
            "months": months[::step], "y_ticks": [(y(v), v) for v in (0, 50, 100)],
            "basis_target": bool(target and any(p.actual is not None for p in points))}
