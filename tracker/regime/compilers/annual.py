"""The annual evaluation bulletin (年考评): the year's overall figures and every unit's score."""
from __future__ import annotations

from datetime import date
from typing import Any

from tracker.regime.compilers import sections
from tracker.regime.evaluation import PARTS, evaluate
from tracker.reports.cycles import rated_periods


def compile_annual(period: str, first: date, last: date, as_of: date) -> dict[str, Any]:
    stats = sections.overall(as_of, rated_periods(first, last, as_of))
    result = evaluate(first.year, as_of)
    chart = {"title": "各单位年度考评得分", "labels": [r["unit_name"] for r in result["items"][:30]],
             "values": [r["score"] for r in result["items"][:30]]}
    return {
        "title": f"{first.year}年度考评结果通报", "chart": chart,
        "sections": [
            sections.overall_section("overall", "一、年度总体情况", stats, as_of, "全年"),
            sections.section("evaluation", "二、年度考评得分与排名",
                             ["得分由各项得分相加而成，逐项扣分明细见考评页面。"],
                             SCORE_COLUMNS, score_rows(result)),
        ]}


SCORE_COLUMNS = ["排名", "单位", "得分", *PARTS.values(), "末位", "一票否决"]


def score_rows(result: dict[str, Any]) -> list[list[Any]]:
    """One row per unit of an evaluation: rank, unit, score, each part, bottom, veto."""
    return [[r["rank"], r["unit_name"], r["score"], *(r["parts"][p] for p in PARTS),
             "是" if r["bottom"] else "", r["veto_reason"]] for r in result["items"]]


def evaluation_workbook(year: int, as_of: date) -> dict[str, Any]:
    """The evaluation as workbook content: scores and parts per unit, then every scoring
    line naming its item."""
    result = evaluate(year, as_of)
    lines = [[r["unit_name"], PARTS[line["part"]], line["points"], line["task_code"] or "",
              line["reason"]] for r in result["items"] for line in r["lines"]]
    return {"title": f"{year}年度考评结果", "as_of": result["as_of"], "sections": [
        sections.section("scores", "考评得分与排名", ["各项得分相加即为总分。"],
                         SCORE_COLUMNS, score_rows(result)),
        sections.section("lines", "得分明细", ["每一项加减分及其对应事项。"],
                         ["单位", "项目", "分值", "事项编号", "说明"], lines)]}
