"""The report as a Word file: a 公文 draft (A4, GB/T 9704 margins, 仿宋/黑体 named as East-Asian fonts,
"— 1 —" page numbers) holding the paragraph, the charts and every table of formats.tables(), with
header rows that repeat, right-aligned numbers and wide tables on landscape pages; LibreOffice
prints it; the command, the page's download menu, the background job and the API serve it."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm
from PIL import Image

from hazards.reports import build_report, parse_period
from hazards.reports.formats import export, render_context, tables
from hazards.reports.svg_png import svg_to_png
from hazards.reports.wording import paragraph_en, paragraph_zh
from hazards.reports.word import to_docx
from tests.conftest import unavailable
from tests.factories import user
from tests.reports.xinzhou import TODAY

YEAR = parse_period(2024)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def report(session, xinzhou_ledger):
    return build_report(session, "140900", YEAR, today=TODAY)


def _open(data: bytes):
    return Document(io.BytesIO(data))


def _text(cell) -> str:
    return cell.text.replace("\n", "")  # a header may break before its bracket: 预算 / （万元）


def _section_of_each_table(doc) -> list[int]:
    """The index of the section each table sits in (a section ends at a paragraph holding w:sectPr)."""
    found, section = [], 0
    for element in doc.element.body:
        if element.tag == qn("w:tbl"):
            found.append(section)
        elif element.tag == qn("w:p") and element.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            section += 1
    return found


def _mm(length) -> int:
    return round(length.mm)  # Word stores twentieths of a point: 210 mm is 209.99


def _east_asian(rpr) -> str | None:
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def test_the_word_file_holds_the_paragraph_and_every_table(report):
    doc = _open(to_docx(report))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "忻州市2024年\n道路交通安全隐患治理完成情况"  # two lines, as 公文 titles break
    assert "辖区：忻州市（140900）" in texts and "统计期间：2024年" in texts and "未完成、逾期统计截至：2024-12-31" in texts
    assert paragraph_zh(report) in texts
    expected = tables(report)
    assert len(doc.tables) == len(expected)
    for grid, table in zip(doc.tables, expected):
        assert grid._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val")) == table.title("zh")
        title = grid._tbl.getprevious()
        assert "".join(title.itertext()).endswith(table.title("zh"))  # 三、按督办级别汇总
        header, *body = grid.rows
        assert [_text(c) for c in header.cells] == [c.zh for c in table.columns]
        assert len(body) == len(table.rows)
        assert [[c.text for c in row.cells] for row in body] == table.display_rows("zh")
        # the header row repeats on each page; the body rows do not
        assert header._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr.find(qn("w:tblHeader")) is None for row in body)
        for row in body:
            for cell, column in zip(row.cells, table.columns):
                wanted = WD_ALIGN_PARAGRAPH.LEFT if column.kind == "text" else WD_ALIGN_PARAGRAPH.RIGHT
                assert cell.paragraphs[0].alignment == wanted, (table.key, column.zh)
    summary = doc.tables[0].rows
    assert [c.text for c in summary[7].cells][:5] == ["年度清单合计", "91", "96", "89", "92.71%"]
    # every chart the page shows, as an image: here the level and unit charts (no boundary stored: no map)
    charts = [v for v in render_context(report).values() if isinstance(v, str) and v.startswith("<svg")]
    assert len(doc.inline_shapes) == len(charts) >= 2
    assert [shape._inline.docPr.get("descr") for shape in doc.inline_shapes][:2] == [
        "按督办级别：清单内隐患完成情况", "下级辖区治理率（年度清单）"]


def test_a_gongwen_draft_a4_with_east_asian_fonts(report):
    doc = _open(to_docx(report))
    first = doc.sections[0]
    assert (_mm(first.page_width), _mm(first.page_height), first.orientation) == (210, 297, WD_ORIENT.PORTRAIT)
    assert [_mm(m) for m in (first.top_margin, first.bottom_margin, first.left_margin, first.right_margin)] == [
        37, 35, 28, 26]  # GB/T 9704
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert _east_asian(defaults) == "仿宋_GB2312"
    assert defaults.find(qn("w:rFonts")).get(qn("w:ascii")) == "Times New Roman"  # Latin letters and digits
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsiaTheme")) is None  # no theme font wins over it
    body = doc.paragraphs[[p.text for p in doc.paragraphs].index(paragraph_zh(report))]
    assert _east_asian(body.style.element.rPr) == "仿宋_GB2312" and body.style.font.size.pt == 16  # 三号
    title = doc.paragraphs[0].style
    assert _east_asian(title.element.rPr) == "方正小标宋简体" and title.font.bold and title.font.size.pt == 22
    heading = next(p for p in doc.paragraphs if p.text == "一、综述").style
    assert _east_asian(heading.element.rPr) == "黑体"
    # the font table says what stands in where a reader's machine lacks a font
    font_table = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable")).blob
    assert "仿宋_GB2312".encode() in font_table and 'w:altName w:val="仿宋"'.encode() in font_table
    # "— 1 —" page numbers: odd pages right, even pages left
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = first.footer.paragraphs[0], first.even_page_footer.paragraphs[0]
    assert odd.text == even.text == "— 1 —" and "PAGE" in odd._p.xml and "PAGE" in even._p.xml
    assert (odd.alignment, even.alignment) == (WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT)


def test_wide_tables_are_on_landscape_pages(report):
    doc = _open(to_docx(report))
    where = dict(zip([t.key for t in tables(report)], _section_of_each_table(doc)))
    orientation = {key: doc.sections[index].orientation for key, index in where.items()}
    assert orientation["units"] == WD_ORIENT.LANDSCAPE  # 16 columns
    assert orientation["road_classes"] == WD_ORIENT.PORTRAIT  # 4 columns
    for section in doc.sections:
        if section.orientation == WD_ORIENT.LANDSCAPE:
            assert (_mm(section.page_width), _mm(section.page_height)) == (297, 210)
    # the columns of every table fit between the margins of its page
    for grid, index in zip(doc.tables, _section_of_each_table(doc)):
        section = doc.sections[index]
        room = section.page_width - section.left_margin - section.right_margin
        assert sum(column.width for column in grid.columns) <= room + Mm(0.5)


def test_in_english(report):
    doc = _open(to_docx(report, "en"))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "Xinzhou · 2024 · Road hazard remediation completion report"
    assert paragraph_en(report) in texts and "1. Summary" in texts
    assert [_text(c) for c in doc.tables[0].rows[0].cells][:3] == ["Level", "Completed in period", "On the list"]


def test_an_empty_report_still_has_every_table(session):
    report = build_report(session, "140921", YEAR, today=TODAY)
    doc = _open(export(report, "docx"))
    assert len(doc.tables) == len(tables(report))
    overdue = doc.tables[-1]
    assert len(overdue.rows) == 1 and "无" in [p.text for p in doc.paragraphs]


def test_libreoffice_prints_it(report, tmp_path):
    """LibreOffice Writer (headless) turns the Word file into a PDF with the county names and headers."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        unavailable("LibreOffice (Debian libreoffice-writer) is not installed")
    if not shutil.which("pdftotext"):
        unavailable("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.docx"
    path.write_bytes(to_docx(report))
    profile = tmp_path / "lo-profile"  # a private profile: parallel runs do not share one
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=180,
                   env={**os.environ, "HOME": str(tmp_path)})
    pdf = tmp_path / "report.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = re.sub(r"\s+", "", text)  # pdftotext spaces Latin from Chinese (忻州市 2024 年)
    assert "忻州市2024年道路交通安全隐患治理完成情况" in text
    assert "原平市" in text and "忻府区" in text  # county names, whole
    assert "督办级别" in text and "隐患类型" in text and "逾期天数" in text  # table headers
    assert "—1—" in text
    sizes = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True,
                           check=True).stdout
    assert "595.3" in sizes and "841.89 x 595.3" in sizes  # A4, and a landscape page for a wide table


# ---- the charts as PNG ----------------------------------------------------------------------------

def test_the_charts_svg_drawn_as_png():
    svg = ('<svg viewBox="0 0 100 50" width="100" height="50" aria-label="图">'
           '<rect x="0" y="0" width="50" height="50" fill="#1e7b34"/>'
           '<rect x="50" y="0" width="50" height="50" fill="#b3261e" fill-opacity="0.5"/>'
           '<path d="M60,10L90,10L90,40L60,40ZM70,20L80,20L80,30L70,30Z" fill="#000" fill-rule="evenodd"/>'
           '<circle cx="25" cy="25" r="5" fill="#fff"/><text x="2" y="48" font-size="10">忻府区</text></svg>')
    png, title = svg_to_png(svg, scale=2)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert title == "图" and image.size == (200, 100)
    assert image.getpixel((10, 10)) == (0x1e, 0x7b, 0x34)
    assert image.getpixel((198, 2)) == (217, 146, 142)  # half-transparent red over white
    assert image.getpixel((130, 30)) == (0, 0, 0) and image.getpixel((150, 50)) == (217, 146, 142)  # a hole
    assert image.getpixel((50, 50)) == (255, 255, 255)
    assert any(image.getpixel((x, y)) != (0x1e, 0x7b, 0x34) for x in range(4, 40) for y in range(80, 96))


# ---- where it is served ---------------------------------------------------------------------------

@pytest.fixture
def reports_app(app):
    from hazards.reports.commands import report_command
    from hazards.web.reports import bp

    if "reports" not in app.blueprints:
        app._got_first_request = False
        app.register_blueprint(bp)
    if "report" not in app.cli.commands:
        app.cli.add_command(report_command)
    return app


def test_command_writes_a_word_file(reports_app, runner, xinzhou_ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(args=["report", "--jurisdiction", "140900", "--year", "2024", "--format", "docx"])
    assert result.exit_code == 0, result.output
    written = tmp_path / "忻州市2024年隐患治理报表.docx"
    assert "wrote" in result.output and written.exists()
    assert _open(written.read_bytes()).paragraphs[0].text.replace("\n", "") == "忻州市2024年道路交通安全隐患治理完成情况"


def test_the_download_menu_offers_word(reports_app, client, auth, xinzhou_ledger, session):
    auth.login(user(session, "supervisor", "140900"))
    page = client.get("/reports?jurisdiction=140900&year=2024").get_data(as_text=True)
    assert "format=docx" in page and ">DOCX<" in page
    assert '<option value="docx">DOCX</option>' in page  # the background job too
    word = client.get("/reports/download?format=docx&jurisdiction=140900&year=2024")
    assert word.status_code == 200 and word.mimetype == DOCX
    assert "attachment" in word.headers["Content-Disposition"] and ".docx" in word.headers["Content-Disposition"]
    captions = [grid._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val")) for grid in _open(word.data).tables]
    assert captions == [table.zh for table in tables(build_report(session, "140900", YEAR))]


def test_a_background_job_builds_a_word_file(eager_jobs, client, auth, xinzhou_ledger, session):
    auth.login(user(session, "supervisor", "140900"))
    started = client.post("/reports/jobs", data={"jurisdiction": "140900", "year": "2024", "format": "docx"},
                          headers={"Accept": "application/json"})
    assert started.status_code == 202
    status = client.get(f"/reports/jobs/{started.json['task_id']}").json
    assert status["state"] == "SUCCESS" and status["filename"] == "忻州市2024年隐患治理报表.docx"
    file = client.get(status["file_url"])
    assert file.status_code == 200 and file.mimetype == DOCX
    assert _open(file.data).paragraphs[0].text.replace("\n", "") == "忻州市2024年道路交通安全隐患治理完成情况"
