"""The annual evaluation on a hand-built ledger: every part, line, rank and grade worked
out by hand.

Today is Wed 2026-11-18; every item was assigned on 1 Oct 2026 and owes weekly reports
from W40 (28 Sep–4 Oct) until the week it was signed off in; W40–W46 are closed. Unless
said otherwise each item is reported on time every week it owes. Nothing is due or signed
off by 31 Oct except f1 (one item due, below the red/black list's minimum of 3), so nobody
is placed on a monthly red or black list and the redblack part is 0.

The model (config.toml): base 100; completion 40 × (1 − signed off ÷ due); timeliness
25 × the mean lateness of the items due (working days late ÷ 20, at most 1 per item);
reports 20 × (1 − on time ÷ owed); quality 15 × (1 − rating rate), unrated 0.8 → −3.
"""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from conftest import NOW
from test_regime_redblack import WEEKS, at, sign_off
from tracker.clock import local
from tracker.errors import PermissionDenied, ValidationError
from tracker.extensions import db
from tracker.models import AuditEvent, ProgressReport
from tracker.regime.adjustments import add_adjustment
from tracker.regime.evaluation import evaluate
from tracker.reports.periods import period_bounds, period_deadline

ON_TIME = date(2026, 11, 5)      # Thu, before the 10 Nov deadline


@pytest.fixture
def ledger(app, make_unit, make_task, office_user):
    units = {name: make_unit(f"{name}局") for name in "ABCDEF"}
    units |= {name: make_unit(f"{name}县", "county") for name in "GH"}
    at(app, date(2026, 10, 1))

    def items(unit, n, due=date(2026, 11, 10), prefix=None):
        prefix = prefix or unit.name[0].lower()
        return [make_task(lead=unit, due=due, code=f"{prefix}{k}", title=f"事项{prefix}{k}")
                for k in range(1, n + 1)]

    tasks = {}
    tasks["a"] = items(units["A"], 7)                       # 7 of 7 on time
    tasks["b"] = items(units["B"], 3, due=date(2026, 11, 6))
    tasks["d"] = items(units["D"], 2)                       # C leads nothing, D 2 items
    tasks["e"] = [*items(units["E"], 1, due=date(2026, 11, 2)),
                  *items(units["E"], 3, prefix="ee")]
    tasks["f"] = [*items(units["F"], 1, due=date(2026, 10, 16)),
                  *items(units["F"], 3, prefix="ff")]
    tasks["g"], tasks["h"] = items(units["G"], 3), items(units["H"], 3)
    app.config["FIXED_NOW"] = NOW
    for key in "adgh":
        for task in tasks[key]:
            sign_off(task, ON_TIME)
    sign_off(tasks["b"][0], ON_TIME)                        # b2, b3 still open, due 6 Nov
    sign_off(tasks["e"][0], date(2026, 11, 3))              # due Mon 2 Nov: 1 working day late
    sign_off(tasks["f"][0], date(2026, 11, 17))             # due Fri 16 Oct: 22 working days late
    for task in [*tasks["e"][1:], *tasks["f"][1:]]:
        sign_off(task, ON_TIME)
    b3 = tasks["b"][2]
    reported([t for group in tasks.values() for t in group if t is not b3], WEEKS)
    reported([b3], WEEKS[:5])
    reported([b3], ["2026-W45"], on_time=False)             # b3: W45 late, W46 missing
    add_adjustment(office_user, 2026, units["B"].id, "adjustment", "数据报送错误", points=-1.5)
    add_adjustment(office_user, 2026, units["H"].id, "rating", "材料质量高", rating="优秀")
    add_adjustment(office_user, 2026, units["H"].id, "veto", "发生重大安全生产事故")
    db.session.commit()
    return units


def reported(tasks, weeks, on_time=True):
    """Report each of *tasks* for each of *weeks* it owed a report in, in one commit."""
    for task in tasks:
        for period in weeks:
            monday = period_bounds(period)[0]
            if task.signed_off_at is None or local(task.signed_off_at).date() >= monday:
                deadline = period_deadline(period)
                db.session.add(ProgressReport(
                    task_id=task.id, unit_id=task.lead_unit_id, period=period, progress=50,
                    text="推进中", on_time=on_time,
                    submitted_at=deadline + (-timedelta(hours=2) if on_time else timedelta(hours=5))))
    db.session.commit()


def _parts(**given):
    parts = dict.fromkeys(("base", "completion", "timeliness", "reports", "quality", "redblack",
                           "office", "cap"), 0.0)
    parts.update(base=100.0, quality=-3.0, **given)
    return parts


def _by_unit(result):
    return {i["unit_name"]: i for i in result["items"]}


def test_units_ranked_by_rates_within_their_series(ledger):
    result = evaluate(2026)
    # 县（市、区） first (config order), then 市直部门; H's 100 is vetoed, so it is last.
    assert [(i["series"], i["unit_name"], i["score"], i["rank"], i["grade"], i["bottom"])
            for i in result["items"]] == [
        ("县（市、区）", "G县", 97.0, 1, "优秀", False),
        ("县（市、区）", "H县", 100.0, 2, "较差", True),
        ("市直部门", "A局", 97.0, 1, "优秀", False),
        ("市直部门", "E局", 96.69, 2, "优秀", False),
        ("市直部门", "F局", 90.75, 3, "优秀", False),
        ("市直部门", "B局", 60.16, 4, "一般", True)]
    items = _by_unit(result)
    assert items["H县"]["vetoed"] and items["H县"]["grade_reason"] == "一票否决：发生重大安全生产事故"
    assert items["A局"]["rates"] == {"completion": 1.0, "timeliness": 1.0, "reports": 1.0,
                                    "quality": 0.8}


def test_units_with_fewer_than_three_items_are_not_scored(ledger):
    result = evaluate(2026)
    assert [(u["unit_name"], u["items"], u["reason"]) for u in result["unscored"]] == [
        ("C局", 0, "不参与评分（本年度牵头事项0项，不足3项）"),
        ("D局", 2, "不参与评分（本年度牵头事项2项，不足3项）")]
    assert not {"C局", "D局"} & set(_by_unit(result))
    # The office's unit judges and is not judged: it appears nowhere.
    assert "市百千万工程指挥部办公室" not in {u["unit_name"] for u in result["unscored"]}


def test_the_page_lists_each_unscored_unit_with_its_item_count(ledger, browser):
    import re
    browser.login("office")
    page = browser.get("/regime/evaluation?year=2026").get_data(as_text=True)
    rows = dict(re.findall(r'<td>([CD]局)</td><td class="num">([^<]*)</td>', page))
    assert rows == {"C局": "0", "D局": "2"}


def test_completing_seven_beats_completing_one_of_three(ledger):
    items = _by_unit(evaluate(2026))
    assert items["A局"]["parts"] == _parts()
    # B: b2, b3 open 8 working days past 6 Nov (9–13, 16–18 Nov): completion 40 × 2/3,
    # timeliness 25 × (8/20 + 8/20)/3; 18 of 20 reports on time (b1 owed 6 weeks, b2 and
    # b3 7 each; b3 late in W45, missing in W46): 20 × 2/20; the office's −1.5.
    assert items["B局"]["parts"] == _parts(completion=-26.67, timeliness=-6.67, reports=-2,
                                          office=-1.5)
    assert items["B局"]["counts"] == {"items": 3, "due": 3, "completed": 1, "late": 2,
                                     "reports_owed": 20, "reports_on_time": 18}
    lines = [(line["part"], line["task_code"], line["reason"]) for line in items["B局"]["lines"]]
    assert lines == [
        ("base", None, "起评分100分"),
        ("completion", "b2", "b2 事项b2：逾期未完成（完成时限2026年11月6日）"),
        ("completion", "b3", "b3 事项b3：逾期未完成（完成时限2026年11月6日）"),
        ("timeliness", "b2", "b2 事项b2：逾期8个工作日未完成（完成时限2026年11月6日）"),
        ("timeliness", "b3", "b3 事项b3：逾期8个工作日未完成（完成时限2026年11月6日）"),
        ("reports", "b3", "b3 事项b3：迟报1次、缺报1次"),
        ("quality", None, "办公室未作质量评价，按得分率80%计"),
        ("office", None, "加减分：数据报送错误")]
    assert sorted(line["points"] for line in items["B局"]["lines"] if line["part"] == "completion") \
        == [-13.34, -13.33]


def test_one_day_late_costs_less_than_twenty_two(ledger):
    items = _by_unit(evaluate(2026))
    # 4 items due each: the late one's timeliness share is 25/4 = 6.25, lost by 1/20 for
    # 1 working day, in full for 22 (more than the 20 that take the whole share).
    assert items["E局"]["parts"] == _parts(timeliness=-0.31)
    assert items["F局"]["parts"] == _parts(timeliness=-6.25)
    [e1] = [line for line in items["E局"]["lines"] if line["part"] == "timeliness"]
    [f1] = [line for line in items["F局"]["lines"] if line["part"] == "timeliness"]
    assert (e1["points"], e1["reason"]) == (
        -0.31, "e1 事项e1：逾期1个工作日完成（完成时限2026年11月2日，2026年11月3日销号）")
    assert (f1["points"], f1["reason"]) == (
        -6.25, "f1 事项f1：逾期22个工作日完成（完成时限2026年10月16日，2026年11月17日销号），"
               "满20个工作日扣足该项分值")
    assert items["E局"]["score"] > items["F局"]["score"]


def test_parts_and_lines_add_up_to_the_score(ledger):
    for item in evaluate(2026)["items"]:
        assert sum(item["parts"].values()) == pytest.approx(item["score"])
        for part, points in item["parts"].items():
            assert sum(line["points"] for line in item["lines"] if line["part"] == part) \
                == pytest.approx(points), (item["unit_name"], part)


def test_score_above_the_cap_is_brought_back_with_a_cap_line(app, ledger, office_user):
    add_adjustment(office_user, 2026, ledger["A"].id, "adjustment", "承办全省现场会", points=20)
    db.session.commit()
    a = _by_unit(evaluate(2026))["A局"]
    assert a["score"] == 100      # 97 + 20 = 117 over the cap of 100
    assert a["parts"]["office"] == 20 and a["parts"]["cap"] == -17
    assert a["lines"][-1] == {"part": "cap", "points": -17, "reason": "总分超过100分，按100分计",
                              "task_id": None, "task_code": None}


def test_as_of_leaves_out_what_came_later(ledger):
    """As of 4 Nov only e1 was signed off (3 Nov); b1–b3 (6 Nov), a1… (10 Nov) are not due
    yet; f1 is due and open, 13 working days late (19–23, 26–30 Oct, 2–4 Nov); the veto,
    rating and adjustment were recorded on 18 Nov, so they have not happened."""
    items = _by_unit(evaluate(2026, date(2026, 11, 4)))
    assert not items["H县"]["vetoed"] and items["H县"]["rank"] == 1
    assert items["B局"]["parts"]["office"] == 0 and items["B局"]["counts"]["due"] == 0
    # F: f1 the only item due and open: completion −40, timeliness −25 × 13/20.
    assert items["F局"]["parts"]["completion"] == -40
    assert items["F局"]["parts"]["timeliness"] == -16.25


@pytest.mark.parametrize("kwargs, field", [
    ({"kind": "adjustment", "reason": "", "points": 1}, "reason"),
    ({"kind": "adjustment", "reason": "x", "points": 0}, "points"),
    ({"kind": "rating", "reason": "x", "rating": "很好"}, "rating"),
    ({"kind": "bonus", "reason": "x"}, "kind"),
])
def test_adjustments_need_a_reason_and_valid_values(ledger, office_user, kwargs, field):
    before = _audit_count()
    with pytest.raises(ValidationError) as err:
        add_adjustment(office_user, 2026, ledger["A"].id, **kwargs)
    assert err.value.field == field
    db.session.rollback()
    assert _audit_count() == before


def test_only_the_office_adjusts_and_each_adjustment_is_audited(ledger, make_user):
    a = ledger["A"]
    with pytest.raises(PermissionDenied):
        add_adjustment(make_user("unit", unit=a), 2026, a.id, "adjustment", "自评", points=5)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "evaluation.adjust")
                                .order_by(AuditEvent.id))
    assert [e.detail["reason"] for e in events] == ["数据报送错误", "材料质量高", "发生重大安全生产事故"]


def _audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))
