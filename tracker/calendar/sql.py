"""Day arithmetic inside SQL, the same on SQLite and PostgreSQL.

Both constructs give an integer day number; only differences between them mean anything.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

# Asia/Shanghai has kept UTC+8 without daylight saving since 1991.
LOCAL_OFFSET_HOURS = 8


class day_number(FunctionElement):
    """Day number of a DATE expression."""

    type = Integer()
    inherit_cache = True


class local_day_number(FunctionElement):
    """Day number of the Asia/Shanghai date of a stored (naive UTC) timestamp."""

    type = Integer()
    inherit_cache = True


def day_of(value: date) -> day_number:
    """Day number of a Python date, computed by the database like the columns'."""
    return day_number(literal(value, Date))


@compiles(day_number, "sqlite")
def _day_sqlite(element, compiler, **kw):
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) + 0.5 AS INTEGER)"


@compiles(day_number, "postgresql")
def _day_postgresql(element, compiler, **kw):
    return f"(CAST({compiler.process(element.clauses, **kw)} AS DATE) - DATE '1970-01-01')"


@compiles(local_day_number, "sqlite")
def _local_day_sqlite(element, compiler, **kw):
    arg = compiler.process(element.clauses, **kw)
    return f"CAST(julianday({arg}, '+{LOCAL_OFFSET_HOURS} hours') + 0.5 AS INTEGER)"


@compiles(local_day_number, "postgresql")
def _local_day_postgresql(element, compiler, **kw):
    arg = compiler.process(element.clauses, **kw)
    return (f"(CAST({arg} + INTERVAL '{LOCAL_OFFSET_HOURS} hours' AS DATE) "
            "- DATE '1970-01-01')")
