"""One way to page a list on a page: ORM rows, plain result rows (aggregates) or a list
already computed, each shaped like Flask-SQLAlchemy's Pagination for the `pager` macro."""
from __future__ import annotations

from typing import Any

from flask import request
from sqlalchemy import Select, func, select

from tracker.extensions import db

# Far beyond any real list; keeps the offset within the database's integers.
MAX_PAGE = 1_000_000


class Page:
    """items, total, page, pages, per_page, has_prev/has_next, prev_num/next_num."""

    def __init__(self, total: int, page: int, per_page: int):
        self.total, self.per_page = total, per_page
        self.pages = max(1, -(-total // per_page))
        self.page = min(max(page, 1), self.pages)
        self.items: list[Any] = []
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num, self.next_num = self.page - 1, self.page + 1

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def page_arg(name: str = "page") -> int:
    """The 1-based page number in the query string (bad values mean page 1)."""
    return min(max(request.args.get(name, 1, type=int) or 1, 1), MAX_PAGE)


def paginate(query: Select, per_page: int, param: str = "page"):
    """A page of the ORM objects *query* selects (page number from the query string)."""
    return db.paginate(query, page=page_arg(param), per_page=per_page, error_out=False)


def paginate_rows(query: Select, per_page: int, param: str = "page") -> Page:
    """A page of plain result rows, counted in SQL."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = Page(total, page_arg(param), per_page)
    page.items = db.session.execute(query.limit(per_page).offset(page.offset)).all()
    return page


def paginate_list(items: list, per_page: int, param: str = "page") -> Page:
    """A page of a list already computed."""
    page = Page(len(items), page_arg(param), per_page)
    page.items = items[page.offset:page.offset + per_page]
    return page
