"""The weekly overdue notice reads as a 督办提醒: addressed to the unit, each item with its
facts, the requirement with its date, the consequence, the office and the date; an item
whose sign-off was asked by its deadline and awaits review is listed apart, not overdue."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from tracker.clock import LOCAL_TZ
from tracker.extensions import db
from tracker.models import Notification
from tracker.signoff.operations import request_signoff


def test_the_notice_names_every_fact_the_requirement_and_the_consequence(
        app, runner, make_unit, make_user, make_task, office_user):
    unit = make_unit("市交通运输局", email="jtj@gov.test")
    liaison = make_user("unit", unit)
    make_task(lead=unit, due=date(2026, 11, 2), code="2.3.1", title="农村公路改造", leader="王副市长")
    waiting = make_task(lead=unit, due=date(2026, 11, 6), code="2.3.2", title="客运站建设")
    app.config["FIXED_NOW"] = datetime.combine(date(2026, 11, 6), time(16), tzinfo=LOCAL_TZ)
    request_signoff(liaison, waiting, "已完工")          # on its due day
    db.session.commit()
    result = runner.invoke(args=["tracker", "run-job", "weekly-overdue-notice", "--as-of", "2026-11-16",
                                 "--no-send"])
    assert result.exit_code == 0, result.output
    notice = db.session.scalar(select(Notification).where(Notification.rule == "weekly-overdue-notice"))
    lines = notice.body.splitlines()
    assert lines[0] == "市交通运输局："
    assert lines[1] == "截至2026年11月16日，你单位牵头的以下1项工作已超过完成时限："
    assert "2.3.1 农村公路改造" in lines[2] and "完成时限 2026年11月2日，责任领导 王副市长" in lines[2]
    assert "逾期10个工作日" in lines[2]
    assert lines[3].startswith("请于2026年11月23日前书面报送逾期原因及整改措施") and "黑榜" in lines[3]
    assert lines[4].startswith("以下1项已于完成时限前申请销号，待指挥部办公室审核，暂不计逾期")
    assert "2.3.2 客运站建设" in lines[5] and "逾期" not in lines[5]
    assert lines[-2:] == ["市百千万工程指挥部办公室", "2026年11月16日"]
    assert notice.title == "【督办提醒】第47周（11月16日—22日）：1项工作逾期"
