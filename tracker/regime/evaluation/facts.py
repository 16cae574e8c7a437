"""What the evaluation reads from the ledger, aggregated in SQL: the plan's items (one pass
over the tasks), their reports over the year's closed periods (counted per item in SQL),
the monthly red/black placings and the office's ratings, adjustments and vetoes."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import case, select

from tracker import clock
from tracker.calendar.sql import day_number, day_of, local_day_number
from tracker.extensions import db, read_rows
from tracker.ledger import state, timeline
from tracker.ledger.levels import counted_clause
from tracker.models import EvaluationAdjustment, Plan, Task, Unit
from tracker.regime.redblack import month_ends, placings, rule_set
from tracker.reports import cycles
from tracker.reports.periods import enabled_kinds, next_period, parse_period, period_of

# Where the day numbers plan_items reads count from.
EPOCH = date(2000, 1, 1)


@dataclass
class Office:
    """The office's judgements on one unit's year: the latest rating, adjustments, a veto."""

    rating: Any = None
    adjustments: list[Any] = field(default_factory=list)
    veto: str | None = None


class Item(NamedTuple):
    """A plan item as the evaluation reads it; done_day is the local day of a sign-off made
    by the end of the as-of day (None: not signed off by then); name is "code title", as
    its lines name it."""

    id: int
    code: str
    title: str
    lead_unit_id: int
    due_date: date
    done_day: date | None
    name: str


def plan_items(year: int, today: date) -> list[Item]:
    """The year's plan items at the counting level (leaf items by default) that existed by
    the end of *today* and were judged then (not suspended), with the deadline then in
    force, in plan order, in one pass."""
    plan_id = db.session.scalar(select(Plan.id).where(Plan.year == year))
    if plan_id is None:
        return []
    cols = timeline.as_of(today)
    # Days as numbers from EPOCH, worked out by the database (the sign-off's local day
    # included): 90,000 dates and timestamps parsed and converted in Python took longer
    # than the query.
    base = day_of(EPOCH)
    signed = case((cols.status == "signed_off", local_day_number(Task.signed_off_at) - base))
    rows = read_rows(cols.join(
        select(Task.id, Task.code, Task.title, Task.lead_unit_id, day_number(cols.due_date) - base,
               signed).select_from(Task))
        .where(Task.plan_id == plan_id, Task.created_at < day_end(today), state.judged_clause(cols.status),
               counted_clause(today))
        .order_by(Task.sort_key))
    origin, day = EPOCH.toordinal(), date.fromordinal
    return [Item(id_, code, title, unit_id, day(origin + due),
                 day(origin + done) if done is not None else None, f"{code} {title}")
            for id_, code, title, unit_id, due, done in rows]


def day_end(day: date):
    """The instant after *day* (Asia/Shanghai): what existed "as of" it was made before."""
    return clock.local_datetime(day + timedelta(days=1), time(0, 0))


def report_counts(year: int, today: date) -> Callable[[], dict[int, dict[str, int]]]:
    """{task_id: {on_time, late, missing}} over the year's closed periods, counted in SQL;
    started aside (`cycles.start_item_counts`), so the function returned gives them after
    the caller has read the items meanwhile."""
    plan_id = db.session.scalar(select(Plan.id).where(Plan.year == year))
    if plan_id is None:
        return dict
    return cycles.start_item_counts(year_periods(year, today), today, Task.plan_id == plan_id)


def year_periods(year: int, today: date) -> list[str]:
    """The ISO weeks of *year* and, when the monthly cycle is on, its months, whose report
    deadline has passed by *today*."""
    out = []
    for kind in enabled_kinds():
        period = period_of(date(year, 1, 4), kind)  # 4 January always lies in ISO week 1
        while parse_period(period, kinds=(kind,))[0] == year and cycles.is_closed(period, today):
            out.append(period)
            period = next_period(period)
    return out


def month_placings(year: int, today: date) -> dict[date, tuple[set[int], set[int]]]:
    """{month end: (red units, black units)} for the months of *year* ended by *today*,
    judged by the red/black list's own rules."""
    return placings(month_ends(year, today), rule_set())


def office_judgements(year: int, today: date) -> dict[int, Office]:
    """{unit_id: Office} from the adjustments recorded by the end of *today*, oldest first;
    a later rating replaces an earlier one, a later veto's reason an earlier one's."""
    out: dict[int, Office] = {}
    for adj in db.session.scalars(
            select(EvaluationAdjustment)
            .where(EvaluationAdjustment.year == year, EvaluationAdjustment.created_at < day_end(today))
            .order_by(EvaluationAdjustment.id)):
        office = out.setdefault(adj.unit_id, Office())
        if adj.kind == "veto":
            office.veto = adj.reason
        elif adj.kind == "rating":
            office.rating = adj
        else:
            office.adjustments.append(adj)
    return out


def units() -> dict[int, str]:
    """{unit_id: kind} of every unit."""
    return dict(db.session.execute(select(Unit.id, Unit.kind)).all())
