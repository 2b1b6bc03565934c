"""Text written to CSV or XLSX stays text: a cell a spreadsheet would run as a formula is defused.

Excel and WPS run a CSV cell that starts with = + - @ as a formula (`=HYPERLINK(...)` in a hazard's
title would become a live link, or worse); a leading apostrophe makes it text and the importer takes
it off again (hazards.io.columns). In XLSX, openpyxl stores any string that starts with '=' as a
formula unless the cell is marked as text.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@")


def defused(value: str) -> str:
    """The CSV form of a text value: an apostrophe in front of anything a spreadsheet would evaluate."""
    return "'" + value if len(value) > 1 and value.startswith(FORMULA_START) else value


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith("=")
