"""Bulletin files: .docx in official-document style (python-docx, with a completion chart
drawn by matplotlib) and .xlsx tables (openpyxl)."""
from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

RED = RGBColor(0xC0, 0x00, 0x00)
BODY_FONT, HEADING_FONT, TITLE_FONT = "仿宋", "黑体", "宋体"
# Rows of one table printed in the .docx; the .xlsx always has all of them.
DOCX_TABLE_ROWS = 200


def chart_png(chart: dict[str, Any]) -> bytes:
    """A bar chart of the chart's values. Bars are numbered (the caption lists the names),
    so the image needs no CJK font on the server."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    values = chart["values"]
    figure = Figure(figsize=(7, 3), dpi=150)
    axes = figure.subplots()
    positions = list(range(1, len(values) + 1))
    axes.bar(positions, values, color="#c0392b")
    axes.set_xticks(positions, [str(p) for p in positions], fontsize=7)
    axes.set_ylim(0, max([100, *values]))
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def docx_bytes(content: dict[str, Any], issuer: str, number: str) -> bytes:
    """The bulletin as a Word document: red header, title, opening, sections, chart,
    commentary, issuer and date."""
    doc = Document()
    for section in doc.sections:
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _paragraph(doc, issuer, size=26, bold=True, color=RED, font=TITLE_FONT,
               align=WD_ALIGN_PARAGRAPH.CENTER)
    _red_rule(_paragraph(doc, number, size=16, align=WD_ALIGN_PARAGRAPH.CENTER))
    _paragraph(doc, content["title"], size=22, bold=True, font=TITLE_FONT,
               align=WD_ALIGN_PARAGRAPH.CENTER)
    for text in _lines(content.get("opening", "")):
        _paragraph(doc, text, indent=True)
    for section in content["sections"]:
        _paragraph(doc, section["title"], size=16, font=HEADING_FONT)
        for text in section["paragraphs"]:
            _paragraph(doc, text, indent=True)
        if section["table"] and section["table"]["rows"]:
            _table(doc, section["table"])
        if section["key"] == "units" and content.get("chart") and content["chart"]["values"]:
            _chart(doc, content["chart"])
    for text in _lines(content.get("commentary", "")):
        _paragraph(doc, text, indent=True)
    _paragraph(doc, issuer, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(doc, content["as_of"], align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _paragraph(doc, text: str, *, size: float = 16, bold: bool = False, color=None,
               font: str = BODY_FONT, align=None, indent: bool = False):
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    _run(paragraph, text, size=size, bold=bold, color=color, font=font)
    return paragraph


def _run(paragraph, text: str, *, size: float, bold: bool = False, color=None,
         font: str = BODY_FONT):
    run = paragraph.add_run(text)
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, font
    run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if color is not None:
        run.font.color.rgb = color
    return run


def _red_rule(paragraph) -> None:
    """The red line under the document number (版头分隔线)."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "1"),
                       ("w:color", "C00000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _table(doc, table: dict[str, Any]) -> None:
    """The table, its first DOCX_TABLE_ROWS rows: a printed bulletin names the worst cases and
    points to the .xlsx for the full list (Word also slows to a crawl on tens of thousands)."""
    rows = table["rows"]
    grid = doc.add_table(rows=1, cols=len(table["columns"]))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, name in zip(grid.rows[0].cells, table["columns"]):
        _run(cell.paragraphs[0], name, size=10.5, bold=True, font=HEADING_FONT)
    for row in rows[:DOCX_TABLE_ROWS]:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row):
            _run(cell.paragraphs[0], _text(value), size=10.5)
    if len(rows) > DOCX_TABLE_ROWS:
        _paragraph(doc, f"（共{len(rows)}行，此处列出前{DOCX_TABLE_ROWS}行，完整名单见附表 table.xlsx。）",
                   size=10.5)


def _chart(doc, chart: dict[str, Any]) -> None:
    doc.add_picture(io.BytesIO(chart_png(chart)), width=Cm(15))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(doc, f"图：{chart['title']}", size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    legend = "；".join(f"{n} {label}" for n, label in enumerate(chart["labels"], start=1))
    _paragraph(doc, f"图中序号：{legend}。", size=10.5)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def xlsx_bytes(content: dict[str, Any]) -> bytes:
    """The bulletin's tables, one sheet per section, after an overview sheet."""
    book = Workbook()
    overview = book.active
    overview.title = "概况"
    overview.append([content["title"]])
    overview["A1"].font = Font(bold=True, size=14)
    overview.append([f"统计截至{content['as_of']}"])
    for section in content["sections"]:
        overview.append([])
        overview.append([section["title"]])
        for text in section["paragraphs"]:
            overview.append([text])
    for section in content["sections"]:
        if section["table"]:
            _sheet(book.create_sheet(_sheet_title(section["title"])), section["table"]["columns"],
                   section["table"]["rows"])
    return _save(book)


def table_xlsx(title: str, columns: list[str], rows: Iterable[list[Any]]) -> bytes:
    """One table on one sheet (the weekly dispatch export): *title* and the header bold and
    frozen above the rows, which are streamed (openpyxl's write-only mode). Characters XML
    cannot carry (control characters pasted into a report) are dropped, not fatal."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(title))
    sheet.freeze_panes = "A3"
    bold = Font(bold=True)
    for heading in ([title], columns):
        sheet.append([_bold_cell(sheet, value, bold) for value in heading])
    for row in rows:
        sheet.append([_clean(value) for value in row])
    return _save(book)


def _bold_cell(sheet, value: Any, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value) or None
    return value


def _sheet(sheet, columns: list[str], rows: list[list[Any]]) -> None:
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for index, name in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(8, 2.2 * len(name))


def _sheet_title(title: str) -> str:
    clean = "".join(c for c in title if c not in "[]:*?/\\")
    return clean[:31] or "Sheet"


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
