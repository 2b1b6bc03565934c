"""The report's PDF and XLSX read as a person would read them: every table on the paper, headers and
county names whole, map names clear of the dots, spreadsheet columns as wide as their text.

The PDF is read back with poppler (pdftotext, pdfinfo, pdftoppm), as a reader's viewer would show it.
The checks go over every table of `formats.tables`, so a table added there is held to the same rules."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook

from hazards.demo.ledger import seed_demo
from hazards.reports import build_report, parse_period
from hazards.reports.charts import map_svg
from hazards.reports.formats import SHEET_NAMES, tables, to_pdf, to_xlsx
from hazards.reports.layout import PAGE_WIDTH_PT, display_width, print_fit, text_em
from tests.conftest import unavailable
from tests.reports.xinzhou import TODAY as XINZHOU_TODAY

A4_LONG, A4_SHORT = 841.89, 595.28
MM = 72 / 25.4
DEMO_TODAY = date(2026, 1, 20)


@pytest.fixture
def demo_report(session):
    """The demo city's 2025 report (fourteen counties with boundaries, overdue hazards on the map)."""
    seed_demo(session, hazards=300, today=DEMO_TODAY)
    return build_report(session, "140900", parse_period(2025), today=DEMO_TODAY)


def _poppler():
    for tool in ("pdftotext", "pdfinfo", "pdftoppm"):
        if not shutil.which(tool):
            unavailable(f"{tool} (poppler-utils) is not installed")


def _pdf(report, lang, tmp_path):
    try:
        pdf = to_pdf(report, lang)
    except (ImportError, OSError) as exc:  # WeasyPrint or its Pango libraries missing
        unavailable(f"WeasyPrint cannot render: {exc}")
    path = tmp_path / f"report-{lang}.pdf"
    path.write_bytes(pdf)
    return path


def _run(*args) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True).stdout


def _page_sizes(path) -> list[tuple[float, float]]:
    pages = int(re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", path), re.M).group(1))
    info = _run("pdfinfo", "-f", 1, "-l", pages, path)
    return [(float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.M)]


def _table_text(text: str, title: str, next_title: str | None) -> list[str]:
    """The lines of the -layout text from a table's title to the next table's title."""
    start = text.index(title)
    end = text.index(next_title, start) if next_title else len(text)
    return text[start:end].splitlines()


def _assert_fits_the_paper(path):
    """No page larger than A4 (either way round), no word past the right margin, and the margin strip of
    every page, as drawn, is blank paper."""
    sizes = _page_sizes(path)
    assert sizes and all(max(w, h) <= A4_LONG + 1 and min(w, h) <= A4_SHORT + 1 for w, h in sizes), sizes
    words = re.findall(r'<page width="([\d.]+)"|<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<',
                       _run("pdftotext", "-bbox", path, "-"))
    page_width = None
    for width, x_max, word in words:
        if width:
            page_width = float(width)
            continue
        assert float(x_max) <= page_width - 5 * MM, f"'{word}' runs into the right margin ({x_max} of {page_width})"
    for png in _pages_as_gray(path):
        width, height, pixels = png
        strip = range(width - max(2, int(width * 5 / 297)), width)  # the outer 5 mm of the 10 mm margin
        assert all(pixels[y * width + x] > 245 for y in range(height) for x in strip), "something is drawn in the margin"


def _pages_as_gray(path):
    """Every page drawn by pdftoppm at 40 dpi, as (width, height, bytes) of a grey image."""
    prefix = path.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "40", "-gray", str(path), str(prefix)], check=True)
    for page in sorted(path.parent.glob(f"{prefix.name}-*.pgm")):
        data = page.read_bytes()
        match = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
        width, height = int(match.group(1)), int(match.group(2))
        yield width, height, data[match.end():]


@pytest.mark.parametrize("ledger", ["demo", "xinzhou"])
def test_pdf_tables_fit_with_every_header_and_county_name_whole(request, session, ledger, tmp_path):
    _poppler()
    if ledger == "demo":
        report = request.getfixturevalue("demo_report")
    else:
        request.getfixturevalue("xinzhou_ledger")  # unranked rows with a long rank text, and the 本级 row
        report = build_report(session, "140900", parse_period(2024), today=XINZHOU_TODAY)
    path = _pdf(report, "zh", tmp_path)
    text = _run("pdftotext", "-layout", path, "-")
    shown = tables(report, "zh")
    titles = [t.title("zh") for t in shown if t.rows]
    for table in shown:
        if not table.rows:
            continue
        following = titles[titles.index(table.title("zh")) + 1] if table.title("zh") != titles[-1] else "口径："
        lines = _table_text(text, table.title("zh"), following)
        header = [column.zh for column in table.columns]
        for title in header:  # a word of its own on a line, not glued to a neighbour nor split
            assert any(title in line.split() for line in lines), f"{table.key}: header '{title}' is cut or broken"
        # A table that runs over pages has its header row again on each (pdftotext puts \f between pages).
        for page in text.split("\f"):
            rows_here = any(line.split()[:2] == cells[:2] for line in page.splitlines()
                            for cells in table.display_rows("zh"))
            if rows_here:
                assert any(line.split() == header for line in page.splitlines()), f"{table.key}: no header row"
    ranking = _table_text(text, "按下级辖区", titles[titles.index("按下级辖区") + 1])
    units = next(t for t in shown if t.key == "units")
    for cells in units.display_rows("zh"):
        name, code = cells[1], cells[2]
        row = next((line for line in ranking if re.search(rf"{re.escape(name)}\s+{code}", line)), None)
        assert row, f"'{name}' is not whole on its row"
        # Every cell of the row, from the name to the last money column (支出), stands whole on the line.
        assert row.split()[-(len(cells) - 1):] == cells[1:], row
    _assert_fits_the_paper(path)


def test_english_pdf_fits_and_keeps_names_whole(demo_report, tmp_path):
    _poppler()
    path = _pdf(demo_report, "en", tmp_path)
    text = _run("pdftotext", "-layout", path, "-")
    ranking = _table_text(text, "By subordinate division", "By category")
    for unit in demo_report.units:
        assert any(re.search(rf"{re.escape(unit.name_en)}\s+{unit.code}", line) for line in ranking), unit.name_en
    _assert_fits_the_paper(path)


def test_any_wide_table_gets_widths_that_add_up_and_a_size_that_fits():
    """A table of any width: one-line headers while they fit at a readable size, wrapped beyond."""
    titles = [f"第{n}项统计指标（万元）" for n in range(24)]
    fit = print_fit(titles, [True] * 24, [["1234.56"] * 24])
    assert fit.wrap_headers and 6 <= fit.font_pt < 9
    assert sum(fit.widths) == pytest.approx(100)
    narrow = print_fit(["单位", "隐患名称", "治理率"], [False, False, True],
                       [["忻州市本级", "G108线K512+300至K513+100段急弯陡坡临水临崖路段缺少防护设施", "92.71%"]])
    assert not narrow.wrap_headers and narrow.font_pt == 9
    assert narrow.keep == (True, False, True)  # a name stays whole, a long title wraps
    # Each column is at least as wide as what must stand on one line in it.
    total_em = PAGE_WIDTH_PT / narrow.font_pt
    assert narrow.widths[0] / 100 * total_em >= text_em("忻州市本级")
    assert fit.table_width == 100
    # A table of a few short columns is not stretched across the page.
    small = print_fit(["道路类别", "完成治理（处）"], [False, True], [["国道", "39"], ["城市道路", "5"]])
    assert 50 <= small.table_width < 60


def test_map_names_are_drawn_over_the_dots_and_clear_of_them(demo_report):
    svg = map_svg(demo_report)
    names = [b.name for b in demo_report.boundaries]
    last_dot = svg.rindex("<circle")
    for name in names:
        assert svg.index(f">{name}</text>") > last_dot  # names last: no dot is painted over one
    dots = [(float(x), float(y)) for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg)]
    covered = []
    for x, y, name in re.findall(r'<text x="([\d.]+)" y="([\d.]+)" font-size="11" text-anchor="middle"[^>]*>([^<]+)<',
                                 svg):
        half = text_em(name) * 11 / 2
        if any(abs(dx - float(x)) <= half and float(y) - 11 <= dy <= float(y) for dx, dy in dots):
            covered.append(name)
    assert not covered, f"red dots under the names {covered}"


def test_xlsx_columns_fit_their_text_with_headers_frozen_and_wrapped(demo_report):
    book = load_workbook(io.BytesIO(to_xlsx(demo_report)))
    for table in tables(demo_report, "zh"):
        sheet = book[SHEET_NAMES[table.key]]
        assert sheet.freeze_panes == "A2"
        assert all(cell.alignment.wrap_text for cell in sheet[1]), f"{sheet.title}: headers do not wrap"
        for index, column in enumerate(table.columns, start=1):
            letter = sheet.cell(1, index).column_letter
            width = sheet.column_dimensions[letter].width
            if column.kind != "text":
                continue
            longest = max([display_width(str(c.value)) for (c,) in sheet.iter_rows(min_row=2, min_col=index,
                                                                                 max_col=index)] + [0])
            cells = [c for (c,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index)]
            assert width >= min(longest, 60), f"{sheet.title} {column.zh}: {width} < {longest}"
            assert all(c.alignment.wrap_text for c in cells), f"{sheet.title} {column.zh}: long text is cut"
    overdue = book["逾期清单"]
    titles = [row[1] for row in overdue.iter_rows(min_row=2, values_only=True)]
    assert titles and overdue.column_dimensions["B"].width >= max(display_width(t) for t in titles)
    summary = book["汇总"]
    assert summary["E2"].number_format == "0.00%" and summary["L2"].number_format == "0.00"
    assert isinstance(summary["L2"].value, (int, float)) and isinstance(summary["E2"].value, (int, float))
