"""The regime's scheduled jobs: drafts compiled for the office (the monthly bulletin, the
quarterly review and the annual evaluation, each for the period that has just ended) and,
nightly, the red/black placings that later lists and the evaluation look back at, counted
and kept (`keep-placings`). `register` adds them to the job registry."""
from __future__ import annotations

from datetime import date

from tracker.jobs import fires, registry
from tracker.labels import BULLETIN_KINDS
from tracker.notify.outbox import enqueue_for_office
from tracker.regime.bulletins import bulletin_url, create_draft
from tracker.regime.redblack import keep_placings
from tracker.reports.periods import previous_period

DRAFT_RULE = "bulletin-draft"


def monthly_bulletin(as_of: date, **_) -> dict[str, int]:
    return _draft("monthly", previous_period(as_of, "monthly"))


def quarterly_review(as_of: date, **_) -> dict[str, int]:
    return _draft("quarterly", previous_period(as_of, "quarterly"))


def annual_evaluation(as_of: date, **_) -> dict[str, int]:
    return _draft("annual", previous_period(as_of, "annual"))


def placings(as_of: date, **_) -> dict[str, int]:
    return keep_placings(as_of)


def _draft(kind: str, period: str) -> dict[str, int]:
    """Compile the period's draft (or find the open one) and tell the office once."""
    draft, created = create_draft(None, kind, period)
    title = f"{period}{BULLETIN_KINDS[kind]}草稿已生成"
    notices = enqueue_for_office(DRAFT_RULE, f"bulletin-draft-{draft.id}", period, title,
                                 f"{title}，请审核、编辑导语和点评后发布。", bulletin_url(draft))
    return {"drafts": int(created), "notices": notices}


def register() -> None:
    """Add the regime's jobs to the registry (API.md names them)."""
    registry.add("monthly-bulletin", monthly_bulletin, fires.first_workday_of_month)
    registry.add("quarterly-review", quarterly_review, fires.first_workday_of_quarter)
    registry.add("annual-evaluation", annual_evaluation, fires.first_workday_of_year)
    registry.add("keep-placings", placings, fires.always)
