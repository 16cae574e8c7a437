"""The annual evaluation bulletin (年考评): the year's overall figures, every scored unit's
score, grade and rank by series, the units not scored, and the annex of every point."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app

from tracker.numbers import percent_text
from tracker.regime.compilers import sections
from tracker.regime.evaluation import PARTS, RATED, evaluate
from tracker.reports.cycles import rated_periods


def compile_annual(period: str, first: date, last: date, as_of: date) -> dict[str, Any]:
    stats = sections.overall(as_of, rated_periods(first, last, as_of))
    result = evaluate(first.year, as_of)
    best = sorted(result["items"], key=lambda r: (r["vetoed"], -r["score"], r["unit_id"]))[:30]
    chart = {"title": "各单位年度考评得分（前30名）", "labels": [r["unit_name"] for r in best],
             "values": [r["score"] for r in best]}
    return {
        "title": f"{first.year}年度考评结果通报", "chart": chart,
        "summary": sections.summary_of(stats, as_of),
        "sections": [
            sections.overall_section("overall", "一、年度总体情况", stats, as_of, "全年"),
            _scores_section("evaluation", "二、年度考评得分、等次与排名", result),
            _unscored_section("unscored", "三、不参与评分的单位", result),
            _lines_section("lines", "附件：考评得分明细", result),
        ]}


SCORE_COLUMNS = ["排名", "单位", "得分", "等次", "序列", *PARTS.values(), "末位", "一票否决"]
SCORE_FORMATS = ["int", "text", "number", "text", "text", *("number" for _ in PARTS), "text", "text"]


def score_rows(result: dict[str, Any]) -> list[list[Any]]:
    """One row per scored unit, by series, best first: rank, unit, score, grade, series,
    each part, bottom, veto."""
    return [[r["rank"], r["unit_name"], r["score"], r["grade"], r["series"],
             *(r["parts"][p] for p in PARTS), "是" if r["bottom"] else "", r["veto_reason"]]
            for r in result["items"]]


def model_paragraphs(result: dict[str, Any]) -> list[str]:
    """The model in words: base, weights, placings, grades, who is not scored."""
    cfg = current_app.config["SETTINGS"]["evaluation"]
    names = {"completion": "完成率", "timeliness": "按期完成", "reports": "按时报送率",
             "quality": "质量评价"}
    weights = "、".join(f"{names[p]}{cfg['weights'][p]:g}分" for p in RATED)
    thresholds = "、".join(f"{g}{v:g}分以上" for g, v in cfg["thresholds"].items())
    grading = f"等次按得分评定：{thresholds}，其余为较差"
    if result["grading"] == "quotas":
        quotas = "、".join(f"{g}不超过本序列单位的{percent_text(v)}" for g, v in cfg["quotas"].items())
        grading += f"；{quotas}，超出名额的依次降为下一等次"
    return [
        f"考评以{cfg['base']:g}分起评，{weights}，各项按比率扣分（扣分=分值×（1−比率）），"
        f"逾期每个工作日扣该事项按期完成分值的1/{cfg['late_full_workdays']}，扣完为止；"
        f"每上一次月度红榜加{cfg['red_placing']:g}分、黑榜扣{-cfg['black_placing']:g}分"
        f"（以±{cfg['redblack_limit']:g}分为限），另计办公室加减分，总分不超过{cfg['cap']:g}分。",
        f"{grading}；被一票否决的单位评为较差，排在本序列其他单位之后。各序列分别排名。",
        f"牵头事项不足{result['min_items']}项的单位不参与评分。逐项扣分及其事实见附件。",
    ]


def _scores_section(key: str, title: str, result: dict[str, Any]) -> dict[str, Any]:
    counts = [f"{s['name']}参评{s['scored']}个（" + "、".join(
        f"{g}{n}个" for g, n in s["grades"].items()) + "）" for s in result["series"] if s["scored"]]
    paragraphs = [*model_paragraphs(result), ("参评单位：" + "；".join(counts) + "。") if counts
                  else "本年度没有参评单位。"]
    return {**sections.section(key, title, paragraphs, SCORE_COLUMNS, score_rows(result)),
            "formats": SCORE_FORMATS}


def _unscored_section(key: str, title: str, result: dict[str, Any]) -> dict[str, Any]:
    rows = [[r["series"], r["unit_name"], r["items"],
             r["reason"] + (f"；一票否决：{r['veto_reason']}" if r["vetoed"] else "")]
            for r in result["unscored"]]
    return {**sections.section(key, title, [] if rows else ["本年度所有单位均参与评分。"],
                               ["序列", "单位", "牵头事项", "说明"], rows),
            "formats": ["text", "text", "int", "text"]}


LINE_COLUMNS = ["单位", "项目", "分值", "事项编号", "说明"]


def line_rows(result: dict[str, Any]) -> list[list[Any]]:
    """Every scoring line of every scored unit, by series and rank: unit, part, points,
    item code, the fact."""
    return [[r["unit_name"], PARTS[line["part"]], line["points"], line["task_code"] or "",
             line["reason"]] for r in result["items"] for line in r["lines"]]


def _lines_section(key: str, title: str, result: dict[str, Any]) -> dict[str, Any]:
    return {**sections.section(key, title, ["每一项得分、扣分及其对应的事项或事实；各单位各项相加即为总分。"],
                               LINE_COLUMNS, line_rows(result)),
            "formats": ["text", "text", "number", "text", "text"], "annex": True}


def evaluation_workbook(year: int, as_of: date) -> dict[str, Any]:
    """The evaluation as workbook content: scores, grades and parts per unit by series, the
    units not scored, then every scoring line naming its item or fact."""
    result = evaluate(year, as_of)
    return {"title": f"{year}年度考评结果", "as_of": result["as_of"], "sections": [
        _scores_section("scores", "考评得分与排名", result),
        _unscored_section("unscored", "不参与评分", result),
        _lines_section("lines", "得分明细", result)]}
