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

from sqlalchemy import (Date, Integer, Select, String, and_, case, column, func, literal, or_, select,
                        values)

from tracker import clock
from tracker.extensions import db
from tracker.labels import REPORT_STATES
from tracker.ledger.levels import counted_clause
from tracker.models import ProgressReport, Task, TaskState
from tracker.models.types import UTCDateTime
from tracker.reports.periods import (due_within, enabled_kinds, period_bounds, period_deadline,
                                     period_of, periods_in)

# {period: {unit_id: {state: count}}}
Summaries = dict[str, dict[int, dict[str, int]]]
# A period judged as of a day (None: today).
View = tuple[str, date | None]
# How far back a missed-report streak is counted, so a long-silent unit costs bounded work.
MAX_STREAK_WEEKS = 12


def is_closed(period: str, as_of: date | None = None) -> bool:
    """Whether the period's deadline has passed by the cut-off."""
    return period_deadline(period) <= clock.cutoff(as_of)


def owed_filter(period: str):
    """SQL condition: the item owes a report for *period*."""
    return and_(_owed(*_owed_bounds(period)), counted_clause())


def _owed_bounds(period: str) -> tuple[datetime, datetime, date]:
    """(the period's first instant, the instant after it, its last day)."""
    first, last = period_bounds(period)
    return (clock.local_datetime(first, time(0, 0)),
            clock.local_datetime(last + timedelta(days=1), time(0, 0)), last)


def _owed(starts, ends, last_day):
    """SQL condition: the item owes a report for the period with these bounds (values or
    columns): it existed by its end, was not signed off before it began, had started by
    its last day, and was not suspended when it ended (by its history: an item suspended
    since then still owed it, one resumed since then did not). Callers add the counting level (parents owe no reports of their own) once,
    in WHERE: inside a CASE per period it would be evaluated once per period and row."""
    if isinstance(ends, datetime):
        # One period: the items suspended at its end, looked up once for the whole query.
        not_suspended = Task.id.not_in(
            select(TaskState.task_id).where(TaskState.status == "suspended", TaskState.valid_from < ends,
                                            or_(TaskState.valid_to.is_(None), TaskState.valid_to >= ends)))
    else:
        # Bounds from a column: only the items ever suspended need their history looked up.
        suspended_then = (select(TaskState.id)
                          .where(TaskState.task_id == Task.id, TaskState.status == "suspended",
                                 TaskState.valid_from < ends,
                                 or_(TaskState.valid_to.is_(None), TaskState.valid_to >= ends)).exists())
        not_suspended = or_(Task.id.not_in(select(TaskState.task_id).where(TaskState.status == "suspended")),
                            ~suspended_then)
    return and_(
        not_suspended, Task.created_at < ends,
        or_(Task.signed_off_at.is_(None), Task.signed_off_at >= starts),
        or_(Task.start_date.is_(None), Task.start_date <= last_day))


def report_states(period: str, as_of: date | None = None) -> Select:
    """Rows (task_id, unit_id, state) for every item owing a report in *period*;
    state is one of REPORT_STATES."""
    cut = clock.cutoff(as_of)
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
    """{period: {unit_id: {state: count}}} for many periods as of one day, counted in SQL."""
    views = view_summaries([(period, as_of) for period in dict.fromkeys(periods)])
    return {period: summary for (period, _), summary in views.items()}


def view_summaries(views: list[View]) -> dict[View, dict[int, dict[str, int]]]:
    """{(period, as_of): {unit_id: {state: count}}} for many periods, each judged as of its
    own day, counted in SQL: the items owed in one pass over the tasks (one column per
    period), the reports sent in one pass over the periods' reports (each view with its own
    cut-off); unsent = owed − on time − late."""
    views = list(dict.fromkeys(views))
    if not views:
        return {}
    periods = list(dict.fromkeys(period for period, _ in views))
    owed = db.session.execute(
        select(Task.lead_unit_id, *(func.sum(case((_owed(*_owed_bounds(p)), 1), else_=0)) for p in periods))
        .where(counted_clause())
        .group_by(Task.lead_unit_id)).all()
    out: dict[View, dict[int, dict[str, int]]] = {view: {} for view in views}
    sent = _sent_reports(views)
    for index, unit_id, n_sent, n_on_time in db.session.execute(
            select(sent.c.view, sent.c.unit_id, func.count(sent.c.task_id.distinct()),
                   func.count(case((sent.c.on_time, sent.c.task_id)).distinct()))
            .group_by(sent.c.view, sent.c.unit_id)):
        states = _states(out[views[index]], unit_id)
        states["on_time"], states["late"] = n_on_time, n_sent - n_on_time
    column = {period: n for n, period in enumerate(periods)}
    unsent = ["missing" if is_closed(period, as_of) else "pending" for period, as_of in views]
    for unit_id, *counts in owed:
        for view, unsent_state in zip(views, unsent):
            n = counts[column[view[0]]]
            if n:
                states = _states(out[view], unit_id)
                states[unsent_state] = int(n) - states["on_time"] - states["late"]
    return out


def _states(summary: dict[int, dict[str, int]], unit_id: int) -> dict[str, int]:
    return summary.get(unit_id) or summary.setdefault(unit_id, dict.fromkeys(REPORT_STATES, 0))


def _sent_reports(views: list[View], *criteria):
    """Subquery (view, task_id, unit_id, on_time) of the reports that count for a view: sent
    by the lead unit of an owed item of *criteria* for the view's period before the view's
    cut-off; view is the index into *views*. The views, with their periods' bounds, are
    joined as a VALUES list (a CTE, which SQLite needs), so every report is read once and
    judged by its own view. An item counts once per view: count its task_id distinct."""
    r = ProgressReport
    table = (values(column("view", Integer), column("period", String),
                    column("cut", UTCDateTime), column("starts", UTCDateTime),
                    column("ends", UTCDateTime), column("last_day", Date), name="views")
             .data([(n, period, clock.cutoff(as_of), *_owed_bounds(period))
                    for n, (period, as_of) in enumerate(views)]).cte())
    return (select(table.c.view, r.task_id, Task.lead_unit_id.label("unit_id"), r.on_time)
            .select_from(table)
            .join(r, r.period == table.c.period)
            .join(Task, and_(Task.id == r.task_id, Task.lead_unit_id == r.unit_id))
            .where(r.submitted_at < table.c.cut, *criteria, counted_clause(),
                   _owed(table.c.starts, table.c.ends, table.c.last_day))
            .subquery())


def item_counts(periods: list[str], as_of: date | None, *criteria) -> dict[int, dict[str, int]]:
    """{task_id: {on_time, late, missing}}: how many of the closed *periods* each item of
    *criteria* was reported on time, late or not at all, counted in SQL."""
    periods = list(dict.fromkeys(periods))
    if not periods:
        return {}
    owed = sum(case((_owed(*_owed_bounds(p)), 1), else_=0) for p in periods)
    # Filtered here rather than in SQL, where the sum would be evaluated twice.
    out = {task_id: {"on_time": 0, "late": 0, "missing": int(n)} for task_id, n in
           db.session.execute(select(Task.id, owed).where(counted_clause(), *criteria)) if n}
    sent = _sent_reports([(period, as_of) for period in periods], *criteria)
    for task_id, n_sent, n_on_time in db.session.execute(
            select(sent.c.task_id, func.count(sent.c.view.distinct()),
                   func.count(case((sent.c.on_time, sent.c.view)).distinct()))
            .group_by(sent.c.task_id)):
        out[task_id].update(on_time=n_on_time, late=n_sent - n_on_time,
                            missing=out[task_id]["missing"] - n_sent)
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


def report_periods(first: date, last: date) -> list[str]:
    """The periods whose reports a bulletin over [first, last] quotes: the ISO weeks whose
    Monday falls within it and, when the monthly cycle is on, its months."""
    return [p for kind in enabled_kinds() for p in periods_in(first, last, kind)]


def rated_periods(first: date, last: date, as_of: date) -> list[str]:
    """The closed periods a bulletin's on-time report rate covers: the ISO weeks whose
    Monday falls within [first, last] and, when the monthly cycle is on, the months whose
    reports were due within it (a month's reports come due after it, so a monthly
    bulletin rates the month before)."""
    months = due_within(first, last, "monthly") if "monthly" in enabled_kinds() else []
    return [p for p in periods_in(first, last, "weekly") + months if is_closed(p, as_of)]
