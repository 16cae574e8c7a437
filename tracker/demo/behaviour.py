"""How bench items advance week by week: the bench generator's behaviour model, so that
the reports tell each item's fate ahead of time about as well (and as badly) as real ones.
bench/README.md ("Forecast backtest") measures the forecasts against it.

Every item follows its plan, the straight line from its start (0%) to its deadline (100%),
bent by a pace of its own, until its fate takes over:
- finished on time (signed off by the deadline): reaches 100% on the day it was signed off,
  at a steady pace (an S-bend of exponent 0.8–1.25 drawn per item);
- ended overdue (open past its deadline, or awaiting a sign-off asked after it), by one of
  three behaviours drawn per item:
  - `slow` (45%): a steady pace too slow from the start, reaching today's figure today;
  - `stall` (35%): on plan until it reaches today's figure, then no further advance;
  - `slip` (20%): on plan (or ahead) until three weeks before the deadline, then slows to
    today's figure: the late cases no trend can see two weeks ahead;
- still open and not yet due: a steady pace reaching today's figure today.
Each report adds noise of up to ±3 points and never goes below the item's previous report
(units do not report going backwards).
"""
from __future__ import annotations

import random
from datetime import date, timedelta

BEHAVIOURS = (("slow", 0.45), ("stall", 0.35), ("slip", 0.20))
SLIP_WEEKS = 3
NOISE = 3


def fate(task: dict, today: date) -> str:
    """on_time | late | open: how the item ends (or stands) on the bench's *today*."""
    signed = task.get("signed_off_at")
    if signed is not None:
        return "on_time"
    if task["due_date"] < today and task["status"] != "suspended":
        return "late"
    return "open"


def draw(rng: random.Random, task: dict, today: date) -> dict:
    """The item's behaviour parameters, drawn once per item."""
    names, weights = zip(*BEHAVIOURS)
    return {"fate": fate(task, today), "shape": rng.uniform(0.8, 1.25),
            "behaviour": rng.choices(names, weights)[0]}


def progress_at(task: dict, model: dict, day: date, today: date) -> float:
    """The item's true progress on *day* (before noise)."""
    start, due = task["start_date"], task["due_date"]
    final = float(task["progress"])
    if day <= start:
        return 0.0
    if model["fate"] == "on_time":
        done = task["signed_off_at"].date()
        return 100.0 * min(1.0, ((day - start).days / max((done - start).days, 1)) ** model["shape"])
    if model["fate"] == "open":
        return final * min(1.0, (day - start).days / max((today - start).days, 1))
    if task["status"] == "signoff_requested":   # asked after its deadline: finished late
        final = 100.0
    plan = 100.0 * min(1.0, (day - start).days / max((due - start).days, 1))
    behaviour = model["behaviour"]
    if behaviour == "slow":
        return final * min(1.0, (day - start).days / max((today - start).days, 1))
    if behaviour == "stall":
        return min(plan, final)
    turn = due - timedelta(weeks=SLIP_WEEKS)
    if day <= turn:
        return min(plan, 99.0)
    at_turn = min(100.0 * (turn - start).days / max((due - start).days, 1), 99.0)
    low = min(at_turn, final)
    return low + (final - low) * min(1.0, (day - turn).days / max((today - turn).days, 1))


def reported(rng: random.Random, task: dict, model: dict, day: date, today: date, last: int) -> int:
    """What the unit reports for the period ending *day*: the truth with noise, never less
    than *last*, never 100 before the item is done."""
    value = progress_at(task, model, day, today) + rng.uniform(-NOISE, NOISE)
    ceiling = 100 if model["fate"] == "on_time" and day >= task["signed_off_at"].date() else 99
    return int(max(last, min(ceiling, round(value)), 0))
