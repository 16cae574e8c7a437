"""Scheduled jobs that compile drafts for the office: the monthly bulletin, the quarterly
review and the annual evaluation, each for the period that has just ended."""
from __future__ import annotations

from datetime import date, timedelta

from tracker.models import BULLETIN_KINDS
from tracker.notify.outbox import enqueue_for_office
from tracker.regime.bulletins import bulletin_url, create_draft

DRAFT_RULE = "bulletin-draft"


def monthly_bulletin(as_of: date, **_) -> dict[str, int]:
    last_month = as_of.replace(day=1) - timedelta(days=1)
    return _draft("monthly", f"{last_month.year}-{last_month.month:02d}")


def quarterly_review(as_of: date, **_) -> dict[str, int]:
    last_quarter = date(as_of.year, (as_of.month - 1) // 3 * 3 + 1, 1) - timedelta(days=1)
    return _draft("quarterly", f"{last_quarter.year}-Q{(last_quarter.month + 2) // 3}")


def annual_evaluation(as_of: date, **_) -> dict[str, int]:
    return _draft("annual", str(as_of.year - 1))


def _draft(kind: str, period: str) -> dict[str, int]:
    """Compile the period's draft (or find the open one) and tell the office once."""
    draft, created = create_draft(None, kind, period)
    title = f"{period}{BULLETIN_KINDS[kind]}草稿已生成"
    notices = enqueue_for_office(DRAFT_RULE, f"bulletin-draft-{draft.id}", period, title,
                                 f"{title}，请审核、编辑导语和点评后发布。", bulletin_url(draft))
    return {"drafts": int(created), "notices": notices}
