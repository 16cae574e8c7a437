"""The bulletin's .docx read back as a reader of a GB/T 9704-2012 document would check it:
A4 and the standard margins, the red masthead, 发文字号 and 主送, the body's faces and sizes,
tables whose header repeats and whose numbers align right, wide tables on landscape pages,
annexes listed before the signature and printed after it, page numbers at the foot, and
user text XML cannot carry dropped rather than fatal."""
import io
from datetime import date

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from tracker.regime.documents import docx_bytes
from tracker.clock import cn_date as date_text
from tracker.regime.documents.docx import fit

MARK = "市百千万工程指挥部办公室"
LETTERHEAD = {"mark": MARK, "number": "百千万指办〔2026〕12号",
              "recipients": "各县（市、区）百千万工程指挥部，市直各有关单位：", "issuer": MARK,
              "signed_on": date(2026, 12, 1), "date_style": "arabic"}
UNIT_COLUMNS = ["序号", "单位", "牵头任务", "已销号", "逾期", "绿灯", "黄灯", "红灯", "完成率",
                "按时报送率"]


def _section(key, title, columns=None, rows=(), paragraphs=(), **extra):
    table = {"columns": columns, "rows": list(rows)} if columns else None
    if table:
        table.update({k: extra.pop(k) for k in ("formats", "widths") if k in extra})
    return {"key": key, "title": title, "paragraphs": list(paragraphs), "table": table, **extra}


def _content(*sections, opening="为推动任务落实，现将11月工作推进情况通报如下：", commentary=""):
    return {"title": "2026年11月工作推进情况通报", "as_of": "2026-11-30", "opening": opening,
            "commentary": commentary, "chart": None, "sections": list(sections)}


def _read(content, **letterhead) -> Document:
    return Document(io.BytesIO(docx_bytes(content, {**LETTERHEAD, **letterhead})))


def _texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def _near(length, expected) -> bool:
    """Lengths go through twips in the file: equal to a hundredth of a millimetre."""
    return abs(length - expected) < Cm(0.001)


OVERALL = _section("overall", "一、总体情况", ["类别", "数量", "占比"],
                   [["已销号", 12, 0.571], ["推进中", 9, 0.429]],
                   ["截至11月30日，台账共有任务21项。", "（一）销号进度。已销号12项。"],
                   formats=["text", "int", "percent"])


def test_every_page_is_a4_with_the_gbt_9704_margins():
    doc = _read(_content(OVERALL))
    [section] = doc.sections
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert _near(section.page_width, Cm(21.0)) and _near(section.page_height, Cm(29.7))
    assert _near(section.top_margin, Cm(3.7)) and _near(section.bottom_margin, Cm(3.5))
    assert _near(section.left_margin, Cm(2.8)) and _near(section.right_margin, Cm(2.6))


def test_the_masthead_is_red_over_the_number_and_a_red_rule_then_title_and_recipients():
    paragraphs = _read(_content(OVERALL)).paragraphs
    mark, number, title, recipients = paragraphs[:4]
    assert mark.text == MARK and mark.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert str(mark.runs[0].font.color.rgb) == "C00000" and mark.runs[0].font.size >= Pt(26)
    assert number.text == "百千万指办〔2026〕12号" and number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "C00000" and rule.get(qn("w:val")) == "single"
    assert title.text == "2026年11月工作推进情况通报" and title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.runs[0].font.size == Pt(22)
    assert title.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert recipients.text == "各县（市、区）百千万工程指挥部，市直各有关单位："
    assert recipients.alignment != WD_ALIGN_PARAGRAPH.CENTER
    assert not recipients.paragraph_format.first_line_indent      # flush left (顶格)


def test_a_draft_prints_draft_where_the_number_goes_and_no_recipients_line_when_none():
    texts = _texts(_read(_content(OVERALL), number="", recipients=""))
    assert texts[1] == "（草稿）"
    assert texts[3] == "为推动任务落实，现将11月工作推进情况通报如下："


def test_body_is_fangsong_sanhao_indented_two_characters_at_a_fixed_line_pitch():
    doc = _read(_content(OVERALL))
    normal = doc.styles["Normal"].paragraph_format
    assert normal.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert Pt(28) <= normal.line_spacing <= Pt(29)
    opening = next(p for p in doc.paragraphs if p.text.startswith("为推动任务落实"))
    assert opening.paragraph_format.first_line_indent == Pt(32)
    fonts = opening.runs[0]._r.rPr.rFonts
    assert opening.runs[0].font.size == Pt(16)
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312" and fonts.get(qn("w:ascii"))
    heading = next(p for p in doc.paragraphs if p.text == "一、总体情况")
    assert heading.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    sub = next(p for p in doc.paragraphs if p.text.startswith("（一）"))
    assert [r.text for r in sub.runs] == ["（一）销号进度。", "已销号12项。"]
    assert [r._r.rPr.rFonts.get(qn("w:eastAsia")) for r in sub.runs] == ["楷体_GB2312",
                                                                          "仿宋_GB2312"]


def test_the_font_table_names_a_fallback_for_each_standard_face():
    doc = _read(_content(OVERALL))
    fonts = doc.part.part_related_by(RT.FONT_TABLE).blob.decode()
    for name, alternative in (("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体"),
                              ("方正小标宋简体", "华文中宋")):
        entry = fonts.split(f'w:name="{name}"')[1].split("</w:font>")[0]
        assert f'w:altName w:val="{alternative}"' in entry and 'w:charset w:val="86"' in entry


def test_the_footer_numbers_pages_with_a_page_field_between_dashes():
    footer = _read(_content(OVERALL)).sections[0].footer
    xml = footer._element.xml
    assert "w:instrText" in xml and " PAGE " in xml and 'w:fldCharType="begin"' in xml
    assert footer.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert footer.paragraphs[0].text.startswith("— ") and footer.paragraphs[0].text.endswith(" —")


@pytest.mark.parametrize("style, day, text", [
    ("arabic", date(2026, 12, 1), "2026年12月1日"),
    ("chinese", date(2026, 12, 1), "二〇二六年十二月一日"),
    ("chinese", date(2026, 10, 31), "二〇二六年十月三十一日"),
    ("chinese", date(2030, 1, 20), "二〇三〇年一月二十日"),
])
def test_the_date_is_written_in_the_configured_style(style, day, text):
    assert date_text(day, style) == text
    texts = _texts(_read(_content(OVERALL), signed_on=day, date_style=style))
    assert texts[-1] == text and texts[-2] == MARK


def test_the_issuer_and_date_close_the_body_right_aligned():
    doc = _read(_content(OVERALL, commentary="请各单位抓好落实。"))
    issuer, signed = doc.paragraphs[-2:]
    assert (issuer.text, signed.text) == (MARK, "2026年12月1日")
    assert issuer.alignment == signed.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # GB/T 9704 7.3.5.2: the issuer two characters from the right, the date starting two
    # characters right of the issuer's first character.
    assert issuer.paragraph_format.right_indent == Pt(32)
    assert signed.paragraph_format.right_indent == Pt(16 * (12 - 6.5))


def test_tables_repeat_their_header_and_print_values_by_format():
    days = _section("due", "二、到期事项", ["序号", "任务", "完成率", "完成时限", "投资（亿元）"],
                    [[1, "标准厂房", 0.571, "2026-11-07", 12.345],
                     [2, "5G基站", None, date(2026, 12, 1), 3]],
                    formats=["int", "text", "percent", "date", "number"], widths=[1, 4, 2, 2, 2])
    [table] = _read(_content(days)).tables
    header = table.rows[0]._tr.trPr
    assert header.find(qn("w:tblHeader")) is not None
    assert [c.text for c in table.rows[1].cells] == ["1", "标准厂房", "57.1%", "2026年11月7日",
                                                     "12.35"]
    assert [c.text for c in table.rows[2].cells] == ["2", "5G基站", "—", "2026年12月1日", "3"]
    aligns = [c.paragraphs[0].alignment for c in table.rows[1].cells]
    assert aligns[2] == aligns[4] == WD_ALIGN_PARAGRAPH.RIGHT
    assert aligns[1] == WD_ALIGN_PARAGRAPH.LEFT
    widths = [column.width for column in table.columns]
    assert abs(widths[1] - 4 * widths[0]) < Cm(0.01)
    assert abs(sum(widths) - Cm(21.0 - 2.8 - 2.6)) < Cm(0.05)


def test_a_stored_draft_without_formats_prints_its_text_percentages_as_they_are():
    old = {"key": "overall", "title": "一、总体进展", "paragraphs": [],
           "table": {"columns": ["类别", "数量", "占比"], "rows": [["已销号", 12, "57.1%"]]}}
    [table] = _read(_content(old)).tables
    cells = table.rows[1].cells
    assert [c.text for c in cells] == ["已销号", "12", "57.1%"]
    assert cells[1].paragraphs[0].alignment == cells[2].paragraphs[0].alignment \
        == WD_ALIGN_PARAGRAPH.RIGHT


def test_a_wide_table_gets_a_landscape_section_and_the_text_returns_to_portrait():
    units = _section("units", "二、各单位推进情况", UNIT_COLUMNS,
                     [[1, "市发展改革局", 9, 3, 0, 7, 2, 0, 0.333, 0.815]])
    redblack = _section("red", "三、红榜", ["序号", "单位", "理由"], [[1, "赤坎区", "完成率100%"]],
                        landscape=True)
    doc = _read(_content(OVERALL, units, _section("next", "四、下步工作", paragraphs=["一是……"]),
                         redblack))
    orientations = [s.orientation for s in doc.sections]
    assert orientations == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT,
                            WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    wide = doc.sections[1]
    assert _near(wide.page_width, Cm(29.7)) and _near(wide.page_height, Cm(21.0))
    assert len(doc.tables[1].columns) == 10


def test_an_annex_is_listed_before_the_signature_and_printed_on_its_own_page_after_it():
    problems = _section("problems", "五、需协调解决的问题", ["序号", "编号", "存在问题"],
                        [[1, "1.2", "用地指标未落实"]], ["各单位报送问题12条。"], annex=True)
    black = _section("black", "四、黑榜", UNIT_COLUMNS, [[1, "雷州市", 1, 0, 1, 0, 0, 1, 0, 0]],
                     annex=True)
    doc = _read(_content(OVERALL, black, problems))
    texts = _texts(doc)
    listed = texts.index("附件：1. 黑榜")
    assert texts[listed + 1] == "2. 需协调解决的问题"
    issuer = texts.index(MARK, 1)
    first, second = texts.index("附件1"), texts.index("附件2")
    assert listed < issuer < first < second
    assert texts[first + 1] == "黑榜" and texts[second + 1] == "需协调解决的问题"
    assert "详见附件1。" in texts and "详见附件2。" in texts
    # A section whose own text already points to its annex gets no second pointer.
    pointed = _section("black", "四、黑榜", UNIT_COLUMNS, [[1, "雷州市", 1, 0, 1, 0, 0, 1, 0, 0]],
                       ["黑榜单位1个。详见附件1。"], annex=True)
    texts = _texts(_read(_content(OVERALL, pointed)))
    assert "黑榜单位1个。详见附件1。" in texts and "详见附件1。" not in texts
    # Inline there is only the overview's table; each annex brings its own after the signature.
    assert [len(t.columns) for t in doc.tables] == [3, 10, 3]
    assert doc.tables[2].rows[1].cells[2].text == "用地指标未落实"
    # Annex 1 (10 columns) opens a landscape section; annex 2 a new portrait one.
    assert [s.orientation for s in doc.sections][-2:] == [WD_ORIENT.LANDSCAPE,
                                                          WD_ORIENT.PORTRAIT]
    assert doc.paragraphs[first].runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"


def test_user_text_xml_cannot_carry_is_dropped_and_formulas_stay_text():
    hostile = ['=HYPERLINK("http://x","y")', "a\x01b\x00c", "lone \ud800 surrogate",
               "+1", "@x", "长" * 5000]
    section = _section("problems", "五、问题\x0c", ["序号", "问题"],
                       [[n, text] for n, text in enumerate(hostile, start=1)],
                       ["段落\x1f文字"])
    doc = _read(_content(section, commentary="结尾\x02"), recipients="各单位\x01：")
    [table] = doc.tables
    assert [row.cells[1].text for row in table.rows[1:4]] == [
        '=HYPERLINK("http://x","y")', "abc", "lone  surrogate"]
    assert table.rows[6].cells[1].text == "长" * 5000
    texts = _texts(doc)
    assert "五、问题" in texts and "段落文字" in texts and "结尾" in texts
    assert texts[3] == "各单位："


def test_widths_fit_the_page_narrowing_the_longest_text_first():
    natural = [Cm(1.5), Cm(2), Cm(9), Cm(8)]
    widths = fit(natural, [False, True, True, True], Cm(15.6))
    assert widths[:2] == natural[:2] and widths[2] == widths[3] == Cm(6.05)
    assert fit([Cm(1.5), Cm(2)], [False, True], Cm(15.6)) == [Cm(1.5), Cm(14.1)]
