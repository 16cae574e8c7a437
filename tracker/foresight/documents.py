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

from sqlalchemy import Row, String, and_, case, distinct, func, or_, select, type_coerce

from tracker import clock
from tracker.calendar.sql import day_number, local_day_number
from tracker.extensions import db
from tracker.foresight import forecast
from tracker.foresight.forecast import late_clause
from tracker.foresight.problems import age_days, days_since
from tracker.ledger.levels import counted_clause
from tracker.models import Problem, Task, TaskForecast, Unit
from tracker.regime.compilers.sections import ORDINALS, section

OLDEST_NAMED = 3   # texts named per category
NAMED_CODES = 3    # item codes shown per named text
ITEMS_LISTED = 10  # item codes listed per category
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
    """Open problems by category, the largest first: [{kind, count, assigned, item_count,
    items: [the first ITEMS_LISTED item codes], oldest: [(text, [its first NAMED_CODES item
    codes], its item count, age)]}]: the oldest distinct texts. Items and texts are in the
    order their problems were first reported (then by problem id).

    Items are counted by id (codes repeat across plans: two plans' 1.2 are two items) and
    listed by code, each code once.

    At bench scale 148,000 problems are open, so nothing reads them all in Python: one
    aggregate pass counts each category (its problems, items and distinct texts); what is
    named is then read oldest first from ix_problems_category_first, stopping as soon as
    it has the items and the texts it names; a second pass counts the named texts' items,
    but only in categories with more than one text (with one, its items are the
    category's)."""
    open_then = and_(_open_then(as_of), counted_clause(as_of, Problem.task_id))
    groups = []
    for kind, count, assigned, item_count, text_count in db.session.execute(
            select(Problem.category, func.count(), func.count(Problem.coordinator_unit_id),
                   func.count(distinct(Problem.task_id)), func.count(distinct(Problem.text)))
            .where(open_then).group_by(Problem.category)):
        items, oldest = _oldest(kind, open_then, as_of, min(text_count, OLDEST_NAMED))
        if text_count == 1:
            oldest[0][2] = item_count
        groups.append({"kind": kind, "count": count, "assigned": assigned, "item_count": item_count,
                       "items": items, "oldest": oldest})
    _count_named(groups, open_then)
    for g in groups:
        for entry in g["oldest"]:
            if len(entry[1]) < min(entry[2], NAMED_CODES):
                entry[1] = _first_codes(open_then, g["kind"], entry[0], entry[2])
        g["oldest"] = [tuple(entry) for entry in g["oldest"]]
    return sorted(groups, key=lambda g: (-g["count"], g["kind"]))


def _count_named(groups: list[dict[str, Any]], open_then) -> None:
    """Each named text's items, counted in one pass over the categories with several texts
    (slot k: the k-th named text of each category, a column of its own)."""
    several = [g for g in groups if len(g["oldest"]) > 1]
    if not several:
        return
    slots = [{g["kind"]: g["oldest"][k][0] for g in several if len(g["oldest"]) > k}
             for k in range(OLDEST_NAMED)]
    counts = dict((kind, n) for kind, *n in db.session.execute(
        select(Problem.category, *(func.count(distinct(case(
            (Problem.text == case(texts, value=Problem.category), Problem.task_id))))
            for texts in slots if texts))
        .where(open_then, Problem.category.in_([g["kind"] for g in several]))
        .group_by(Problem.category)))
    for g in several:
        for entry, n in zip(g["oldest"], counts[g["kind"]]):
            entry[2] = n


def _in_order(open_then, *criteria):
    """The open problems of *criteria*, oldest first, as (text, first report, item id,
    item code), fetched a few at a time (the reader stops early)."""
    return db.session.execute(
        select(Problem.text, type_coerce(Problem.first_reported_at, String), Task.id, Task.code)
        .join(Task, Task.id == Problem.task_id).where(open_then, *criteria)
        .order_by(Problem.first_reported_at, Problem.id)
        .execution_options(yield_per=ITEMS_LISTED * 5))


def _oldest(kind: str, open_then, as_of: date, text_count: int) -> tuple[list[str], list[list]]:
    """(the category's first item codes, its oldest distinct texts as [text, [the first
    item codes seen with it], 0, age]): read oldest first until both are complete (at most
    *text_count* texts)."""
    items: dict[int, str] = {}
    named: dict[str, list] = {}
    rows = _in_order(open_then, Problem.category == kind)
    for text, first_at, task_id, code in rows:
        if len(items) < ITEMS_LISTED:
            items.setdefault(task_id, code)
        entry = named.get(text)
        if entry is None and len(named) < text_count:
            named[text] = entry = [text, {}, 0, _age(first_at, as_of)]
        if entry is not None and len(entry[1]) < NAMED_CODES:
            entry[1].setdefault(task_id, code)
        if len(items) >= ITEMS_LISTED and len(named) >= text_count:
            break
    rows.close()
    for entry in named.values():
        entry[1] = list(dict.fromkeys(entry[1].values()))
    return list(dict.fromkeys(items.values())), list(named.values())


def _first_codes(open_then, kind: str, text: str, count: int) -> list[str]:
    """The first NAMED_CODES items (of *count*) with *text* in category *kind*, oldest
    first (when the category's read stopped before it had them)."""
    codes: dict[int, str] = {}
    rows = _in_order(open_then, Problem.category == kind, Problem.text == text)
    for _, _, task_id, code in rows:
        codes.setdefault(task_id, code)
        if len(codes) >= min(count, NAMED_CODES):
            break
    rows.close()
    return list(dict.fromkeys(codes.values()))


def _age(first_at: str | datetime, as_of: date) -> int:
    """Days from a problem's first report (as the driver returns the column: text on
    SQLite, a datetime on PostgreSQL) to *as_of*."""
    if isinstance(first_at, str):
        first_at = datetime.fromisoformat(first_at).replace(tzinfo=UTC)
    return days_since(first_at, as_of)


def _codes(codes: list[str], count: int) -> str:
    """Item codes as a bulletin lists them: 1.2、3.1 or 1.2、3.1、4.2等5项 (*codes*: the
    first few of the *count*)."""
    shown = "、".join(codes[:NAMED_CODES])
    return f"{shown}等{count}项" if count > NAMED_CODES else shown


def problems_section(key: str, title: str, groups: list[dict[str, Any]]) -> dict[str, Any]:
    """存在问题 from the problem ledger: per category how many problems on how many items,
    and the oldest still open named."""
    if not groups:
        return section(key, title, ["截至统计日，问题清单中无尚未解决的问题。"])
    total = sum(g["count"] for g in groups)
    lines = []
    for n, g in enumerate(groups):
        oldest = "；".join(f"“{text}”（{_codes(codes, k)}，已提出{age}天）" for text, codes, k, age in g["oldest"][:2])
        lines.append(f"{ORDINALS[n] if n < 10 else n + 1}是{g['kind']}问题{g['count']}个，涉及{g['item_count']}项"
                     f"任务，其中已交办协调{g['assigned']}个，提出最早的有{oldest}")
    rows = [[g["kind"], g["count"], g["item_count"], g["assigned"],
             "、".join(g["items"]),
             "；".join(f"{text}（{_codes(codes, k)}，{age}天）" for text, codes, k, age in g["oldest"])] for g in groups]
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
