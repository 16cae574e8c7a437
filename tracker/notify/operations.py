"""Office actions on notifications: the log query, a channel's test message, and the
upload of official calendar days for years chinesecalendar does not know."""
from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from tracker import audit, calendar
from tracker.accounts.permissions import require_office
from tracker.clock import local, now
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.models import NOTIFICATION_STATUSES, CalendarDay, Channel, Notification, User
from tracker.notify import messages, outbox, recipients
from tracker.notify.dispatch import dispatch

# Words an uploaded calendar may use for a holiday / a make-up working day.
HOLIDAY_WORDS = {"休", "假", "节假日", "holiday", "0", "false", "off"}
WORKDAY_WORDS = {"班", "上班", "调休上班", "workday", "1", "true", "work"}


def notifications_query(user: User, status: str | None = None, rule: str | None = None,
                        unit_id: int | None = None) -> Select:
    """The notification log, newest first, filtered (office only)."""
    require_office(user)
    query = select(Notification).options(selectinload(Notification.unit),
                                         selectinload(Notification.read_by))
    if status:
        if status not in NOTIFICATION_STATUSES:
            raise ValidationError(f"status must be one of {', '.join(NOTIFICATION_STATUSES)}", "status")
        query = query.where(Notification.status == status)
    if rule:
        query = query.where(Notification.rule == rule)
    if unit_id is not None:
        query = query.where(Notification.unit_id == unit_id)
    return query.order_by(Notification.created_at.desc(), Notification.id.desc())


def to_dict(n: Notification) -> dict:
    """The API's notification object (API.md)."""
    return {"id": n.id, "rule": n.rule, "channel_kind": n.channel_kind, "target": n.target,
            "unit_id": n.unit_id, "task_ids": n.task_ids, "period": n.period, "status": n.status,
            "attempts": n.attempts, "last_error": n.last_error,
            "created_at": _iso(n.created_at), "sent_at": _iso(n.sent_at), "read_at": _iso(n.read_at)}


def _iso(at: datetime | None) -> str | None:
    return local(at).isoformat() if at else None


def send_test(actor: User, channel: Channel) -> Notification:
    """Send a test message to *channel* now and return its notification (sent or failed).
    Commits: the message must be queued before the outbox can claim it."""
    require_office(actor)
    stamp = local(now()).strftime("%Y-%m-%d %H:%M:%S")
    period = f"{stamp} {uuid.uuid4().hex[:8]}"  # every click is a message of its own
    draft = outbox.Draft("test", f"channel:{channel.id}", period, "【测试】督办系统通知渠道测试",
                         f"这是一条测试消息，发送时间 {stamp}。收到即表示本渠道配置正确。",
                         messages.unit_items_url(channel.unit_id))
    outbox.enqueue([(recipients.of_channel(channel), draft)])
    row = db.session.scalar(select(Notification).where(
        Notification.rule == "test", Notification.subject == draft.subject,
        Notification.period == period))
    audit.record(actor, "channel.test", channel, detail={"notification_id": row.id})
    db.session.commit()
    dispatch(only=[row.id])
    db.session.refresh(row)
    return row


def import_calendar(actor: User, filename: str, data: bytes) -> int:
    """Store official days from a CSV or Excel list (date, 休/班, note); returns how many."""
    require_office(actor)
    rows = _xlsx_rows(data) if filename.lower().endswith(".xlsx") else _csv_rows(data)
    days = {}
    for number, row in enumerate(rows, start=1):
        cells = [str(c).strip() if c is not None else "" for c in row] + ["", "", ""]
        if not cells[0] or cells[0] in ("日期", "date"):
            continue
        day = _day(cells[0], number)
        kind = cells[1].lower()
        if kind not in HOLIDAY_WORDS | WORKDAY_WORDS:
            raise ValidationError(f"第{number}行：类型应为“休”或“班” (row {number}: holiday or workday)", "file")
        days[day] = (kind in WORKDAY_WORDS, cells[2][:100])
    if not days:
        raise ValidationError("文件中没有日期 (no dates in the file)", "file")
    for day, (is_workday, note) in days.items():
        db.session.merge(CalendarDay(day=day, is_workday=is_workday, note=note))
    db.session.flush()
    # Calendar days have no id of their own: the event is filed under the uploading user.
    audit.record(actor, "calendar.import", db.session.get(User, actor.id), detail={
        "file": filename, "days": len(days), "years": sorted({d.year for d in days})})
    calendar.forget_office_days()
    return len(days)


def _day(value: str, number: int) -> date:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ValidationError(f"第{number}行：日期应为 YYYY-MM-DD (row {number}: bad date {value!r})",
                              "file") from None


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(data: bytes) -> list:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True).active
    except Exception:
        raise ValidationError("无法读取 Excel 文件 (not an .xlsx file)", "file") from None
    return [[c.isoformat() if isinstance(c, (date, datetime)) else c for c in row]
            for row in sheet.iter_rows(values_only=True)]
