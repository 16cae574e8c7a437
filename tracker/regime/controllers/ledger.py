"""The ledger as filtered on its page, as .xlsx (the ledger's page links here)."""
from __future__ import annotations

from flask_login import login_required

from tracker.ledger.views import filtered, index
from tracker.responses import download


@login_required
def ledger_xlsx():
    """Every row of the ledger's current filter, in the page's columns: the office and
    leaders export the whole ledger, a unit its own items (the page's scope, task_query)."""
    form, query, today = filtered()
    if form.errors:  # the page says what is wrong with the filter
        return index()
    from tracker.regime.documents.ledger import ledger_xlsx as workbook  # openpyxl on first use

    return download(workbook(query, today), f"ledger-{today.isoformat()}.xlsx")
