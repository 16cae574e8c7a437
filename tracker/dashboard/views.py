"""The office dashboard (首页) and a unit's home page."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import clock
from tracker.accounts.permissions import require_view_unit
from tracker.dashboard import stats, workbench
from tracker.foresight import forecast
from tracker.labels import STATUSES
from tracker.labels import label
from tracker.lookup import require
from tracker.models import Unit
from tracker.paging import paginate

bp = Blueprint("dashboard", __name__)
PER_PAGE = 30
LATE_SHOWN = 20
COLORS = {"not_started": "#a0aec0", "in_progress": "#2b6cb0", "signoff_requested": "#d69e2e",
          "signed_off": "#2f855a", "suspended": "#718096", "overdue": "#c53030"}


@bp.route("/")
@login_required
def home():
    """Office and leaders get the dashboard; a unit's liaison goes to the unit's home."""
    if not (current_user.is_office or current_user.is_leader):
        return redirect(url_for("dashboard.unit_home", unit_id=current_user.unit_id))
    today = clock.today()
    totals = stats.office_totals(today)
    units = stats.unit_page(today, PER_PAGE)
    late, late_total = forecast.late_items(today, LATE_SHOWN)
    return render_template("dashboard/home.html", today=today, totals=totals, units=units,
                           late=late, late_total=late_total,
                           status_bars=_status_bars(totals),
                           rate_bars=[{"label": row.name, "value": row.rate, "color": COLORS["signed_off"]}
                                      for row in units.items])


def _status_bars(totals: dict[str, int]) -> list[dict]:
    bars = [{"label": label("status", s), "value": totals[s], "color": COLORS[s]} for s in STATUSES]
    return bars + [{"label": _("逾期"), "value": totals["overdue"], "color": COLORS["overdue"]}]


@bp.route("/units/<int:unit_id>/home")
@login_required
def unit_home(unit_id: int):
    """A unit's workbench and its items, overdue first; office and leaders may look at any
    unit, and only the unit's own people get the links that act (report, ask sign-off)."""
    unit = require(Unit, unit_id)
    require_view_unit(current_user, unit.id)
    today = clock.today()
    tasks = paginate(stats.unit_home_query(current_user, unit.id, today), PER_PAGE)
    own = current_user.unit_id == unit.id and not (current_user.is_leader or current_user.is_office)
    return render_template("dashboard/unit_home.html", unit=unit, today=today, tasks=tasks,
                           totals=stats.unit_totals(unit.id, today),
                           bench=workbench.workbench(unit.id, today), own=own,
                           horizon=workbench.horizon())
