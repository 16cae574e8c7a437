"""The weekly notice's section 预计无法按期完成: a warning to the unit of its items not yet
due whose forecast says they will be late. A warning, not an accusation: the red/black
list and the scores never read forecasts."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from tracker.clock import cn_date
from tracker.extensions import db
from tracker.foresight.forecast import late_clause
from tracker.models import Task, TaskForecast
from tracker.notify import messages as m


def warned_by_unit(as_of: date) -> dict[int, list]:
    """预计逾期 items per lead unit, soonest deadline first (plain columns)."""
    rows = db.session.execute(
        select(Task.id, Task.code, Task.title, Task.due_date, Task.lead_unit_id, Task.leader,
               TaskForecast.projected_date, TaskForecast.late_by_workdays)
        .join(TaskForecast, TaskForecast.task_id == Task.id).where(late_clause(as_of))
        .order_by(Task.lead_unit_id, Task.due_date, Task.sort_key)).all()
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.lead_unit_id].append(row)
    return grouped


def section(rows: list) -> list[str]:
    """The section's lines; none without items."""
    if not rows:
        return []
    lines = [f"预计无法按期完成（预警，请提前研判、加快推进）：按近期报送进度推算，以下{len(rows)}项工作预计不能在完成时限前完成："]
    for n, r in enumerate(rows, start=1):
        leader = f"，责任领导 {r.leader}" if r.leader else ""
        when = (f"预计{cn_date(r.projected_date)}完成，晚于完成时限{r.late_by_workdays}个工作日"
                if r.projected_date else "近期进度没有推进")
        lines.append(f"{n}. {m.item_link(r.id, r.code, r.title)}（完成时限 {cn_date(r.due_date)}{leader}），{when}")
    lines.append("请对照完成时限倒排工期，确有困难的及时在进展报送中说明存在问题，需协调的提请指挥部办公室协调。")
    return lines
