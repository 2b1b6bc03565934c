"""Handing out hazard codes (隐患编号) that are not yet in use; the format is hazards.domain.codes."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from hazards.domain.codes import CodeRangeFull, code_prefix, format_code, parse_code
from hazards.domain.errors import Conflict
from hazards.models import Hazard


def last_sequence(session: Session, jurisdiction_code: str, batch_year: int) -> int:
    """The highest sequence in use for this division and year (0 when none).

    Only codes in the standard form count: a code of another shape (one written before the width
    was bounded, -99999999) must not push the codes handed out after it past the width."""
    prefix = code_prefix(jurisdiction_code, batch_year)
    codes = session.scalars(select(Hazard.code).where(Hazard.code.startswith(prefix, autoescape=True)))
    return max((_sequence_of(c) for c in codes), default=0)


def _sequence_of(code: str) -> int:
    parsed = parse_code(code)
    return parsed[2] if parsed else 0


class CodeAllocator:
    """Hands out fresh codes for many hazards at once (an import) with one query per division and year.

    Codes already in the database or handed out earlier are skipped; the unique constraint on
    `hazards.code` remains the final guard against a concurrent writer.
    """

    def __init__(self, session: Session):
        self._session = session
        self._last: dict[tuple[str, int], int] = {}

    def reserve(self, code: str) -> None:
        """Note a code a row brought with it, so generated ones never collide with it."""
        parsed = parse_code(code)
        if parsed:
            key = (parsed[0], parsed[1])
            self._last[key] = max(self._current(key), parsed[2])

    def next(self, jurisdiction_code: str, batch_year: int) -> str:
        key = (jurisdiction_code, batch_year)
        try:
            code = format_code(jurisdiction_code, batch_year, self._current(key) + 1)
        except CodeRangeFull as exc:  # refused, never widened: the unique constraint is no help here
            raise Conflict(exc.template, exc.params) from None
        self._last[key] += 1
        return code

    def _current(self, key: tuple[str, int]) -> int:
        if key not in self._last:
            self._last[key] = last_sequence(self._session, *key)
        return self._last[key]

    def __iter__(self) -> Iterator[tuple[tuple[str, int], int]]:
        return iter(self._last.items())
