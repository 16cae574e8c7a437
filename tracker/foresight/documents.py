"""The problem ledger and the forecasts in the regime's documents: the monthly bulletin's
存在问题 (by category, with counts and the oldest open problems named), the quarterly
review's open problems by category and age, the coordinating units' record, and its
预计逾期 items per series. Which problems count is as of the end of the document's day
(raised by then, not resolved by then); their category and coordinating unit are as the
office has them now. 预计逾期 for today reads the kept forecasts; for a past day it is
computed from the reports known by then."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Row, String, and_, case, func, or_, select, type_coerce

from tracker import clock
from tracker.calendar.sql import day_number, local_day_number
from tracker.extensions import db
from tracker.foresight import forecast
from tracker.foresight.forecast import late_clause
from tracker.foresight.problems import age_days, days_since
from tracker.ledger.levels import counted_clause
from tracker.models import Problem, Task, TaskForecast, Unit
from tracker.regime.compilers.sections import ORDINALS, section

OLDEST_NAMED = 3
AGE_BANDS = ((30, "30天以内"), (90, "31至90天"), (None, "90天以上"))


def _open_then(as_of: date):
    """Problems raised by the end of *as_of* and not resolved by then."""
    cut = clock.cutoff(as_of)
    return and_(Problem.first_reported_at < cut,
                or_(Problem.resolved_at.is_(None), Problem.resolved_at >= cut))


def open_problems(as_of: date) -> list[Row]:
    """Problems open at the end of *as_of*, oldest first, as rows (category,
    coordinator_unit_id, text, first_reported_at, code, title, unit: the item's code and
    title and its lead unit's name). Plain columns: at bench scale there are 167,000
    open problems, and loading each as a Problem object cost more than grouping them."""
    return db.session.execute(
        select(Problem.category, Problem.coordinator_unit_id, Problem.text, Problem.first_reported_at,
               Task.code, Task.title, Unit.name.label("unit"))
        .join(Task, Task.id == Problem.task_id)
        .join(Unit, Unit.id == Task.lead_unit_id)
        .where(_open_then(as_of), counted_clause(as_of))
        .order_by(Problem.first_reported_at, Problem.id)).all()


def ledger_groups(as_of: date) -> list[dict[str, Any]]:
    """Open problems by category, the largest first: [{kind, count, items: [item code],
    assigned, oldest: [(text, [item codes], age)]}]: the oldest distinct texts. At bench
    scale 148,000 problems are open: the rows carry only what the grouping reads (the first
    report's time is converted only for the texts named), oldest first from SQL."""
    groups: dict[str, dict[str, Any]] = {}
    # Per category: the item codes already in its items, and its oldest entries by text.
    seen: dict[str, tuple[set[str], dict[str, tuple]]] = {}
    rows = db.session.execute(
        select(Problem.category, Problem.coordinator_unit_id.is_not(None), Problem.text,
               type_coerce(Problem.first_reported_at, String), Task.code)
        .join(Task, Task.id == Problem.task_id)
        .where(_open_then(as_of), counted_clause(as_of))
        .order_by(Problem.first_reported_at, Problem.id))
    for kind, assigned, text, first_at, code in rows:
        g = groups.get(kind)
        if g is None:
            g = groups[kind] = {"kind": kind, "count": 0, "items": [], "assigned": 0, "oldest": []}
            seen[kind] = (set(), {})
        codes, named = seen[kind]
        g["count"] += 1
        g["assigned"] += bool(assigned)
        if code not in codes:
            codes.add(code)
            g["items"].append(code)
        # The same words on several items are named once, with every item that has them.
        same = named.get(text)
        if same is not None:
            same[1].append(code)
        elif len(g["oldest"]) < OLDEST_NAMED:
            named[text] = entry = (text, [code], _age(first_at, as_of))
            g["oldest"].append(entry)
    return sorted(groups.values(), key=lambda g: (-g["count"], g["kind"]))


def _age(first_at: str | datetime, as_of: date) -> int:
    """Days from a problem's first report (as the driver returns the column: text on
    SQLite, a datetime on PostgreSQL) to *as_of*."""
    if isinstance(first_at, str):
        first_at = datetime.fromisoformat(first_at).replace(tzinfo=UTC)
    return days_since(first_at, as_of)


def _codes(codes: list[str]) -> str:
    """Item codes as a bulletin lists them: 1.2、3.1 or 1.2、3.1、4.2等5项."""
    distinct = list(dict.fromkeys(codes))
    shown = "、".join(distinct[:3])
    return f"{shown}等{len(distinct)}项" if len(distinct) > 3 else shown


def problems_section(key: str, title: str, groups: list[dict[str, Any]]) -> dict[str, Any]:
    """存在问题 from the problem ledger: per category how many problems on how many items,
    and the oldest still open named."""
    if not groups:
        return section(key, title, ["截至统计日，问题清单中无尚未解决的问题。"])
    total = sum(g["count"] for g in groups)
    lines = []
    for n, g in enumerate(groups):
        oldest = "；".join(f"“{text}”（{_codes(codes)}，已提出{age}天）" for text, codes, age in g["oldest"][:2])
        lines.append(f"{ORDINALS[n] if n < 10 else n + 1}是{g['kind']}问题{g['count']}个，涉及{len(g['items'])}项"
                     f"任务，其中已交办协调{g['assigned']}个，提出最早的有{oldest}")
    rows = [[g["kind"], g["count"], len(g["items"]), g["assigned"],
             "、".join(g["items"][:10]),
             "；".join(f"{text}（{_codes(codes)}，{age}天）" for text, codes, age in g["oldest"])] for g in groups]
    out = section(key, title, [f"截至统计日，问题清单中尚未解决的问题共{total}个：" + "；".join(lines) + "。"],
                  ["问题类别", "问题数", "涉及事项", "已交办协调", "事项编号", "提出最早的问题"], rows)
    out["table"]["formats"] = ["text", "int", "int", "int", "text", "text"]
    return out


def ages_section(key: str, title: str, as_of: date) -> dict[str, Any]:
    """Open problems by category and age band, for the quarterly review."""
    counts: dict[str, list[int]] = {}
    for problem in open_problems(as_of):
        age = age_days(problem, as_of)
        band = next(i for i, (limit, _) in enumerate(AGE_BANDS) if limit is None or age <= limit)
        counts.setdefault(problem.category, [0] * len(AGE_BANDS))[band] += 1
    if not counts:
        return section(key, title, ["截至统计日，问题清单中无尚未解决的问题。"])
    rows = [[category, sum(c), *c] for category, c in sorted(counts.items(), key=lambda kv: -sum(kv[1]))]
    out = section(key, title, [f"截至统计日尚未解决的问题共{sum(r[1] for r in rows)}个，按类别和已提出时间："],
                  ["问题类别", "合计", *(label for _, label in AGE_BANDS)], rows)
    out["table"]["formats"] = ["text"] + ["int"] * (len(AGE_BANDS) + 1)
    return out


def coordinators_section(key: str, title: str, first: date, as_of: date) -> dict[str, Any]:
    """Each coordinating unit's record: problems assigned to it, resolved (on time: by the
    deadline it was given), still open and past that deadline, as of the end of *as_of*."""
    cut = clock.cutoff(as_of)
    resolved = and_(Problem.resolved_at.is_not(None), Problem.resolved_at < cut)
    on_time = and_(resolved, local_day_number(Problem.resolved_at) <= day_number(Problem.due_date))
    late_open = and_(~resolved, Problem.due_date < as_of)
    rows = db.session.execute(
        select(Unit.name, func.count(Problem.id), func.sum(_int(resolved)), func.sum(_int(on_time)),
               func.sum(_int(late_open)))
        .join(Unit, Unit.id == Problem.coordinator_unit_id)
        .where(Problem.first_reported_at < cut)
        .group_by(Unit.id, Unit.name).order_by(func.count(Problem.id).desc(), Unit.name)).all()
    if not rows:
        return section(key, title, ["本期无交办协调的问题。"])
    table = [[n, name, total, int(done or 0), int(timely or 0), total - int(done or 0), int(late or 0)]
             for n, (name, total, done, timely, late) in enumerate(rows, start=1)]
    return section(key, title, ["协调单位办理指挥部办公室交办问题的情况（按时解决：在交办时限内解决）。"],
                   ["序号", "协调单位", "交办问题", "已解决", "按时解决", "未解决", "超过时限未解决"], table)


def _int(clause):
    return case((clause, 1), else_=0)


class _Late(NamedTuple):
    code: str
    title: str
    lead_unit_id: int
    name: str
    due_date: date
    projected_date: date | None
    late_by_workdays: int | None


def _late_rows(as_of: date) -> list[_Late]:
    """预计逾期 items as of *as_of*, soonest deadline first: today's from the kept forecasts;
    a past day's computed from the reports known by then, against the deadlines then in
    force, so a document dated then does not move when items are reported on later."""
    if as_of >= clock.today():
        return [_Late(*r) for r in db.session.execute(
            select(Task.code, Task.title, Task.lead_unit_id, Unit.name, Task.due_date,
                   TaskForecast.projected_date, TaskForecast.late_by_workdays)
            .join(TaskForecast, TaskForecast.task_id == Task.id).join(Unit, Unit.id == Task.lead_unit_id)
            .where(late_clause(as_of), counted_clause(as_of)).order_by(Task.due_date, Task.sort_key))]
    late = {r["task_id"]: r for r in forecast.rows_as_of(as_of) if r["is_late"] and r["due_date"] >= as_of}
    if not late:
        return []
    ids = list(late)
    rows = [r for start in range(0, len(ids), 5000) for r in db.session.execute(
        select(Task.id, Task.code, Task.title, Task.lead_unit_id, Unit.name, Task.sort_key)
        .join(Unit, Unit.id == Task.lead_unit_id)
        .where(Task.id.in_(ids[start:start + 5000]), counted_clause(as_of)))]
    out = [(late[r.id]["due_date"], r.sort_key,
            _Late(r.code, r.title, r.lead_unit_id, r.name, late[r.id]["due_date"],
                  late[r.id]["projected_date"], late[r.id]["late_by_workdays"])) for r in rows]
    return [row for *_, row in sorted(out, key=lambda x: (x[0], x[1]))]


def late_forecast_section(key: str, title: str, as_of: date) -> dict[str, Any]:
    """预计逾期 items per series (序列) of their lead unit: a warning list."""
    from tracker.regime.redblack import series_of, series_order

    rows = _late_rows(as_of)
    if not rows:
        return section(key, title, ["按近期报送进度推算，暂无预计不能按期完成的事项。"])
    series = series_of({r.lead_unit_id for r in rows})
    order = {name: i for i, name in enumerate(series_order())}
    rows = sorted(rows, key=lambda r: order.get(series[r.lead_unit_id], len(order)))
    table = [[n, series[r.lead_unit_id], r.code, r.title, r.name, r.due_date.isoformat(),
              r.projected_date.isoformat() if r.projected_date else "进度停滞",
              r.late_by_workdays if r.late_by_workdays is not None else "—"]
             for n, r in enumerate(rows, start=1)]
    per = {}
    for r in rows:
        per[series[r.lead_unit_id]] = per.get(series[r.lead_unit_id], 0) + 1
    summary = "，".join(f"{name}{count}项" for name, count in per.items())
    return section(key, title, [f"按近期报送进度推算，{len(rows)}项事项预计不能按期完成（预警，不作考核）：{summary}。"],
                   ["序号", "序列", "编号", "任务名称", "牵头单位", "完成时限", "预计完成", "晚于时限（工作日）"],
                   table)
