"""A bulletin as a Word document laid out as GB/T 9704-2012 lays out an official document:
the red 发文机关标志, the 发文字号 and the red rule; the title, 主送, body and headings in the
standard faces and sizes; tables with their header repeated, wide ones on landscape pages,
long ones cut to their first rows; 附件说明, 落款 and 成文日期; annexes on pages of their own;
page numbers "— 1 —" at the foot."""
from __future__ import annotations

import io
import re
from typing import Any

from docx import Document
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.shared import Cm, Pt, RGBColor

from tracker.clock import cn_date
from tracker.regime.documents import wordml
from tracker.regime.documents.cells import (NUMERIC, clean, column_formats, column_widths,
                                            display_width, printed)
from tracker.regime.documents.chart import chart_png

RED = RGBColor(0xC0, 0x00, 0x00)
TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT = ("方正小标宋简体", "仿宋_GB2312", "黑体",
                                                        "楷体_GB2312")
FOOTER_FONT = "宋体"
BODY_PT, TITLE_PT, TABLE_PT, FOOTER_PT = 16, 22, 10.5, 14     # 三号, 二号, 五号, 四号
# 22 lines to a page of 225 mm (GB/T 9704 5.2.2).
LINE_PT = 28.95
# The 发文机关标志's top edge 35 mm below the top of the text area (GB/T 9704 7.2.3); it
# is set as large as fits this width, between 二号 and 42 pt.
MASTHEAD_BEFORE_PT, MASTHEAD_WIDTH, MASTHEAD_PT = 99, Cm(15), (22, 42)
# Rows of one table printed in the .docx; the .xlsx always has all of them.
DOCX_TABLE_ROWS = 200
# A table of more columns than this goes on a landscape page.
WIDE_COLUMNS = 7
# Table Grid's cell margins (0.19 cm each side), and the narrowest a text column gets.
CELL_PADDING, MIN_TEXT_WIDTH = int(Cm(0.38)), int(Cm(1.2))
_SUBHEADING = re.compile(r"^（[一二三四五六七八九十]+）")
_NUMBERING = re.compile(r"^[一二三四五六七八九十]+、")


def docx_bytes(content: dict[str, Any], letterhead: dict[str, Any]) -> bytes:
    """The bulletin as a Word document. *letterhead*: mark (发文机关标志), number (发文字号,
    "" for a draft), recipients (主送, may be ""), issuer (落款), signed_on (成文日期) and
    date_style ("arabic": 2026年12月1日, "chinese": 二〇二六年十二月一日)."""
    doc = _document()
    _masthead(doc, letterhead)
    _centred(doc, content["title"], font=TITLE_FONT, size=TITLE_PT, before=2 * LINE_PT,
             line=35)
    if letterhead.get("recipients"):
        _paragraph(doc, letterhead["recipients"], before=LINE_PT, indent=False)
    for text in _lines(content.get("opening", "")):
        _paragraph(doc, text)
    annexes = [s for s in content["sections"] if s.get("annex") and _rows(s)]
    numbers = {id(s): n for n, s in enumerate(annexes, start=1)}
    for section in content["sections"]:
        _section(doc, section, content.get("chart"), numbers.get(id(section)))
    wordml.orient(doc, False)
    for text in _lines(content.get("commentary", "")):
        _paragraph(doc, text)
    _annex_list(doc, annexes)
    _signature(doc, letterhead)
    for number, section in enumerate(annexes, start=1):
        _annex(doc, number, section)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _document():
    doc = Document()
    wordml.set_page(doc.sections[0], landscape=False)
    wordml.set_defaults(doc, BODY_FONT)
    wordml.declare_fonts(doc)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    wordml.set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    spacing = normal.paragraph_format
    spacing.space_before = spacing.space_after = Pt(0)
    spacing.line_spacing_rule, spacing.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE_PT)
    footer = doc.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    style = _font_setter(FOOTER_FONT, FOOTER_PT)
    style(footer.add_run("— "))
    wordml.page_field(footer, style)
    style(footer.add_run(" —"))
    return doc


def _masthead(doc, letterhead: dict[str, Any]) -> None:
    """发文机关标志 in red, 35 mm below the top of the text area, as wide as the page allows;
    the 发文字号 two lines below; the red rule 4 mm under it."""
    mark = clean(letterhead["mark"])
    smallest, largest = MASTHEAD_PT
    fitting = MASTHEAD_WIDTH / Pt(1) / max(1, display_width(mark) / 2)
    size = min(largest, max(smallest, int(fitting)))
    _centred(doc, mark, font=TITLE_FONT, size=size, color=RED, before=MASTHEAD_BEFORE_PT,
             line=size * 1.2)
    number = clean(letterhead.get("number") or "") or "（草稿）"
    wordml.red_rule(_centred(doc, number, font=BODY_FONT, size=BODY_PT, before=2 * LINE_PT))


def _section(doc, section: dict[str, Any], chart: dict[str, Any] | None,
             annex: int | None) -> None:
    """Title (黑体), paragraphs and the table; a wide table's section on a landscape page,
    an annexed table's replaced by a pointer to its annex."""
    inline = bool(_rows(section)) and annex is None
    wordml.orient(doc, inline and _is_wide(section))
    _paragraph(doc, section["title"], font=HEADING_FONT)
    for text in section["paragraphs"]:
        _paragraph(doc, text)
    if annex is not None and not any(f"详见附件{annex}" in text for text in section["paragraphs"]):
        _paragraph(doc, f"详见附件{annex}。")  # unless the text already points there
    elif inline:
        _table(doc, section["table"])
    if section["key"] == "units" and chart and chart["values"]:
        _chart(doc, chart)


def _rows(section: dict[str, Any]) -> list:
    return (section.get("table") or {}).get("rows") or []


def _is_wide(section: dict[str, Any]) -> bool:
    return bool(section.get("landscape")) or len(section["table"]["columns"]) > WIDE_COLUMNS


def _annex_list(doc, annexes: list[dict[str, Any]]) -> None:
    """附件说明: "附件：1. …", further names aligned under the first (GB/T 9704 7.3.4)."""
    for number, section in enumerate(annexes, start=1):
        name = f"{number}. {_annex_title(section)}"
        if number == 1:
            _paragraph(doc, f"附件：{name}", before=LINE_PT)
        else:
            paragraph = _paragraph(doc, name, indent=False)
            paragraph.paragraph_format.left_indent = Pt(5 * BODY_PT)


def _annex_title(section: dict[str, Any]) -> str:
    return _NUMBERING.sub("", section["title"]).strip()


def _signature(doc, letterhead: dict[str, Any]) -> None:
    """落款 of a document without a seal (GB/T 9704 7.3.5.2): the issuer two characters
    from the right one line below the text, the date below it starting two characters
    further right; when the date is the longer, the date keeps two characters and the
    issuer moves left."""
    issuer = clean(letterhead["issuer"])
    signed = cn_date(letterhead["signed_on"], letterhead.get("date_style", "arabic"))
    issuer_len, date_len = display_width(issuer) / 2, display_width(signed) / 2
    date_right = issuer_len - date_len
    issuer_right = 2.0
    if date_right < 2:
        date_right, issuer_right = 2.0, date_len + 4 - issuer_len
    for text, right, before in ((issuer, issuer_right, LINE_PT), (signed, date_right, 0)):
        paragraph = _paragraph(doc, text, indent=False, before=before)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(right * BODY_PT)


def _annex(doc, number: int, section: dict[str, Any]) -> None:
    """An annex on a page of its own: 附件N at the top left in 黑体, its title centred."""
    wordml.orient(doc, _is_wide(section), new_page=True)
    _paragraph(doc, f"附件{number}", font=HEADING_FONT, indent=False)
    _centred(doc, _annex_title(section), font=TITLE_FONT, size=18, before=LINE_PT, line=30)
    _paragraph(doc, "", indent=False)
    _table(doc, section["table"])


def _table(doc, table: dict[str, Any]) -> None:
    """The table, its first DOCX_TABLE_ROWS rows: a printed bulletin names the worst cases and
    points to the .xlsx for the full list (Word also slows to a crawl on tens of thousands).
    Widths from the table's own relative widths, or judged by each column's content; the
    header repeats on every page; numbers right-aligned, 序号 and dates centred."""
    columns, rows = table["columns"], table["rows"]
    kinds = column_formats(table)
    widths = _widths(doc, table, kinds)
    grid = doc.add_table(rows=1, cols=len(columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for column, width in zip(grid.columns, widths):
        column.width = width
    header = grid.rows[0]
    wordml.keep_row(header, header=True)
    heading = _font_setter(HEADING_FONT, TABLE_PT)
    for cell, name, width in zip(header.cells, columns, widths):
        cell.width = width
        heading(_cell_paragraph(cell, WD_ALIGN_PARAGRAPH.CENTER).add_run(clean(name)))
    aligns = [_alignment(name, kind) for name, kind in zip(columns, kinds)]
    body = _font_setter(BODY_FONT, TABLE_PT)
    for row in rows[:DOCX_TABLE_ROWS]:
        printed_row = grid.add_row()
        wordml.keep_row(printed_row)
        for cell, value, kind, align in zip(printed_row.cells, row, kinds, aligns):
            body(_cell_paragraph(cell, align).add_run(printed(value, kind)))
    if len(rows) > DOCX_TABLE_ROWS:
        _paragraph(doc, f"（共{len(rows)}行，此处列出前{DOCX_TABLE_ROWS}行，完整名单见附表 table.xlsx。）",
                   size=TABLE_PT, indent=False)
    _paragraph(doc, "", indent=False, line=TABLE_PT)    # a little air before the text resumes


def _widths(doc, table: dict[str, Any], kinds: list[str]) -> list[int]:
    """Column widths in EMU filling the text width: in proportion to the table's own
    widths, or each column as wide as its content needs with the longest text columns
    narrowed to fit (numbers, codes, names and dates keep their width)."""
    total = wordml.text_width(doc.sections[-1])
    given = table.get("widths") or []
    if len(given) == len(kinds) and all(isinstance(w, (int, float)) and w > 0 for w in given):
        return [int(total * w / sum(given)) for w in given]
    natural = [int(Pt(cells * TABLE_PT / 2)) + CELL_PADDING
               for cells in column_widths(table["columns"], table["rows"], kinds)]
    return fit(natural, [kind == "text" for kind in kinds], total)


def fit(natural: list[int], flexible: list[bool], total: int) -> list[int]:
    """*natural* widths made to add up to *total*. Room to spare goes to the *flexible*
    columns; too little room narrows the widest flexible ones to a common cap; when even
    that cannot fit, every column shrinks in proportion."""
    fixed = sum(w for w, flex in zip(natural, flexible) if not flex)
    stretchy = sorted(w for w, flex in zip(natural, flexible) if flex)
    room = total - fixed
    if not stretchy or room < len(stretchy) * MIN_TEXT_WIDTH:
        return [int(total * w / sum(natural)) for w in natural]
    if sum(stretchy) <= room:
        extra = room - sum(stretchy)
        return [w + int(extra * w / sum(stretchy)) if flex else w
                for w, flex in zip(natural, flexible)]
    cap, left = room, room
    for index, width in enumerate(stretchy):
        if width * (len(stretchy) - index) >= left:
            cap = left // (len(stretchy) - index)
            break
        left -= width
    return [min(w, cap) if flex else w for w, flex in zip(natural, flexible)]


def _alignment(name: str, kind: str):
    if name == "序号" or kind == "date":
        return WD_ALIGN_PARAGRAPH.CENTER
    return WD_ALIGN_PARAGRAPH.RIGHT if kind in NUMERIC else WD_ALIGN_PARAGRAPH.LEFT


def _cell_paragraph(cell, align):
    cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    spacing = paragraph.paragraph_format
    spacing.line_spacing_rule = WD_LINE_SPACING.SINGLE
    return paragraph


def _chart(doc, chart: dict[str, Any]) -> None:
    doc.add_picture(io.BytesIO(chart_png(chart)), width=Cm(15))
    picture = doc.paragraphs[-1]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _centred(doc, f"图：{chart['title']}", font=HEADING_FONT, size=12)
    legend = "；".join(f"{n} {label}" for n, label in enumerate(chart["labels"], start=1))
    _paragraph(doc, f"图中序号：{legend}。", size=TABLE_PT, indent=False, line=16)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _paragraph(doc, text: str, *, font: str = BODY_FONT, size: float = BODY_PT,
               indent: bool = True, before: float = 0, line: float | None = None):
    """A body paragraph, justified, its first line indented two characters; a paragraph
    opening with （一） has that sub-heading (to its first full stop) in 楷体."""
    text = clean(text)
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    spacing = paragraph.paragraph_format
    if indent:
        spacing.first_line_indent = Pt(size * 2)
    if before:
        spacing.space_before = Pt(before)
    if line:
        spacing.line_spacing = Pt(line)
    heading = _subheading(text) if font == BODY_FONT else ""
    if heading:
        _font_setter(SUBHEADING_FONT, size)(paragraph.add_run(heading))
    if text[len(heading):]:
        _font_setter(font, size)(paragraph.add_run(text[len(heading):]))
    return paragraph


def _subheading(text: str) -> str:
    if not _SUBHEADING.match(text):
        return ""
    stop = text.find("。")
    return text if stop < 0 else text[:stop + 1]


def _centred(doc, text: str, *, font: str, size: float, color=None, before: float = 0,
             line: float | None = None):
    paragraph = _paragraph(doc, "", indent=False, before=before, line=line)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(clean(text))
    _font_setter(font, size, color)(run)
    return paragraph


def _font_setter(font: str, size: float, color=None):
    """A function giving a run *font* (Chinese; Latin in Times New Roman) at *size*."""
    def style(run) -> None:
        run.font.size = Pt(size)
        wordml.set_fonts(run._r.get_or_add_rPr(), font)
        if color is not None:
            run.font.color.rgb = color
    return style
