"""Reading one cell of an office's spreadsheet: full-width text, dates in their many
spellings, numbers with their unit, several units in one cell, outline codes (一、（一）1.).

Every parser returns the value or raises CellError with a Chinese message; the reader adds
the sheet, row and column.
"""
from __future__ import annotations

import calendar
import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any


class CellError(ValueError):
    """A cell that cannot be read; the message is shown to the user."""


def normal(value: Any) -> str:
    """*value* as text: full-width digits, letters and punctuation as half-width (NFKC),
    the ideographic space as a space, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).replace("\u3000", " ").strip()


def is_blank(value: Any) -> bool:
    return normal(value) == ""


# --- dates ---------------------------------------------------------------------------------

_EXCEL_EPOCH = date(1899, 12, 30)
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_YM_END = re.compile(r"^(?:(\d{4})\s*[年\-/.])?\s*(\d{1,2})\s*月?\s*(底|末|份)?$")
_Y_END = re.compile(r"^(?:(\d{4})\s*年?)?\s*(年底|年末|全年|底|末)?$")
_QUARTER = re.compile(r"^(?:(\d{4})\s*年?)?\s*(?:第\s*([一二三四1-4])\s*季度?|Q([1-4]))(?:末|底)?$",
                      re.IGNORECASE)
_HALF = re.compile(r"^(?:(\d{4})\s*年?)?\s*(上|下)半年(?:末|底)?$")
# "…前", "…以前", "…之前", "…完成", "…底前" all name the same last day.
_TAIL = re.compile(r"(以前|之前|前|完成|止)$")


def parse_date(value: Any, default_year: int) -> date:
    """A deadline as offices write it: an Excel date, 2026-12-31, 2026/12/31, 2026.12.31,
    2026年12月31日, 2026年12月(底), 12月底, 年底, 2026年第四季度 (the quarter's last day),
    上半年; "前" and "完成" after it change nothing."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isfinite(value) and 20000 <= value <= 80000:  # an Excel serial day number
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError(f"无法识别的日期“{normal(value)}”")
    text = _TAIL.sub("", normal(value).replace(" ", "")).strip()
    if not text:
        raise CellError("日期为空")
    try:
        return _parse_text_date(text, default_year)
    except ValueError:
        raise CellError(f"无法识别的日期“{normal(value)}”") from None


def _parse_text_date(text: str, default_year: int) -> date:
    if m := _YMD.match(text):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := _QUARTER.match(text):
        quarter = _QUARTERS[m[2] or m[3]]
        return _month_end(int(m[1] or default_year), quarter * 3)
    if m := _HALF.match(text):
        return _month_end(int(m[1] or default_year), 6 if m[2] == "上" else 12)
    if (m := _YM_END.match(text)) and (m[1] or "月" in text or m[3]):
        return _month_end(int(m[1] or default_year), int(m[2]))
    if (m := _Y_END.match(text)) and (m[1] or m[2]) and (m[2] or "年" in text):
        return date(int(m[1] or default_year), 12, 31)
    raise ValueError(text)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


# --- numbers with units --------------------------------------------------------------------

_NUMBER = re.compile(r"^(?:约|不少于|不低于|达到|达|≥|>=|>)?\s*(\d+(?:\.\d+)?)\s*([^\d\s]{0,20})$")


def parse_quantity(value: Any) -> tuple[float | None, str]:
    """(number, unit) of a target such as "12.5亿元", "3,000 亩", 120 or "１２０家"; (None, "")
    for an empty cell."""
    if value is None or (isinstance(value, str) and not normal(value)):
        return None, ""
    if isinstance(value, bool):
        raise CellError(f"无法识别的数值“{value}”")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise CellError("数值无效")
        return float(value), ""
    text = normal(value).replace(",", "")
    m = _NUMBER.match(text)
    if not m:
        raise CellError(f"无法识别的数值“{normal(value)}”")
    return float(m[1]), m[2].strip()


# --- units named in a cell -----------------------------------------------------------------

_UNIT_SEPARATORS = re.compile(r"[、,，;；/\n\r]+")


def unit_names(value: Any) -> list[str]:
    """The unit names in one cell, split at 、，,;；/ and line breaks, each once, in order."""
    names = (name.strip() for name in _UNIT_SEPARATORS.split(normal(value)))
    return list(dict.fromkeys(name for name in names if name))


def guess_kind(name: str) -> str:
    """A new unit's kind from its name: 专班 → taskforce, 镇/街道 → town, 县/市/区 → county,
    局/委/办 → department; other names → other."""
    if "专班" in name:
        return "taskforce"
    if name.endswith(("镇", "街道", "乡")):
        return "town"
    if name.endswith(("局", "委", "办", "委员会", "办公室", "中心", "公司")):
        return "department"
    if name.endswith(("县", "市", "区")):
        return "county"
    return "other"


# --- outline codes -------------------------------------------------------------------------

_DOTTED = re.compile(r"^(\d+(?:\.\d+)*)[.、]?$")
_CN_TOP = re.compile(r"^([一二三四五六七八九十百零〇两]+)[、.]?$")
_CN_PAREN = re.compile(r"^\(([一二三四五六七八九十百零〇两]+)\)[、.]?$")
_AR_PAREN = re.compile(r"^\((\d+)\)[、.]?$")
_AR_MARK = re.compile(r"^(\d+)[.、]$")


def cn_number(text: str) -> int:
    """一 → 1, 十二 → 12, 二十三 → 23, 一百零五 → 105."""
    total, current = 0, 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[char]
    return total + current


class Outline:
    """Turns the codes of a sheet's rows, read in order, into dotted codes: "1.2.3" stays as
    it is; 一、 / （一） / 1. / （1） nest in the order they first appear under each other."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, int]] = []

    def code(self, value: Any) -> str | None:
        """The dotted code for this row's 编号, or None when the cell holds no code."""
        text = normal(value).replace(" ", "")
        if not text:
            return None
        kind, number = self._kind(text)
        if kind == "dotted":
            self.stack = []
            return text.rstrip(".、")
        kinds = [k for k, _ in self.stack]
        if kind in kinds:
            del self.stack[kinds.index(kind):]
        self.stack.append((kind, number))
        return ".".join(str(n) for _, n in self.stack)

    def _kind(self, text: str) -> tuple[str, int]:
        if m := _CN_TOP.match(text):
            return "cn", cn_number(m[1])
        if m := _CN_PAREN.match(text):
            return "cn_paren", cn_number(m[1])
        if m := _AR_PAREN.match(text):
            return "ar_paren", int(m[1])
        # "1." under 一、 or （一） is the next level of that outline, not a top-level code.
        if self.stack and (m := _AR_MARK.match(text) or re.match(r"^(\d+)$", text)):
            return "ar", int(m[1])
        if _DOTTED.match(text):
            return "dotted", 0
        raise CellError(f"无法识别的编号“{text}”")


def parent_code(code: str) -> str | None:
    """"1.2.3" → "1.2"; a top-level code has no parent."""
    return code.rsplit(".", 1)[0] if "." in code else None


class IndentCoder:
    """Codes for a sheet without 编号: 1, 2, … at the top, 1.1, 1.2 … under a row whose title
    is indented less."""

    def __init__(self) -> None:
        self.path: list[tuple[int, int]] = []  # (indent, number)

    def code(self, indent: int) -> str:
        while self.path and self.path[-1][0] > indent:
            self.path.pop()
        if self.path and self.path[-1][0] == indent:
            self.path[-1] = (indent, self.path[-1][1] + 1)
        else:
            self.path.append((indent, 1))
        return ".".join(str(n) for _, n in self.path)
