"""The forecast itself, free of the database: from an item's progress points, when it
reaches completion and how sure that is. The bench backtest calls the same function.

Method (docs in bench/README.md, "Forecast backtest"):
- points are (period end date, share done in %): the lead unit's latest report per period,
  by the period each report describes; the share is the cumulative actual against the
  quantified target where at least two reports give one (basis `target`), else the
  reported percentage (basis `progress`);
- fewer than `min_reports` periods: no forecast (None);
- the latest share at 100: basis `done`, projected on the period it was reported done;
- otherwise the Theil–Sen slope (scipy.stats.theilslopes: the median of pairwise slopes,
  robust to a mistyped report) over the last `window` periods, projected from the latest
  point; no advance (slope ≤ 0): the milestone plan, when the item stands at or above it
  (a flat stretch the plan foresees: projected on its deadline, basis `milestones`), else
  basis `stalled` with no projected date;
- confidence from the slope's 90% interval: `high` when its lower end still finishes within
  twice the time, from five periods; `low` with fewer than three periods or an interval
  reaching no advance; else `medium`.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# Projections further out than this are clamped (an advance of a point a year is "never").
HORIZON = timedelta(days=3 * 365)


@dataclass(frozen=True)
class Point:
    day: date            # the end of the period the report describes
    progress: int        # reported %
    actual: float | None = None  # cumulative actual value, when reported


@dataclass(frozen=True)
class Fit:
    basis: str
    projected_date: date | None
    confidence: str
    reports: int
    slope: float | None  # points per day


def forecast(points: Sequence[Point], *, target: float | None, window: int, min_reports: int = 2,
             plan: Callable[[date], int] | None = None, due: date | None = None) -> Fit | None:
    """The forecast from *points* (one per period, any order); *plan(day)* gives 序时进度 of
    the milestone plan on a day, when the item has milestones, and *due* its deadline."""
    points = sorted(points, key=lambda p: p.day)
    if len(points) < max(min_reports, 2):
        return None
    with_actual = [p for p in points if p.actual is not None]
    if target and target > 0 and len(with_actual) >= 2:
        basis, series = "target", [(p.day, min(100.0, 100.0 * p.actual / target)) for p in with_actual]
    else:
        basis, series = "progress", [(p.day, float(p.progress)) for p in points]
    last_day, last = series[-1]
    if last >= 100 or points[-1].progress >= 100:
        return Fit("done", points[-1].day if points[-1].progress >= 100 else last_day, "high",
                   len(points), None)
    recent = series[-window:]
    slope, low = _theil_sen(recent)
    n = len(recent)
    if slope <= 0:
        if plan is not None and last >= plan(last_day):
            return Fit("milestones", due, "low", n, slope)
        return Fit("stalled", None, "medium" if n >= 3 else "low", n, slope)
    projected = last_day + min(timedelta(days=round((100 - last) / slope)), HORIZON)
    if n < 3 or low <= 0:
        confidence = "low"
    elif n >= 5 and low * 2 >= slope:
        confidence = "high"
    else:
        confidence = "medium"
    return Fit(basis, projected, confidence, n, slope)


def _theil_sen(series: list[tuple[date, float]]) -> tuple[float, float]:
    """(slope, lower end of its 90% interval) in points per day."""
    from scipy.stats import theilslopes  # heavy: only when a forecast is computed

    x = [d.toordinal() for d, _ in series]
    y = [v for _, v in series]
    result = theilslopes(y, x, alpha=0.90)
    return float(result.slope), float(result.low_slope)
