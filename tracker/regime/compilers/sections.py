"""Building blocks of compiled bulletins: statistics computed in SQL, shaped as sections.

A section is {"key", "title", "paragraphs": [str], "table": {"columns", "rows"} | None};
the page, the .docx and the .xlsx all render this one shape.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select

from tracker.accounts.lookups import unit_names
from tracker.clock import cn_date
from tracker.extensions import db, read_aside
from tracker.labels import LIGHTS
from tracker.labels import STATUSES
from tracker.ledger import state
from tracker.ledger import timeline
from tracker.ledger.levels import basis_note, counted_clause
from tracker.ledger.lights import COLORS, light_expression
from tracker.models import Task, Unit
from tracker.numbers import percent_text
from tracker.ledger.exemptions import exempt_clause
from tracker.regime.redblack import completion_clauses, series_of, series_order
from tracker.reports import cycles
from tracker.reports.periods import period_label


def section(key: str, title: str, paragraphs: list[str] = (), columns: list[str] | None = None,
            rows: list[list[Any]] | None = None) -> dict[str, Any]:
    table = {"columns": columns, "rows": rows or []} if columns else None
    return {"key": key, "title": title, "paragraphs": list(paragraphs), "table": table}


def share(part: int, whole: int) -> str:
    return percent_text(part / whole) if whole else "—"


def fraction(part: int, whole: int) -> float | None:
    """A share for a percent column: a fraction 0..1, None when there is no whole."""
    return round(part / whole, 4) if whole else None


def shares(parts: list[int]) -> list[str]:
    """Each part's share of their sum to one decimal, adding up to exactly 100%
    (largest remainder), as "27.3%"."""
    total = sum(parts)
    if not total:
        return ["—"] * len(parts)
    tenths = [1000 * n / total for n in parts]
    out = [int(t) for t in tenths]
    for i in sorted(range(len(parts)), key=lambda i: tenths[i] - out[i], reverse=True)[:1000 - sum(out)]:
        out[i] += 1
    return [percent_text(t / 1000) for t in out]


def summary(today: date) -> dict[str, Any]:
    """content.summary (API.md): {as_of, total, by_status, overdue, lights} at the counting
    level, the ledger as it stood at the end of *today*; `overdue` as the task object's
    (past the deadline, not signed off: suspended items included)."""
    return summary_of(ledger_figures(today), today)


def summary_of(figures: dict[str, Any], today: date) -> dict[str, Any]:
    """content.summary from ledger_figures (or overall) already computed for *today*."""
    return {"as_of": today.isoformat(), "total": figures["total"], "by_status": figures["by_status"],
            "overdue": figures["overdue_all"], "lights": figures["lights"]}


def ledger_figures(today: date) -> dict[str, Any]:
    """`start_ledger_figures(today)`, waited for."""
    return start_ledger_figures(today, aside=False)()


def start_ledger_figures(today: date, *, aside: bool = True) -> Callable[[], dict[str, Any]]:
    """The function giving the document's counts, one definition each (口径), at the counting level as the ledger
    stood at the end of *today*: `by_status`; the partition done (已完成, signed off) /
    on_track (正常推进) / overdue (逾期未完成: open, not suspended, past its deadline) /
    suspended (暂缓), which adds up to `total`; the lights; per lead unit (the unit
    table's) {unit_id: (items, done and not exempt, overdue)}; and `completion`, the
    red/black list's completion counts (redblack.completion_counts, by the same
    `completion_clauses`). One pass over the items, grouped by lead unit, status and light,
    started aside (`read_aside`) for the caller to read something else meanwhile."""
    cols = timeline.as_of(today)
    late = state.overdue_clause(today, cols.status, cols.due_date)
    on_time, due = completion_clauses(today, cols.status, cols.due_date)
    rows = cols.join(
        select(Task.lead_unit_id.label("unit_id"), cols.status.label("status"),
               light_expression(today, cols).label("light"),
               case((late, 1), else_=0).label("late"),
               case((and_(cols.status == "signed_off", ~exempt_clause(today)), 1), else_=0).label("done"),
               case((on_time, 1), else_=0).label("on_time"), case((due, 1), else_=0).label("due"))
        .select_from(Task).where(counted_clause(today))).subquery()
    groups = read_aside(
        select(rows.c.unit_id, rows.c.status, rows.c.light, func.count(), func.sum(rows.c.late),
               func.sum(rows.c.done), func.sum(rows.c.on_time), func.sum(rows.c.due))
        .group_by(rows.c.unit_id, rows.c.status, rows.c.light), aside=aside)
    return lambda: _figures(groups.all())


def _figures(groups: list) -> dict[str, Any]:
    by_status = dict.fromkeys(STATUSES, 0)
    lights = dict.fromkeys(COLORS, 0)
    units: dict[int, list[int]] = {}
    overdue = overdue_all = 0
    for unit_id, status, light, n, n_late, n_done, n_on_time, n_due in groups:
        chased = n_late if status in state.CHASED_STATUSES else 0
        by_status[status] += n
        lights[light] += n
        overdue_all += n_late
        overdue += chased
        figures = units.setdefault(unit_id, [0, 0, 0, 0, 0])
        figures[0] += n
        figures[1] += n_done
        figures[2] += chased
        figures[3] += n_on_time
        figures[4] += n_due
    total = sum(by_status.values())
    done, suspended = by_status["signed_off"], by_status["suspended"]
    return {"total": total, "by_status": by_status, "done": done, "suspended": suspended,
            "overdue": overdue, "overdue_all": overdue_all, "on_track": total - done - suspended - overdue,
            "lights": lights, "units": {unit_id: tuple(f[:3]) for unit_id, f in units.items()},
            "completion": [(unit_id, f[3], f[4]) for unit_id, f in sorted(units.items()) if f[4]]}


def overall(today: date, periods: list[str], known: cycles.Summaries | None = None,
            figures: dict[str, Any] | None = None) -> dict[str, Any]:
    """ledger_figures (or *figures*, when the caller has them) plus the on-time report rate
    over *periods* (summaries as of *today* already in *known* are not counted again)."""
    known = {p: known[p] for p in periods if p in (known or {})}
    window = {**known, **cycles.unit_summaries([p for p in periods if p not in known], today)}
    rates = cycles.on_time_rates(window)
    return {**(figures or ledger_figures(today)), "periods": periods, "summaries": window, "unit_rates": rates,
            "on_time": sum(r[0] for r in rates.values()), "owed": sum(r[1] for r in rates.values())}


PARTS = (("done", "已完成"), ("on_track", "正常推进"), ("overdue", "逾期未完成"), ("suspended", "暂缓"))


def overall_section(key: str, title: str, stats: dict[str, Any], today: date,
                    period_label: str) -> dict[str, Any]:
    """总体情况 at one level: the partition (its shares add up to 100%), the lights, the
    on-time report rate over the document's window, and the 口径."""
    total, lights = stats["total"], stats["lights"]
    parts = shares([stats[name] for name, _ in PARTS])
    status_text = "，".join(f"{label}{stats[name]}项（{part}）" for (name, label), part in zip(PARTS, parts))
    light_text = "、".join(f"{LIGHTS[c]}{lights[c]}项" for c in COLORS)
    window = _window_text(stats.get("periods", []))
    paragraphs = [
        f"截至{cn_date(today)}，纳入统计的事项共{total}项：{status_text}。",
        f"亮灯情况：{light_text}。",
        f"{period_label}{window}按时报送率{share(stats['on_time'], stats['owed'])}"
        f"（按时报送{stats['on_time']}次/应报送{stats['owed']}次）。",
        basis_note() + "完成率为已完成事项占应完成事项的比例，按时完成率为按时完成事项占应完成事项的比例"
        "（应完成事项指已到完成时限或已销号的事项）；按时报送率为按时报送次数占应报送次数的比例。",
    ]
    rows = [[label, stats[name], fraction(stats[name], total)] for name, label in PARTS]
    rows += [[LIGHTS[c], lights[c], fraction(lights[c], total)] for c in COLORS]
    out = section(key, title, paragraphs, ["类别", "数量", "占比"], rows)
    out["table"]["formats"] = ["text", "int", "percent"]
    return out


def _window_text(periods: list[str]) -> str:
    """The reporting window a document rates, e.g. （第45周（11月2日—8日）至第46周（11月9日—15日）、2026年10月月报）."""
    weeks = sorted(p for p in periods if "W" in p)
    parts = []
    if weeks:
        parts.append(period_label(weeks[0]) + (f"至{period_label(weeks[-1])}" if len(weeks) > 1 else ""))
    parts += [f"{period_label(p)}月报" for p in sorted(periods) if "W" not in p]
    return f"（{'、'.join(parts)}）" if parts else ""


UNIT_COLUMNS = ["序列", "排名", "单位", "牵头事项", "应完成", "已完成", "按时完成", "完成率", "按时完成率",
                "逾期未完成", "按时报送率"]
UNIT_FORMATS = ["text", "int", "text", "int", "int", "int", "int", "percent", "percent", "int", "percent"]


def unit_table(today: date, stats: dict[str, Any],
               counts: list[tuple[int, int, int]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """各单位推进情况: each lead unit, ranked within its series by 按时完成率 then 按时报送率
    (the red/black list's order), and the completion chart's data (units with most items).
    按时完成 and 应完成 are the red/black list's own counts (*counts*: completion_counts as
    of *today*), so the table and the lists quote one figure; 已完成 leaves out the same
    exempt items."""
    due_counts = {unit_id: (on_time, due) for unit_id, on_time, due in counts}
    rows = stats["units"]
    names, series = unit_names(rows), series_of(set(rows))
    figures = []
    for unit_id, (items, done, overdue) in sorted(rows.items()):
        on_time, due = due_counts.get(unit_id, (0, 0))
        reported, owed = stats["unit_rates"].get(unit_id, (0, 0))
        key = ((on_time / due) if due else -1.0, (reported / owed) if owed else 1.0)
        figures.append((series[unit_id], key, unit_id, int(items), int(done or 0), int(on_time or 0),
                        int(due or 0), int(overdue or 0), reported, owed))
    order = series_order()
    figures.sort(key=lambda f: (order.index(f[0]) if f[0] in order else len(order),
                                tuple(-k for k in f[1]), f[2]))
    table = []
    for name in dict.fromkeys(f[0] for f in figures):
        rank, previous = 0, None
        for position, f in enumerate((f for f in figures if f[0] == name), start=1):
            _, key, unit_id, items, done, on_time, due, overdue, reported, owed = f
            if key != previous:     # equal keys share a rank (1, 1, 3 …), as on the lists
                rank, previous = position, key
            table.append([name, rank if due else None, names.get(unit_id, ""), items, due,
                          done, on_time, fraction(done, due), fraction(on_time, due), overdue,
                          fraction(reported, owed)])
    top = sorted(figures, key=lambda f: (-f[3], f[2]))[:30]
    chart = {"title": "各单位按时完成率（事项最多的单位）", "labels": [names.get(f[2], "") for f in top],
             "values": [round(100 * f[5] / f[6], 1) if f[6] else 0 for f in top]}
    out = section("units", "二、各单位推进情况",
                  ["各单位按所在序列排名，排名依次比较按时完成率和按时报送率；尚无应完成事项的单位不排名。详见附件1。"],
                  UNIT_COLUMNS, table)
    out["table"]["formats"] = UNIT_FORMATS
    out["annex"] = True
    out["landscape"] = True
    return out, chart


def redblack_sections(result: dict[str, Any], red_title: str,
                      black_title: str) -> list[dict[str, Any]]:
    """红榜 and 黑榜, one row per unit with every fact, grouped by series."""
    red = [[n, e["series"], e["unit_name"], e["reason"]] for n, e in enumerate(result["red"], start=1)]
    black = [[n, e["series"], e["unit_name"], e["reason"]] for n, e in enumerate(result["black"], start=1)]
    unranked = [f"{e['unit_name']}{e['reason']}" for e in result.get("unranked", [])]
    note = [f"不参与排名的单位：{'；'.join(unranked)}。"] if unranked else []
    exempt = [e["text"] for e in result.get("exempt", [])]
    if exempt:   # listed with their reasons, never silently dropped
        note.append(f"经指挥部办公室认定豁免、本期不列入红黑榜和逾期判定的事项{len(exempt)}项：{'；'.join(exempt)}。")
    black_section = section("black", black_title, ([] if black else ["本期无单位上黑榜。"]) + note,
                            ["序号", "序列", "单位", "理由"], black)
    # The rule's escalation steps, for the office only: printed once it confirms them
    # (regime/drafts.py).
    black_section["proposals"] = [
        {"unit_id": e["unit_id"], "unit_name": e["unit_name"], "consecutive": e["consecutive"],
         "step": e["escalation"], "reason": e["escalation_reason"]}
        for e in result["black"] if e.get("escalation")]
    return [section("red", red_title, [] if red else ["本期无单位上红榜。"],
                    ["序号", "序列", "单位", "理由"], red), black_section]


ORDINALS = "一二三四五六七八九十"


def items_due(first: date, last: date, today: date) -> list[list[Any]]:
    """Open items due within [first, last], as the ledger stood at the end of *today*."""
    cols = timeline.as_of(today)
    rows = db.session.execute(cols.join(
        select(Task.code, Task.title, Unit.name, Task.leader, cols.due_date).select_from(Task)
        .join(Unit, Unit.id == Task.lead_unit_id)
        .where(cols.due_date >= first, cols.due_date <= last, counted_clause(today),
               cols.status.in_(state.CHASED_STATUSES)))
        .order_by(cols.due_date, Task.sort_key)).all()
    return [[n, code, title_, unit, leader, due.isoformat()]
            for n, (code, title_, unit, leader, due) in enumerate(rows, start=1)]


def items_due_section(key: str, title: str, first: date, last: date, today: date) -> dict[str, Any]:
    rows = items_due(first, last, today)
    out = section(key, title, [] if rows else ["该期间无到期任务。"],
                  ["序号", "编号", "任务名称", "牵头单位", "责任领导", "完成时限"], rows)
    out["table"]["formats"] = ["int", "text", "text", "text", "text", "date"]
    return out
