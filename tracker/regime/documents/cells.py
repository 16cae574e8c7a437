"""What the .docx and the .xlsx share about a table's values: the column formats, text XML
can carry, and how wide a column should be.

A table is {"columns": [str], "rows": [[value]], "formats": [str] (optional), "widths":
[number] (optional)}. Formats: "text", "int", "number" (up to 2 decimals), "percent" (a
fraction 0..1), "date" (a date or an ISO date string). Drafts stored before formats existed
carry none and hold percentages as text ("57.1%"); their formats are inferred and such text
is printed as it is.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tracker import validation
from tracker.clock import cn_date

FORMATS = ("text", "int", "number", "percent", "date")
NUMERIC = ("int", "number", "percent")
# What a spreadsheet takes as the start of a formula (or a DDE call) when a cell is typed,
# re-saved or pasted: such text cells are written as text (quotePrefix).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PERCENT_TEXT = re.compile(r"^-?\d+(\.\d+)?%$")
# Rows looked at to infer a format or a width: enough to judge, cheap on 60,000 rows.
SAMPLE_ROWS = 200
# Excel keeps at most this many characters in a cell.
CELL_LIMIT = 32767


def clean(text: Any) -> str:
    """*text* as a string normalised as input is (validation.clean): what XML cannot carry
    (control characters pasted into a report before text was normalised, lone surrogates)
    dropped, never fatal; Word's vertical tab a line break."""
    return validation.clean(text if isinstance(text, str) else str(text))


def formula_like(text: str) -> bool:
    """True when a spreadsheet would read *text* (after leading spaces) as a formula."""
    return text.lstrip(" \u3000").startswith(FORMULA_STARTS) or text.startswith(FORMULA_STARTS)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def as_date(value: Any) -> date | None:
    """A date from a date, a datetime or an ISO date string; None for anything else."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10]) if len(value) >= 10 else None
        except ValueError:
            return None
    return None


def column_formats(table: dict[str, Any]) -> list[str]:
    """One format per column: the table's own where given and known, else inferred from the
    first rows (numbers → int or number, text such as "57.1%" → percent, else text)."""
    given = list(table.get("formats") or [])
    columns, rows = table["columns"], table["rows"][:SAMPLE_ROWS]
    out = []
    for index in range(len(columns)):
        kind = given[index] if index < len(given) else None
        out.append(kind if kind in FORMATS else _inferred(row[index] for row in rows
                                                          if index < len(row)))
    return out


def _inferred(values) -> str:
    present = [v for v in values if v is not None and v != "" and v != "—"]
    if not present:
        return "text"
    if all(is_number(v) for v in present):
        return "int" if all(isinstance(v, int) for v in present) else "number"
    if all(isinstance(v, str) and _PERCENT_TEXT.match(v) for v in present):
        return "percent"
    return "text"


def number_text(value: Any, kind: str) -> str:
    """A number as printed: int without decimals, number with up to 2, percent as 57.1%."""
    if kind == "percent":
        return f"{float(value) * 100:.1f}%"
    if kind == "int" and float(value).is_integer():
        return str(int(value))
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def printed(value: Any, kind: str) -> str:
    """A cell as the printed document shows it: "—" for no value, dates as 2026年11月7日,
    numbers by their format; text (and text in a numeric column, e.g. "57.1%") as it is."""
    if value is None:
        return "—"
    if kind in NUMERIC and is_number(value):
        return number_text(value, kind)
    if kind == "date" and (day := as_date(value)) is not None:
        return cn_date(day)
    return clean(value)


def display_width(text: str) -> int:
    """Width in Latin character cells: a CJK (full-width) character counts two."""
    return sum(2 if ord(c) >= 0x2E80 else 1 for c in text)


# (minimum, maximum) width of a column in Latin character cells, by format.
WIDTH_BOUNDS = {"text": (6, 30), "int": (6, 12), "number": (8, 14), "percent": (8, 10),
                "date": (12, 16)}


def column_widths(columns: Sequence[str], rows: Sequence[Sequence[Any]],
                  formats: Sequence[str]) -> list[int]:
    """Each column's width in character cells: the header or the longest value of the first
    rows, within the bounds of the column's format (longer text wraps)."""
    out = []
    for index, (name, kind) in enumerate(zip(columns, formats)):
        low, high = WIDTH_BOUNDS[kind]
        longest = max((display_width(printed(row[index], kind)) for row in rows[:SAMPLE_ROWS]
                       if index < len(row) and row[index] is not None), default=0)
        out.append(max(low, min(high, max(display_width(name), longest) + 2)))
    return out
