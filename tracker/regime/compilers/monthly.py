"""The monthly bulletin (月通报), written as an office writes one: 导语; 一、总体情况 at one
level with its 口径; 二、各单位推进情况 ranked per series (附件1); 三、红榜 and 四、黑榜, one
row per unit; 五、存在问题 from the problem ledger by category; 六、下步工作 as 一是、二是…, with next month's items due
(附件2). Every figure is as the ledger stood at the end of the month (or today, if sooner),
and every reporting figure is over one window: the closed weeks due in the month (and, with the
monthly cycle on, the months whose reports fell due in it), the red/black list included."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import current_app

from tracker import calendar
from tracker.clock import cn_date
from tracker.foresight import documents as problem_ledger
from tracker.regime.compilers import sections
from tracker.regime.compilers.sections import ORDINALS
from tracker.regime.redblack import gather, redblack
from tracker.reports.cycles import rated_periods
from tracker.reports.periods import period_bounds, period_of


def compile_monthly(period: str, first: date, last: date, as_of: date) -> dict[str, Any]:
    cfg = current_app.config["SETTINGS"]["documents"]
    # One pass over the items gives the figures and the lists' completion counts; it runs
    # aside while the problems are read.
    pending = sections.start_ledger_figures(as_of)
    problems = problem_ledger.ledger_groups(as_of)
    figures = pending()
    facts = gather(as_of, figures["completion"])
    window = rated_periods(first, last, as_of)
    stats = sections.overall(as_of, window, facts.summaries(as_of), figures)
    units, chart = sections.unit_table(as_of, stats, facts.counts[as_of])
    lists = redblack(as_of, facts, discipline={p: stats["summaries"][p] for p in window})
    next_first, next_last = period_bounds(period_of(last + timedelta(days=1), "monthly"))
    due_next = sections.items_due_section("due_next", "下月到期事项", next_first, next_last, as_of)
    due_next["annex"] = True
    month = f"{first.year}年{first.month}月"
    return {
        "title": f"关于{month}{cfg['programme']}工作推进情况的通报", "chart": chart,
        "summary": sections.summary_of(stats, as_of),
        "opening": (f"为推动{cfg['programme']}各项任务落地见效，按照“周调度、月通报、季推进、年考评”"
                    f"工作机制，现将{month}工作推进情况通报如下："),
        "sections": [
            sections.overall_section("overall", "一、总体情况", stats, as_of, "本月"), units,
            *sections.redblack_sections(lists, "三、红榜", "四、黑榜"),
            problem_ledger.problems_section("problems", "五、存在问题", problems),
            next_steps_section(stats, lists, problems, due_next, as_of),
            due_next,
        ]}


def next_steps_section(stats: dict[str, Any], lists: dict[str, Any], problems: list[dict],
                       due_next: dict[str, Any], as_of: date) -> dict[str, Any]:
    """下步工作 as a 一是、二是… skeleton drawn from the month's facts, for the office to
    finish in the draft."""
    reply_by = cn_date(calendar.reply_by(as_of))
    points = []
    if stats["overdue"]:
        points.append(f"全力攻坚逾期事项。对{stats['overdue']}项逾期未完成事项，各牵头单位要于{reply_by}前"
                      "报送逾期原因及整改措施，明确完成时限，限期办结销号")
    if lists["black"]:
        names = "、".join(e["unit_name"] for e in lists["black"][:5]) + ("等单位" if len(lists["black"]) > 5 else "")
        points.append(f"压实上榜单位责任。{names}要对照黑榜所列问题逐项整改，"
                      f"于{reply_by}前书面报送整改情况")
    if problems:
        kinds = "、".join(g["kind"] for g in problems[:3])
        points.append(f"着力破解{kinds}等问题。各牵头单位要主动对接协调，指挥部办公室加强统筹调度，"
                      "需市级层面协调的及时提请研究")
    points.append("严格落实周调度报送制度。各单位要按时、如实报送工作进展、存在问题和下步计划")
    rows = len(due_next["table"]["rows"]) if due_next.get("table") else 0
    if rows:
        points.append(f"抓好下月到期事项。下月到期事项{rows}项（详见附件2），各牵头单位要倒排工期、"
                      "挂图作战，确保按期完成")
    paragraphs = [f"{ORDINALS[n]}是{text}。" for n, text in enumerate(points)]
    return sections.section("next", "六、下步工作", paragraphs)
