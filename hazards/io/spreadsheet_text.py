"""Text written to CSV or XLSX stays text: a cell a spreadsheet would run as a formula is defused.

Excel and WPS run a CSV cell that starts with = + - @ as a formula (`=HYPERLINK(...)` in a hazard's
title would become a live link, or worse); a leading apostrophe makes it text and the importer takes
it off again (hazards.io.columns). In XLSX, openpyxl stores any string that starts with '=' as a
formula unless the cell is marked as text.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@")


def defused(value: str) -> str:
    """The CSV form of a text value: an apostrophe in front of anything a spreadsheet would evaluate."""
    return "'" + value if len(value) > 1 and value.startswith(FORMULA_START) else value


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith("=")


# Control characters an XLSX cell cannot hold at all (openpyxl refuses the whole workbook over one).
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_value(value: object) -> object:
    """A value an XLSX cell can hold: a control character in text is shown as U+FFFD (a visible mark
    where something unprintable was), so one odd title does not stop the whole download."""
    return _NOT_IN_XLSX.sub("\ufffd", value) if isinstance(value, str) else value
