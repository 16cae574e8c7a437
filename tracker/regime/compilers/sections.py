"""Building blocks of compiled bulletins: statistics computed in SQL, shaped as sections.

A section is {"key", "title", "paragraphs": [str], "table": {"columns", "rows"} | None};
the page, the .docx and the .xlsx all render this one shape.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import case, func, select

from tracker.extensions import db
from tracker.labels import LIGHTS
from tracker.labels import STATUSES
from tracker.ledger import state
from tracker.ledger.levels import counted_clause
from tracker.ledger.lights import COLORS, light_counts
from tracker.models import ProgressReport, Task, Unit
from tracker.regime.redblack import percent_text
from tracker.reports import cycles


def section(key: str, title: str, paragraphs: list[str] = (), columns: list[str] | None = None,
            rows: list[list[Any]] | None = None) -> dict[str, Any]:
    table = {"columns": columns, "rows": rows or []} if columns else None
    return {"key": key, "title": title, "paragraphs": list(paragraphs), "table": table}


def share(part: int, whole: int) -> str:
    return percent_text(part / whole) if whole else "—"


def overall(today: date, periods: list[str],
            known: cycles.Summaries | None = None) -> dict[str, Any]:
    """Counts by status and light, overdue count and the on-time report rate over *periods*
    (summaries as of *today* already in *known* are not counted again)."""
    by_status = dict.fromkeys(STATUSES, 0)
    by_status.update(dict(db.session.execute(
        select(Task.status, func.count()).where(counted_clause()).group_by(Task.status)).all()))
    overdue = db.session.scalar(select(func.count()).select_from(Task).where(
        state.overdue_clause(today), counted_clause()))
    lights = light_counts(select(Task).where(counted_clause()), today)
    known = {p: known[p] for p in periods if p in (known or {})}
    rates = cycles.on_time_rates(
        {**known, **cycles.unit_summaries([p for p in periods if p not in known], today)})
    on_time = sum(r[0] for r in rates.values())
    owed = sum(r[1] for r in rates.values())
    return {"total": sum(by_status.values()), "by_status": by_status, "overdue": overdue,
            "lights": lights["totals"], "unit_lights": lights["units"],
            "on_time": on_time, "owed": owed, "unit_rates": rates}


def overall_section(key: str, title: str, stats: dict[str, Any], today: date,
                    period_label: str) -> dict[str, Any]:
    total, by_status, lights = stats["total"], stats["by_status"], stats["lights"]
    status_text = "、".join(f"{label}{by_status[s]}项（{share(by_status[s], total)}）"
                            for s, label in STATUSES.items())
    light_text = "、".join(f"{LIGHTS[c]}{lights[c]}项" for c in COLORS)
    paragraphs = [
        f"截至{today.isoformat()}，台账共有任务{total}项，其中{status_text}；"
        f"逾期未完成{stats['overdue']}项（{share(stats['overdue'], total)}）。",
        f"亮灯情况：{light_text}。",
        f"{period_label}按时报送率{share(stats['on_time'], stats['owed'])}"
        f"（按时报送{stats['on_time']}次/应报送{stats['owed']}次）。",
    ]
    rows = [[label, by_status[s], share(by_status[s], total)] for s, label in STATUSES.items()]
    rows += [[LIGHTS[c], lights[c], share(lights[c], total)] for c in COLORS]
    return section(key, title, paragraphs, ["类别", "数量", "占比"], rows)


def unit_table(today: date, stats: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The per-unit section and the completion chart's data (units with most items)."""
    done = Task.status == "signed_off"
    late = state.overdue_clause(today)
    rows = db.session.execute(
        select(Unit.id, Unit.name, func.count(Task.id), func.sum(case((done, 1), else_=0)),
               func.sum(case((late, 1), else_=0)))
        .join(Task, Task.lead_unit_id == Unit.id).where(counted_clause()).group_by(Unit.id, Unit.name)
        .order_by(Unit.id)).all()
    lights = {u["unit_id"]: u for u in stats["unit_lights"]}
    table = []
    for n, (unit_id, name, items, signed, overdue) in enumerate(rows, start=1):
        light = lights.get(unit_id, dict.fromkeys(COLORS, 0))
        on_time, owed = stats["unit_rates"].get(unit_id, (0, 0))
        table.append([n, name, items, int(signed), int(overdue), light["green"], light["yellow"],
                      light["red"], share(int(signed), items), share(on_time, owed)])
    top = sorted(rows, key=lambda r: (-r[2], r[0]))[:30]
    chart = {"title": "各单位任务完成率（任务数最多的单位）",
             "labels": [r[1] for r in top],
             "values": [round(100 * int(r[3]) / r[2], 1) for r in top]}
    columns = ["序号", "单位", "牵头任务", "已销号", "逾期", "绿灯", "黄灯", "红灯", "完成率",
               "按时报送率"]
    return section("units", "二、各单位推进情况", columns=columns, rows=table), chart


def redblack_sections(result: dict[str, Any], red_title: str,
                      black_title: str) -> list[dict[str, Any]]:
    """红榜 and 黑榜, one row per unit with every fact, grouped by series."""
    red = [[n, e["series"], e["unit_name"], e["reason"]] for n, e in enumerate(result["red"], start=1)]
    black = [[n, e["series"], e["unit_name"], e["reason"]] for n, e in enumerate(result["black"], start=1)]
    unranked = [f"{e['unit_name']}{e['reason']}" for e in result.get("unranked", [])]
    note = [f"不参与排名的单位：{'；'.join(unranked)}。"] if unranked else []
    return [section("red", red_title, [] if red else ["本期无单位上红榜。"],
                    ["序号", "序列", "单位", "理由"], red),
            section("black", black_title, ([] if black else ["本期无单位上黑榜。"]) + note,
                    ["序号", "序列", "单位", "理由"], black)]


def problems_section(key: str, title: str, periods: list[str]) -> dict[str, Any]:
    """存在问题 from each open item's latest report for one of *periods*."""
    latest = (select(func.max(ProgressReport.id))
              .where(ProgressReport.period.in_(periods), ProgressReport.problems != "")
              .group_by(ProgressReport.task_id).scalar_subquery())
    rows = db.session.execute(
        select(Task.code, Task.title, Unit.name, ProgressReport.problems)
        .join(Task, Task.id == ProgressReport.task_id).join(Unit, Unit.id == Task.lead_unit_id)
        .where(ProgressReport.id.in_(latest), state.open_clause(), counted_clause())
        .order_by(Task.sort_key)).all()
    table = [[n, *row] for n, row in enumerate(rows, start=1)]
    return section(key, title, [] if table else ["本期各单位未报送需协调解决的问题。"],
                   ["序号", "编号", "任务名称", "牵头单位", "存在问题"], table)


def items_due_section(key: str, title: str, first: date, last: date) -> dict[str, Any]:
    """Open items due within [first, last]."""
    rows = db.session.execute(
        select(Task.code, Task.title, Unit.name, Task.leader, Task.due_date)
        .join(Unit, Unit.id == Task.lead_unit_id)
        .where(Task.due_date >= first, Task.due_date <= last, counted_clause(),
               state.chased_clause())
        .order_by(Task.due_date, Task.sort_key)).all()
    table = [[n, code, title_, unit, leader, due.isoformat()]
             for n, (code, title_, unit, leader, due) in enumerate(rows, start=1)]
    return section(key, title, [] if table else ["该期间无到期任务。"],
                   ["序号", "编号", "任务名称", "牵头单位", "责任领导", "完成时限"], table)
