"""Hazard codes (隐患编号): `{division}-{batch year}-{sequence}`, e.g. 140902-2024-0001."""

from __future__ import annotations

import re

_SEQUENCE = re.compile(r"^(\d{6})-(\d{4})-(\d{4,})$")


def code_prefix(jurisdiction_code: str, batch_year: int) -> str:
    return f"{jurisdiction_code}-{batch_year}-"


def format_code(jurisdiction_code: str, batch_year: int, sequence: int) -> str:
    return f"{code_prefix(jurisdiction_code, batch_year)}{sequence:04d}"


def parse_code(code: str) -> tuple[str, int, int] | None:
    """(division, batch year, sequence) of a code in the standard form, None for any other code."""
    match = _SEQUENCE.match(code)
    return (match.group(1), int(match.group(2)), int(match.group(3))) if match else None
