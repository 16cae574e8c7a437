"""Every label of a stored code, in one place: task statuses, request statuses, roles,
unit kinds, channel kinds, lights, bulletin kinds and statuses, adjustment kinds,
notification statuses, report states, notice rules, red/black presets, and the fields and actions the
history names. Each label is a msgid (the Chinese text, marked with N_): documents,
notices and the API print it as it is; pages translate it with `label` / `labels`, forms
offer it with `choices`. The keys of each mapping are the codes the models accept."""
from __future__ import annotations

from flask_babel import gettext, lazy_gettext

from tracker.i18n import N_

STATUSES = {"not_started": N_("未启动"), "in_progress": N_("推进中"),
            "signoff_requested": N_("待销号"), "signed_off": N_("已销号"), "suspended": N_("暂缓")}
# Every status but signed off: the item still has work to do (tracker.ledger.state's).
OPEN_STATUSES = ("not_started", "in_progress", "signoff_requested", "suspended")
REQUEST_STATUSES = {"pending": N_("待审核"), "approved": N_("已通过"), "rejected": N_("已退回")}
ROLES = {"office": N_("指挥部办公室"), "unit": N_("联络员"), "leader": N_("领导")}
UNIT_KINDS = {"office": N_("指挥部办公室"), "taskforce": N_("工作专班"), "department": N_("成员单位"),
              "county": N_("县（市、区）"), "town": N_("镇（街）"), "other": N_("其他")}
CHANNEL_KINDS = {"email": N_("邮箱"), "wecom": N_("企业微信/粤政易机器人"), "dingtalk": N_("钉钉机器人"),
                 "feishu": N_("飞书机器人"), "webhook": N_("通用 Webhook")}
LIGHTS = {"green": N_("绿灯"), "yellow": N_("黄灯"), "red": N_("红灯")}
# The mark beside an item's status past its deadline (tracker.ledger.state.deadline_mark).
DEADLINE_MARKS = {"overdue": N_("逾期"), "review": N_("待审核")}
BULLETIN_KINDS = {"weekly": N_("周调度"), "monthly": N_("月通报"), "quarterly": N_("季推进"),
                  "annual": N_("年考评")}
BULLETIN_STATUSES = {"draft": N_("草稿"), "published": N_("已发布")}
ADJUSTMENT_KINDS = {"rating": N_("质量评价"), "adjustment": N_("加减分"), "veto": N_("一票否决")}
NOTIFICATION_STATUSES = {"pending": N_("待发送"), "sent": N_("已发送"), "failed": N_("发送失败待重试"),
                         "dead": N_("已放弃")}
REPORT_STATES = {"on_time": N_("按时报送"), "late": N_("迟报"), "missing": N_("缺报"),
                 "pending": N_("未到报送时限")}
NOTICE_RULES = {"deadline-reminder": N_("到期提醒"), "overdue-notice": N_("逾期催办"),
                "overdue-escalation": N_("逾期升级督办"), "weekly-overdue-notice": N_("周调度逾期通报"),
                "weekly-overdue-summary": N_("周调度汇总"), "weekly-report-reminder": N_("报送提醒"),
                "monthly-report-reminder": N_("月报提醒"), "bulletin": N_("通报发布通知"),
                "bulletin-draft": N_("通报草稿待审"), "test": N_("测试消息"),
                "assignment": N_("交办通知"), "signoff-approved": N_("同意销号通知"),
                "signoff-rejected": N_("退回销号通知"), "extension-approved": N_("同意延期通知"),
                "extension-rejected": N_("驳回延期通知"), "deadline-change": N_("时限调整通知"),
                "chase": N_("催办")}
# Scheduled jobs (tracker.jobs.registry, tracker.regime.jobs), how a run was started, and the
# counts a run reports (the jobs page).
JOBS = {"deadline-reminders": N_("到期提醒"), "overdue-notices": N_("逾期催办"),
        "weekly-overdue-notice": N_("周调度逾期通报"), "weekly-report-reminder": N_("报送提醒"),
        "monthly-report-reminder": N_("月报提醒"), "dispatch-outbox": N_("发送通知"),
        "monthly-bulletin": N_("月通报草稿"), "quarterly-review": N_("季推进草稿"),
        "annual-evaluation": N_("年考评草稿"), "forecasts": N_("完成预测"),
        "keep-placings": N_("红黑榜排名留存")}
TRIGGERS = {"schedule": N_("定时"), "catch-up": N_("补运行"), "manual": N_("手动")}
RUN_COUNTS = {"units": N_("单位"), "items": N_("事项"), "queued": N_("入队通知"), "sent": N_("已发送"),
              "failed": N_("发送失败"), "dead": N_("已放弃"), "deferred": N_("推迟发送"),
              "delivery": N_("投递"), "drafts": N_("草稿"), "notices": N_("通知"),
              "late": N_("预计逾期"), "placings": N_("排名日"), "counted": N_("新计算"),
              "kept": N_("已留存")}
# The red/black list's rule sets (`[redblack] preset`, tracker.regime.redblack.PRESETS).
PRESETS = {"standard": N_("标准规则"), "strict": N_("从严规则"), "weekly": N_("周调度规则")}
FIELDS = {"code": N_("编号"), "title": N_("任务名称"), "description": N_("任务内容"),
          "parent_id": N_("上级事项"), "lead_unit_id": N_("牵头单位"), "co_unit_ids": N_("配合单位"),
          "leader": N_("责任领导"), "start_date": N_("开始日期"), "due_date": N_("完成时限"),
          "target_value": N_("目标值"), "target_unit": N_("计量单位"), "status": N_("状态"),
          "progress": N_("进度"), "actual_value": N_("累计完成"), "period": N_("报送周期"),
          "on_time": N_("按时报送"), "note": N_("说明"), "reason": N_("理由"),
          "files": N_("佐证材料"), "old_due_date": N_("原完成时限"), "new_due_date": N_("申请延至"),
          "milestones": N_("时间节点"), "kind": N_("类型"), "end_date": N_("截止日期"),
          "text": N_("进展情况"), "problems": N_("存在问题"), "next_steps": N_("下步计划"),
          "message": N_("催办意见"), "unit_id": N_("单位")}
ACTIONS = {"task.create": N_("新建事项"), "task.update": N_("修改事项"),
           "task.deadline_change": N_("调整完成时限"), "report.submit": N_("报送进展"),
           "signoff.request": N_("申请销号"), "signoff.approve": N_("同意销号"),
           "signoff.reject": N_("退回销号申请"), "extension.request": N_("申请延期"),
           "extension.approve": N_("同意延期"), "extension.reject": N_("驳回延期申请"),
           "task.chase": N_("催办"), "exemption.mark": N_("认定豁免"), "exemption.revoke": N_("撤销豁免"),
           "report.correct": N_("更正报送"), "problem.create": N_("提出问题"),
           "problem.repeat": N_("再次反映问题"), "problem.classify": N_("问题归类"),
           "problem.assign": N_("问题交办协调"), "problem.resolve": N_("问题解决"),
           "problem.note": N_("问题进展备注")}

# The names pages use: label("status", task.status).
BY_NAME = {"status": STATUSES, "request": REQUEST_STATUSES, "role": ROLES, "kind": UNIT_KINDS,
           "channel": CHANNEL_KINDS, "light": LIGHTS, "deadline": DEADLINE_MARKS, "bulletin_kind": BULLETIN_KINDS,
           "bulletin_status": BULLETIN_STATUSES, "adjustment": ADJUSTMENT_KINDS,
           "notification": NOTIFICATION_STATUSES, "report_state": REPORT_STATES,
           "rule": NOTICE_RULES, "field": FIELDS, "action": ACTIONS, "preset": PRESETS,
           "job": JOBS, "trigger": TRIGGERS, "run_count": RUN_COUNTS}


def label(name: str, code: str | None) -> str:
    """The label of a stored *code* in the reader's language; the code itself if unknown."""
    text = BY_NAME[name].get(code)
    return gettext(text) if text else (code or "")


def labels(name: str) -> dict[str, str]:
    """Every label of *name*, translated once (long tables look labels up per row)."""
    return {code: gettext(text) for code, text in BY_NAME[name].items()}


def choices(name: str) -> list[tuple[str, str]]:
    """(code, lazily translated label) pairs for a form's select field."""
    return [(code, lazy_gettext(text)) for code, text in BY_NAME[name].items()]
