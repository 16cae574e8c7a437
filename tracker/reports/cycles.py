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
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from itertools import islice

from sqlalchemy import Select, and_, case, exists, func, literal, or_, select

from tracker import clock
from tracker.extensions import db, read_aside, read_rows
from tracker.labels import REPORT_STATES
from tracker.ledger import timeline
from tracker.ledger.levels import counted_clause
from tracker.models import ProgressReport, Task, TaskState
from tracker.models.types import UTCDateTime
from tracker.reports.periods import (due_within, enabled_kinds, kind_of, period_bounds,
                                     period_deadline, period_of)

# {period: {unit_id: {state: count}}}
Summaries = dict[str, dict[int, dict[str, int]]]
# A period judged as of a day (None: today).
View = tuple[str, date | None]
# How far back a missed-report streak is counted, so a long-silent unit costs bounded work.
MAX_STREAK_WEEKS = 12
# Sorts after every period name: the end of the owed range of an item never signed off.
AFTER = "9999"
# Two counts of periods packed in one integer (count × PACK + count): a run has fewer.
PACK = 1024


def is_closed(period: str, as_of: date | None = None) -> bool:
    """Whether the period's deadline has passed by the cut-off."""
    return period_deadline(period) <= clock.cutoff(as_of)


def owed_filter(period: str, as_of: date | None = None):
    """SQL condition: the item owes a report for *period* (at the counting level of the
    tree as of *as_of*)."""
    return and_(_owed(*_owed_bounds(period)), counted_clause(as_of))


def _owed_bounds(period: str) -> tuple[datetime, datetime, date]:
    """(the period's first instant, the instant after it, its last day)."""
    first, last = period_bounds(period)
    return (clock.local_datetime(first, time(0, 0)),
            clock.local_datetime(last + timedelta(days=1), time(0, 0)), last)


def _owed(starts: datetime, ends: datetime, last_day: date):
    """SQL condition: the item owes a report for the period with these bounds: it existed by
    its end, was not signed off before it began, had started by its last day, and was not
    suspended when it ended (by its history: an item suspended since then still owed it,
    one resumed since then did not). Callers add the counting level (parents owe no reports
    of their own)."""
    suspended = select(TaskState.task_id).where(TaskState.status == "suspended", timeline.in_stretch(ends))
    return and_(
        Task.id.not_in(suspended), Task.created_at < ends,
        or_(Task.signed_off_at.is_(None), Task.signed_off_at >= starts),
        or_(Task.start_date.is_(None), Task.start_date <= last_day))


def unsent_clause(period: str):
    """SQL condition: the item owes its lead unit's report for *period*, is not started or
    in progress (an item awaiting sign-off is not reminded), and that report has not come."""
    sent = exists().where(ProgressReport.task_id == Task.id, ProgressReport.period == period,
                          ProgressReport.unit_id == Task.lead_unit_id)
    return and_(Task.status.in_(("not_started", "in_progress")), owed_filter(period), ~sent)


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
            .outerjoin(sent, sent.c.task_id == Task.id).where(owed_filter(period, as_of)))


def unit_summaries(periods: list[str], as_of: date | None = None) -> Summaries:
    """{period: {unit_id: {state: count}}} for many periods as of one day, counted in SQL."""
    views = view_summaries([(period, as_of) for period in dict.fromkeys(periods)])
    return {period: summary for (period, _), summary in views.items()}


def view_summaries(views: list[View]) -> dict[View, dict[int, dict[str, int]]]:
    """{(period, as_of): {unit_id: {state: count}}} for many periods, each judged as of its
    own day, counted in SQL: the items owed per unit and period from each item's run of
    owed periods (one pass over the tasks), the reports sent in one pass over the periods'
    reports (each view with its own cut-off); unsent = owed − on time − late."""
    return start_view_summaries(views, aside=False)()


def start_view_summaries(views: list[View], *,
                         aside: bool = True) -> Callable[[], dict[View, dict[int, dict[str, int]]]]:
    """`view_summaries` with the reports sent read aside (`read_aside`), from now while the
    caller reads something else, and while the function returned counts the items owed
    before it gives the summaries."""
    views = list(dict.fromkeys(views))
    latest = max(clock.today(as_of) for _, as_of in views) if views else None
    started = []
    for run in _runs(period for period, _ in views):
        owing = run.owing(latest)
        mine = [(n, view) for n, view in enumerate(views) if view[0] in run.index]
        started.append((run, owing, mine, run.sent(owing, [view for _, view in mine], aside=aside)))
    return lambda: _summarise(views, started)


def _summarise(views: list[View], started: list) -> dict[View, dict[int, dict[str, int]]]:
    out: dict[View, dict[int, dict[str, int]]] = {view: {} for view in views}
    for run, owing, mine, sent in started:
        owed = run.owed_per_unit(owing)
        for n, unit_id, n_sent, n_on_time in sent():
            states = _states(out[mine[n][1]], unit_id)
            states["on_time"], states["late"] = n_on_time, n_sent - n_on_time
        for _, view in mine:
            period, as_of = view
            unsent = "missing" if is_closed(period, as_of) else "pending"
            for unit_id, n in owed[run.index[period]].items():
                if n:
                    states = _states(out[view], unit_id)
                    states[unsent] = n - states["on_time"] - states["late"]
    return out


def _states(summary: dict[int, dict[str, int]], unit_id: int) -> dict[str, int]:
    return summary.get(unit_id) or summary.setdefault(unit_id, dict.fromkeys(REPORT_STATES, 0))


def item_counts(periods: list[str], as_of: date | None, *criteria) -> dict[int, dict[str, int]]:
    """{task_id: {on_time, late, missing}}: how many of the closed *periods* each item of
    *criteria* was reported on time, late or not at all, counted in SQL (`_Run.per_item`)."""
    return start_item_counts(periods, as_of, *criteria, aside=False)()


def start_item_counts(periods: list[str], as_of: date | None, *criteria,
                      aside: bool = True) -> Callable[[], dict[int, dict[str, int]]]:
    """`item_counts`, started aside (`read_aside`) so the caller reads something else
    meanwhile: the function returned gives the counts."""
    started = []
    for run in _runs(periods):
        owing = run.owing(as_of, *criteria)
        started.append((run, owing, read_aside(run.per_item(owing, clock.cutoff(as_of)), aside=aside)))
    return lambda: _fold_item_counts(started)


def _fold_item_counts(started: list) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    for run, owing, rows in started:
        skipped = {task_id: len(gone) for task_id, (_, gone) in run._suspended(owing).items()}
        for task_id, first, end, sent in rows.all():
            n = len(run._owed(first, end)) - skipped.get(task_id, 0)
            if n:
                n_sent, n_on_time = divmod(sent, PACK)
                counts = out.get(task_id) or out.setdefault(task_id, {"on_time": 0, "late": 0, "missing": 0})
                counts["on_time"] += n_on_time
                counts["late"] += n_sent - n_on_time
                counts["missing"] += n - n_sent
    return out


def _runs(periods) -> list[_Run]:
    """The distinct *periods* as runs of one kind each, in time order."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    for period in dict.fromkeys(periods):
        by_kind[kind_of(period)].append(period)
    return [_Run(sorted(ps, key=lambda p: period_bounds(p)[0])) for ps in by_kind.values()]


class _Run:
    """Periods of one kind in time order. The periods an item owes among them are a run,
    from its first (it existed and had started by the period's end) to the one before its
    sign-off, less those it was suspended at the end of: `owing` computes that run per
    item once in SQL as a range of period keys [first, end), so a count over many periods
    is a range test, not a test per period and row. The few items ever suspended are
    settled from their history in Python."""

    def __init__(self, periods: list[str]):
        self.periods = periods
        self.index = {period: n for n, period in enumerate(periods)}
        # Within one kind, period names sort in time order ("2026-W09" < "2026-W10"), so
        # the names themselves are the keys of the owed ranges; AFTER sorts after any.
        self.keys = periods
        self.bounds = [_owed_bounds(period) for period in periods]
        self.after = AFTER
        # An owed range's ends are always keys of the run or AFTER: their positions.
        self.position = {**self.index, AFTER: len(periods)}

    def owing(self, as_of: date | None, *criteria):
        """CTE (id, unit_id, first, end, suspended) of the counted items of *criteria* owing
        any of the periods: they owe the periods with keys in [first, end) unless
        `suspended` (ever suspended), when their history decides. The counting level is
        the tree's as of *as_of*."""
        first = case(*((and_(Task.created_at < ends, or_(Task.start_date.is_(None), Task.start_date <= last)), k)
                        for k, (_, ends, last) in zip(self.keys, self.bounds)), else_=self.after)
        end = case((Task.signed_off_at.is_(None), self.after),
                   *((Task.signed_off_at < starts, k) for k, (starts, _, _) in zip(self.keys, self.bounds)),
                   else_=self.after)
        ever = case((Task.id.in_(select(TaskState.task_id).where(TaskState.status == "suspended")), 1),
                    else_=0)
        return (select(Task.id, Task.lead_unit_id.label("unit_id"), first.label("first"),
                       end.label("end"), ever.label("suspended"))
                .where(counted_clause(as_of), *criteria, Task.created_at < self.bounds[-1][1],
                       or_(Task.signed_off_at.is_(None), Task.signed_off_at >= self.bounds[0][0]))
                .cte("owing"))

    def _owed(self, first: str, end: str) -> range:
        """Indexes of the run's periods with keys in [first, end)."""
        return range(self.position[first], self.position[end])

    def _suspended(self, owing) -> dict[int, tuple[int, set[int]]]:
        """{item id: (its unit, indexes of the periods it owes by its run but was suspended
        at the end of)} for the ever-suspended items of *owing*."""
        rows = db.session.execute(
            select(owing.c.id, owing.c.unit_id, owing.c.first, owing.c.end, TaskState.valid_from,
                   TaskState.valid_to)
            .join(TaskState, TaskState.task_id == owing.c.id)
            .where(owing.c.suspended == 1, owing.c.first < owing.c.end, TaskState.status == "suspended"))
        out: dict[int, tuple[int, set[int]]] = {}
        for task_id, unit_id, first, end, since, until in rows:
            out.setdefault(task_id, (unit_id, set()))[1].update(
                i for i in self._owed(first, end)
                if since < self.bounds[i][1] and (until is None or until >= self.bounds[i][1]))
        return out

    def owed_per_unit(self, owing) -> list[dict[int, int]]:
        """[{unit_id: items owing period i}] for each period i of the run."""
        out: list[dict[int, int]] = [defaultdict(int) for _ in self.periods]
        for unit_id, first, end, n in read_rows(
                select(owing.c.unit_id, owing.c.first, owing.c.end, func.count())
                .where(owing.c.first < owing.c.end)
                .group_by(owing.c.unit_id, owing.c.first, owing.c.end)):
            for i in self._owed(first, end):
                out[i][unit_id] += n
        for unit_id, skipped in self._suspended(owing).values():
            for i in skipped:
                out[i][unit_id] -= 1
        return out

    def _counting(self, owing):
        """(*owing* as a materialized CTE, the conditions under which a report counts for
        one of its items: its lead unit's, for a period the item owes, not one it was
        suspended at the end of). MATERIALIZED: the ranges are computed once per item, not
        once per report."""
        r = ProgressReport
        owing = owing.element.cte("owing_items").prefix_with("MATERIALIZED")
        ends = case({period: bounds[1] for period, bounds in zip(self.periods, self.bounds)}, value=r.period)
        # Correlated explicitly: per_item nests this two levels below the CTE's FROM.
        suspended_then = (select(TaskState.id)
                          .where(TaskState.task_id == owing.c.id, TaskState.status == "suspended",
                                 timeline.in_stretch(ends))
                          .correlate_except(TaskState).exists())
        return owing, [r.task_id == owing.c.id, r.unit_id == owing.c.unit_id,
                       owing.c.first <= r.period, r.period < owing.c.end,
                       or_(owing.c.suspended == 0, ~suspended_then)]

    def per_item(self, owing, cut: datetime) -> Select:
        """The query of rows (item id, first, end, packed) for the items of *owing* owing any period:
        the item owes the periods with keys in [first, end) (`_owed`), and its lead unit
        reported on `packed // PACK` of them before *cut*, `packed % PACK` on time; the
        suspended periods of the ever-suspended items are not taken off the owed range
        (`_suspended` has them) but their reports do not count. One query: each item's
        reports over its run are one range of ix_progress_reports_task_cycle, counted by a
        correlated subquery (both counts packed in one integer, so the range is read once),
        which costs a seek per item rather than a sort of the year's reports by item."""
        assert len(self.periods) < PACK, "a run's counts no longer fit the packing"
        r = ProgressReport
        owing, counts_for = self._counting(owing)
        packed = (select(func.count(r.period.distinct()) * PACK
                         + func.count(case((r.on_time, r.period)).distinct()))
                  .where(*counts_for, r.period.between(self.periods[0], self.periods[-1]),
                         r.period.in_(self.periods), r.submitted_at < cut)
                  .correlate(owing).scalar_subquery())
        # Ordered, so SQLite counts every row before it returns the first (a sort), all
        # within one call that needs no Python lock: read aside, it overlaps the caller's
        # work instead of waiting for the lock at each of 80,000 rows. (PostgreSQL's
        # driver fetches the whole result in one call anyway; the order costs it a sort.)
        return (select(owing.c.id, owing.c.first, owing.c.end, packed)
                .where(owing.c.first < owing.c.end).order_by(owing.c.id))

    def sent(self, owing, views: list[View], *, aside: bool = True) -> Callable[[], list[tuple]]:
        """The reports that count for each of *views* (periods of this run), counted in SQL:
        an item's report counts when its lead unit sent it, for a period the item owes,
        before the view's cut-off; on time when an on-time one was. Started aside
        (`read_aside`); the function returned gives the rows (view index, unit id, items
        sent, items on time). One query, driven by the items: each owing item's reports for
        the run's periods are one range of the covering index ix_progress_reports_task_cycle
        (item, unit, period, …)."""
        r = ProgressReport
        owing, counts_for = self._counting(owing)
        # Views of one period whose cut-offs coincide (days from today on all cut at now)
        # share its counts. Each day's cut-off is taken once: today's is "now", and asking
        # the clock per view gave each of today's views a cut-off of its own, so a column
        # pair (a COUNT(DISTINCT …) each) per view instead of one per day.
        days = [clock.today(as_of) for _, as_of in views]
        cuts = {day: clock.cutoff(day) for day in dict.fromkeys(days)}
        by_cut: dict[datetime, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for n, ((period, _), day) in enumerate(zip(views, days)):
            by_cut[cuts[day]][period].append(n)
        groups = list(by_cut.items())
        periods = sorted({period for _, mine in groups for period in mine})
        # One row per report (an item may have several for a period): counted DISTINCT by
        # item, once per slot: slot k of a period is the k-th cut-off it is judged at, so a
        # report is compared with its own period's cut-off (a CASE on the period) and the
        # columns grow with the most cut-offs any one period has (one or two), not with the
        # number of cut-offs (the evaluation's eleven month ends would need eleven pairs).
        slots: dict[str, list[int]] = defaultdict(list)
        for g, (_, mine) in enumerate(groups):
            for period in mine:
                slots[period].append(g)
        width = max(len(gs) for gs in slots.values())
        if len(groups) == 1:    # one cut-off (one slot), which the WHERE applies
            counts = [func.count(r.task_id.distinct()), func.count(case((r.on_time, r.task_id)).distinct())]
        else:
            counts = []
            for k in range(width):
                at = {period: gs[k] for period, gs in slots.items() if len(gs) > k}
                if len(at) == len(slots) and len(set(at.values())) == 1:
                    cut = literal(groups[next(iter(at.values()))][0], UTCDateTime)
                else:
                    cut = case({period: literal(groups[g][0], UTCDateTime) for period, g in at.items()},
                               value=r.period)
                counts += [func.count(case((r.submitted_at < cut, r.task_id)).distinct()),
                           func.count(case((and_(r.submitted_at < cut, r.on_time), r.task_id)).distinct())]
        rows = read_aside(
            select(r.period, owing.c.unit_id, *counts)
            .select_from(owing).join(r, and_(*counts_for))
            .where(r.period.between(periods[0], periods[-1]), r.period.in_(periods),
                   r.submitted_at < max(cut for cut, _ in groups))
            .group_by(r.period, owing.c.unit_id), aside=aside)
        return lambda: [(view, unit_id, n[2 * k], n[2 * k + 1])
                        for period, unit_id, *n in rows.all()
                        for k, g in enumerate(slots[period]) if n[2 * k]
                        for view in groups[g][1][period]]


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


def newest(summaries: Summaries, count: int) -> Summaries:
    """The first *count* periods of *summaries* (newest first when from closed_periods)."""
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


def rated_periods(first: date, last: date, as_of: date) -> list[str]:
    """The closed periods a bulletin's on-time report rate covers: the ISO weeks and, when
    the monthly cycle is on, the months whose reports fell due within [first, last]. So
    every week is rated by exactly one month's bulletin, also a week across two months or
    one whose reports come due after the month ends (the last week of November is rated in
    December's), and a month's reports, due after it, in the next month's."""
    kinds = ["weekly"] + (["monthly"] if "monthly" in enabled_kinds() else [])
    return [p for kind in kinds for p in due_within(first, last, kind) if is_closed(p, as_of)]
