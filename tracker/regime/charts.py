"""The dashboard's regime charts: lights by unit, completion trend by month, overdue by unit.

Each is one SQL aggregate over the tasks the user may see. Lights run the light rules over
every item, so the figures are kept for a few minutes per app, scope and day.
"""
from __future__ import annotations

from datetime import date, time
from time import monotonic
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, func, select

from tracker import clock
from tracker.accounts.lookups import unit_names
from tracker.accounts.permissions import visible_to
from tracker.extensions import db
from tracker.ledger import state
from tracker.ledger.lights import light_counts
from tracker.models import Task, User

TOP_UNITS = 12
MONTHS = 12
CACHE_SECONDS = 300
MIDNIGHT = time(0, 0)


def dashboard_charts(user: User) -> dict[str, Any]:
    """{"lights": [{label, green, yellow, red}], "trend": [bar], "overdue": [bar]} as of
    today, for the tasks *user* may see."""
    today = clock.today()
    scope = None if user.is_office or user.is_leader else user.unit_id
    cache = current_app.extensions.setdefault("regime_charts", {})
    key = (scope, today)
    hit = cache.get(key)
    if hit is None or hit[0] < monotonic():
        cache[key] = hit = (monotonic() + CACHE_SECONDS, {
            "lights": lights_by_unit(user, today), "trend": completion_trend(user, today),
            "overdue": overdue_by_unit(user, today)})
    return hit[1]


def lights_by_unit(user: User, today: date) -> list[dict[str, Any]]:
    """The units with the most red, then yellow, lights."""
    units = light_counts(visible_to(user, select(Task)), today)["units"]
    top = sorted(units, key=lambda u: (-u["red"], -u["yellow"], u["unit_id"]))[:TOP_UNITS]
    names = unit_names(u["unit_id"] for u in top)
    return [{**u, "label": names.get(u["unit_id"], "")} for u in top]


def completion_trend(user: User, today: date) -> list[dict[str, Any]]:
    """Items signed off in each of the last twelve months (this one included)."""
    firsts = [_month_start(today, back) for back in range(MONTHS - 1, -1, -1)]
    bounds = [clock.local_datetime(day, MIDNIGHT) for day in firsts]
    bounds.append(clock.local_datetime(_month_start(today, -1), MIDNIGHT))
    columns = [func.sum(case((and_(Task.signed_off_at >= start, Task.signed_off_at < end), 1),
                             else_=0)) for start, end in zip(bounds, bounds[1:])]
    row = db.session.execute(visible_to(user, select(*columns).where(
        Task.signed_off_at >= bounds[0]))).one()
    return [{"label": f"{day.year}-{day.month:02d}", "value": int(n or 0), "color": "#2f855a"}
            for day, n in zip(firsts, row)]


def overdue_by_unit(user: User, today: date) -> list[dict[str, Any]]:
    """The lead units with the most overdue items they answer for (not suspended, not
    waiting for the office's review: `state.answerable_overdue_clause`)."""
    n = func.count().label("n")
    rows = db.session.execute(visible_to(user, select(Task.lead_unit_id, n).where(
        state.answerable_overdue_clause(today)))
        .group_by(Task.lead_unit_id).order_by(n.desc(), Task.lead_unit_id).limit(TOP_UNITS)).all()
    names = unit_names(unit_id for unit_id, _ in rows)
    return [{"label": names.get(unit_id, ""), "value": count, "color": "#c53030"}
            for unit_id, count in rows]


def _month_start(today: date, back: int) -> date:
    """The first day of the month *back* months before *today*'s (negative: after)."""
    index = today.year * 12 + today.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)
