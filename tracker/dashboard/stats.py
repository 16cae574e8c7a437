"""Dashboard figures, each computed in SQL over the tasks a user may see."""
from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import Select, case, func, select

from tracker.accounts.lookups import ORDER
from tracker.accounts.permissions import unit_filter
from tracker.extensions import db
from tracker.labels import STATUSES
from tracker.ledger import state
from tracker.models import Task, Unit, User
from tracker.paging import Page, paginate_rows

DUE_SOON_DAYS = 7
def _overdue(today: date):
    return state.overdue_clause(today)


def _due_soon(today: date):
    return Task.due_date.between(today, today + timedelta(days=DUE_SOON_DAYS)) & state.open_clause()


def office_totals(today: date) -> dict[str, int]:
    """Over every item: counts by status plus `total`, `overdue` and `due_soon` (due within
    7 days, still open), each a range over the (status, due_date) index."""
    out = dict.fromkeys(STATUSES, 0)
    out.update(db.session.execute(select(Task.status, func.count()).group_by(Task.status)).all())
    count = select(func.count()).select_from(Task).where(state.open_clause())
    out["total"] = sum(out[s] for s in STATUSES)
    out["overdue"] = db.session.scalar(select(func.count()).select_from(Task).where(state.overdue_clause(today)))
    out["due_soon"] = db.session.scalar(count.where(
        Task.due_date.between(today, today + timedelta(days=DUE_SOON_DAYS))))
    return out


def unit_totals(unit_id: int, today: date) -> dict[str, int]:
    """The same figures over one unit's items (lead or co-unit), in one pass over them."""
    query = (select(Task.status, func.count(), func.sum(case((_overdue(today), 1), else_=0)),
                    func.sum(case((_due_soon(today), 1), else_=0)))
             .where(unit_filter(unit_id)).group_by(Task.status))
    out = dict.fromkeys(STATUSES, 0) | {"total": 0, "overdue": 0, "due_soon": 0}
    for status, count, overdue, due_soon in db.session.execute(query):
        out[status] = count
        out["total"] += count
        out["overdue"] += overdue or 0
        out["due_soon"] += due_soon or 0
    return out


def unit_page(today: date, per_page: int) -> Page:
    """Lead units in the configured order (sort_order, then name), a page at a time, each
    with its items, signed off, overdue and completion rate (%). Only the page's units are
    aggregated, through the lead-unit index."""
    leads = select(Task.id).where(Task.lead_unit_id == Unit.id).exists()
    units = paginate_rows(select(Unit.id, Unit.name).where(leads).order_by(*ORDER), per_page)
    ids = [row.id for row in units.items]
    figures = {row.lead_unit_id: row for row in db.session.execute(
        select(Task.lead_unit_id, func.count().label("total"),
               func.sum(case((Task.status == "signed_off", 1), else_=0)).label("done"),
               func.sum(case((_overdue(today), 1), else_=0)).label("overdue"))
        .where(Task.lead_unit_id.in_(ids)).group_by(Task.lead_unit_id))}
    units.items = [UnitFigures(row.id, row.name, figures[row.id].total, figures[row.id].done,
                               figures[row.id].overdue) for row in units.items]
    return units


class UnitFigures(NamedTuple):
    id: int
    name: str
    total: int
    done: int
    overdue: int

    @property
    def rate(self) -> float:
        return 100.0 * self.done / self.total if self.total else 0.0


def unit_home_query(user: User, unit_id: int, today: date) -> Select:
    """A unit's items: overdue first, then due within 7 days, then the rest, each by deadline."""
    from tracker.ledger.operations import task_query

    bucket = case((_overdue(today), 0), (_due_soon(today), 1), else_=2)
    return (task_query(user, unit_id=unit_id, as_of=today)
            .order_by(None).order_by(bucket, Task.due_date, Task.id))
