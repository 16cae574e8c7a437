"""The office's exemptions (豁免), worked out by hand: an exempt item is off the red/black list
and out of the unit's 督办提醒 while its exemption holds, as of each day (an exemption marked
or revoked later does not change an earlier day's judgement); the bulletin lists it with its
reason; only the office marks or revokes, with a reason, audited, nothing deleted.

Today is Wed 2026-11-18. 甲局 leads three items due Fri 30 Oct: two signed off on time and
2.1 still open, 13 working days overdue (a black fact beyond the standard 10)."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from docx import Document
from sqlalchemy import func, select

from conftest import NOW
from test_redblack_rules import _rules, at, sign_off
from tracker.extensions import db
from tracker.ledger.exemptions import mark_exemption, revoke_exemption
from tracker.models import AuditEvent, Exemption, Notification
from tracker.regime.bulletins import content_of, create_draft
from tracker.regime.redblack import redblack

DUE = date(2026, 10, 30)


@pytest.fixture
def ledger(app, make_unit, make_task, make_user, office_user):
    _rules(app)
    unit = make_unit("甲局", email="jj@gov.test")
    at(app, date(2026, 10, 1))
    done = [make_task(lead=unit, due=DUE, code=f"1.{n}", title=f"已办事项{n}") for n in (1, 2)]
    late = make_task(lead=unit, due=DUE, code="2.1", title="标准厂房建设")
    app.config["FIXED_NOW"] = NOW
    for task in done:
        sign_off(task, DUE)
    db.session.commit()
    return {"unit": unit, "late": late, "office": office_user,
            "liaison": make_user("unit", unit, login="jj")}


def _lists(day=None):
    result = redblack(day)
    return [e["unit_id"] for e in result["red"]], [e["unit_id"] for e in result["black"]], result


def test_an_exempt_item_is_off_the_list_from_the_day_the_office_marks_it(app, ledger):
    unit = ledger["unit"].id
    assert _lists()[1] == [unit]                          # 2.1 overdue 13 working days
    mark_exemption(ledger["office"], ledger["late"], "不可抗力", "受台风“摩羯”影响停工",
                   date(2026, 10, 28))
    db.session.commit()

    red, black, result = _lists()
    assert black == [] and red == [unit]
    assert result["red"][0]["reason"].startswith("按时完成率100%（按时完成2项/应完成2项）")
    [exempt] = result["exempt"]
    assert exempt["task_code"] == "2.1" and exempt["kind"] == "不可抗力"
    assert exempt["text"] == "2.1 标准厂房建设（甲局）：不可抗力，受台风“摩羯”影响停工（2026年10月28日起）"
    # Yesterday's list was judged before the exemption was marked: it stands.
    assert _lists(date(2026, 11, 17))[:2] == ([], [unit])
    assert _lists(date(2026, 11, 17))[2]["exempt"] == []


def test_an_exemption_holds_only_over_its_stretch(app, ledger):
    at(app, date(2026, 11, 2))
    mark_exemption(ledger["office"], ledger["late"], "政策调整", "选址调整", date(2026, 11, 2),
                   date(2026, 11, 10))
    db.session.commit()
    at(app, date(2026, 11, 18))
    unit = ledger["unit"].id
    assert _lists(date(2026, 11, 10))[1] == []            # within 2–10 Nov
    assert _lists(date(2026, 11, 18))[1] == [unit]        # over: judged again


def test_a_revocation_counts_from_when_it_was_made(app, ledger):
    ex = mark_exemption(ledger["office"], ledger["late"], "上级要求", "省里要求暂缓", date(2026, 11, 1))
    db.session.commit()
    at(app, date(2026, 11, 19), 9)
    revoke_exemption(ledger["office"], ledger["late"], ex.id, "省里已恢复")
    db.session.commit()
    unit = ledger["unit"].id
    assert _lists(date(2026, 11, 18))[1] == []            # exempt at the end of 18 Nov
    assert _lists(date(2026, 11, 19))[1] == [unit]
    kept = db.session.get(Exemption, ex.id)
    assert kept.revoke_reason == "省里已恢复" and kept.revoked_by_id == ledger["office"].id
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.task_id == ledger["late"].id, AuditEvent.action.like("exemption.%"))
        .order_by(AuditEvent.id)).all()
    assert actions == ["exemption.mark", "exemption.revoke"]


def test_the_units_supervision_notice_does_not_chase_an_exempt_item(app, runner, ledger, make_task):
    at(app, date(2026, 10, 1))
    make_task(lead=ledger["unit"], due=DUE, code="2.2", title="5G基站")
    app.config["FIXED_NOW"] = NOW
    mark_exemption(ledger["office"], ledger["late"], "不可抗力", "台风停工", date(2026, 10, 28))
    db.session.commit()
    result = runner.invoke(args=["tracker", "run-job", "weekly-overdue-notice", "--as-of",
                                 "2026-11-18", "--no-send"])
    assert result.exit_code == 0, result.output
    notice = db.session.scalar(select(Notification).where(Notification.rule == "weekly-overdue-notice"))
    assert "以下1项工作已超过完成时限" in notice.body
    assert "2.2 5G基站" in notice.body and "标准厂房建设" not in notice.body


def test_the_monthly_bulletin_lists_the_exempt_item_with_its_reason(app, client, ledger, token_for):
    mark_exemption(ledger["office"], ledger["late"], "不可抗力", "受台风影响停工", date(2026, 10, 28))
    draft, _ = create_draft(ledger["office"], "monthly", "2026-11")
    db.session.commit()
    [black] = [s for s in content_of(draft)["sections"] if s["key"] == "black"]
    line = ("经指挥部办公室认定豁免、本期不列入红黑榜和逾期判定的事项1项：2.1 标准厂房建设（甲局）：不可抗力，"
            "受台风影响停工（2026年10月28日起）。")
    assert line in black["paragraphs"]
    office = token_for(ledger["office"])
    content = client.get(f"/api/v1/bulletins/{draft.id}", headers=office).get_json()["content"]
    assert line in next(s for s in content["sections"] if s["key"] == "black")["paragraphs"]
    docx = client.get(f"/api/v1/bulletins/{draft.id}/document.docx", headers=office)
    assert line in [p.text for p in Document(io.BytesIO(docx.data)).paragraphs]


def test_the_unit_table_counts_an_exempt_item_as_the_lists_do(app, ledger):
    """One 按时完成率: the bulletin's unit table leaves the exempt item out of 应完成 like the
    red/black list, so the two quote the same rate (2 of 2, not 2 of 3)."""
    mark_exemption(ledger["office"], ledger["late"], "不可抗力", "受台风影响停工", date(2026, 10, 28))
    draft, _ = create_draft(ledger["office"], "monthly", "2026-11")
    db.session.commit()
    content = content_of(draft)
    [units] = [s for s in content["sections"] if s["key"] == "units"]
    [row] = [r for r in units["table"]["rows"] if r[2] == "甲局"]
    assert row[3:7] == [3, 2, 2, 2]            # 牵头事项, 应完成, 已完成, 按时完成
    [red] = [s for s in content["sections"] if s["key"] == "red"]
    assert any("甲局" in r and "按时完成2项/应完成2项" in r[-1] for r in red["table"]["rows"])


def test_the_office_marks_and_revokes_on_the_item_page_with_confirmation(app, browser, ledger):
    url = f"/tasks/{ledger['late'].id}"
    browser.login("office")
    page = browser.get(url).get_data(as_text=True)
    assert "豁免认定" in page and "认定豁免" in page and "不可抗力" in page
    form = {"kind": "0", "reason": "台风停工", "start_date": "2026-10-28"}       # 不可抗力
    unconfirmed = browser.post(f"{url}/exemptions", form, form_url=url)
    assert unconfirmed.status_code == 400 and "请勾选确认" in unconfirmed.get_data(as_text=True)
    assert browser.post(f"{url}/exemptions", {**form, "reason": "  ", "confirm": "y"},
                        form_url=url).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Exemption)) == 0

    done = browser.post(f"{url}/exemptions", {**form, "confirm": "y"}, form_url=url)
    assert done.status_code == 302
    page = browser.get(url).get_data(as_text=True)
    assert "台风停工" in page and "豁免中" in page and "2026年10月28日起" in page
    ex = db.session.scalars(select(Exemption)).one()
    assert ex.kind == "不可抗力" and ex.created_by_id == ledger["office"].id

    assert browser.post(f"{url}/exemptions/{ex.id}/revoke", {"reason": ""},
                        form_url=url).status_code == 400
    assert browser.post(f"{url}/exemptions/{ex.id}/revoke", {"reason": "已复工"},
                        form_url=url).status_code == 302
    page = browser.get(url).get_data(as_text=True)
    assert "已撤销" in page and "已复工" in page and "台风停工" in page   # the record stays
    assert "认定豁免" in page                                           # in the history too


def test_only_the_office_marks_exemptions(app, browser, ledger, client, token_for):
    url = f"/tasks/{ledger['late'].id}"
    browser.login("jj")
    page = browser.get(url).get_data(as_text=True)
    assert 'id="exemption-form"' not in page
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)[1]
    assert browser.client.post(f"{url}/exemptions", data={
        "kind": "0", "reason": "x", "start_date": "2026-10-28", "confirm": "y",
        "csrf_token": token}).status_code == 403
    unit = token_for(ledger["liaison"])
    assert client.post(f"/api/v1{url}/exemptions", headers=unit, json={
        "kind": "不可抗力", "reason": "x", "start_date": "2026-10-28"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Exemption)) == 0


def test_the_exemptions_api(app, client, ledger, token_for):
    office = token_for(ledger["office"])
    url = f"/api/v1/tasks/{ledger['late'].id}/exemptions"
    bad = client.post(url, headers=office, json={"kind": "天气", "reason": "x", "start_date": "2026-10-28"})
    assert bad.status_code == 400 and bad.get_json()["field"] == "kind"
    assert client.post(url, headers=office, json={"kind": "不可抗力", "start_date": "2026-10-28"}
                       ).get_json()["field"] == "reason"
    assert client.post(url, headers=office, json={
        "kind": "不可抗力", "reason": "x", "start_date": "2026-11-28", "end_date": "2026-11-01"}
    ).get_json()["field"] == "end_date"
    made = client.post(url, headers=office, json={"kind": "不可抗力", "reason": "台风停工",
                                                  "start_date": "2026-10-28", "end_date": "2026-11-30"})
    assert made.status_code == 201
    ex = made.get_json()
    assert ex["end_date"] == "2026-11-30" and ex["revoked"] is False
    revoke = f"{url}/{ex['id']}/revoke"
    assert client.post(revoke, headers=office, json={}).status_code == 400
    assert client.post(revoke, headers=office, json={"reason": "已复工"}).status_code == 200
    assert client.post(revoke, headers=office, json={"reason": "再撤"}).status_code == 409
    [listed] = client.get(url, headers=office).get_json()["items"]
    assert listed["revoked"] is True and listed["revoke_reason"] == "已复工"


def test_an_exempt_item_is_not_chased_but_still_reminded_before_its_deadline(app, runner, ledger, make_task):
    at(app, date(2026, 10, 1))
    late = make_task(lead=ledger["unit"], due=date(2026, 11, 17), code="3.1", title="客运站建设")
    soon = make_task(lead=ledger["unit"], due=date(2026, 11, 18), code="3.2", title="农村公路")
    app.config["FIXED_NOW"] = NOW
    for task in (late, soon):
        mark_exemption(ledger["office"], task, "不可抗力", "台风停工", date(2026, 11, 1))
    db.session.commit()
    for job in ("overdue-notices", "deadline-reminders"):
        result = runner.invoke(args=["tracker", "run-job", job, "--as-of", "2026-11-18", "--no-send"])
        assert result.exit_code == 0, result.output
    bodies = {n.rule: n.body for n in db.session.scalars(select(Notification))}
    assert "overdue-notice" not in bodies                   # 3.1, 1 working day late, exempt
    assert "3.2 农村公路" in bodies["deadline-reminder"]       # due today: still reminded
