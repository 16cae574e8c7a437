"""All models, importable from one place (`from tracker.models import Task`). The codes a
column accepts and their labels are in `tracker.labels`."""
from tracker.models.accounts import ApiToken, LoginThrottle, User
from tracker.models.audit import AuditEvent
from tracker.models.calendar import CalendarDay
from tracker.models.decisions import ExtensionRequest, SignoffRequest
from tracker.models.exemptions import Exemption
from tracker.models.feeds import CalendarFeed
from tracker.models.foresight import Problem, ProblemNote, TaskForecast
from tracker.models.ledger import Milestone, Plan, Task, TaskState, task_co_units
from tracker.models.nonces import FormNonce
from tracker.models.notify import Chase, JobRun, Notification, RateWindow, SchedulerLease, UnitNotice
from tracker.models.regime import (Bulletin, DispatchMeeting, EvaluationAdjustment, PlacingRecord,
                                    dispatch_agreed_items)
from tracker.models.reports import Evidence, ProgressReport
from tracker.models.units import Channel, Unit

__all__ = [
    "ApiToken", "LoginThrottle", "User", "AuditEvent", "CalendarDay", "ExtensionRequest",
    "SignoffRequest", "Exemption", "Milestone", "Plan", "Task", "TaskState", "task_co_units", "Evidence",
    "ProgressReport", "Channel", "Unit", "Chase", "JobRun", "Notification", "RateWindow", "SchedulerLease",
    "UnitNotice", "Bulletin",
    "DispatchMeeting", "EvaluationAdjustment", "PlacingRecord", "dispatch_agreed_items",
    "CalendarFeed", "FormNonce",
    "Problem", "ProblemNote", "TaskForecast",
]
