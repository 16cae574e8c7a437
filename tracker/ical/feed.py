"""A feed's calendar (RFC 5545, written by the icalendar library): one all-day event per
open item's deadline and per milestone of it, with an alarm `[ical] alarm_days` before.
UIDs stay the same while items change (a milestone's names its item and its date), and
SEQUENCE follows the item's version, so calendar clients update events in place."""
from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Alarm, Calendar, Event

from tracker import clock
from tracker.extensions import db
from tracker.ledger import state
from tracker.ledger.operations import task_query
from tracker.models import CalendarFeed, Task


def feed_tasks(feed: CalendarFeed) -> list[Task]:
    """The open items the feed covers: its unit's (lead or co-unit), or every item."""
    query = task_query(feed.user, unit_id=feed.unit_id, order="due")
    return list(db.session.scalars(query.where(state.open_clause())))


def calendar_bytes(feed: CalendarFeed) -> bytes:
    settings = current_app.config["SETTINGS"]
    base = settings["app"]["base_url"].rstrip("/")
    host = urlsplit(base).hostname or "duban"
    alarm_days = settings["ical"]["alarm_days"]
    name = feed.unit.name if feed.unit else "全部事项"
    cal = Calendar()
    cal.add("prodid", "-//Duban//督办//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"督办 · {name}")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    stamp = clock.now()
    for task in feed_tasks(feed):
        link = f"{base}/tasks/{task.id}"
        paused = "（暂缓）" if task.status == "suspended" else ""
        cal.add_component(_event(
            f"task-{task.id}-due@{host}", task.due_date, f"【完成时限】{task.code} {task.title}{paused}",
            f"牵头单位：{task.lead_unit.name}\n状态：{task.status_label}\n进度：{task.progress}%\n{link}",
            link, task, stamp, alarm_days))
        for milestone in task.milestones:
            what = milestone.title or f"应达进度{milestone.expected_progress}%"
            cal.add_component(_event(
                f"task-{task.id}-milestone-{milestone.due_date.isoformat()}@{host}",
                milestone.due_date, f"【时间节点】{task.code} {task.title}：{what}{paused}",
                f"应达进度：{milestone.expected_progress}%\n完成时限：{clock.cn_date(task.due_date)}\n{link}",
                link, task, stamp, alarm_days))
    return cal.to_ical()


def _event(uid: str, day: date, summary: str, description: str, link: str, task: Task, stamp,
           alarm_days: int) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", link)
    event.add("sequence", task.version)
    event.add("last-modified", task.updated_at)
    event.add("transp", "TRANSPARENT")
    if alarm_days > 0:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", timedelta(days=-alarm_days))
        event.add_component(alarm)
    return event
