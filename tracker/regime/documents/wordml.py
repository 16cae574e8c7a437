"""WordprocessingML python-docx has no API for: fonts by script with their fallbacks, the
red rule, a PAGE field, repeated header rows, page orientation and the page grid."""
from __future__ import annotations

from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm

# Latin letters and digits inside Chinese text.
LATIN_FONT = "Times New Roman"
# The fonts GB/T 9704 names, and what Word and LibreOffice should use where they are not
# installed: w:altName for Word, and the GB2312 charset (86) so either picks a Chinese face
# of the same family (LibreOffice's own table maps 仿宋_GB2312 → FangSong → Noto Serif CJK).
FONTS = {
    "方正小标宋简体": ("华文中宋", "roman"),
    "仿宋_GB2312": ("仿宋", "modern"),
    "楷体_GB2312": ("楷体", "modern"),
    "黑体": ("SimHei", "modern"),
    "宋体": ("SimSun", "roman"),
}
RED_HEX = "C00000"
A4 = (Cm(21.0), Cm(29.7))
# GB/T 9704-2012: top 37 mm, bottom 35 mm, left (binding side) 28 mm, right 26 mm.
PORTRAIT_MARGINS = (Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6))
# A landscape page keeps the same text height as a portrait page's width, footer room below.
LANDSCAPE_MARGINS = (Cm(2.8), Cm(2.8), Cm(3.7), Cm(3.5))
# Footer baseline about 7 mm below the text area (GB/T 9704: 页码 一字线 7 mm 下).
PORTRAIT_FOOTER, LANDSCAPE_FOOTER = Cm(2.5), Cm(1.6)


def set_fonts(r_pr, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Chinese text in *east_asia*, Latin letters and digits in *latin* (an rPr element)."""
    fonts = r_pr.get_or_add_rFonts()
    for key in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(key), None)
    for key, name in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia),
                      ("w:cs", latin)):
        fonts.set(qn(key), name)


def set_defaults(doc, east_asia: str) -> None:
    """The document's default run fonts (no theme fonts, which Word prefers to named ones)
    and Chinese as the East Asian language, so line breaking follows Chinese rules."""
    r_pr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = r_pr.find(qn("w:rFonts"))
    for key in list(fonts.attrib):
        del fonts.attrib[key]
    for key, name in (("w:ascii", LATIN_FONT), ("w:hAnsi", LATIN_FONT),
                      ("w:eastAsia", east_asia), ("w:cs", LATIN_FONT)):
        fonts.set(qn(key), name)
    r_pr.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")


def declare_fonts(doc) -> None:
    """List the GB/T fonts in the font table with an alternative name and the GB2312
    character set, for machines without the 方正 / _GB2312 faces."""
    part = doc.part.part_related_by(RT.FONT_TABLE)
    table = parse_xml(part.blob)
    for name, (alternative, family) in FONTS.items():
        table.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alternative}"/>'
            f'<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="variable"/>'
            f"</w:font>"))
    part._blob = serialize_part_xml(table)


def red_rule(paragraph, space_pt: int = 11) -> None:
    """The red line under the document number (版头分隔线), *space_pt* below its text."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", str(space_pt)),
                       ("w:color", RED_HEX)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def page_field(paragraph, style_run) -> None:
    """A PAGE field (the page number Word and LibreOffice compute) as runs of *paragraph*;
    *style_run(run)* gives each run its font."""
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"),
                       ("end", None)):
        run = paragraph.add_run()
        style_run(run)
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text.strip() == "PAGE":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._r.append(instruction)
        else:
            run.text = text


def keep_row(row, *, header: bool = False) -> None:
    """Never split *row* across pages; a *header* row is printed again at the top of every
    page the table runs onto."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


def set_page(section, landscape: bool) -> None:
    """A4 in either orientation with the margins above."""
    width, height = A4
    margins = LANDSCAPE_MARGINS if landscape else PORTRAIT_MARGINS
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    (section.top_margin, section.bottom_margin,
     section.left_margin, section.right_margin) = margins
    section.footer_distance = LANDSCAPE_FOOTER if landscape else PORTRAIT_FOOTER


def text_width(section) -> int:
    """The width between the margins, in EMU."""
    return section.page_width - section.left_margin - section.right_margin


def orient(doc, landscape: bool, *, new_page: bool = False) -> bool:
    """Continue in a section of the wanted orientation: a new section (on a new page) when
    the current one differs or *new_page* is asked for. True when a new page was started."""
    current = doc.sections[-1]
    if (current.orientation == WD_ORIENT.LANDSCAPE) == landscape and not new_page:
        return False
    if (current.orientation == WD_ORIENT.LANDSCAPE) == landscape:
        doc.add_page_break()
        return True
    set_page(doc.add_section(WD_SECTION.NEW_PAGE), landscape)
    return True
