from datetime import date

from tracker.extensions import db
from tracker.ledger.operations import update_task
from tracker.reports.operations import submit_report
from tracker.signoff.operations import approve_signoff, request_signoff


def test_task_lifecycle_through_operations(make_task, make_user, office_user):
    task = make_task()
    liaison = make_user("unit", unit=task.lead_unit)
    submit_report(liaison, task, progress=40, text="完成土地征收")
    db.session.commit()
    assert task.status == "in_progress" and task.progress == 40
    req = request_signoff(liaison, task, "已完成")
    db.session.commit()
    approve_signoff(office_user, task, req.id)
    db.session.commit()
    assert task.status == "signed_off"
    update_task(office_user, task, task.version, {"title": "新标题"})
    db.session.commit()
    assert task.title == "新标题"
    assert task.due_date == date(2026, 12, 18)
