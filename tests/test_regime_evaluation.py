"""The annual evaluation on a hand-built ledger: every part and line worked out by hand.

Today is Wed 2026-11-18; items assigned 1 Oct 2026. Nobody placed on a monthly red or black
list in Jan–Oct (nothing was due, done or late by 31 Oct), so the redblack part is 0.
"""
from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from conftest import NOW
from test_regime_redblack import WEEKS, at, report, report_weeks, sign_off
from tracker.clock import LOCAL_TZ
from tracker.errors import PermissionDenied, ValidationError
from tracker.extensions import db
from tracker.models import AuditEvent, SignoffRequest
from tracker.regime.adjustments import add_adjustment
from tracker.regime.evaluation import evaluate


@pytest.fixture
def ledger(app, make_unit, make_task, office_user):
    app.config["SETTINGS"]["evaluation"]["bottom_n"] = 1
    p, q, r = make_unit("甲局"), make_unit("乙局"), make_unit("丙县")
    at(app, date(2026, 10, 1))
    p1 = make_task(lead=p, co=[q], due=date(2026, 11, 10), code="1", title="标准厂房")
    p2 = make_task(lead=p, due=date(2026, 11, 6), code="2", title="农村公路")
    r1 = make_task(lead=r, co=[q], due=date(2026, 11, 4), code="3", title="5G基站")
    app.config["FIXED_NOW"] = NOW
    sign_off(p1, date(2026, 11, 5))     # 5 days early
    sign_off(r1, date(2026, 11, 9))     # late: Thu 5, Fri 6, Mon 9 = 3 working days
    liaison = db.session.get(type(office_user), office_user.id)
    db.session.add(SignoffRequest(task_id=r1.id, unit_id=r.id, requested_by_id=liaison.id,
                                  status="rejected", reason="佐证材料不全",
                                  decided_at=datetime.combine(date(2026, 11, 2), time(9),
                                                              tzinfo=LOCAL_TZ)))
    for task in (p1, r1):
        report_weeks(task, WEEKS)
    report_weeks(p2, WEEKS[:5])
    report(p2, "2026-W45", on_time=False)   # W45 late, W46 missing
    add_adjustment(office_user, 2026, p.id, "rating", "材料质量高", rating="良好")
    add_adjustment(office_user, 2026, r.id, "adjustment", "数据报送错误", points=-1.5)
    add_adjustment(office_user, 2026, q.id, "veto", "发生重大安全生产事故")
    db.session.commit()
    return p, q, r


def _parts(**given):
    parts = dict.fromkeys(("base", "completed", "early", "overdue", "returned", "reports",
                           "redblack", "office", "cap"), 0.0)
    parts.update(base=80.0, **given)
    return parts


def test_scores_parts_ranks_and_named_deductions(ledger):
    p, q, r = ledger
    items = {i["unit_id"]: i for i in evaluate(2026)["items"]}
    assert [(i["unit_id"], i["score"], i["rank"], i["bottom"], i["vetoed"])
            for i in evaluate(2026)["items"]] == [
        (p.id, 77.5, 1, False, False), (r.id, 73.5, 2, False, False), (q.id, 79.5, 3, True, True)]
    assert items[p.id]["parts"] == _parts(completed=2, early=0.5, overdue=-5, reports=-1, office=1)
    assert items[q.id]["parts"] == _parts(completed=2, overdue=-2.5)
    assert items[r.id]["parts"] == _parts(completed=2, overdue=-5, returned=-2, office=-1.5)
    for item in items.values():
        assert sum(item["parts"].values()) == pytest.approx(item["score"])
    deductions = sorted((line["points"], line["task_code"], line["reason"])
                        for i in items.values() for line in i["lines"] if line["points"] < 0)
    assert deductions == [
        (-5, "2", "2 农村公路：逾期未完成，逾期8个工作日（完成时限2026-11-06）"),
        (-5, "3", "3 5G基站：逾期完成，逾期3个工作日（完成时限2026-11-04）"),
        (-2.5, "3", "3 5G基站：逾期完成，逾期3个工作日（配合）"),
        (-2, "3", "3 5G基站：销号申请被退回（佐证材料不全）"),
        (-1.5, None, "加减分：数据报送错误"),
        (-1.0, "2", "2 农村公路：迟报1次、缺报1次"),
    ]
    assert items[q.id]["veto_reason"] == "发生重大安全生产事故"


def test_score_above_the_cap_is_brought_back_with_a_cap_part(app, ledger, office_user):
    p, _, _ = ledger
    app.config["SETTINGS"]["evaluation"]["cap"] = 90
    add_adjustment(office_user, 2026, p.id, "adjustment", "承办全省现场会", points=20)
    db.session.commit()
    item = next(i for i in evaluate(2026)["items"] if i["unit_id"] == p.id)
    assert item["score"] == 90      # 77.5 + 20 = 97.5 over the cap of 90
    assert item["parts"]["office"] == 21 and item["parts"]["cap"] == -7.5


@pytest.mark.parametrize("kwargs, field", [
    ({"kind": "adjustment", "reason": "", "points": 1}, "reason"),
    ({"kind": "adjustment", "reason": "x", "points": 0}, "points"),
    ({"kind": "rating", "reason": "x", "rating": "很好"}, "rating"),
    ({"kind": "bonus", "reason": "x"}, "kind"),
])
def test_adjustments_need_a_reason_and_valid_values(ledger, office_user, kwargs, field):
    p, _, _ = ledger
    before = _audit_count()
    with pytest.raises(ValidationError) as err:
        add_adjustment(office_user, 2026, p.id, **kwargs)
    assert err.value.field == field
    db.session.rollback()
    assert _audit_count() == before


def test_only_the_office_adjusts_and_each_adjustment_is_audited(ledger, make_user):
    p, _, _ = ledger
    with pytest.raises(PermissionDenied):
        add_adjustment(make_user("unit", unit=p), 2026, p.id, "adjustment", "自评", points=5)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "evaluation.adjust"))
    assert [e.detail["reason"] for e in events] == ["材料质量高", "数据报送错误", "发生重大安全生产事故"]


def _audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))
