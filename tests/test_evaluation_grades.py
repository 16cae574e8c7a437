"""等次 by thresholds and by quotas, red/black placings, the documents and the page, on the
hand-built ledger of test_regime_evaluation (scores worked out there: 县（市、区） G 97,
H 100 vetoed; 市直部门 A 97, E 96.69, F 90.75, B 60.16; C and D not scored)."""
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from conftest import NOW
from test_regime_evaluation import ON_TIME, ledger, reported  # noqa: F401  (ledger: the fixture)
from test_regime_redblack import WEEKS, at, sign_off
from tracker.config import ConfigError
from tracker.regime.compilers import compile_content
from tracker.regime.evaluation import evaluate


def _grades(result=None):
    return {i["unit_name"]: i["grade"] for i in (result or evaluate(2026))["items"]}


def test_grades_follow_the_configured_thresholds(app, ledger):
    assert _grades() == {"G县": "优秀", "H县": "较差", "A局": "优秀", "E局": "优秀", "F局": "优秀",
                         "B局": "一般"}
    app.config["SETTINGS"]["evaluation"]["thresholds"] = {"优秀": 95, "良好": 90, "一般": 70}
    result = evaluate(2026)
    assert _grades(result) == {"G县": "优秀", "H县": "较差", "A局": "优秀", "E局": "优秀",
                               "F局": "良好", "B局": "较差"}
    f = next(i for i in result["items"] if i["unit_name"] == "F局")
    assert f["grade_reason"] == "得分90.75分，达到良好标准（90分以上）"
    assert result["series"][1] == {"name": "市直部门", "scored": 4, "unscored": 2,
                                   "grades": {"优秀": 2, "良好": 1, "一般": 0, "较差": 1}}


def test_quotas_cap_each_grade_per_series_and_a_tie_goes_down_whole(app, ledger, make_unit,
                                                                      make_task):
    # I: 3 items signed off on time, reported every week: 97, tied with A at rank 1 of the 5
    # 市直部门 units. 优秀 at most 20% = 1 unit, but A and I tie for it, so every 优秀 by
    # score (A, I, E, F) goes down to 良好; 良好 at most 50% = 2 (2.5 rounded down): A and
    # I keep it, E and F go down to 一般. 县（市、区） has 2 units: no 优秀 (20% of 2 is 0),
    # one 良好 (G); H is vetoed, 较差 whatever the quotas.
    unit = make_unit("I局")
    at(app, date(2026, 10, 1))
    tasks = [make_task(lead=unit, due=date(2026, 11, 10), code=f"i{k}", title=f"事项i{k}")
             for k in (1, 2, 3)]
    app.config["FIXED_NOW"] = NOW
    for task in tasks:
        sign_off(task, ON_TIME)
    reported(tasks, WEEKS)
    app.config["SETTINGS"]["evaluation"]["grading"] = "quotas"      # quotas 优秀 0.2, 良好 0.5
    result = evaluate(2026)
    assert [(i["unit_name"], i["score"], i["rank"], i["grade"]) for i in result["items"]] == [
        ("G县", 97.0, 1, "良好"), ("H县", 100.0, 2, "较差"),
        ("A局", 97.0, 1, "良好"), ("I局", 97.0, 1, "良好"), ("E局", 96.69, 3, "一般"),
        ("F局", 90.75, 4, "一般"), ("B局", 60.16, 5, "一般")]
    e = next(i for i in result["items"] if i["unit_name"] == "E局")
    assert e["grade_reason"] == "得分96.69分，良好名额已满（不超过本序列50%即2个），评为一般"


def test_black_placings_cost_points_within_their_limit(app, ledger):
    # With a minimum of 1 item due, F (f1 due 16 Oct, open on 31 Oct: 0 of 1) is the bottom
    # of 市直部门 on October's list: −1, which takes F below 90, to 良好. (It is ranked alone
    # then, so only with the lower-half guard off.)
    app.config["SETTINGS"]["redblack"]["overrides"] = {"min_due_items": 1, "black_lower_half": False}
    result = evaluate(2026)
    f = next(i for i in result["items"] if i["unit_name"] == "F局")
    assert [(line["points"], line["reason"]) for line in f["lines"] if line["part"] == "redblack"] \
        == [(-1, "2026年10月黑榜")]
    assert (f["score"], f["grade"]) == (89.75, "良好")
    app.config["SETTINGS"]["evaluation"]["redblack_limit"] = 0.5
    f = next(i for i in evaluate(2026)["items"] if i["unit_name"] == "F局")
    assert f["parts"]["redblack"] == -0.5
    assert f["lines"][-1]["reason"] == "红黑榜加减分以±0.5分为限"


def test_a_year_without_a_plan_scores_nobody(ledger):
    result = evaluate(2030)
    assert result["items"] == []
    assert {u["unit_name"] for u in result["unscored"]} == {f"{n}局" for n in "ABCDEF"} | {"G县", "H县"}


def test_a_wrong_model_fails_loudly(app, ledger):
    app.config["SETTINGS"]["evaluation"]["weights"] = {"completion": 60, "timeliness": 40}
    with pytest.raises(ConfigError, match="weights"):
        evaluate(2026)


def test_the_annual_bulletin_groups_by_series_and_annexes_every_point(ledger):
    content = compile_content("annual", "2026")
    sections = {s["key"]: s for s in content["sections"]}
    assert list(sections) == ["overall", "evaluation", "unscored", "lines"]
    table = sections["evaluation"]["table"]
    assert table["columns"][:5] == ["排名", "单位", "得分", "等次", "序列"]
    assert len(sections["evaluation"]["formats"]) == len(table["columns"])
    assert [row[:5] for row in table["rows"]] == [
        [1, "G县", 97.0, "优秀", "县（市、区）"], [2, "H县", 100.0, "较差", "县（市、区）"],
        [1, "A局", 97.0, "优秀", "市直部门"], [2, "E局", 96.69, "优秀", "市直部门"],
        [3, "F局", 90.75, "优秀", "市直部门"], [4, "B局", 60.16, "一般", "市直部门"]]
    assert "参评单位：县（市、区）参评2个（优秀1个、良好0个、一般0个、较差1个）" in \
        sections["evaluation"]["paragraphs"][-1]
    assert [row[1] for row in sections["unscored"]["table"]["rows"]] == ["C局", "D局"]
    annex = sections["lines"]
    assert annex["annex"] is True and annex["formats"][2] == "number"
    assert ["F局", "按期完成", -6.25, "f1",
            "f1 事项f1：逾期22个工作日完成（完成时限2026年10月16日，2026年11月17日销号），"
            "满20个工作日扣足该项分值"] in annex["table"]["rows"]
    # Every unit's lines add up to its score.
    totals = {}
    for unit, _, points, _, _ in annex["table"]["rows"]:
        totals[unit] = totals.get(unit, 0) + points
    assert totals == pytest.approx({row[1]: row[2] for row in table["rows"]})


def test_the_page_and_workbook_show_grades_series_and_unscored_units(browser, ledger):
    browser.login("office")
    page = browser.get("/regime/evaluation?year=2026&as_of=2026-11-18").get_data(as_text=True)
    scores = page.split('id="scores"')[1].split('id="unscored"')[0]
    assert scores.index("县（市、区）") < scores.index("G县") < scores.index("市直部门") < scores.index("A局")
    assert "b3 事项b3：迟报1次、缺报1次" in scores and "C局" not in scores
    unscored = page.split('id="unscored"')[1].split('id="adjustments"')[0]
    assert "不参与评分（本年度牵头事项0项，不足3项）" in unscored and "D局" in unscored
    book = load_workbook(io.BytesIO(browser.get("/regime/evaluation/2026.xlsx?as_of=2026-11-18").data))
    assert book.sheetnames == ["概况", "考评得分与排名", "不参与评分", "得分明细"]
    rows = list(book["考评得分与排名"].values)
    assert rows[1][:5] == ("排名", "单位", "得分", "等次", "序列")     # below the title row
    assert rows[-1][:5] == (4, "B局", 60.16, "一般", "市直部门")
    assert ("B局", "加减分", -1.5, None, "加减分：数据报送错误") in list(book["得分明细"].values)
