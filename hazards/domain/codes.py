"""Hazard codes (隐患编号): `{division}-{batch year}-{sequence}`, e.g. 140902-2024-0001.

The sequence has four to six digits. A bounded width keeps every code of a division and year the
same shape in lists and exports, and keeps one absurd code (…-99999999) from pushing every code
handed out after it past the width.
"""

from __future__ import annotations

import re

from hazards.domain.errors import N_, TranslatableValueError

SEQUENCE_MIN_DIGITS = 4
SEQUENCE_MAX_DIGITS = 6
MAX_SEQUENCE = 10**SEQUENCE_MAX_DIGITS - 1
_SEQUENCE = re.compile(r"^(\d{6})-(\d{4})-(\d{%d,%d})$" % (SEQUENCE_MIN_DIGITS, SEQUENCE_MAX_DIGITS))


class CodeRangeFull(TranslatableValueError):
    """Every sequence of a division and year is taken."""


def code_prefix(jurisdiction_code: str, batch_year: int) -> str:
    return f"{jurisdiction_code}-{batch_year}-"


def format_code(jurisdiction_code: str, batch_year: int, sequence: int) -> str:
    if not 0 < sequence <= MAX_SEQUENCE:
        raise CodeRangeFull(N_("No hazard codes are left for division %(division)s in %(year)s "
                               "(the sequence has at most %(digits)s digits)."),
                            {"division": jurisdiction_code, "year": batch_year, "digits": SEQUENCE_MAX_DIGITS})
    return f"{code_prefix(jurisdiction_code, batch_year)}{sequence:0{SEQUENCE_MIN_DIGITS}d}"


def parse_code(code: str) -> tuple[str, int, int] | None:
    """(division, batch year, sequence) of a code in the standard form, None for any other code."""
    match = _SEQUENCE.match(code)
    return (match.group(1), int(match.group(2)), int(match.group(3))) if match else None
