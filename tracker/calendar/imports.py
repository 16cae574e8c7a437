"""The office's own calendar days: a CSV or Excel list (date, 休/班, note) for years
chinesecalendar does not know, stored in `calendar_days`."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

from tracker import audit, calendar
from tracker.accounts.permissions import require_office
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.models import CalendarDay, User

# Words an uploaded calendar may use for a holiday / a make-up working day.
HOLIDAY_WORDS = {"休", "假", "节假日", "holiday", "0", "false", "off"}
WORKDAY_WORDS = {"班", "上班", "调休上班", "workday", "1", "true", "work"}


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
