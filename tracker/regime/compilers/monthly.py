"""The monthly bulletin (月通报): overall progress, units, the red/black list, problems to
coordinate and next month's items due."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tracker.regime.compilers import sections
from tracker.regime.redblack import redblack, report_summaries
from tracker.reports.cycles import rated_periods, report_periods
from tracker.reports.periods import period_bounds, period_of


def compile_monthly(period: str, first: date, last: date, as_of: date) -> dict[str, Any]:
    summaries = report_summaries(as_of)
    stats = sections.overall(as_of, rated_periods(first, last, as_of), summaries)
    units, chart = sections.unit_table(as_of, stats)
    next_first, next_last = period_bounds(period_of(last + timedelta(days=1), "monthly"))
    return {
        "title": f"{first.year}年{first.month}月工作推进情况通报", "chart": chart,
        "sections": [
            sections.overall_section("overall", "一、总体进展", stats, as_of, "本月"), units,
            *sections.redblack_sections(redblack(as_of, summaries), "三、红榜", "四、黑榜"),
            sections.problems_section("problems", "五、需协调解决的问题", report_periods(first, last)),
            sections.items_due_section("next", "六、下月工作重点", next_first, next_last),
        ]}
