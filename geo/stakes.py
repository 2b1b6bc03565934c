"""Road stakes (桩号): `K12+300` is 12.300 km from the route start; stored as whole metres."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

_STAKE = re.compile(r"^K(\d+)\+(\d+(?:\.\d+)?)$")
_KILOMETRES = re.compile(r"^(\d+\.\d+)$")
_METRES = re.compile(r"^(\d+)M$")
_RANGE_SEPARATORS = re.compile(r"\s*(?:~|—|－|至|到|(?<=\d)-(?=K))\s*")


class StakeError(ValueError):
    pass


def _normalise(text: str) -> str:
    # NFKC folds full-width Ｋ１２＋３００ into K12+300; spaces inside a stake carry no meaning.
    return unicodedata.normalize("NFKC", str(text)).upper().replace(" ", "").replace("～", "~")


def parse_stake(text: str) -> int:
    """`K12+300` -> 12300 metres. Also `k12+5` (12005), `K12+300.6` (12301), `12.3` km, `12300m`."""
    raw = _normalise(text)
    if not raw:
        raise StakeError("a stake is empty; expected a form like K12+300")
    if match := _STAKE.match(raw):
        km, metres = int(match.group(1)), Decimal(match.group(2))
        if metres >= 1000:
            raise StakeError(f"'{text}': the metres part of a stake must be below 1000 (K12+300)")
        return km * 1000 + int(metres.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if match := _KILOMETRES.match(raw):
        return int((Decimal(match.group(1)) * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if match := _METRES.match(raw):
        return int(match.group(1))
    raise StakeError(f"'{text}' is not a stake; expected a form like K12+300")


def format_stake(metres: int) -> str:
    if metres is None or metres < 0:
        raise StakeError(f"a stake cannot be {metres!r} metres")
    km, rest = divmod(int(metres), 1000)
    return f"K{km}+{rest:03d}"


def parse_stake_range(text: str) -> tuple[int, int | None]:
    """`K257+015~K262+505` -> (257015, 262505); a single stake -> (m, None)."""
    parts = _RANGE_SEPARATORS.split(_normalise(text))
    if len(parts) == 1:
        return parse_stake(parts[0]), None
    if len(parts) != 2:
        raise StakeError(f"'{text}' is not a stake or a section; expected K12+300 or K12+300~K13+050")
    start, end = parse_stake(parts[0]), parse_stake(parts[1])
    if end < start:
        raise StakeError(f"'{text}': the end stake is before the start stake")
    return start, end


def format_stake_range(start: int, end: int | None) -> str:
    if end is None:
        return format_stake(start)
    return f"{format_stake(start)}~{format_stake(end)}"


def section_length_m(start: int, end: int | None) -> int:
    return 0 if end is None else end - start
