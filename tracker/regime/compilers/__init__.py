"""Compiling bulletins, one module per document: the weekly dispatch, monthly bulletin,
quarterly review and annual evaluation, each as of the end of its period (or today, if the
period is still running). `sections` holds the building blocks they share."""
from __future__ import annotations

from datetime import date
from typing import Any

from tracker import clock, validation
from tracker.labels import BULLETIN_KINDS
from tracker.regime.compilers import sections
from tracker.regime.compilers.annual import compile_annual
from tracker.regime.compilers.monthly import compile_monthly
from tracker.regime.compilers.quarterly import compile_quarterly
from tracker.regime.compilers.weekly import compile_weekly
from tracker.reports.periods import parse_period, period_bounds

COMPILERS = {"weekly": compile_weekly, "monthly": compile_monthly,
             "quarterly": compile_quarterly, "annual": compile_annual}


def period_span(kind: Any, period: Any) -> tuple[date, date]:
    """First and last day of a bulletin period; 400 naming the field when malformed."""
    validation.one_of(kind, BULLETIN_KINDS, "kind")
    parse_period(period, kinds=(kind,))
    return period_bounds(period)


def compile_content(kind: str, period: str, today: date | None = None) -> dict[str, Any]:
    """The bulletin's content as of the end of its period, or *today* if sooner (a weekly
    dispatch: as of *today*)."""
    first, last = period_span(kind, period)
    # A week's reports are due in the week after it, so the dispatch judges it as of today.
    as_of = clock.today(today) if kind == "weekly" else min(last, clock.today(today))
    body = COMPILERS[kind](period, first, last, as_of)
    # A compiler that counted the ledger's figures already hands over their summary.
    summary = body.pop("summary", None) or sections.summary(as_of)
    return {"kind": kind, "period": period, "as_of": as_of.isoformat(),
            "compiled_at": clock.local(clock.now()).isoformat(), "chart": None,
            "summary": summary, **body}
