"""The bulletin as a .docx in official-document style (python-docx), with the completion
chart."""
from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from tracker.regime.documents.chart import chart_png

RED = RGBColor(0xC0, 0x00, 0x00)
BODY_FONT, HEADING_FONT, TITLE_FONT = "仿宋", "黑体", "宋体"
# Rows of one table printed in the .docx; the .xlsx always has all of them.
DOCX_TABLE_ROWS = 200


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
