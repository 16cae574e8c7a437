"""Reporting cycles: for each period, item and lead unit — on time, late or missing.

A period is an ISO week ("2026-W47") or, when the monthly cycle is on, a month ("2026-11");
every function here takes either kind. An item owes its lead unit's report for a period
when it existed by the period's last day, had not been signed off before its first day,
had started by its last day (or has no start date) and is not suspended. A report counts
when the lead unit sent it for that period before the cut-off: the end of the as-of day,
or now if that is earlier. Streaks and recent closed periods (red/black list) are weekly.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from itertools import islice

from sqlalchemy import Select, and_, case, func, literal, or_, select

from tracker import clock
from tracker.extensions import db
from tracker.i18n import N_
from tracker.models import ProgressReport, Task
from tracker.reports.periods import period_bounds, period_deadline, period_of

# {period: {unit_id: {state: count}}}
Summaries = dict[str, dict[int, dict[str, int]]]
STATES = {"on_time": N_("按时报送"), "late": N_("迟报"), "missing": N_("缺报"),
          "pending": N_("未到报送时限")}
# How far back a missed-report streak is counted, so a long-silent unit costs bounded work.
MAX_STREAK_WEEKS = 12


def cutoff(as_of: date | None = None) -> datetime:
    """The instant "as of" a day means: its end, or now if that comes first."""
    end = clock.local_datetime(clock.today(as_of) + timedelta(days=1), time(0, 0))
    return min(end, clock.now())


def is_closed(period: str, as_of: date | None = None) -> bool:
    """Whether the period's deadline has passed by the cut-off."""
    return period_deadline(period) <= cutoff(as_of)


def owed_filter(period: str):
    """SQL condition: the item owes a report for *period*."""
    first, last = period_bounds(period)
    return and_(
        Task.status != "suspended",
        Task.created_at < clock.local_datetime(last + timedelta(days=1), time(0, 0)),
        or_(Task.signed_off_at.is_(None),
            Task.signed_off_at >= clock.local_datetime(first, time(0, 0))),
        or_(Task.start_date.is_(None), Task.start_date <= last))


def report_states(period: str, as_of: date | None = None) -> Select:
    """Rows (task_id, unit_id, state) for every item owing a report in *period*;
    state is one of STATES."""
    cut = cutoff(as_of)
    r = ProgressReport
    sent = (select(r.task_id, func.max(case((r.on_time, 1), else_=0)).label("on_time"),
                   func.count().label("n"))
            .join(Task, and_(Task.id == r.task_id, Task.lead_unit_id == r.unit_id))
            .where(r.period == period, r.submitted_at < cut)
            .group_by(r.task_id).subquery())
    unsent = "missing" if period_deadline(period) <= cut else "pending"
    state = case((sent.c.on_time == 1, "on_time"), (sent.c.n > 0, "late"), else_=literal(unsent))
    return (select(Task.id.label("task_id"), Task.lead_unit_id.label("unit_id"),
                   state.label("state"))
            .outerjoin(sent, sent.c.task_id == Task.id).where(owed_filter(period)))


def unit_summaries(periods: list[str], as_of: date | None = None) -> Summaries:
    """{period: {unit_id: {state: count}}} for many periods at once, counted in SQL: the
    items owed in one pass over the tasks, the reports sent in one pass over the periods'
    reports; unsent = owed − on time − late."""
    periods = list(dict.fromkeys(periods))
    if not periods:
        return {}
    owed = db.session.execute(
        select(Task.lead_unit_id, *(func.sum(case((owed_filter(p), 1), else_=0)) for p in periods))
        .group_by(Task.lead_unit_id)).all()
    out: Summaries = {p: {} for p in periods}
    for period, unit_id, on_time, n in _sent_counts(periods, cutoff(as_of)):
        states = out[period].get(unit_id) or out[period].setdefault(unit_id, dict.fromkeys(STATES, 0))
        states["on_time" if on_time else "late"] += n
    unsent = ["missing" if is_closed(p, as_of) else "pending" for p in periods]
    for unit_id, *counts in owed:
        for period, state, n in zip(periods, unsent, counts):
            if n:
                states = out[period].get(unit_id) or out[period].setdefault(unit_id, dict.fromkeys(STATES, 0))
                states[state] = int(n) - states["on_time"] - states["late"]
    return out


def _sent_counts(periods: list[str], cut: datetime):
    """(period, unit_id, any on time, items) for owed items whose lead unit reported."""
    per_item = _sent_per_item(periods, cut)
    return db.session.execute(
        select(per_item.c.period, per_item.c.unit_id, per_item.c.on_time, func.count())
        .group_by(per_item.c.period, per_item.c.unit_id, per_item.c.on_time)).all()


def _sent_per_item(periods: list[str], cut: datetime, *criteria):
    """Subquery (period, task_id, unit_id, on_time 0/1) of owed items of *criteria* whose
    lead unit reported for the period before *cut*."""
    r = ProgressReport
    return (select(r.period, r.task_id, Task.lead_unit_id.label("unit_id"),
                   func.max(case((r.on_time, 1), else_=0)).label("on_time"))
            .join(Task, and_(Task.id == r.task_id, Task.lead_unit_id == r.unit_id))
            .where(r.period.in_(periods), r.submitted_at < cut, *criteria,
                   or_(*(and_(r.period == p, owed_filter(p)) for p in periods)))
            .group_by(r.period, r.task_id, Task.lead_unit_id).subquery())


def item_counts(periods: list[str], as_of: date | None, *criteria) -> dict[int, dict[str, int]]:
    """{task_id: {on_time, late, missing}}: how many of the closed *periods* each item of
    *criteria* was reported on time, late or not at all, counted in SQL."""
    if not periods:
        return {}
    owed = sum(case((owed_filter(p), 1), else_=0) for p in periods)
    out = {task_id: {"on_time": 0, "late": 0, "missing": int(n)} for task_id, n in
           db.session.execute(select(Task.id, owed).where(*criteria, owed > 0))}
    per_item = _sent_per_item(periods, cutoff(as_of), *criteria)
    for task_id, on_time, n in db.session.execute(
            select(per_item.c.task_id, per_item.c.on_time, func.count())
            .group_by(per_item.c.task_id, per_item.c.on_time)):
        out[task_id]["on_time" if on_time else "late"] += n
        out[task_id]["missing"] -= n
    return out


def closed_periods(as_of: date | None, count: int) -> list[str]:
    """The *count* most recent weeks whose deadline has passed, newest first."""
    day = clock.today(as_of)
    period = period_of(day)
    while not is_closed(period, as_of):
        day -= timedelta(days=7)
        period = period_of(day)
    out = []
    for _ in range(count):
        out.append(period)
        day -= timedelta(days=7)
        period = period_of(day)
    return out


def recent_summaries(as_of: date | None, count: int) -> Summaries:
    """unit_summaries of the *count* most recent closed periods, newest first."""
    return unit_summaries(closed_periods(as_of, count), as_of)


def newest(summaries: Summaries, count: int) -> Summaries:
    """The first *count* periods of *summaries* (newest first when from recent_summaries)."""
    return dict(islice(summaries.items(), count))


def on_time_rates(summaries: Summaries) -> dict[int, tuple[int, int]]:
    """{unit_id: (reports on time, reports owed)} over the summaries' closed periods."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for summary in summaries.values():
        for unit_id, states in summary.items():
            totals[unit_id][0] += states["on_time"]
            totals[unit_id][1] += states["on_time"] + states["late"] + states["missing"]
    return {unit_id: (on_time, owed) for unit_id, (on_time, owed) in totals.items()}


def missed_streaks(summaries: Summaries, minimum: int) -> dict[int, list[dict[str, int]]]:
    """Units that failed to report on time (late or missing) in each of the newest
    *minimum* or more periods of *summaries* (newest first):
    {unit_id: [summary of each period, newest first]}."""
    streaks: dict[int, list[dict[str, int]]] = {}
    active: set[int] | None = None
    for period, summary in summaries.items():
        failed = {unit_id: {"period": period, "late": s["late"], "missing": s["missing"]}
                  for unit_id, s in summary.items()
                  if s["late"] + s["missing"] > 0 and (active is None or unit_id in active)}
        for unit_id, week in failed.items():
            streaks.setdefault(unit_id, []).append(week)
        active = set(failed)
        if not active:
            break
    return {u: weeks for u, weeks in streaks.items() if len(weeks) >= minimum}
