"""The red/black list (红黑榜) as of any date, by the configured rule set.

Units are ranked within their series (序列: 县（市、区）, 市直部门, 工作专班, 镇（街）, by unit
kind unless configured) by their completion index: items completed on time ÷ items due.
An item counts as due once its deadline has passed or once it is signed off, so completing
early counts as on time and an item neither due nor done counts neither way. Reporting
discipline (on-time report rate) breaks ties. A unit with fewer than `min_due_items` items
due is not ranked (`unranked`, on neither list).

Black facts: items overdue by more than K working days (suspended items and items whose
sign-off was asked by their deadline and awaits review are exempt), reports late or
missing week after week, and a place among the bottom N of the series. A unit with any
black fact is on the black list, once, with all its facts, and never on the red list; the
red list takes the top N of each series among the units that also meet its thresholds
(completion, on-time reporting, no overdue item). Consecutive black placings per unit
propose the step of the escalation ladder.

The rule set: `[redblack] preset` names one of PRESETS; `[redblack] overrides` replaces
any of its keys. docs/regime.md describes each preset and key.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import Select, and_, case, func, or_, select, true, type_coerce

from tracker import calendar, clock
from tracker.accounts.lookups import unit_names
from tracker.calendar.sql import day_number, day_of, local_day_number
from tracker.clock import cn_date
from tracker.config import ConfigError
from tracker.extensions import db, read_rows
from tracker.ledger import state, timeline
from tracker.ledger.exemptions import exempt_clause, exempt_on
from tracker.ledger.levels import counted_clause, counted_on_days
from tracker.models import SignoffRequest, Task, TaskState, Unit
from tracker.models.types import UTCDateTime
from tracker.numbers import percent_text
from tracker.regime import placing_records
from tracker.reports import cycles
from tracker.reports.periods import period_bounds, period_label


# What most city offices publish monthly: top 3 and bottom 3 by completion index, items
# more than 10 working days late, units late with reports two weeks running.
STANDARD: dict[str, Any] = {
    "min_due_items": 3, "red_min_completion": 0.8, "red_min_reporting": 0.8, "red_no_overdue": True,
    "red_top": 3, "black_bottom": 3, "black_lower_half": True, "black_below": 1.0, "overdue_workdays": 10,
    "missed_report_weeks": 2, "discipline_weeks": 4, "cycle": "month",
    "escalation": ["约谈分管领导", "组织部门约谈", "启动问责"],
}
PRESETS: dict[str, dict[str, Any]] = {
    "standard": STANDARD,
    # Offices under pressure to close the year: higher bars, a longer black list, a shorter fuse.
    "strict": {**STANDARD, "red_min_completion": 0.9, "red_min_reporting": 0.9, "black_bottom": 5,
               "overdue_workdays": 5, "missed_report_weeks": 1},
    # Weekly dispatch offices: placings counted per week, only the worst named.
    "weekly": {**STANDARD, "min_due_items": 2, "red_top": 5, "black_bottom": 1, "black_below": 0.8,
               "overdue_workdays": 15, "missed_report_weeks": 3, "discipline_weeks": 2, "cycle": "week",
               "escalation": ["书面督办", "约谈分管领导", "组织部门约谈", "启动问责"]},
}
CYCLES = ("month", "week")
# The series of a unit whose kind `[redblack] series` does not name.
OTHER_SERIES = "其他单位"


def rule_set() -> dict[str, Any]:
    """The configured rules: the preset with its overrides applied and checked."""
    cfg = current_app.config["SETTINGS"]["redblack"]
    name = cfg["preset"]
    if name not in PRESETS:
        raise ConfigError(f"[redblack] preset must be one of {', '.join(PRESETS)}, got {name!r}")
    rules = dict(PRESETS[name], preset=name)
    for key, value in cfg.get("overrides", {}).items():
        if key not in PRESETS[name]:
            raise ConfigError(f"[redblack] overrides: unknown rule {key!r}")
        rules[key] = value
    if rules["cycle"] not in CYCLES or not rules["escalation"]:
        raise ConfigError("[redblack] cycle must be month or week and escalation not empty")
    return rules


@dataclass(frozen=True)
class Standing:
    """A unit's place in the completion ranking. `key` is set once, when made: Python
    3.11's cached_property takes a lock on every first read, 25 µs each for 2,000 units."""

    unit_id: int
    on_time: int
    due: int
    reported: int
    owed: int
    # (index, discipline) as floats, which order these shares exactly: with counts below
    # 2**26, two different shares differ by more than their rounding and equal shares
    # round alike. Ranking 2,000 units for each month of a year compares keys hundreds
    # of thousands of times, a second's work with Fractions.
    key: tuple[float, float] = field(init=False, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "key", (self.on_time / self.due,
                                         self.reported / self.owed if self.owed else 1.0))

    @property
    def index(self) -> Fraction:
        return Fraction(self.on_time, self.due)

    @property
    def discipline(self) -> Fraction:
        """On-time report rate; a unit that owed nothing has a clean record."""
        return Fraction(self.reported, self.owed) if self.owed else Fraction(1)


def redblack(as_of: date | None = None, facts: _Facts | None = None,
             discipline: cycles.Summaries | None = None) -> dict[str, Any]:
    """{as_of, preset, red: [entry], black: [entry], unranked: [{unit_id, reason}]}: one
    entry per unit per list, never a unit on both. An entry names its unit and series, its
    main rule, a Chinese reason naming every fact (most serious first) and `items`, the
    item-level facts; black entries also the proposed escalation step. *facts*:
    gather(as_of), when the caller has read them already (a bulletin quotes their report
    summaries); *discipline*: the periods the on-time report rate is taken over, when a
    document sets its own window (default: the newest `discipline_weeks` closed weeks)."""
    today = clock.today(as_of)
    rules = rule_set()
    # A day already over has a fixed placing: kept, so that a later list's escalation and
    # the evaluation read it back (decided before counting, as placing_records asks). A
    # document that rates reporting over its own window keeps the list's own placing,
    # judged again over the default window from the facts at hand.
    keep = placing_records.is_over(today)
    if facts is None:
        facts = gather(today)
    judged = (facts.counts[today], facts.summaries(today), rules, *overdue_items(today, rules))
    placing = _judge(*judged, discipline)
    if keep and today not in facts.known:
        own = placing if discipline is None else _judge(*judged)
        placing_records.record({today: own.units()}, facts.key, {today})
    red = [_red_entry(s, rank, placing) for s, rank in placing.red]
    black = [_black_entry(unit_id, placing) for unit_id in placing.black_order()]
    _attach_escalation(black, _earlier_placings(facts, rules), rules)
    unranked = [{"unit_id": s.unit_id, "series": placing.series[s.unit_id],
                 "reason": f"不参与排名（应完成事项不足{rules['min_due_items']}项，本期应完成{s.due}项）"}
                for s in placing.unranked]
    _name_units(red + black + unranked)
    return {"as_of": today.isoformat(), "preset": rules["preset"], "red": red, "black": black,
            "unranked": unranked, "exempt": exempt_on(today)}


def gather(as_of: date | None = None, counts: list[tuple[int, int, int]] | None = None) -> _Facts:
    """What the list as of *as_of* reads, each counted in one pass: its recent closed
    weeks' report summaries (`summaries(as_of)`), its completion counts (*counts*, when
    the caller has counted them already: a bulletin's pass over the items does), and the
    facts of the earlier placings its escalation looks back at."""
    today = clock.today(as_of)
    rules = rule_set()
    earlier = looked_back(today, rules)
    mine = [(p, today) for p in cycles.closed_periods(today, _summary_weeks(rules))]
    key = placing_records.fingerprint(rules)
    # Today's own placing is looked up too, so a list as of a day already kept writes nothing.
    known = placing_records.recorded([today, *earlier], key)
    over = {day for day in earlier if placing_records.is_over(day)}
    facts = _Facts.gather([day for day in earlier if day not in known], rules, mine,
                          also=[today] if counts is None else [])
    if counts is not None:
        facts.counts[today] = counts
    facts.known, facts.order, facts.over, facts.key = known, earlier, over, key
    return facts


def looked_back(day: date, rules: dict[str, Any]) -> list[date]:
    """The days of the earlier placings a list as of *day* counts its escalation from,
    newest first: as many as the ladder has steps after the first."""
    earlier = [day]
    for _ in range(len(rules["escalation"]) - 1):
        earlier.append(previous_placing(earlier[-1], rules["cycle"]))
    return earlier[1:]


def month_ends(year: int, through: date) -> list[date]:
    """The last days of *year*'s months up to *through*: the placings the evaluation
    scores."""
    return [end for end in (period_bounds(f"{year}-{month:02d}")[1] for month in range(1, 13))
            if end <= through]


def keep_placings(as_of: date | None = None) -> dict[str, int]:
    """Count and keep, ahead of any reader, the placings over by *as_of* that readers look
    back at: a list as of it (`looked_back`), the evaluation of its year and of the year
    before (`month_ends`), and with the weekly cycle the day before (the next week's lists
    look back at it). The `keep-placings` job, nightly, so a page never pays for counting
    a past placing and each is judged soon after its day, with the unit assignments of
    then. Counts only those not yet kept under the current rules, and waits for a write
    lock rather than skip (it is no request's write); {placings, counted, kept}."""
    today = clock.today(as_of)
    rules = rule_set()
    yesterday = today - timedelta(days=1)
    days = {*looked_back(today, rules), *month_ends(today.year - 1, yesterday),
            *month_ends(today.year, yesterday)}
    if rules["cycle"] == "week":
        days.add(yesterday)
    days = sorted((day for day in days if placing_records.is_over(day)), reverse=True)
    key = placing_records.fingerprint(rules)
    known = placing_records.recorded(days, key)
    missing = [day for day in days if day not in known]
    placings(missing, rules, wait=True)
    return {"placings": len(days), "counted": len(missing),
            "kept": len(placing_records.recorded(days, key))}


def _earlier_placings(facts: _Facts, rules: dict[str, Any]) -> dict[date, tuple[set[int], set[int]]]:
    """The placings before the one *facts* were gathered for, newest first: those kept,
    the others counted from *facts* (and kept when their day is over)."""
    counted = _placings(facts.earlier, rules, facts)
    placing_records.record(counted, facts.key, facts.over)
    every = {**facts.known, **counted}
    return {day: every[day] for day in facts.order}


def _summary_weeks(rules: dict[str, Any]) -> int:
    return max(cycles.MAX_STREAK_WEEKS, rules["discipline_weeks"], rules["missed_report_weeks"])


@dataclass
class _Facts:
    """What the placings as of several days read, each counted in one pass for all days:
    report summaries per (week, day), completion counts per day, and the units with an
    item overdue per (day, working days)."""

    earlier: list[date]
    windows: dict[date, list[str]]
    views: dict[cycles.View, dict[int, dict[str, int]]]
    counts: dict[date, list[tuple[int, int, int]]]
    late: dict[tuple[date, int], set[int]]
    # Placings among the earlier days read from their records rather than counted, and
    # every earlier day in order (newest first); set by gather().
    known: dict[date, tuple[set[int], set[int]]] = field(default_factory=dict)
    order: list[date] = field(default_factory=list)
    over: set[date] = field(default_factory=set)   # earlier days ended before counting
    key: str = ""                                   # the rules' fingerprint (placing_records)

    @classmethod
    def gather(cls, days: list[date], rules: dict[str, Any], views: list[cycles.View] = (),
               also: list[date] = ()) -> _Facts:
        """The facts of the placings as of *days*, plus *views* and the completion counts of
        the days in *also* that a caller judges itself (with overdue_items)."""
        weeks = max(rules["missed_report_weeks"], rules["discipline_weeks"])
        windows = {day: cycles.closed_periods(day, weeks) for day in days}
        # The reports sent are read aside while the other facts are counted here.
        summaries = cycles.start_view_summaries(
            [*views, *((p, day) for day, periods in windows.items() for p in periods)])
        every = list(dict.fromkeys([*also, *days]))
        late = _units_with_overdue([*((day, 0) for day in days),
                                    *((day, rules["overdue_workdays"]) for day in days)])
        counts = completion_counts(every)
        return cls(list(days), windows, summaries(), counts, late)

    def summaries(self, day: date) -> cycles.Summaries:
        """The report summaries as of *day* among the views, newest period first."""
        return {period: summary for (period, as_of), summary in self.views.items() if as_of == day}


def placings(days: list[date], rules: dict[str, Any], *,
             wait: bool = False) -> dict[date, tuple[set[int], set[int]]]:
    """{day: (red units, black units)}: the placing as of each of *days* by the same rules
    as `redblack`, all counted together: the report summaries of every placing's recent
    closed weeks in one call, the standings and the overdue items in one pass over the
    tasks each. Missed-report streaks are looked for just far enough back to qualify.
    *wait*: keep them even if that means waiting for another writer (placing_records)."""
    if not days:
        return {}
    key = placing_records.fingerprint(rules)
    known = placing_records.recorded(days, key)
    over = {day for day in days if placing_records.is_over(day)}
    missing = [day for day in days if day not in known]
    counted = _placings(missing, rules, _Facts.gather(missing, rules)) if missing else {}
    placing_records.record(counted, key, over, wait=wait)
    every = {**known, **counted}
    return {day: every[day] for day in days}


def _placings(days: list[date], rules: dict[str, Any], facts: _Facts) -> dict[date, tuple[set[int], set[int]]]:
    out = {}
    for day in days:
        summaries = {period: facts.views[(period, day)] for period in facts.windows[day]}
        placing = _judge(facts.counts[day], summaries, rules,
                         {unit_id: [] for unit_id in facts.late[(day, rules["overdue_workdays"])]},
                         facts.late[(day, 0)])
        out[day] = placing.units()
    return out


def _standings(counts: list[tuple[int, int, int]], summaries: cycles.Summaries,
               rules: dict[str, Any], discipline: cycles.Summaries | None = None) -> list[Standing]:
    window = discipline if discipline is not None else cycles.newest(summaries, rules["discipline_weeks"])
    rates = cycles.on_time_rates(window)
    standings = [Standing(unit_id, on_time, due, *rates.get(unit_id, (0, 0)))
                 for unit_id, on_time, due in counts]
    return sorted(standings, key=lambda s: (s.key, -s.unit_id), reverse=True)


@dataclass
class Placing:
    """One list's decisions: every unit's series and standing, the red units with their
    series rank, and each black unit's facts."""

    series: dict[int, str]
    standings: dict[int, Standing]
    red: list[tuple[Standing, int]]
    bottom: dict[int, int]            # unit → rank from the bottom of its series
    overdue: dict[int, list[dict]]    # unit → its overdue items (item-level facts)
    missed: dict[int, list[dict]]     # unit → its late/missing weeks, newest first
    unranked: list[Standing]

    def units(self) -> tuple[set[int], set[int]]:
        """(red units, black units): what a kept placing records."""
        return {s.unit_id for s, _ in self.red}, set(self.black_order())

    def black_order(self) -> list[int]:
        """Black units, most serious first: overdue items, then missed reports, then rank."""
        units = set(self.bottom) | set(self.overdue) | set(self.missed)
        return sorted(units, key=lambda u: (-len(self.overdue.get(u, ())), -len(self.missed.get(u, ())),
                                            self.bottom.get(u, 0), u))


def _judge(counts: list[tuple[int, int, int]], summaries: cycles.Summaries, rules: dict[str, Any],
           overdue: dict[int, list[dict]], anything_late: set[int],
           discipline: cycles.Summaries | None = None) -> Placing:
    """Decide the lists: units below `min_due_items` are unranked and on neither list;
    the others are ranked within their series; any black fact bars the red list."""
    standings = _standings(counts, summaries, rules, discipline)
    series = series_of({s.unit_id for s in standings} | set(overdue))
    ranked = [s for s in standings if s.due >= rules["min_due_items"]]
    eligible = {s.unit_id for s in ranked}
    missed = {u: weeks for u, weeks in cycles.missed_streaks(summaries, rules["missed_report_weeks"]).items()
              if u in eligible}
    overdue = {u: items for u, items in overdue.items() if u in eligible}
    below = Fraction(str(rules["black_below"]))
    bottom: dict[int, int] = {}
    red: list[tuple[Standing, int]] = []
    for name in dict.fromkeys(series[s.unit_id] for s in ranked):
        members = [s for s in ranked if series[s.unit_id] == name]
        # 倒数N名 never reaches the better half of a small series: of two ranked units the
        # first is not also 倒数第2 (a series of one has no bottom place at all).
        places = min(rules["black_bottom"], len(members) // 2) if rules["black_lower_half"] \
            else rules["black_bottom"]
        for s, rank in _ranked([s for s in reversed(members) if s.index < below]):
            if rank <= places:
                bottom[s.unit_id] = rank
        black = set(bottom) | set(overdue) | set(missed)
        candidates = [s for s in members if s.unit_id not in black and s.on_time > 0
                      and s.index >= Fraction(str(rules["red_min_completion"]))
                      and s.discipline >= Fraction(str(rules["red_min_reporting"]))
                      and not (rules["red_no_overdue"] and s.unit_id in anything_late)]
        red += [(s, rank) for s, rank in _ranked(candidates) if rank <= rules["red_top"]]
    return Placing(series, {s.unit_id: s for s in standings}, red, bottom, overdue, missed,
                   [s for s in standings if s.unit_id not in eligible])


def series_order() -> list[str]:
    """Series names in the order `[redblack] series` gives them (documents list them so),
    the catch-all last."""
    names = list(current_app.config["SETTINGS"]["redblack"]["series"])
    return names + ([OTHER_SERIES] if OTHER_SERIES not in names else [])


def series_of(unit_ids: set[int]) -> dict[int, str]:
    """{unit_id: the series it is ranked in}, by unit kind (`[redblack] series`)."""
    groups = current_app.config["SETTINGS"]["redblack"]["series"]
    by_kind = {kind: name for name, kinds in groups.items() for kind in kinds}
    # Every unit's kind: an office has a few thousand units at most, and reading them all
    # costs less than binding thousands of ids into an IN list.
    kinds = dict(db.session.execute(select(Unit.id, Unit.kind)).all())
    return {unit_id: by_kind.get(kinds.get(unit_id), OTHER_SERIES) for unit_id in unit_ids}


class _Stretch(NamedTuple):
    """The columns of the stretch of an item's history a judgement reads: for days that
    are all today, the item's own status and deadline (the open stretch's), so no join
    with the history; else the history's (task_states). `since` is the stretch's start
    either way (for today, the open stretch's, looked up per item that needs it: an item's
    status_since is when its status changed, and a deadline changed since then starts a
    new stretch), so that a list as of today and the same day read back from the history
    judge alike."""

    status: Any
    since: Any
    due_date: Any
    task_id: Any
    source: Select          # select(Task.lead_unit_id) from the right tables
    live: bool

    def at(self, cut):
        """SQL: the row is the item's stretch at the instant *cut*."""
        return true() if self.live else timeline.in_stretch(cut)


def _stretch(days: list[date]) -> _Stretch:
    if all(day >= clock.today() for day in days):
        opened = (select(func.max(TaskState.valid_from))
                  .where(TaskState.task_id == Task.id, TaskState.valid_to.is_(None)).scalar_subquery())
        return _Stretch(Task.status, opened, Task.due_date, Task.id,
                        select(Task.lead_unit_id).select_from(Task), True)
    return _Stretch(TaskState.status, TaskState.valid_from, TaskState.due_date, TaskState.task_id,
                    select(Task.lead_unit_id).select_from(TaskState).join(Task, Task.id == TaskState.task_id)
                    .where(TaskState.valid_from < max(clock.cutoff(day) for day in days)), False)


def completion_counts(days: list[date]) -> dict[date, list[tuple[int, int, int]]]:
    """{day: [(lead unit, items completed on time, items due)]} for the units with anything
    due as of each day, the ledger as it stood then, in one pass over the items' history
    (two columns per day: each item counts through the stretch it was in at the day's end;
    `_stretch`: the items themselves for today). 按时完成率 by its one definition
    (`completion_clauses`), which a bulletin's own pass over the items also counts
    (sections.ledger_figures), so its unit table and its lists quote one figure."""
    if not days:
        return {}
    cuts = [clock.cutoff(day) for day in days]
    st = _stretch(days)
    status, due_date = st.status, st.due_date
    columns = []
    where, counted, add = counted_on_days(days)
    for day, cut in zip(days, cuts):
        on_time, due = completion_clauses(day, status, due_date, st.task_id)
        then = and_(st.at(cut), counted(day))
        columns += [func.sum(case((and_(then, on_time), 1), else_=0)),
                    func.sum(case((and_(then, due), 1), else_=0))]
    rows = read_rows(
        add(st.source.add_columns(*columns))
        .where(where, or_(due_date < max(days), status == "signed_off"))
        .group_by(Task.lead_unit_id))
    out: dict[date, list[tuple[int, int, int]]] = {day: [] for day in days}
    for unit_id, *counts in rows:
        for n, day in enumerate(days):
            on_time, due = counts[2 * n:2 * n + 2]
            if due:
                out[day].append((unit_id, int(on_time), int(due)))
    return out


def completion_clauses(day: date, status, due_date, task_id=Task.id):
    """(completed on time, due): SQL conditions of 按时完成率 as of *day* for an item whose
    status and deadline then are the columns *status*, *due_date* (the caller picks the
    stretch and the counting level). Due once its deadline has passed or once signed off;
    on time when signed off by its deadline; suspended and exempt items neither."""
    judged = and_(status != "suspended", ~exempt_clause(day, task_id))
    on_time = and_(judged, status == "signed_off",
                   local_day_number(Task.signed_off_at) <= day_number(due_date))
    return on_time, and_(judged, or_(due_date < day, status == "signed_off"))


def _ranked(standings: list[Standing]):
    """(standing, rank) with equal keys sharing a rank (1, 1, 3 …)."""
    rank, previous = 0, None
    for position, s in enumerate(standings, start=1):
        if s.key != previous:
            rank, previous = position, s.key
        yield s, rank


def _completion_text(s: Standing) -> str:
    return f"按时完成率{percent_text(s.index)}（按时完成{s.on_time}项/应完成{s.due}项）"


def _red_entry(s: Standing, rank: int, placing: Placing) -> dict[str, Any]:
    series = placing.series[s.unit_id]
    reason = f"{_completion_text(s)}，按时报送率{percent_text(s.discipline)}，在{series}中排名第{rank}"
    return {"unit_id": s.unit_id, "series": series, "task_id": None, "rule": "completion_top",
            "reason": reason, "items": [], "rank": rank, "completion_index": float(s.index),
            "discipline": float(s.discipline)}


def _black_entry(unit_id: int, placing: Placing) -> dict[str, Any]:
    """One line for the unit with all its facts, most serious first."""
    items, weeks = placing.overdue.get(unit_id, []), placing.missed.get(unit_id, [])
    facts, rules = [], []
    if items:
        named = "、".join(f"{i['task_code']}逾期{i['workdays_overdue']}个工作日" for i in items[:3])
        facts.append(f"逾期未完成{len(items)}项（{named}{'等' if len(items) > 3 else ''}）")
        rules.append("overdue_items")
    if weeks:
        facts.append(f"连续{len(weeks)}周存在迟报缺报（累计迟报{sum(w['late'] for w in weeks)}项次、"
                     f"缺报{sum(w['missing'] for w in weeks)}项次，最近为{period_label(weeks[0]['period'])}）")
        rules.append("missed_reports")
    standing = placing.standings.get(unit_id)
    if unit_id in placing.bottom:
        facts.append(f"{_completion_text(standing)}，在{placing.series[unit_id]}中排名倒数第"
                     f"{placing.bottom[unit_id]}")
        rules.append("completion_bottom")
    return {"unit_id": unit_id, "series": placing.series[unit_id], "task_id": None,
            "rule": rules[0], "rules": rules, "reason": "；".join(facts),
            "items": [{"task_id": i["task_id"], "rule": "overdue_items", "reason": i["reason"],
                       "task_code": i["task_code"], "workdays_overdue": i["workdays_overdue"]}
                      for i in items],
            "weeks": len(weeks), "rank": placing.bottom.get(unit_id),
            "completion_index": float(standing.index) if standing else None,
            "discipline": float(standing.discipline) if standing else None}


def _overdue_limit(today: date, workdays: int) -> date:
    """Overdue by more than *workdays* working days as of *today* ⟺ due before this day:
    the (K+1)th working day counting back from today (today included when it is one).
    With 0: due before the latest working day, i.e. overdue at all."""
    latest = today if calendar.is_workday(today) else calendar.add_workdays(today, -1)
    return calendar.add_workdays(latest, -int(workdays))


def _open_on(day: date, st: _Stretch):
    """SQL, over the items' stretches (`_Stretch`): at the end of *day* the item was in
    this stretch, open and not suspended, and not waiting for the office's review of a
    sign-off asked by its deadline (state.awaits_review as it stood then: the stretch in
    待销号 began by the deadline then in force)."""
    return and_(st.at(clock.cutoff(day)), st.status.in_(state.CHASED_STATUSES),
                ~state.awaits_review_clause(st.status, st.since, st.due_date),
                ~exempt_clause(day, st.task_id))


def _sent_back(cut, st: _Stretch):
    """SQL, over the items' stretches: when the item's sign-off, asked by its deadline,
    was last sent back before the instant *cut* (NULL: never). Its overdue clock restarts
    then: the days it waited for the office's review do not count against the unit."""
    r = SignoffRequest
    return (select(func.max(r.decided_at))
            .where(r.task_id == st.task_id, r.status == "rejected", r.decided_at < cut,
                   local_day_number(r.created_at) <= day_number(st.due_date))
            .scalar_subquery())


def _overdue_before(limit: date, day: date, st: _Stretch):
    """SQL: as of *day*, the item's overdue clock (its deadline then in force, or the day
    its timely sign-off was sent back) started before *limit*."""
    # Never sent back reads as a day before any: the subquery is written (and run) once.
    sent_back = func.coalesce(local_day_number(_sent_back(clock.cutoff(day), st)), -10 ** 9)
    return and_(st.due_date < limit, sent_back < day_of(limit))


def _overdue_rows(today: date):
    """(unit_id, task_id, due_date, sent_back, code, title) of the items overdue as of
    *today* (the deadline then in force, or since a timely sign-off was sent back),
    longest overdue first."""
    st = _stretch([today])
    return read_rows(
        st.source.add_columns(Task.id, st.due_date.label("due_date"),
                              type_coerce(_sent_back(clock.cutoff(today), st), UTCDateTime).label("sent_back"),
                              Task.code, Task.title)
        .where(_overdue_before(_overdue_limit(today, 0), today, st), counted_clause(today),
               _open_on(today, st))
        .order_by(st.due_date, Task.id)).all()


def _units_with_overdue(pairs: list[tuple[date, int]]) -> dict[tuple[date, int], set[int]]:
    """{(day, K): lead units with an item overdue by more than K working days as of that
    day (K = 0: overdue at all)}, in one pass over the items' history."""
    pairs = list(dict.fromkeys(pairs))
    if not pairs:
        return {}
    limits = [_overdue_limit(day, workdays) for day, workdays in pairs]
    days = [day for day, _ in pairs]
    where, counted, add = counted_on_days(days)
    st = _stretch(days)
    rows = read_rows(
        add(st.source.add_columns(
            *(func.max(case((and_(_open_on(day, st), _overdue_before(limit, day, st), counted(day)), 1),
                            else_=0))
              for (day, _), limit in zip(pairs, limits))))
        .where(st.due_date < max(limits), st.status.in_(state.CHASED_STATUSES), where)
        .group_by(Task.lead_unit_id))
    out: dict[tuple[date, int], set[int]] = {pair: set() for pair in pairs}
    for unit_id, *flags in rows:
        for pair, flag in zip(pairs, flags):
            if flag:
                out[pair].add(unit_id)
    return out


def overdue_items(today: date, rules: dict[str, Any]) -> tuple[dict[int, list[dict[str, Any]]], set[int]]:
    """({lead unit: its items overdue by more than K working days as of *today*, longest
    first}, the lead units with any item overdue), each item {task_id, task_code,
    workdays_overdue, reason}; an item whose timely sign-off was sent back counts from
    that day. One read of the items overdue at all serves both."""
    rows = _overdue_rows(today)
    limit = _overdue_limit(today, rules["overdue_workdays"])
    days = calendar.WorkdayCounter(rows[0].due_date if rows else today, today)
    out: dict[int, list[dict[str, Any]]] = {}
    units: set[int] = set()
    by_deadline: dict[date, tuple[int, str]] = {}     # many items share a deadline
    resorted = False                                  # rows come longest overdue first
    for unit_id, task_id, due, sent_back, code, title in rows:   # 25,000 at bench scale
        units.add(unit_id)
        if due >= limit:
            continue    # overdue, but not by more than K working days (_overdue_before)
        if sent_back is None:
            known = by_deadline.get(due)
            if known is None:
                n = days.after(due)
                known = by_deadline[due] = (n, f"逾期{n}个工作日（完成时限{cn_date(due)}）")
            n, why = known
        else:
            since = clock.local(sent_back).date()
            if since >= limit:
                continue
            if since > due:
                n, resorted = days.after(since), True
                why = f"逾期{n}个工作日（完成时限{cn_date(due)}，{cn_date(since)}销号申请被退回后重新计算）"
            else:
                n = days.after(due)
                why = f"逾期{n}个工作日（完成时限{cn_date(due)}）"
        items = out.get(unit_id)
        if items is None:
            items = out[unit_id] = []
        items.append({"task_id": task_id, "task_code": code, "workdays_overdue": n,
                      "reason": f"{code} {title}：{why}"})
    if resorted:
        for items in out.values():
            items.sort(key=lambda i: -i["workdays_overdue"])
    return out, units


def _attach_escalation(black: list[dict], earlier: dict[date, tuple[set[int], set[int]]],
                       rules: dict[str, Any]) -> None:
    """Count each black-listed unit's consecutive placings (this one included; counted up
    to the ladder's length, past which the step stays the last) from the *earlier*
    placings, newest first, and propose the step. The office confirms it in the bulletin's
    draft before it is printed."""
    ladder = rules["escalation"]
    streak = {e["unit_id"]: 1 for e in black}
    active = set(streak)
    for _, black_units in earlier.values():
        active &= black_units
        if not active:
            break
        for unit_id in active:
            streak[unit_id] += 1
    for entry in black:
        n = streak[entry["unit_id"]]
        entry["consecutive"] = n
        entry["escalation"] = ladder[min(n, len(ladder)) - 1]
        entry["escalation_reason"] = f"连续第{n}次上黑榜"


def previous_placing(day: date, cycle: str) -> date:
    """The as-of date of the placing before the one as of *day*: the previous month's
    last day, or a week earlier."""
    if cycle == "week":
        return day - timedelta(days=7)
    return day.replace(day=1) - timedelta(days=1)


def _name_units(entries: list[dict]) -> None:
    names = unit_names({e["unit_id"] for e in entries})
    for entry in entries:
        entry["unit_name"] = names.get(entry["unit_id"], "")
