"""Placings of days that are over, counted once and kept (`PlacingRecord`).

A placing as of a day judges the ledger as it stood at that day's end. The facts it counts
carry the time they were recorded (reports, decisions, the status history with its
deadlines, exemptions, when sub-items were added), so once the day is over they cannot
change; three inputs have no history and are read as they are when the placing is first
counted: an item's lead unit, its parent, and a unit's kind (its series). Keeping the
placing then holds it to what was judged, where counting it again after such an edit
would judge the past by today's assignments. The escalation looks back at the two or three
placings before the current one and the annual evaluation at every month's: each is
counted the first time it is asked for and read back after.

A record is keyed by a fingerprint of everything else a placing depends on — the rule set,
the series, the counting level, the reporting cycles, the office's working-day calendar and
the holiday data's version, and `VERSION` (raise it when the way a placing is judged
changes) — so a changed setting judges afresh rather than quoting a placing made by other
rules.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from tracker import calendar, clock
from tracker.extensions import db
from tracker.models import PlacingRecord

# Raise when a change to the red/black rules' code changes what a placing would be.
VERSION = 1
Placings = dict[date, tuple[set[int], set[int]]]
log = logging.getLogger(__name__)


def fingerprint(rules: dict[str, Any]) -> str:
    """A digest of what a placing depends on besides the ledger: the rules and settings."""
    settings = current_app.config["SETTINGS"]
    basis = {
        "version": VERSION, "rules": rules, "series": settings["redblack"].get("series"),
        "count_level": settings["regime"].get("count_level"), "reporting": settings["reporting"],
        "calendar": sorted((d.isoformat(), w) for d, w in calendar.office_days().items()),
        "holidays": importlib.metadata.version("chinesecalendar"),
    }
    text = json.dumps(basis, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def is_over(day: date) -> bool:
    """Whether *day* has ended (Asia/Shanghai), so its placing is fixed."""
    return day < clock.today()


def recorded(days: list[date], key: str) -> Placings:
    """The kept placings among *days*: {day: (red units, black units)}."""
    over = [day for day in days if is_over(day)]
    if not over:
        return {}
    rows = db.session.execute(select(PlacingRecord.day, PlacingRecord.red, PlacingRecord.black)
                              .where(PlacingRecord.fingerprint == key, PlacingRecord.day.in_(over)))
    return {day: (set(red), set(black)) for day, red, black in rows}


def record(placings: Placings, key: str, over: set[date], *, wait: bool = False) -> None:
    """Keep the placings of the days in *over*: those that had ended before they were
    counted (decided by the caller before counting, so a day counted just before midnight
    is not kept as if it were complete). Written on a connection of its own and committed
    at once, so a page that only reads keeps what it counted; derived data, so a write that
    cannot be made now (SQLite busy with the request's own changes, a concurrent writer of
    the same day) is skipped: the next reader counts again. *wait* (the nightly job, which
    is no request's write): wait for another writer up to the usual busy timeout instead."""
    rows = [{"day": day, "fingerprint": key, "red": sorted(red), "black": sorted(black),
             "computed_at": clock.now()}
            for day, (red, black) in placings.items() if day in over]
    if not rows:
        return
    try:
        with db.engine.connect() as conn:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            statement = dialect.insert(PlacingRecord).on_conflict_do_nothing(
                index_elements=["day", "fingerprint"])
            if conn.dialect.name == "sqlite" and not wait:
                # Never wait on this request's own write lock: skip instead.
                timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
                conn.exec_driver_sql("PRAGMA busy_timeout = 0")
                try:
                    conn.execute(statement, rows)
                    conn.commit()
                finally:
                    conn.rollback()
                    conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(timeout)}")
            else:
                conn.execute(statement, rows)
                conn.commit()
    except SQLAlchemyError as exc:
        log.info("placings of %s not kept: %s", ", ".join(str(r["day"]) for r in rows), exc)
