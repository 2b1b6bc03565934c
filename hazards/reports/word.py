"""The report as a Word file (DOCX), laid out as a 公文 draft an office edits and circulates.

GB/T 9704 (党政机关公文格式) as far as a report needs it: A4, margins top 37 mm, bottom 35 mm, left 28 mm,
right 26 mm; the title in 方正小标宋简体 二号 (22 pt), the body in 仿宋_GB2312 三号 (16 pt) on a 28.95 pt
line (22 lines a page), headings in 黑体 三号, page numbers "— 1 —" in 宋体 四号, odd pages on the right
and even pages on the left, one character in. The fonts are named as East-Asian fonts (w:eastAsia),
with Times New Roman for Latin letters and digits, and the font table names what Word and WPS use
where a machine lacks one (仿宋 for 仿宋_GB2312, 黑体 for 方正小标宋简体).

Then the heading lines, the paragraph(s) of hazards.reports.wording, the charts as PNG images
(hazards.reports.svg_png draws charts.py's SVG) and every table of formats.tables(), whatever tables
it holds: header row repeated on each page, numbers right-aligned, columns sized from their content,
and a table too wide for the portrait page in a landscape section (and in a smaller type when even
that is too narrow), so no column is cut and no name breaks a character a line.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from hazards.reports.build import CompletionReport
from hazards.reports.layout import is_wide, text_em

LATIN = "Times New Roman"
BODY_FONT, TITLE_FONT, HEADING_FONT, PAGE_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体", "宋体"
#: Declared in the font table: what a reader's Word or WPS takes when the first is not installed.
FONT_TABLE = {BODY_FONT: ("仿宋", "modern"), TITLE_FONT: ("黑体", "roman"), HEADING_FONT: ("SimHei", "modern"),
              PAGE_FONT: ("SimSun", "auto"), "仿宋": ("FangSong", "modern")}
GB_CHARSET = "86"

PAGE_W, PAGE_H = Mm(210), Mm(297)
TOP, BOTTOM, LEFT, RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
BODY_PT, TITLE_PT, PAGE_NUMBER_PT, LINE_PT = 16, 22, 14, 28.95
TABLE_SIZES = (10.5, 10, 9, 8, 7.5)  # 五号 first, smaller only when a landscape page is still too narrow
CELL_PAD_PT = 7.0  # left and right cell margins (3 pt each) and a point of slack
TEXT_FLOOR_EM = 5.0  # a text column narrower than its longest cell still holds five characters a line
TEXT_CAP_EM = 14.0
PORTRAIT_PT = (PAGE_W - LEFT - RIGHT) / 12700
LANDSCAPE_PT = (PAGE_H - TOP - BOTTOM) / 12700  # landscape pages keep the margins, turned with the page
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def to_docx(report: CompletionReport, lang: str = "zh") -> bytes:
    """The report as the bytes of a .docx file."""
    from hazards.reports.formats import effect_notes, heading, render_context, tables
    from hazards.reports.wording import paragraph_en, paragraph_zh

    en = lang == "en"
    doc = Document()
    _set_up(doc, report, lang)
    title = doc.add_paragraph(style="Report Title")
    for index, line in enumerate(_title_lines(report, lang)):
        if index:
            title.add_run().add_break()
        title.add_run(line)
    for key, value in heading(report, lang):
        doc.add_paragraph(f"{key}: {value}" if en else f"{key}：{value}", style="Report Lines")

    numbers = _section_numbers(lang)
    doc.add_paragraph(next(numbers) + ("Summary" if en else "综述"), style="Report Heading")
    text = paragraph_en(report) if en else paragraph_zh(report)
    for part in [p.strip() for p in text.split("\n") if p.strip()]:
        body = doc.add_paragraph(part, style="Report Body")
        if en:  # justified English at this size opens wide gaps between words
            body.alignment = WD_ALIGN_PARAGRAPH.LEFT

    charts = _charts(render_context(report, lang))
    if charts:
        doc.add_paragraph(next(numbers) + ("Charts" if en else "图表"), style="Report Heading")
        for png, title, ratio in charts:
            width = Mm(150)
            if ratio * 150 > 200:  # a tall chart keeps to the page's height
                width = Mm(200 / ratio)
            picture = doc.add_picture(io.BytesIO(png), width=width)
            picture._inline.docPr.set("descr", title)
            doc.paragraphs[-1].style = doc.styles["Report Figure"]

    landscape = False
    for table in tables(report, lang):
        wide, size, widths = _fit(table, lang)
        if wide != landscape:
            _new_section(doc, wide)
            landscape = wide
        doc.add_paragraph(next(numbers) + table.title(lang), style="Report Heading")
        _add_table(doc, table, lang, size, widths)
        if not table.rows:
            doc.add_paragraph("None" if en else "无", style="Report Note")
        if table.key == "effect":
            sentence, caveat, basis = effect_notes(report, lang)
            doc.add_paragraph(sentence, style="Report Body")
            doc.add_paragraph(caveat, style="Report Body")
            doc.add_paragraph(basis, style="Report Note")
        if table.key == "overdue" and report.overdue_count > len(report.overdue):
            doc.add_paragraph(f"Showing the {len(report.overdue)} with the oldest deadlines of {report.overdue_count}."
                              if en else f"共{report.overdue_count}处，仅列出期限最早的{len(report.overdue)}处。",
                              style="Report Note")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _title(report: CompletionReport, lang: str) -> str:
    if lang == "en":
        return f"{report.jurisdiction_name_en} · {report.period.label_en} · Road hazard remediation completion report"
    return f"{report.jurisdiction_name}{report.period.label_zh}道路交通安全隐患治理完成情况"


def _title_lines(report: CompletionReport, lang: str) -> list[str]:
    """The title as 公文 set it: the division and period above the subject when it needs two lines."""
    if lang == "en":
        return [_title(report, lang)]
    head = f"{report.jurisdiction_name}{report.period.label_zh}"
    subject = "道路交通安全隐患治理完成情况"
    return [head + subject] if _em(head + subject) * TITLE_PT <= PORTRAIT_PT * 0.9 else [head, subject]


def _section_numbers(lang: str):
    n = 0
    while True:
        n += 1
        yield f"{n}. " if lang == "en" else f"{_chinese_number(n)}、"


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


# ---- the document's page, fonts and styles ----------------------------------------------------------

def _set_up(doc, report: CompletionReport, lang: str) -> None:
    doc.core_properties.title = _title(report, lang)
    doc.core_properties.language = "en-US" if lang == "en" else "zh-CN"
    doc.core_properties.author = doc.core_properties.last_modified_by = ""
    _defaults(doc, lang)
    _font_table(doc)
    _styles(doc)
    section = doc.sections[0]
    section.page_width, section.page_height, section.orientation = PAGE_W, PAGE_H, WD_ORIENT.PORTRAIT
    _margins(section, landscape=False)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_numbers(doc, section)


def _margins(section, landscape: bool) -> None:
    if landscape:  # the portrait margins turned with the page: the binding edge (left) becomes the top
        section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = LEFT, RIGHT, TOP, BOTTOM
        section.footer_distance = Mm(12)
    else:
        section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = TOP, BOTTOM, LEFT, RIGHT
        section.footer_distance = Mm(22)  # the number 7 mm below the text block, as GB/T 9704 places it
    section.header_distance = Mm(15)


def _new_section(doc, landscape: bool) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    if landscape:
        section.orientation, section.page_width, section.page_height = WD_ORIENT.LANDSCAPE, PAGE_H, PAGE_W
    else:
        section.orientation, section.page_width, section.page_height = WD_ORIENT.PORTRAIT, PAGE_W, PAGE_H
    _margins(section, landscape)


def set_fonts(rpr, east_asia: str, latin: str = LATIN) -> None:
    """Name the East-Asian font (w:eastAsia) and the Latin one on a run or style's w:rPr, dropping the
    theme fonts that would otherwise win over them."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:cs", latin), ("w:eastAsia", east_asia)):
        fonts.set(qn(attr), value)


def _defaults(doc, lang: str) -> None:
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr, BODY_FONT)
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), str(BODY_PT * 2))
    language = rpr.find(qn("w:lang"))
    language.set(qn("w:val"), "en-US" if lang == "en" else "zh-CN")
    language.set(qn("w:eastAsia"), "zh-CN")
    spacing = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr")).find(
        qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")


def _font_table(doc) -> None:
    """Add the report's fonts to word/fontTable.xml with their stand-ins (w:altName) and the GB2312
    character set, so a reader's Word or WPS substitutes sensibly."""
    part = next(rel.target_part for rel in doc.part.rels.values() if rel.reltype == RT.FONT_TABLE)
    fonts = parse_xml(part.blob)
    for name, (alternative, family) in FONT_TABLE.items():
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", alternative), ("w:charset", GB_CHARSET), ("w:family", family),
                           ("w:pitch", "variable")):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            font.append(child)
        fonts.append(font)
    from lxml import etree

    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def _styles(doc) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.font.size = Pt(BODY_PT)

    def paragraph_style(name: str, font: str, size: float, *, bold: bool = False, align=None, indent: bool = False,
                        exact: bool = True, before: float = 0, after: float = 0):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style, style.quick_style = normal, True
        set_fonts(style.element.get_or_add_rPr(), font)
        style.font.size, style.font.bold = Pt(size), bold
        style.font.color.rgb = RGBColor(0, 0, 0)
        fmt = style.paragraph_format
        if align is not None:
            fmt.alignment = align
        if indent:
            fmt.first_line_indent = Pt(size * 2)  # 首行缩进两字
        if exact:
            fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE_PT)
        else:
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        return style

    title = paragraph_style("Report Title", TITLE_FONT, TITLE_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
                            exact=False, after=LINE_PT)
    title.paragraph_format.keep_with_next = True
    paragraph_style("Report Lines", BODY_FONT, BODY_PT, indent=True)
    heading = paragraph_style("Report Heading", HEADING_FONT, BODY_PT, indent=True, before=LINE_PT / 2)
    heading.paragraph_format.keep_with_next = True
    paragraph_style("Report Body", BODY_FONT, BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
    paragraph_style("Report Figure", BODY_FONT, BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, exact=False, after=6)
    paragraph_style("Report Table Text", BODY_FONT, TABLE_SIZES[0], exact=False)
    paragraph_style("Report Table Header", HEADING_FONT, TABLE_SIZES[0], align=WD_ALIGN_PARAGRAPH.CENTER,
                    exact=False)
    paragraph_style("Report Note", BODY_FONT, TABLE_SIZES[0], exact=False, before=3)
    footer = paragraph_style("Report Page Number", PAGE_FONT, PAGE_NUMBER_PT, exact=False)
    set_fonts(footer.element.get_or_add_rPr(), PAGE_FONT, PAGE_FONT)  # 4号半角宋体阿拉伯数字
    footer.element.rPr.find(qn("w:rFonts")).set(qn("w:hint"), "eastAsia")  # the dashes too: 一字线


def _page_numbers(doc, section) -> None:
    """"— 1 —": odd pages on the right, even pages on the left, each one character in from the edge."""
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer,
                                                                        WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = doc.styles["Report Page Number"]
        paragraph.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = Pt(PAGE_NUMBER_PT)
        else:
            paragraph.paragraph_format.left_indent = Pt(PAGE_NUMBER_PT)
        paragraph.add_run("— ")
        _field(paragraph, "PAGE", "1")
        paragraph.add_run(" —")


def _field(paragraph, instruction: str, shown: str) -> None:
    def char(kind: str):
        run = paragraph.add_run()
        mark = OxmlElement("w:fldChar")
        mark.set(qn("w:fldCharType"), kind)
        run._r.append(mark)

    char("begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    paragraph.add_run()._r.append(code)
    char("separate")
    paragraph.add_run(shown)
    char("end")


# ---- charts -----------------------------------------------------------------------------------------

def _charts(context: dict) -> list[tuple[bytes, str, float]]:
    """Every SVG chart the report page shows (render_context's SVG values, in its order) as PNG, with
    its title and height/width ratio."""
    from hazards.reports.svg_png import png_size, svg_to_png

    found = []
    for value in context.values():
        if isinstance(value, str) and value.lstrip().startswith("<svg"):
            width, height = png_size(str(value))
            png, title = svg_to_png(str(value))
            found.append((png, title, height / width if width else 1.0))
    return found


# ---- tables -----------------------------------------------------------------------------------------

def _em(text: str) -> float:
    """The width of `text` in ems, as the PDF's layout measures it (a little generous for Latin text,
    so that codes and numbers fit where a wider font, such as DejaVu Serif, stands in for Times)."""
    return text_em(text)


def _unbreakable(text: str) -> bool:
    """A code or date (140928-2025-0007): Latin letters, digits and signs without a space, kept on one line."""
    return text.isascii() and " " not in text and len(text) <= 24


def _chinese(text: str) -> bool:
    return any(is_wide(ch) for ch in text)


def _header_split(text: str) -> list[str]:
    """Where a Chinese header breaks when its column is narrow: before its bracket (预算 / （万元）), or
    after three or four characters (清单内 / 隐患, 年度清单 / 隐患, 动态新增 / 已完成), never one a line."""
    head, bracket, tail = text.partition("（")
    if bracket and head:
        return [*_header_split(head), bracket + tail]
    if len(text) <= 4 or not all(_chinese(ch) for ch in text):
        return [text]
    first = 3 if len(text) == 5 else 4
    return [text[:first], *_header_split(text[first:])] if len(text) - first > 4 else [text[:first], text[first:]]


def _header_em(text: str, lang: str) -> float:
    """How narrow a header may be: English wraps at spaces (its longest word),
    Chinese at the breaks of _header_split."""
    if lang == "en" or not _chinese(text):
        return max([_em(word) for word in text.split()] + [0.0])
    return max(_em(line) for line in _header_split(text))


def _fit(table, lang: str) -> tuple[bool, float, list[float]]:
    """(landscape?, type size in pt, column widths in pt): portrait when the columns fit as they are,
    else landscape, narrowing text columns (which wrap) before a smaller type; numbers never wrap."""
    rows = table.display_rows(lang)
    columns = []
    for index, column in enumerate(table.columns):
        longest = max([_em(row[index]) for row in rows] + [0.0])
        header = _header_em(column.title(lang), lang)
        if column.kind == "text" and not all(_unbreakable(row[index]) for row in rows):
            natural = max(header, min(longest, TEXT_CAP_EM))
            floor = max(header, min(longest, TEXT_FLOOR_EM))
        else:  # numbers, dates and codes stay on one line
            natural = floor = max(header, longest)
        columns.append((natural, floor))

    def widths(size: float, which: int) -> list[float]:
        return [em[which] * size + CELL_PAD_PT for em in columns]

    size = TABLE_SIZES[0]
    if sum(widths(size, 0)) <= PORTRAIT_PT:
        return False, size, _spread(widths(size, 0), widths(size, 0), PORTRAIT_PT)
    for size in TABLE_SIZES:
        natural, floor = widths(size, 0), widths(size, 1)
        if sum(floor) <= LANDSCAPE_PT:
            return True, size, _spread(natural, floor, LANDSCAPE_PT)
    size = TABLE_SIZES[-1]
    floor = widths(size, 1)
    return True, size, [w * LANDSCAPE_PT / sum(floor) for w in floor]  # nothing else left: scale it to fit


def _spread(natural: list[float], floor: list[float], room: float) -> list[float]:
    """Column widths filling `room`: the natural ones widened evenly, or text columns narrowed from
    natural towards their floor just enough to fit."""
    total = sum(natural)
    if total <= room:
        return [w * room / total for w in natural]
    slack = total - sum(floor)
    cut = (total - room) / slack if slack else 1.0
    return [n - (n - f) * cut for n, f in zip(natural, floor)]


def _add_table(doc, table, lang: str, size: float, widths: list[float]) -> None:
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    properties = grid._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    properties.append(layout)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "60")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties.append(margins)
    caption = OxmlElement("w:tblCaption")  # the table's name for screen readers and Word's navigation
    caption.set(qn("w:val"), table.title(lang))
    properties.append(caption)
    for column, width in zip(grid.columns, widths):
        column.width = Pt(width)

    numeric = [column.kind != "text" for column in table.columns]
    header = grid.rows[0]
    _mark_row(header, repeat=True)
    header_style, text_style = doc.styles["Report Table Header"], doc.styles["Report Table Text"]
    for cell, column, width in zip(header.cells, table.columns, widths):
        _fill(cell, _header_lines(column.title(lang), size, width), header_style, size, width, None)
    for values in table.display_rows(lang):
        row = grid.add_row()
        _mark_row(row, repeat=False)
        for cell, value, is_number, width in zip(row.cells, values, numeric, widths):
            _fill(cell, value, text_style, size, width,
                  WD_ALIGN_PARAGRAPH.RIGHT if is_number else WD_ALIGN_PARAGRAPH.LEFT)


def _header_lines(text: str, size: float, width: float) -> str:
    """A Chinese header too wide for its column, broken where _header_split says (Word would break
    wherever the line is full: 清单内隐 / 患)."""
    if _em(text) * size + CELL_PAD_PT <= width or not _chinese(text):
        return text
    return "\n".join(_header_split(text))


def _mark_row(row, repeat: bool) -> None:
    """Rows never split across pages; the header row repeats on each page (w:tblHeader)."""
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))
    if repeat:
        properties.append(OxmlElement("w:tblHeader"))


def _fill(cell, text: str, style, size: float, width: float, align) -> None:
    cell.width = Pt(width)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph._p.style = style.style_id  # by id: looking the style up by object is slow for 500 rows
    if align is not None:
        paragraph.alignment = align
    for index, line in enumerate(text.split("\n")):
        run = paragraph.add_run(line)
        if index:
            run._r.addprevious(_break())
        if size != TABLE_SIZES[0]:
            run.font.size = Pt(size)


def _break():
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:br"))
    return run
