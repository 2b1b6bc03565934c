"""How the report's tables fit paper and spreadsheet columns: widths measured from their text.

The printed report is A4 landscape (templates/reports/report_document.html). Every table is laid out
with fixed column widths that come from its content, at the largest font size (at most 9pt) that lets
every column header and every short cell (names, codes, numbers, dates) stand on one line. Only long
text (a hazard's title, a note) wraps. A table too wide for one-line headers even at a small size gets
wrapped headers instead. The rules read the columns and cells only, so any table added to
`formats.tables` fits the same way.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

PAGE_WIDTH_MM = 297 - 2 * 10  # A4 landscape less the left and right margins of @page
PAGE_WIDTH_PT = PAGE_WIDTH_MM * 72 / 25.4
MAX_FONT_PT, MIN_FONT_PT, HEADER_WRAP_BELOW_PT = 9.0, 6.0, 7.0
CELL_PAD_EM = 0.9       # left and right padding (.35em each, see the print CSS) and the border, with room
SHORT_TEXT_EM = 9.0     # text up to this wide (names, codes, levels) never wraps; longer text may
WRAP_MIN_EM = 6.0       # the least width a wrapping column is given
BOLD = 1.06             # headers are bold
NARROW_TABLE_MIN, NARROW_TABLE_ROOM = 50.0, 1.5  # percent of the page; room around a narrow table's text


def is_wide(char: str) -> bool:
    """A character that takes a full em (two spreadsheet columns): CJK, full-width punctuation."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def text_em(text: str) -> float:
    """The width of text in em in the report's sans-serif CJK font: full width for CJK, about half for
    Latin letters and digits (a little generous, so an estimate never falls short)."""
    return sum(1.0 if is_wide(ch) else 0.62 for ch in text)


def display_width(text: str) -> int:
    """The width of text in spreadsheet columns: CJK characters count double, as Excel and WPS show them."""
    return sum(2 if is_wide(ch) else 1 for ch in text)


def _longest_word_em(text: str) -> float:
    """The widest piece of text that a line cannot break: a run of Latin letters and digits (a CJK
    character may be broken before or after)."""
    runs = [text_em(run) for run in re.findall(r"[^\s\u3000-\u9fff\uff00-\uffef]+", text)]
    return max(runs + [1.0 if any(is_wide(ch) for ch in text) else 0.0])


def _header_wrapped_em(title: str) -> float:
    """A header allowed onto two lines: about half its width, never less than its longest word."""
    if " " in title:
        words = title.split()
        half = min(max(text_em(" ".join(words[:cut])), text_em(" ".join(words[cut:]))) for cut in range(1, len(words)))
    else:
        half = text_em(title[:math.ceil(len(title) / 2)])
    return max(half, _longest_word_em(title))


@dataclass(frozen=True)
class PrintFit:
    """How one table prints: its font size, each column's share of the width, which columns never wrap."""

    font_pt: float
    widths: tuple[float, ...]   # percent of the table's width, adding up to 100
    keep: tuple[bool, ...]      # the column's cells stay on one line
    wrap_headers: bool          # headers may take two lines (very wide tables only)
    table_width: float = 100.0  # percent of the page: a table of a few short columns is not stretched

    @property
    def table(self) -> str:
        return f"{self.table_width:.1f}%"

    @property
    def font(self) -> str:
        return f"{self.font_pt:.2f}pt"

    def width(self, index: int) -> str:
        return f"{self.widths[index]:.3f}%"


def print_fit(titles: list[str], numeric: list[bool], rows: list[list[str]],
              page_width_pt: float = PAGE_WIDTH_PT) -> PrintFit:
    """Column widths and font size for a table of `titles` with text `rows` (as displayed)."""
    count = len(titles)
    longest = [max([text_em(row[i]) for row in rows] + [0.0]) for i in range(count)]
    keep = [numeric[i] or longest[i] <= SHORT_TEXT_EM for i in range(count)]
    cell_min = []
    for i in range(count):
        if keep[i]:
            cell_min.append(longest[i])
        else:  # long text: about three lines of its longest cell, never narrower than a word
            words = max([_longest_word_em(row[i]) for row in rows] + [0.0])
            cell_min.append(max(words, min(longest[i], max(WRAP_MIN_EM, longest[i] / 3))))
    available = page_width_pt * 0.98  # a little to spare for rounding in the layout

    def base(header_em: list[float]) -> list[float]:
        return [max(cell_min[i], header_em[i]) + CELL_PAD_EM for i in range(count)]

    wrap_headers = False
    widths = base([text_em(t) * BOLD for t in titles])
    font = min(MAX_FONT_PT, available / sum(widths))
    if font < HEADER_WRAP_BELOW_PT:
        wrapped = base([_header_wrapped_em(t) * BOLD for t in titles])
        wrap_headers, widths = True, wrapped
        font = min(MAX_FONT_PT, available / sum(wrapped))
    font = max(MIN_FONT_PT, font)

    # Room left over at that size goes first to the wrapping columns (fewer lines), then to all alike.
    room = available / font - sum(widths)
    if room > 0:
        wants = [0.0 if keep[i] else max(0.0, longest[i] + CELL_PAD_EM - widths[i]) for i in range(count)]
        if sum(wants):
            share = min(1.0, room / sum(wants))
            widths = [w + want * share for w, want in zip(widths, wants)]
    total = sum(widths)
    # A narrow table (a few short columns) takes a little more than it needs, not the whole line.
    table_width = min(100.0, max(NARROW_TABLE_MIN, 100 * total * NARROW_TABLE_ROOM * font / available))
    return PrintFit(font_pt=round(font, 2), widths=tuple(100 * w / total for w in widths), keep=tuple(keep),
                    wrap_headers=wrap_headers, table_width=round(table_width, 1))


# ---- XLSX ----------------------------------------------------------------------------------------------

XLSX_MIN_WIDTH, XLSX_MAX_WIDTH, XLSX_HEADER_MAX = 8, 60, 24


def xlsx_width(title: str, cells: list[str]) -> tuple[float, bool]:
    """A spreadsheet column's width (in characters, CJK counting two) and whether its cells wrap.

    Wide enough for its longest cell, up to 60; a longer text wraps in its cell. The header asks for
    its full width up to 24 and wraps beyond (the header row wraps)."""
    longest = max([display_width(c) for c in cells] + [0])
    width = max(XLSX_MIN_WIDTH, min(display_width(title), XLSX_HEADER_MAX), min(longest, XLSX_MAX_WIDTH)) + 2
    return float(width), longest > XLSX_MAX_WIDTH
