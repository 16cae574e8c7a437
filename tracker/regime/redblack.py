"""The red/black list (红黑榜) as of any date, by the configured rule set.

Units are ranked by their completion index: items completed on time ÷ items due. An item
counts as due once its deadline has passed or once it is signed off, so completing early
counts as on time and an item neither due nor done counts neither way. Reporting
discipline (on-time report rate) breaks ties. Item-level black entries name items overdue
by more than K working days; unit-level ones name units late with reports week after
week. Consecutive black placings per unit pick the step of the escalation ladder.

The rule set: `[redblack] preset` names one of PRESETS; `[redblack] overrides` replaces
any of its keys. docs/regime.md describes each preset and key.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from functools import cached_property
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, func, or_, select

from tracker import calendar, clock
from tracker.accounts.lookups import unit_names
from tracker.calendar.sql import day_number, local_day_number
from tracker.config import ConfigError
from tracker.extensions import db
from tracker.ledger import state
from tracker.models import Task
from tracker.reports import cycles


PRESETS: dict[str, dict[str, Any]] = {
    # What most city offices publish monthly: top 3 and bottom 3 by completion index,
    # items more than 10 working days late, units late with reports two weeks running.
    "standard": {
        "red_top": 3, "black_bottom": 3, "black_below": 1.0, "overdue_workdays": 10,
        "missed_report_weeks": 2, "discipline_weeks": 4, "cycle": "month",
        "escalation": ["约谈分管领导", "组织部门约谈", "启动问责"],
    },
    # Offices under pressure to close the year: a longer black list, a shorter fuse.
    "strict": {
        "red_top": 3, "black_bottom": 5, "black_below": 1.0, "overdue_workdays": 5,
        "missed_report_weeks": 1, "discipline_weeks": 4, "cycle": "month",
        "escalation": ["约谈分管领导", "组织部门约谈", "启动问责"],
    },
    # Weekly dispatch offices: placings counted per week, only the worst named.
    "weekly": {
        "red_top": 5, "black_bottom": 1, "black_below": 0.8, "overdue_workdays": 15,
        "missed_report_weeks": 3, "discipline_weeks": 2, "cycle": "week",
        "escalation": ["书面督办", "约谈分管领导", "组织部门约谈", "启动问责"],
    },
}
CYCLES = ("month", "week")


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
    """A unit's place in the completion ranking."""

    unit_id: int
    on_time: int
    due: int
    reported: int
    owed: int

    @cached_property
    def index(self) -> Fraction:
        return Fraction(self.on_time, self.due)

    @cached_property
    def discipline(self) -> Fraction:
        """On-time report rate; a unit that owed nothing has a clean record."""
        return Fraction(self.reported, self.owed) if self.owed else Fraction(1)

    @cached_property
    def key(self) -> tuple[float, float]:
        """(index, discipline) as floats, which order these shares exactly: with counts
        below 2**26, two different shares differ by more than their rounding and equal
        shares round alike. Ranking 2,000 units for each month of a year compares keys
        hundreds of thousands of times, a second's work with Fractions."""
        return self.on_time / self.due, (self.reported / self.owed if self.owed else 1.0)


def report_summaries(today: date) -> cycles.Summaries:
    """The closed weeks' report summaries the list as of *today* looks at, newest first."""
    rules = rule_set()
    return cycles.recent_summaries(today, max(
        cycles.MAX_STREAK_WEEKS, rules["discipline_weeks"], rules["missed_report_weeks"]))


def redblack(as_of: date | None = None,
             summaries: cycles.Summaries | None = None) -> dict[str, Any]:
    """{as_of, preset, red: [entry], black: [entry]}; each entry names its unit, item (or
    None), rule and a Chinese reason, black entries also the escalation step. *summaries*:
    report_summaries(as_of), when the caller has them already."""
    today = clock.today(as_of)
    rules = rule_set()
    if summaries is None:
        summaries = report_summaries(today)
    red, bottom = _rank_entries(completion_standings(today, rules, summaries), rules)
    black = bottom + _missed_report_entries(summaries, rules) + overdue_entries(today, rules)
    _attach_escalation(black, today, rules)
    _name_units(red + black)
    return {"as_of": today.isoformat(), "preset": rules["preset"], "red": red, "black": black}


def placings(days: list[date], rules: dict[str, Any]) -> dict[date, tuple[set[int], set[int]]]:
    """{day: (red units, black units)}: the placing as of each of *days*, all counted
    together: the report summaries of every placing's recent closed weeks in one call, the
    standings and the overdue items in one pass over the tasks each. Missed-report streaks
    are looked for just far enough back to qualify."""
    if not days:
        return {}
    weeks = rules["missed_report_weeks"]
    windows = {day: cycles.closed_periods(day, max(weeks, rules["discipline_weeks"]))
               for day in days}
    views = cycles.view_summaries([(p, day) for day, periods in windows.items() for p in periods])
    counts = _completion_counts(list(windows))
    overdue = _overdue_units(list(windows), rules)
    out = {}
    for day, periods in windows.items():
        summaries = {period: views[(period, day)] for period in periods}
        red, bottom = _rank_entries(_standings(counts[day], summaries, rules), rules)
        black = {e["unit_id"] for e in bottom} | overdue[day]
        black |= set(cycles.missed_streaks(summaries, weeks))
        out[day] = ({e["unit_id"] for e in red}, black)
    return out


def completion_standings(today: date, rules: dict[str, Any],
                         summaries: cycles.Summaries) -> list[Standing]:
    """Each lead unit with anything due, best first (index, then discipline taken over the
    newest `discipline_weeks` of *summaries*, the recent closed periods)."""
    return _standings(_completion_counts([today])[today], summaries, rules)


def _standings(counts: list[tuple[int, int, int]], summaries: cycles.Summaries,
               rules: dict[str, Any]) -> list[Standing]:
    rates = cycles.on_time_rates(cycles.newest(summaries, rules["discipline_weeks"]))
    standings = [Standing(unit_id, on_time, due, *rates.get(unit_id, (0, 0)))
                 for unit_id, on_time, due in counts]
    return sorted(standings, key=lambda s: (s.key, -s.unit_id), reverse=True)


def _completion_counts(days: list[date]) -> dict[date, list[tuple[int, int, int]]]:
    """{day: [(lead unit, items completed on time, items due)]} for the units with anything
    due as of each day, in one pass over the tasks (two columns per day)."""
    cuts = [cycles.cutoff(day) for day in days]
    columns = []
    for day, cut in zip(days, cuts):
        done = Task.signed_off_at < cut
        on_time = and_(done, local_day_number(Task.signed_off_at) <= day_number(Task.due_date))
        columns += [func.sum(case((on_time, 1), else_=0)),
                    func.sum(case((or_(Task.due_date < day, done), 1), else_=0))]
    rows = db.session.execute(
        select(Task.lead_unit_id, *columns)
        .where(state.judged_clause(),
               or_(Task.due_date < max(days), Task.signed_off_at < max(cuts)))
        .group_by(Task.lead_unit_id))
    out: dict[date, list[tuple[int, int, int]]] = {day: [] for day in days}
    for unit_id, *counts in rows:
        for n, day in enumerate(days):
            on_time, due = counts[2 * n:2 * n + 2]
            if due:
                out[day].append((unit_id, int(on_time), int(due)))
    return out


def _rank_entries(standings: list[Standing], rules: dict[str, Any]) -> tuple[list, list]:
    """Red: the top N with ties; black: the bottom M with ties among the rest."""
    eligible_red = [s for s in standings if s.on_time > 0]
    red = [_rank_entry(s, rank, "completion_top", f"排名第{rank}")
           for s, rank in _ranked(eligible_red) if rank <= rules["red_top"]]
    red_ids = {e["unit_id"] for e in red}
    below = Fraction(str(rules["black_below"]))
    rest = [s for s in reversed(standings)
            if s.unit_id not in red_ids and s.index < below]
    bottom = [_rank_entry(s, rank, "completion_bottom", f"排名倒数第{rank}")
              for s, rank in _ranked(rest) if rank <= rules["black_bottom"]]
    return red, bottom


def _ranked(standings: list[Standing]):
    """(standing, rank) with equal keys sharing a rank (1, 1, 3 …)."""
    rank, previous = 0, None
    for position, s in enumerate(standings, start=1):
        if s.key != previous:
            rank, previous = position, s.key
        yield s, rank


def _rank_entry(s: Standing, rank: int, rule: str, place: str) -> dict[str, Any]:
    reason = (f"完成率{percent_text(s.index)}（按时完成{s.on_time}项/应完成{s.due}项），"
              f"按时报送率{percent_text(s.discipline)}，{place}")
    return {"unit_id": s.unit_id, "task_id": None, "rule": rule, "reason": reason,
            "rank": rank, "completion_index": float(s.index), "discipline": float(s.discipline)}


def _missed_report_entries(summaries: cycles.Summaries, rules: dict[str, Any]) -> list[dict]:
    streaks = cycles.missed_streaks(summaries, rules["missed_report_weeks"])
    entries = []
    for unit_id, weeks in sorted(streaks.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        last = weeks[0]
        reason = (f"连续{len(weeks)}周未按时报送（{last['period']}迟报{last['late']}项、"
                  f"缺报{last['missing']}项）")
        entries.append({"unit_id": unit_id, "task_id": None, "rule": "missed_reports",
                        "reason": reason, "weeks": len(weeks)})
    return entries


def _overdue_limit(today: date, rules: dict[str, Any]) -> date:
    """Overdue by more than K working days as of *today* ⟺ due before this day: the
    (K+1)th working day counting back from today (today included when it is one)."""
    latest = today if calendar.is_workday(today) else calendar.add_workdays(today, -1)
    return calendar.add_workdays(latest, -int(rules["overdue_workdays"]))


def _still_open(today: date):
    """SQL condition: the item was not signed off by the end of *today*."""
    return or_(Task.signed_off_at.is_(None), Task.signed_off_at >= cycles.cutoff(today))


def _overdue_rows(today: date, rules: dict[str, Any]):
    """(unit_id, task_id, due_date, code, title) of items overdue by more than K working
    days as of *today*, longest overdue first."""
    return db.session.execute(
        select(Task.lead_unit_id, Task.id, Task.due_date, Task.code, Task.title)
        .where(Task.due_date < _overdue_limit(today, rules), state.judged_clause(),
               _still_open(today))
        .order_by(Task.due_date, Task.id)).all()


def _overdue_units(days: list[date], rules: dict[str, Any]) -> dict[date, set[int]]:
    """{day: lead units with an item overdue by more than K working days as of that day},
    in one pass over the tasks."""
    limits = [_overdue_limit(day, rules) for day in days]
    rows = db.session.execute(
        select(Task.lead_unit_id, *(func.max(case((and_(Task.due_date < limit, _still_open(day)), 1),
                                                  else_=0)) for day, limit in zip(days, limits)))
        .where(Task.due_date < max(limits), state.judged_clause())
        .group_by(Task.lead_unit_id))
    out: dict[date, set[int]] = {day: set() for day in days}
    for unit_id, *flags in rows:
        for day, flag in zip(days, flags):
            if flag:
                out[day].add(unit_id)
    return out


def overdue_entries(today: date, rules: dict[str, Any]) -> list[dict[str, Any]]:
    rows = _overdue_rows(today, rules)
    days = calendar.WorkdayCounter(rows[0].due_date if rows else today, today)
    return [{"unit_id": r.lead_unit_id, "task_id": r.id, "rule": "overdue_items",
             "reason": f"{r.code} {r.title}：逾期{days.after(r.due_date)}个工作日（完成时限{r.due_date}）",
             "task_code": r.code, "workdays_overdue": days.after(r.due_date)} for r in rows]


def _attach_escalation(black: list[dict], today: date, rules: dict[str, Any]) -> None:
    """Count each black-listed unit's consecutive placings (this one included; counted up
    to the ladder's length, past which the step stays the last) and attach the step."""
    ladder = rules["escalation"]
    streak = {e["unit_id"]: 1 for e in black}
    active = set(streak)
    days = [today]
    for _ in range(len(ladder) - 1):
        days.append(previous_placing(days[-1], rules["cycle"]))
    for _, black_units in (placings(days[1:], rules) if active else {}).values():
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
    ids = {e["unit_id"] for e in entries}
    names = unit_names(ids)
    for entry in entries:
        entry["unit_name"] = names.get(entry["unit_id"], "")


def percent_text(value: Fraction | float) -> str:
    """A share as 中文 percent text: 1 → "100%", 2/3 → "66.7%"."""
    text = f"{float(value) * 100:.1f}".removesuffix(".0")
    return f"{text}%"
