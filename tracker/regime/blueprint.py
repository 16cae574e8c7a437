"""The regime's blueprint: every page's URL, routed to its controller (as Indico routes
a module's URLs in one place), and the dashboard's regime charts."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from tracker.regime import charts
from tracker.regime.controllers import bulletins, dispatch, ledger, scores

bp = Blueprint("regime", __name__, url_prefix="/regime")

GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]
ROUTES = (
    # bulletins (通报)
    ("/", "index", bulletins.index, GET),
    ("/bulletins", "compile_draft", bulletins.compile_draft, POST),
    ("/bulletins/<int:bulletin_id>", "show", bulletins.show, GET),
    ("/bulletins/<int:bulletin_id>/edit", "edit", bulletins.edit, BOTH),
    ("/bulletins/<int:bulletin_id>/compile", "recompile", bulletins.recompile, POST),
    ("/bulletins/<int:bulletin_id>/compile", "recompile_confirm", bulletins.recompile_confirm, GET),
    ("/bulletins/<int:bulletin_id>/escalations", "escalations", bulletins.escalations, POST),
    ("/bulletins/<int:bulletin_id>/publish", "publish", bulletins.publish, POST),
    ("/bulletins/<int:bulletin_id>/document.docx", "document", bulletins.document, GET),
    ("/bulletins/<int:bulletin_id>/table.xlsx", "table", bulletins.table, GET),
    # the weekly dispatch (周调度)
    ("/dispatch", "dispatch_page", dispatch.dispatch_page, BOTH),
    ("/dispatch/<period>.xlsx", "dispatch_xlsx", dispatch.dispatch_xlsx, GET),
    # scores (红黑榜, 亮灯, 年考评)
    ("/redblack", "redblack_page", scores.redblack_page, GET),
    ("/lights", "lights", scores.lights, GET),
    ("/evaluation", "evaluation", scores.evaluation, BOTH),
    ("/evaluation/<int:year>.xlsx", "evaluation_xlsx", scores.evaluation_xlsx, GET),
    # the ledger page's rows as .xlsx
    ("/ledger.xlsx", "ledger_xlsx", ledger.ledger_xlsx, GET),
)
for rule, endpoint, view, methods in ROUTES:
    bp.add_url_rule(rule, endpoint, view, methods=methods)


@bp.app_template_global("regime_dashboard_charts")
def dashboard_charts():
    """The dashboard's regime charts (templates/regime/_dashboard_charts.html)."""
    return charts.dashboard_charts(current_user)
