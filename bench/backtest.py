"""Backtest the completion forecasts on the bench ledger's history, week by week.

    .venv/bin/python bench/backtest.py [--reuse] [--units 200 --tasks 10000 --reports 100000]

For every Monday of the bench year it replays what the office would have seen that morning:
each item's lead-unit reports made before then, for periods that had ended, fitted by
tracker.foresight (the same code the `forecasts` job runs). An item is judged at the
weekly run at least two weeks before its deadline (the last Monday ≥ 14 days before it):
flagged when that run says 预计逾期. Against the truth of the items whose deadline has
passed (signed off by it: on time; otherwise: overdue; suspended items left out):
recall = overdue items flagged ÷ overdue items, precision = flagged items that ended
overdue ÷ flagged items. Items without a forecast at the check (fewer than two reports
then) are counted apart. It prints one row per setting of `[foresight] window` and
`margin_workdays` tried, and the defaults' row first.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT, add_database_options, flask_env, seeded_database  # noqa: E402

WINDOWS = (3, 4, 6, 8)
MARGINS = (0, 5, 10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_options(parser)
    parser.set_defaults(units=200, tasks=10_000, reports=100_000)
    args = parser.parse_args()
    url, _ = seeded_database(args)
    os.environ.update(flask_env(url))
    sys.path.insert(0, str(OUT.parent.parent))
    from tracker import create_app

    app = create_app()
    with app.app_context():
        started = time.perf_counter()
        history = load()
        cfg = app.config["SETTINGS"]["foresight"]
        default = (int(cfg["window"]), int(cfg["margin_workdays"]))
        settings = [default] + [(w, m) for w in WINDOWS for m in MARGINS if (w, m) != default]
        rows = [(w, m, *replay(app, history, w, m)) for w, m in settings]
        print(f"{len(history['items'])} ended items ({history['late']} overdue), "
              f"{time.perf_counter() - started:.0f} s")
        print("| window | margin | flagged | recall | precision | no forecast at check |")
        print("| --- | --- | --- | --- | --- | --- |")
        for n, (w, m, flagged, recall, precision, blind) in enumerate(rows):
            mark = " (default)" if n == 0 else ""
            print(f"| {w}{mark} | {m} | {flagged} | {recall:.2f} | {precision:.2f} | {blind} |")
    return 0


def load() -> dict:
    """The ended items (deadline passed by the bench's today) with their truth, milestones
    and lead-unit reports (period end, submitted day, progress, actual)."""
    from sqlalchemy import select

    from tracker import clock
    from tracker.extensions import db
    from tracker.foresight.forecast import period_end
    from tracker.models import Milestone, ProgressReport, Task

    today = clock.today()
    items = {}
    for t in db.session.scalars(select(Task).where(Task.due_date < today, Task.status != "suspended")):
        done = t.signed_off_at is not None and clock.local(t.signed_off_at).date() <= t.due_date
        items[t.id] = {"task": _Item(t), "late": not done, "reports": []}
    for m in db.session.scalars(select(Milestone).where(Milestone.task_id.in_(list(items)))):
        items[m.task_id]["task"].milestones.append(m)
    rows = db.session.execute(
        select(ProgressReport.task_id, ProgressReport.period, ProgressReport.submitted_at,
               ProgressReport.progress, ProgressReport.actual_value)
        .join(Task, Task.id == ProgressReport.task_id)
        .where(Task.lead_unit_id == ProgressReport.unit_id, Task.due_date < today)
        .order_by(ProgressReport.submitted_at, ProgressReport.id))
    for task_id, period, submitted, progress, actual in rows:
        if task_id in items:
            items[task_id]["reports"].append((period_end(period), clock.local(submitted).date(),
                                              progress, actual))
    return {"items": items, "late": sum(i["late"] for i in items.values())}


class _Item:
    """What the fit reads of a task, detached from the session."""

    def __init__(self, task):
        self.id, self.due_date, self.target_value = task.id, task.due_date, task.target_value
        self.start_date, self.created_at, self.milestones = task.start_date, task.created_at, []


def replay(app, history: dict, window: int, margin: int) -> tuple[int, float, float, str]:
    """(flagged, recall, precision, items without a forecast at their check) for one setting."""
    from tracker.foresight.fit import Point
    from tracker.foresight.forecast import fit_task, judge

    cfg = app.config["SETTINGS"]["foresight"]
    saved = dict(cfg)
    cfg.update(window=window, margin_workdays=margin)
    try:
        by_week: dict[date, list[dict]] = defaultdict(list)
        for item in history["items"].values():
            due = item["task"].due_date
            check = due - timedelta(days=14)
            by_week[check - timedelta(days=check.weekday())].append(item)
        flagged = hits = blind = blind_late = 0
        for monday in sorted(by_week):   # week by week, as the job would have run
            for item in by_week[monday]:
                points = {}
                for end, submitted, progress, actual in item["reports"]:
                    if end < monday and submitted < monday:
                        points[end] = Point(end, progress, actual)
                fit = fit_task(item["task"], list(points.values()))
                if fit is None:
                    blind += 1
                    blind_late += item["late"]
                    continue
                if judge(fit, item["task"].due_date)[1]:
                    flagged += 1
                    hits += item["late"]
    finally:
        cfg.clear()
        cfg.update(saved)
    late = history["late"]
    return (flagged, hits / late if late else 0.0, hits / flagged if flagged else 0.0,
            f"{blind} ({blind_late} overdue)")


if __name__ == "__main__":
    sys.exit(main())
