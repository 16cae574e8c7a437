"""All models, importable from one place (`from tracker.models import Task`)."""
from tracker.models.accounts import ROLES, ApiToken, LoginFailure, User
from tracker.models.audit import AuditEvent
from tracker.models.calendar import CalendarDay
from tracker.models.decisions import REQUEST_STATUSES, ExtensionRequest, SignoffRequest
from tracker.models.ledger import STATUSES, Milestone, Plan, Task, task_co_units
from tracker.models.notify import (NOTIFICATION_STATUSES, JobRun, Notification, RateWindow,
                                  SchedulerLease)
from tracker.models.regime import (ADJUSTMENT_KINDS, BULLETIN_KINDS, Bulletin, DispatchMeeting,
                                  EvaluationAdjustment, dispatch_agreed_items)
from tracker.models.reports import Evidence, ProgressReport
from tracker.models.units import CHANNEL_KINDS, UNIT_KINDS, Channel, Unit

__all__ = [
    "ROLES", "ApiToken", "LoginFailure", "User", "AuditEvent", "CalendarDay",
    "REQUEST_STATUSES", "ExtensionRequest", "SignoffRequest", "STATUSES", "Milestone", "Plan",
    "Task", "task_co_units", "Evidence", "ProgressReport", "CHANNEL_KINDS", "UNIT_KINDS",
    "Channel", "Unit", "NOTIFICATION_STATUSES", "JobRun", "Notification", "RateWindow",
    "SchedulerLease", "ADJUSTMENT_KINDS", "BULLETIN_KINDS", "Bulletin", "DispatchMeeting",
    "EvaluationAdjustment", "dispatch_agreed_items",
]
