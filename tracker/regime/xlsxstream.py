"""A streaming .xlsx writer for one big plain table (the weekly dispatch: ~70,000 rows).

openpyxl builds a cell object for every value and spends several microseconds on each:
about 5 s for the dispatch of 2,000 units, whatever else is done. This writes the sheet's
XML directly into the zip, a block of rows at a time: strings inline, numbers as numbers,
empty strings and None as empty cells, a bold title and header row, the header frozen.
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from functools import cache
from typing import Any
from xml.sax.saxutils import escape, quoteattr

BLOCK_ROWS = 500
# Characters XML 1.0 cannot carry (openpyxl refuses them); dropped from the text.
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCUMENT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
BOLD = 1  # the cellXfs index of the bold style in STYLES

STATIC = {
    "[Content_Types].xml": (
        f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{DOCUMENT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{DOCUMENT}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{DOCUMENT}.styles+xml"/></Types>'),
    "_rels/.rels": (
        f'{HEAD}<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
        f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/_rels/workbook.xml.rels": (
        f'{HEAD}<Relationships xmlns="{PACKAGE_RELS}">'
        f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{RELS}/styles" Target="styles.xml"/></Relationships>'),
    "xl/styles.xml": (
        f'{HEAD}<styleSheet xmlns="{MAIN}">'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        '</styleSheet>'),
}


def table_xlsx(sheet: str, title: str, columns: list[str], rows: Iterable[list[Any]]) -> bytes:
    """A workbook of one sheet named *sheet*: *title* in A1, *columns* in row 2 (both bold,
    frozen above the data), then *rows*, consumed as they come."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as book:
        for name, text in STATIC.items():
            book.writestr(name, text)
        book.writestr("xl/workbook.xml", (
            f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            f'<sheet name={quoteattr(sheet)} sheetId="1" r:id="rId1"/></sheets></workbook>'))
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write((f'{HEAD}<worksheet xmlns="{MAIN}"><sheetViews><sheetView workbookViewId="0">'
                        '<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/>'
                        '</sheetView></sheetViews><sheetData>').encode())
            for block in _blocks([[title], columns], rows):
                part.write(block.encode())
            part.write(b"</sheetData></worksheet>")
    return out.getvalue()


def _blocks(head: list[list[Any]], rows: Iterable[list[Any]]) -> Iterable[str]:
    """The rows' XML, BLOCK_ROWS rows a string."""
    yield "".join(_row(n, values, BOLD) for n, values in enumerate(head, start=1))
    block: list[str] = []
    for n, values in enumerate(rows, start=len(head) + 1):
        block.append(_row(n, values))
        if len(block) == BLOCK_ROWS:
            yield "".join(block)
            block = []
    yield "".join(block)


def _row(n: int, values: list[Any], style: int = 0) -> str:
    cells = "".join(_cell(f"{column_letter(i)}{n}", value, style)
                    for i, value in enumerate(values) if value is not None and value != "")
    return f'<row r="{n}">{cells}</row>'


def _cell(ref: str, value: Any, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    text = escape(ILLEGAL.sub("", str(value)))
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


@cache
def column_letter(index: int) -> str:
    """A, B, … Z, AA, … for the 0-based column *index*."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
