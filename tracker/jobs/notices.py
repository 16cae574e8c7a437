"""The notice jobs: deadline reminders, overdue chases with escalation, the weekly overdue
notice (周调度) and the weekly and monthly report reminders. Each takes an `as_of` date, queues its
messages in the outbox (idempotently) and returns counts; none sends anything itself.

Working days count the distances: "due in k working days" means k working days lie in
(as_of, due]; "n working days overdue" means n working days lie in (due, as_of].
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from tracker import calendar, clock
from tracker.accounts.lookups import office_name, unit_names
from tracker.clock import cn_date
from tracker.extensions import db
from tracker.foresight import notice as foresight_notice
from tracker.ledger import state
from tracker.ledger.exemptions import exempt_clause
from tracker.models import Task, User
from tracker.notify import messages as m
from tracker.notify import outbox
from tracker.notify.outbox import Notice
from tracker.reports import cycles, periods

# Columns a notice needs: no ORM objects, so 100,000 items stay cheap.
ITEM = (Task.id, Task.code, Task.title, Task.due_date, Task.lead_unit_id, Task.leader,
        Task.last_report_at, state.awaits_review_clause().label("awaiting"))
# Suspended items are paused: nobody is reminded or chased for them.
CHASED = state.chased_clause()


def _cfg() -> dict:
    return current_app.config["SETTINGS"]["notify"]


def _items(*where):
    return db.session.execute(select(*ITEM).where(CHASED, *where)
                              .order_by(Task.lead_unit_id, Task.due_date, Task.sort_key)).all()


def _due_in(as_of: date, k: int) -> tuple[date, date]:
    """[lo, hi): due dates exactly k working days after *as_of*."""
    return calendar.add_workdays(as_of, k) if k else as_of, calendar.add_workdays(as_of, k + 1)


def _overdue_by(as_of: date, n: int) -> tuple[date, date]:
    """[lo, hi): due dates exactly n working days before *as_of*."""
    latest = as_of if calendar.is_workday(as_of) else calendar.add_workdays(as_of, -1)
    return calendar.add_workdays(latest, -n), calendar.add_workdays(latest, -(n - 1))


def _by_unit(rows) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.lead_unit_id].append(row)
    return grouped


def _not_yet_queued(rule: str, period: str, grouped: dict[int, list]) -> dict[int, list]:
    """*grouped* without the units already sent this notice (a re-run builds nothing for them)."""
    done = outbox.already_queued(rule, period, {uid: f"unit:{uid}" for uid in grouped})
    return {uid: rows for uid, rows in grouped.items() if uid not in done}


def _queue_per_unit(rule: str, period: str, grouped: dict[int, list], title, line, link) -> int:
    """One notice per unit: title(rows) and one line(row) per item."""
    grouped = _not_yet_queued(rule, period, grouped)
    notices = [(uid, Notice(rule, f"unit:{uid}", period, title(rows),
                            "\n".join(line(r) for r in rows), link(uid), [r.id for r in rows]))
               for uid, rows in grouped.items()]
    return outbox.enqueue_for_units(notices)


# --- deadline-reminders ----------------------------------------------------------------------

def deadline_reminders(as_of: date, **_) -> dict[str, int]:
    """Remind each lead unit of its items due in exactly one of the configured numbers of
    working days (e.g. 5, 2, 0) — one notice per unit per day."""
    left: dict[int, int] = {}
    rows = []
    for k in sorted(set(int(k) for k in _cfg()["deadline_offsets"])):
        lo, hi = _due_in(as_of, k)
        for row in _items(Task.due_date >= lo, Task.due_date < hi):
            left[row.id] = k
            rows.append(row)
    grouped = _by_unit(rows)
    queued = _queue_per_unit(
        "deadline-reminder", as_of.isoformat(), grouped,
        lambda rs: f"【到期提醒】{len(rs)}项工作临近完成时限",
        lambda r: f"- {m.item_link(r.id, r.code, r.title)}｜完成时限 {cn_date(r.due_date)}｜"
                  f"{m.left_days(left[r.id], r.due_date, as_of)}",
        m.unit_items_url)
    return {"units": len(grouped), "items": len(rows), "queued": queued}


# --- overdue-notices -------------------------------------------------------------------------

def overdue_notices(as_of: date, **_) -> dict[str, int]:
    """Chase the lead unit on the first working day an item is overdue and at each rung of
    the escalation ladder; at a rung also notify whom the ladder names."""
    ladder = {1: set()}
    for rung in _cfg()["escalation"]:
        ladder.setdefault(int(rung["after"]), set()).update(rung["notify"])
    days: dict[int, int] = {}
    rows, extra = [], defaultdict(list)
    for n, also in sorted(ladder.items()):
        lo, hi = _overdue_by(as_of, n)
        for row in _items(Task.due_date >= lo, Task.due_date < hi, ~exempt_clause(as_of)):
            days[row.id] = n
            rows.append(row)
            for who in also:
                extra[who].append(row)
    def line(r) -> str:
        return _overdue_line(r, days[r.id])

    def title(rs) -> str:
        return f"【催办】{len(rs)}项工作已逾期，请抓紧办理"

    period = as_of.isoformat()
    grouped = _by_unit(rows)
    queued = _queue_per_unit("overdue-notice", period, grouped, title, line,
                             lambda uid: m.unit_items_url(uid, overdue=True))
    queued += _escalate(period, extra, title, line)
    return {"units": len(grouped), "items": len(rows), "queued": queued}


def _overdue_line(row, days: int) -> str:
    return (f"- {m.item_link(row.id, row.code, row.title)}｜完成时限 {cn_date(row.due_date)}｜"
            f"{m.overdue_days(days)}｜最近报送 {m.report_date(row.last_report_at)}")


def _escalate(period: str, extra: dict[str, list], title, line) -> int:
    """Notify the unit's leaders, the office and the items' responsible leaders (by name)."""
    def notice(subject: str, rows: list, link: str) -> Notice:
        return Notice("overdue-escalation", subject[:80], period, title(rows),
                     "\n".join(line(r) for r in rows), link, [r.id for r in rows])

    queued = 0
    grouped = _by_unit(extra["unit_leaders"])
    leaders = _leaders(User.unit_id.in_(list(grouped)), lambda u: u.unit_id)
    for uid, rows in grouped.items():
        queued += outbox.enqueue_for_users(leaders[uid], notice(f"unit:{uid}", rows,
                                                               m.unit_items_url(uid, True)), uid)
    if extra["office"]:
        d = notice("office", extra["office"], m.url("/tasks?overdue=true"))
        queued += outbox.enqueue_for_office(d.rule, d.subject, period, d.title, d.body, d.link, d.task_ids)
    by_name: dict[str, list] = defaultdict(list)
    for row in extra["task_leader"]:
        if row.leader:
            by_name[row.leader].append(row)
    named = _leaders(User.name.in_(list(by_name)), lambda u: u.name)
    for name, rows in by_name.items():
        queued += outbox.enqueue_for_users(named[name], notice(f"leader:{name}", rows,
                                                              m.url("/tasks?overdue=true")),
                                           rows[0].lead_unit_id)
    return queued


def _leaders(where, key) -> dict:
    found: dict = defaultdict(list)
    for user in db.session.scalars(select(User).where(User.role == "leader", where)):
        found[key(user)].append(user)
    return found


# --- weekly-overdue-notice -------------------------------------------------------------------

def weekly_overdue_notice(as_of: date, **_) -> dict[str, int]:
    """周调度: one 督办提醒 per unit of all its overdue items (code, title, responsible
    leader, deadline, working days overdue, last report, link), what it must do by when
    and what follows if not; items awaiting the office's sign-off review listed apart; a
    warning section of its items forecast late (预计无法按期完成, also to a unit with nothing
    overdue). And one summary of every unit's count for the office."""
    rows = _items(Task.due_date < as_of, ~exempt_clause(as_of))
    days = {r.id: calendar.workdays_between(r.due_date, as_of) for r in rows}
    grouped = _by_unit(rows)
    warned = foresight_notice.warned_by_unit(as_of)
    period = periods.period_of(as_of)
    names = unit_names({*grouped, *warned}) if grouped or warned else {}
    office = office_name() or "指挥部办公室"
    reply_by = cn_date(calendar.reply_by(as_of))
    late_by_unit = {uid: [r for r in items if not r.awaiting] for uid, items in grouped.items()}
    notices = []
    everyone = {uid: grouped.get(uid, []) for uid in dict.fromkeys([*grouped, *warned])}
    for uid in _not_yet_queued("weekly-overdue-notice", period, everyone):
        items, late, ahead = grouped.get(uid, []), late_by_unit.get(uid, []), warned.get(uid, [])
        title = (f"【督办提醒】{periods.period_label(period)}：{len(late)}项工作逾期" if late
                 else f"【督办提醒】{periods.period_label(period)}：{len(items)}项工作待审核" if items
                 else f"【预警提醒】{periods.period_label(period)}：{len(ahead)}项工作预计无法按期完成")
        notices.append((uid, Notice("weekly-overdue-notice", f"unit:{uid}", period, title,
                                    _supervision_body(names[uid], items, days, as_of, reply_by, office, ahead),
                                    m.unit_items_url(uid, overdue=bool(items)),
                                    [r.id for r in [*items, *ahead]])))
    queued = outbox.enqueue_for_units(notices)
    order = sorted((uid for uid in grouped if late_by_unit[uid]),
                   key=lambda uid: (-len(late_by_unit[uid]), names[uid]))
    late_total = sum(len(late_by_unit[uid]) for uid in order)
    summary = [f"截至{cn_date(as_of)}，{len(order)}个单位共{late_total}项工作逾期："] + [
        f"- {names[uid]}：逾期{len(late_by_unit[uid])}项，最长{m.overdue_days(max(days[r.id] for r in late_by_unit[uid]))}"
        for uid in order]
    warned_total = sum(len(rows) for rows in warned.values())
    if warned_total:
        summary.append(f"另有{len(warned)}个单位{warned_total}项工作预计无法按期完成（预警，不列入黑榜）。")
    queued += outbox.enqueue_for_office(
        "weekly-overdue-summary", "office", period,
        f"【周调度】{periods.period_label(period)}各单位逾期情况汇总",
        "\n".join(summary), m.url("/tasks?overdue=true"), [])
    return {"units": len(grouped), "items": len(rows), "warned": warned_total, "queued": queued}


def _supervision_body(unit: str, items: list, days: dict[int, int], as_of: date, reply_by: str,
                      office: str, ahead: list = ()) -> str:
    """The 督办提醒 as an office writes it: addressed to the unit, each overdue item with its
    facts, the requirement and its date, the consequence, then items awaiting review, then
    the warning of items forecast late (预计无法按期完成, tracker.foresight.notice)."""
    late = [r for r in items if not r.awaiting]
    waiting = [r for r in items if r.awaiting]
    lines = [f"{unit}："]
    if late:
        lines.append(f"截至{cn_date(as_of)}，你单位牵头的以下{len(late)}项工作已超过完成时限：")
        lines += [f"{n}. {_item_facts(r)}，{m.overdue_days(days[r.id])}，最近报送 {m.report_date(r.last_report_at)}"
                  for n, r in enumerate(late, start=1)]
        lines.append(f"请于{reply_by}前书面报送逾期原因及整改措施，明确完成时限。逾期未整改或逾期超过规定时限的，"
                     "将按红黑榜规则列入黑榜通报。")
    if waiting:
        lines.append(f"以下{len(waiting)}项已于完成时限前申请销号，待指挥部办公室审核，暂不计逾期（待审核）：")
        lines += [f"{n}. {_item_facts(r)}" for n, r in enumerate(waiting, start=1)]
    lines += foresight_notice.section(list(ahead))
    lines += [office, cn_date(as_of)]
    return "\n".join(lines)


def _item_facts(row) -> str:
    leader = f"，责任领导 {row.leader}" if row.leader else ""
    return f"{m.item_link(row.id, row.code, row.title)}（完成时限 {cn_date(row.due_date)}{leader}）"


# --- weekly-report-reminder, monthly-report-reminder ----------------------------------------

def weekly_report_reminder(as_of: date, **_) -> dict[str, int]:
    """Remind lead units that still owe last week's report (the period due this week)."""
    period = periods.period_of(as_of - timedelta(days=7))
    return _report_reminder("weekly-report-reminder", period, "报送提醒",
                            f"{periods.period_label(period)}进展")


def monthly_report_reminder(as_of: date, **_) -> dict[str, int]:
    """With the monthly cycle on, remind lead units that still owe the report of the month
    due next (its deadline the first on or after *as_of*); with it off, nothing."""
    if "monthly" not in periods.enabled_kinds():
        return {"units": 0, "items": 0, "queued": 0}
    period = periods.next_due(as_of, "monthly")
    return _report_reminder("monthly-report-reminder", period, "月报提醒",
                            f"{periods.period_label(period)}进展")


def _report_reminder(rule: str, period: str, tag: str, what: str) -> dict[str, int]:
    """One notice per lead unit naming its not-started or in-progress items that owe a
    report for *period* (the reporting cycles' rule) and have none from it yet."""
    rows = db.session.execute(select(*ITEM).where(cycles.unsent_clause(period))
                              .order_by(Task.lead_unit_id, Task.sort_key)).all()
    local = clock.local(periods.period_deadline(period))
    deadline = f"{cn_date(local.date())} {local:%H:%M}"
    grouped = _by_unit(rows)
    queued = _queue_per_unit(
        rule, period, grouped,
        lambda rs: f"【{tag}】{what}尚有{len(rs)}项未报送，截止{deadline}",
        lambda r: f"- {m.item_link(r.id, r.code, r.title)}｜完成时限 {cn_date(r.due_date)}",
        m.unit_items_url)
    return {"units": len(grouped), "items": len(rows), "queued": queued}
