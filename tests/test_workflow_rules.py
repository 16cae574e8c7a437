"""The ledger's workflow rules, exercised through the operations every interface calls."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from conftest import TODAY
from tracker.audit import task_history
from tracker.clock import LOCAL_TZ
from tracker.errors import Conflict, PermissionDenied, ValidationError
from tracker.extensions import db
from tracker.ledger.operations import update_task
from tracker.ledger.state import is_overdue
from tracker.models import AuditEvent
from tracker.reports.operations import submit_report
from tracker.reports.periods import period_deadline
from tracker.signoff.operations import (approve_extension, approve_signoff, reject_signoff,
                                        request_extension, request_signoff)


@pytest.fixture
def lead_user(make_user):
    return make_user("unit")


@pytest.fixture
def task(make_task, lead_user, make_unit):
    return make_task(lead=lead_user.unit, co=[make_unit()])


def test_first_report_starts_the_item_and_lead_report_sets_progress(task, lead_user):
    submit_report(lead_user, task, progress=35, text="完成项目立项", actual_value=2.5)
    db.session.commit()
    assert (task.status, task.progress, task.actual_value) == ("in_progress", 35, 2.5)


def test_co_unit_report_does_not_move_the_lead_units_progress(task, make_user):
    co_user = make_user("unit", unit=task.co_units[0])
    submit_report(co_user, task, progress=90, text="配合完成用地报批")
    db.session.commit()
    assert task.status == "in_progress"
    assert task.progress == 0


def test_overdue_is_derived_from_the_clock(task):
    assert not is_overdue(task, task.due_date)
    assert is_overdue(task, task.due_date + timedelta(days=1))


def test_rejected_signoff_returns_to_in_progress_and_remembers_why(task, lead_user, office_user):
    req = request_signoff(lead_user, task, "已完成建设")
    db.session.commit()
    reject_signoff(office_user, task, req.id, "佐证材料不全，缺竣工验收报告")
    db.session.commit()
    assert task.status == "in_progress"
    assert req.reason == "佐证材料不全，缺竣工验收报告"
    last = task_history(task.id)[-1]
    assert last["action"] == "signoff.reject"
    assert last["detail"]["reason"] == "佐证材料不全，缺竣工验收报告"


def test_rejecting_needs_a_reason(task, lead_user, office_user):
    req = request_signoff(lead_user, task, "")
    db.session.commit()
    with pytest.raises(ValidationError) as err:
        reject_signoff(office_user, task, req.id, "  ")
    assert err.value.field == "reason"


def test_a_decided_request_cannot_be_decided_again(task, lead_user, office_user):
    req = request_signoff(lead_user, task, "")
    approve_signoff(office_user, task, req.id)
    db.session.commit()
    with pytest.raises(Conflict):
        reject_signoff(office_user, task, req.id, "再议")


def test_signed_off_item_takes_no_more_reports(task, lead_user, office_user):
    req = request_signoff(lead_user, task, "")
    approve_signoff(office_user, task, req.id)
    db.session.commit()
    with pytest.raises(Conflict) as err:
        submit_report(lead_user, task, progress=100, text="补报")
    assert "已销号" in err.value.message


def test_only_the_lead_unit_asks_for_signoff(task, make_user):
    co_user = make_user("unit", unit=task.co_units[0])
    with pytest.raises(PermissionDenied):
        request_signoff(co_user, task, "")


def test_unit_cannot_approve_its_own_signoff(task, lead_user):
    req = request_signoff(lead_user, task, "")
    db.session.commit()
    with pytest.raises(PermissionDenied):
        approve_signoff(lead_user, task, req.id)
    assert task.status == "signoff_requested"


def test_extension_moves_the_deadline_and_keeps_the_old_one(task, lead_user, office_user):
    old = task.due_date
    req = request_extension(lead_user, task, old + timedelta(days=30), "征地拆迁未完成")
    db.session.commit()
    version = task.version
    approve_extension(office_user, task, req.id)
    db.session.commit()
    assert task.due_date == old + timedelta(days=30)
    assert task.version > version
    last = task_history(task.id)[-1]
    assert last["detail"]["due_date"] == {"before": old.isoformat(),
                                          "after": (old + timedelta(days=30)).isoformat()}


def test_extension_must_be_asked_before_the_deadline(make_task, lead_user):
    late = make_task(lead=lead_user.unit, due=TODAY - timedelta(days=1))
    with pytest.raises(Conflict) as err:
        request_extension(lead_user, late, TODAY + timedelta(days=10), "来不及")
    assert "之前申请" in err.value.message


def test_extension_must_move_the_deadline_later(task, lead_user):
    with pytest.raises(ValidationError) as err:
        request_extension(lead_user, task, task.due_date, "原因")
    assert err.value.field == "new_due_date"


def test_stale_edit_is_refused_and_changes_nothing(task, office_user):
    read_version = task.version
    update_task(office_user, task, read_version, {"title": "第一次修改"})
    db.session.commit()
    with pytest.raises(Conflict):
        update_task(office_user, task, read_version, {"title": "过期的修改"})
    db.session.rollback()
    assert db.session.get(type(task), task.id).title == "第一次修改"


def test_deadline_change_is_audited_with_before_and_after(task, office_user):
    old = task.due_date
    update_task(office_user, task, task.version, {"due_date": date(2027, 1, 31)})
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.task_id == task.id)
                               .order_by(AuditEvent.id.desc())).first()
    assert event.action == "task.deadline_change"
    assert event.actor == office_user.label
    assert event.detail == {"due_date": {"before": old.isoformat(), "after": "2027-01-31"}}


def test_every_step_of_the_lifecycle_is_in_the_history(task, lead_user, office_user):
    submit_report(lead_user, task, progress=100, text="完成")
    req = request_signoff(lead_user, task, "请销号")
    approve_signoff(office_user, task, req.id)
    db.session.commit()
    actions = [e["action"] for e in task_history(task.id)]
    assert actions == ["task.create", "report.submit", "signoff.request", "signoff.approve"]


def test_suspend_and_resume_by_the_office(task, office_user):
    update_task(office_user, task, task.version, {"status": "suspended"})
    db.session.commit()
    assert task.status == "suspended"
    update_task(office_user, task, task.version, {"status": "in_progress"})
    db.session.commit()
    assert task.status == "in_progress"


def test_only_a_suspended_item_can_be_resumed(make_task, office_user):
    fresh = make_task()
    with pytest.raises(Conflict):
        update_task(office_user, fresh, fresh.version, {"status": "in_progress"})


@pytest.mark.parametrize("submitted, on_time", [
    (datetime(2026, 11, 24, 12, 0, tzinfo=LOCAL_TZ), True),   # Tuesday 12:00 of the next week
    (datetime(2026, 11, 24, 12, 1, tzinfo=LOCAL_TZ), False),
])
def test_weekly_report_deadline_is_tuesday_noon_of_the_next_week(app, submitted, on_time):
    assert (submitted <= period_deadline("2026-W47")) is on_time


def test_report_deadline_on_a_holiday_moves_to_the_next_working_day(app):
    # Week 40 of 2026 ends Sun 4 Oct; Tue 6 Oct falls in the National Day holiday
    # (1–7 Oct), so the report is due on the first working day after it, Thu 8 Oct.
    assert period_deadline("2026-W40").astimezone(LOCAL_TZ).date() == date(2026, 10, 8)
