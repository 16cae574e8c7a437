"""The problem ledger built from stored reports in one pass, for reports that never went
through the report operation: the bench loader's, and a database upgraded from before the
ledger existed (`flask tracker backfill-problems`)."""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from tracker.extensions import db
from tracker.foresight import problems
from tracker.models import Problem, ProgressReport


def problem_rows(skip_tasks: set[int] = frozenset()) -> Iterator[dict]:
    """Problem rows from every report's 存在问题, oldest report first: one per item and
    normalised text (exact repeats update it; the report operation also merges near
    repeats), for items not in *skip_tasks*."""
    reports = ProgressReport.__table__
    rows: dict[tuple[int, str], dict] = {}
    for report_id, task_id, unit_id, text, at in db.session.execute(
            select(reports.c.id, reports.c.task_id, reports.c.unit_id, reports.c.problems,
                   reports.c.submitted_at).where(reports.c.problems != "")
            .order_by(reports.c.submitted_at, reports.c.id)):
        if task_id in skip_tasks:
            continue
        for part in problems.split(text):
            key = (task_id, problems.normalise(part))
            row = rows.get(key)
            if row is None:
                rows[key] = {"task_id": task_id, "unit_id": unit_id, "text": part, "key": key[1],
                             "category": problems.propose_category(part), "is_classified": False,
                             "status": "open", "times_reported": 1, "last_report_id": report_id,
                             "first_reported_at": at, "last_reported_at": at, "resolution": ""}
            else:
                row.update(unit_id=unit_id, text=part, last_report_id=report_id,
                           last_reported_at=at, times_reported=row["times_reported"] + 1)
    yield from rows.values()


def backfill() -> int:
    """Add the ledger of every item that has no problem record yet; returns rows added."""
    known = set(db.session.scalars(select(Problem.task_id).distinct()))
    rows = list(problem_rows(known))
    for start in range(0, len(rows), 5000):
        db.session.execute(Problem.__table__.insert(), rows[start:start + 5000])
    return len(rows)
