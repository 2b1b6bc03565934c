"""Handing out hazard codes (隐患编号) that are not yet in use; the format is hazards.domain.codes.

Each division and batch year has a counter row (`CodeSequence`). Taking codes is one UPDATE of that
row that adds how many are wanted and returns the new last value: atomic on both backends, and the
row stays held until the taking transaction ends, so two people reporting in one county at the same
moment get consecutive codes instead of the same "max + 1" (PostgreSQL makes the second wait for
the first to commit; SQLite has one writer at a time). Keys are always taken in one order, so two
writers that each need several divisions cannot wait for each other in a circle.

A code that arrives whole (an import's column, the demo) moves its counter past it, so a code handed
out later never collides with it; the unique constraint on `hazards.code` stays the last guard.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from hazards.db import insert_ignoring_duplicates
from hazards.domain.codes import CodeRangeFull, code_prefix, format_code, parse_code
from hazards.domain.errors import Conflict
from hazards.models import CodeSequence, Hazard

Key = tuple[str, int]  # (division code, batch year)


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


def given_floors(codes: Iterable[str]) -> dict[Key, int]:
    """The highest sequence among whole codes, per division and year (codes of another shape don't count)."""
    floors: dict[Key, int] = {}
    for code in codes:
        parsed = parse_code(code) if code else None
        if parsed:
            key = (parsed[0], parsed[1])
            floors[key] = max(floors.get(key, 0), parsed[2])
    return floors


def take_codes(session: Session, wanted: Mapping[Key, int], floors: Mapping[Key, int] | None = None
               ) -> dict[Key, Iterator[str]]:
    """Take `wanted[key]` fresh codes per division and year, each key's block in one statement, after
    moving its counter past `floors[key]` (the highest sequence of codes written whole)."""
    floors = floors or {}
    blocks: dict[Key, Iterator[str]] = {}
    for key in sorted(set(wanted) | set(floors)):
        count = wanted.get(key, 0)
        last = _advance(session, key, floors.get(key, 0), count)
        blocks[key] = _formatted(key, range(last - count + 1, last + 1))
    return blocks


def allocate_codes(session: Session, codes: list[str | None], keys: list[Key]) -> list[str]:
    """The code of each new hazard: its own when it brings one, else the next of its division and year."""
    blocks = take_codes(session, Counter(key for code, key in zip(codes, keys) if not code), given_floors(codes))
    return [code or next(blocks[key]) for code, key in zip(codes, keys)]


def _advance(session: Session, key: Key, floor: int, count: int) -> int:
    """Move the key's counter to max(counter, floor) + count and return it; the row is created on first use."""
    table = CodeSequence.__table__
    division, year = key
    statement = (
        update(table)
        .where(table.c.jurisdiction_code == division, table.c.batch_year == year)
        .values(last_value=case((table.c.last_value < floor, floor), else_=table.c.last_value) + count)
        .returning(table.c.last_value)
    )
    last = session.execute(statement).scalar()
    if last is None:
        # First code of this division and year since the counters began: start from the codes in use.
        # Two first users both insert; the second's insert is skipped and its UPDATE then waits its turn.
        session.execute(insert_ignoring_duplicates(session, table).values(
            jurisdiction_code=division, batch_year=year, last_value=last_sequence(session, division, year)))
        last = session.execute(statement).scalar_one()
    return last


def _formatted(key: Key, sequences: range) -> Iterator[str]:
    if sequences:
        try:
            format_code(*key, sequences[-1])
        except CodeRangeFull as exc:  # refused, never widened: the caller's rollback returns the numbers
            raise Conflict(exc.template, exc.params) from None
    return (format_code(*key, n) for n in sequences)
