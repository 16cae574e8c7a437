"""Reporting rules: who reports, what a report must hold, and what it changes on the item."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from werkzeug.datastructures import FileStorage
from flask_babel import lazy_gettext as _l

from tracker import audit, clock, validation
from tracker.errors import Conflict, PermissionDenied, ValidationError
from tracker.extensions import db
from tracker.foresight import forecast
from tracker.foresight import problems as problem_ledger
from tracker.ledger import state
from tracker.ledger.operations import flush_versioned
from tracker.models import ProgressReport, Task, User
from tracker.reports import evidence, periods


def submit_report(user: User, task: Task, *, progress: Any, text: Any, problems: Any = "",
                  next_steps: Any = "", actual_value: Any = None, period: Any = None,
                  files: list[FileStorage] | None = None) -> ProgressReport:
    """Record a lead or co-unit's progress report for *period* (default the current ISO
    week; a month only when the monthly cycle is on), on time when made by its deadline.
    The lead unit's report sets the item's progress and cumulative actual value; the first
    report starts a 未启动 item. Its 存在问题 go into the problem ledger, and the lead
    unit's report re-forecasts the item (tracker.foresight)."""
    state.check(user, task, "report", clock.today())
    values = _validated(progress, text, problems, next_steps, actual_value)
    submitted_at = clock.now()
    today = clock.today()
    period = periods.reporting_period(today) if period in (None, "") else period
    periods.parse_period(period, kinds=periods.enabled_kinds())
    if periods.period_bounds(period)[0] > today:
        raise ValidationError(f"period {period} has not started yet", "period",
                              text=_l("该期尚未开始，不能提前报送"))
    if files:
        evidence.check_files(files)
    report = ProgressReport(task_id=task.id, unit_id=user.unit_id, user_id=user.id, period=period,
                            submitted_at=submitted_at,
                            on_time=submitted_at <= periods.period_deadline(period), **values)
    db.session.add(report)
    changes: dict[str, Any] = {}
    if task.status == "not_started":
        changes.update(state.move(task, "in_progress", "开始推进"))
    if user.unit_id == task.lead_unit_id:
        changes.update(audit.changes({"progress": task.progress, "actual_value": task.actual_value},
                                     {"progress": values["progress"],
                                      "actual_value": values["actual_value"]
                                      if values["actual_value"] is not None else task.actual_value}))
        task.progress = values["progress"]
        if values["actual_value"] is not None:
            task.actual_value = values["actual_value"]
    task.last_report_at = submitted_at
    task.updated_at = submitted_at
    flush_versioned()
    if files:
        evidence.store_files(files, task, user, report_id=report.id)
    audit.record(user, "report.submit", report, task_id=task.id,
                 detail={"report_id": report.id, "period": period, "progress": report.progress,
                         "on_time": report.on_time, "files": [f.filename for f in files or []],
                         **changes})
    problem_ledger.record_from_report(report)
    if user.unit_id == task.lead_unit_id:
        forecast.refresh_task(task, today)
    return report


def is_filer(user: User, report: ProgressReport) -> bool:
    """Whether *user* is one of the people of the unit that filed *report*."""
    return not user.is_office and not user.is_leader and user.unit_id == report.unit_id


def require_filer(user: User, report: ProgressReport) -> None:
    if not is_filer(user, report):
        raise PermissionDenied("只有报送单位可以更正本单位的报送")


def may_correct(user: User, report: ProgressReport) -> bool:
    """Whether *user* may correct *report*: their own unit's, while its period is open (the
    period's report deadline has not passed)."""
    return is_filer(user, report) and clock.now() <= periods.period_deadline(report.period)


def correct_report(user: User, report: ProgressReport, *, progress: Any, text: Any,
                   problems: Any = "", next_steps: Any = "",
                   actual_value: Any = None) -> ProgressReport:
    """The unit that filed *report* corrects it while its period is open. The report keeps
    its period, submission time and timeliness; the trail keeps what it said before. The
    lead unit's latest report also moves the item's progress and cumulative value, and the
    item's forecast and problem ledger follow the corrected figures and text."""
    require_filer(user, report)
    task = report.task
    state.check(user, task, "report", clock.today())
    if clock.now() > periods.period_deadline(report.period):
        raise Conflict("该周期的报送时限已过，不能再更正 (the period is closed)", "period")
    values = _validated(progress, text, problems, next_steps, actual_value)
    before = {k: getattr(report, k) for k in values}
    for name, value in values.items():
        setattr(report, name, value)
    detail = audit.changes(before, values)
    if not detail:
        return report
    latest = db.session.scalar(select(ProgressReport.id).where(
        ProgressReport.task_id == task.id, ProgressReport.unit_id == task.lead_unit_id)
        .order_by(ProgressReport.submitted_at.desc(), ProgressReport.id.desc()).limit(1))
    if report.unit_id == task.lead_unit_id and latest == report.id:
        task.progress = values["progress"]
        if values["actual_value"] is not None:
            task.actual_value = values["actual_value"]
    task.updated_at = clock.now()
    flush_versioned()
    audit.record(user, "report.correct", report, task_id=task.id,
                 detail={"report_id": report.id, "period": report.period, **detail})
    # What a new report would move, the corrected one moves too: its 存在问题 in the
    # problem ledger (a corrected text is matched like a new report's) and the forecast.
    if "problems" in detail:
        problem_ledger.record_from_report(report)
    if report.unit_id == task.lead_unit_id:
        forecast.refresh_task(task, clock.today())
    return report


def _validated(progress: Any, text: Any, problems: Any, next_steps: Any,
               actual_value: Any) -> dict[str, Any]:
    return {"progress": validation.percent(progress, "progress"),
            "text": validation.text(text, "text", required=True),
            "problems": validation.text(problems, "problems"),
            "next_steps": validation.text(next_steps, "next_steps"),
            "actual_value": validation.number(actual_value, "actual_value")}


def reports_query(task: Task) -> Select:
    """A task's reports, newest first."""
    return (select(ProgressReport).where(ProgressReport.task_id == task.id)
            .order_by(ProgressReport.submitted_at.desc(), ProgressReport.id.desc()))
