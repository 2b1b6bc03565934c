"""Road stakes (桩号): `K12+300` is 12 km 300 m along a route from its start, stored as whole metres.

A section runs between two stakes and is written `K257+015~K262+505`; on the down carriageway (下行)
people write it in their direction of travel, `K262+505~K257+015`. It is kept low stake first either way.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from geo.messages import N_, GeoError


# Matched against normalised text (see `_normalise`): upper case, half-width, no whitespace.
_STAKE = re.compile(r"K(\d+)\+(\d+(?:\.\d+)?)")
_KILOMETRES = re.compile(r"\d+\.\d+")  # the decimal point is what marks kilometres: "12" alone is ambiguous
_METRES = re.compile(r"(\d+)M")
# A hyphen separates a section only when a stake ends on its left and a K stake starts on its right:
# "K12-300" is a mistyped plus and "-K12+300" a negative stake, and neither may become a section.
_RANGE_SEPARATOR = re.compile(r"~|〜|—+|–|至|到|(?<=\d)-(?=K)")


class StakeError(GeoError):
    """A stake or section that cannot be read; the message quotes the input and the expected form."""


def _normalise(text: str) -> str:
    """Fold full-width forms (Ｋ１２＋３００, ～), case and every space away; none of them carry meaning."""
    folded = unicodedata.normalize("NFKC", str(text)).upper()
    return re.sub(r"\s+", "", folded)


def _round_metres(value: Decimal) -> int:
    """Round half up, as surveyors do: K12+300.5 is K12+301."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_stake(text: str) -> int:
    """Read a stake as metres: `K12+300` -> 12300; also `k12+5`, `K12+300.6`, `12.3` (km) and `12300m`."""
    raw = _normalise(text)
    if not raw:
        raise StakeError(N_("'%(text)s' is not a stake: it is empty; expected a form like K12+300"), {"text": text})
    if raw.startswith("-"):
        raise StakeError(N_("'%(text)s' is not a stake: a stake cannot be negative; expected a form like K12+300"),
                         {"text": text})
    if match := _STAKE.fullmatch(raw):
        return _stake_metres(text, int(match.group(1)), Decimal(match.group(2)))
    if _KILOMETRES.fullmatch(raw):
        return _round_metres(Decimal(raw) * 1000)
    if match := _METRES.fullmatch(raw):
        return int(match.group(1))
    raise StakeError(N_("'%(text)s' is not a stake; expected a form like K12+300"), {"text": text})


def _stake_metres(text: str, km: int, metres: Decimal) -> int:
    """Combine the two parts of `K{km}+{metres}`, refusing a metres part that should have carried."""
    if metres >= 1000:
        carried = format_stake(_round_metres(km * 1000 + metres))
        raise StakeError(N_("'%(text)s' is not a stake: the metres part must be below 1000 (did you mean "
                            "%(carried)s?); expected a form like K12+300"), {"text": text, "carried": carried})
    return km * 1000 + _round_metres(metres)


def format_stake(metres: int) -> str:
    """Write whole metres as a stake: 12300 -> `K12+300`, 5 -> `K0+005`."""
    try:
        whole = operator.index(metres)  # ints only: a float would silently lose its fraction
    except TypeError:
        raise StakeError(N_("a stake is whole metres, not %(metres)r"), {"metres": metres}) from None
    if whole < 0:
        raise StakeError(N_("a stake cannot be negative (%(metres)s metres)"), {"metres": whole})
    km, rest = divmod(whole, 1000)
    return f"K{km}+{rest:03d}"


class Section(NamedTuple):
    """A stake or a section as read: the low stake first, and whether it was written high to low."""

    start_m: int
    end_m: int | None
    descending: bool = False


def parse_section(text: str) -> Section:
    """Read a stake or a section: `K12+300` -> (12300, None); `K257+015~K262+505` and the down
    carriageway's `K262+505~K257+015` -> (257015, 262505), the latter marked descending."""
    parts = _RANGE_SEPARATOR.split(_normalise(text))
    if len(parts) == 1:
        return Section(parse_stake(text), None)
    if len(parts) != 2:
        raise StakeError(N_("'%(text)s' is not a stake or a section; expected a stake like K12+300 or a section "
                            "like K12+300~K13+050"), {"text": text})
    try:
        start, end = parse_stake(parts[0]), parse_stake(parts[1])
    except StakeError as exc:
        raise StakeError(N_("'%(text)s' is not a section: %(reason)s"), {"text": text, "reason": exc}) from None
    if end < start:
        return Section(end, start, descending=True)
    return Section(start, end)


def parse_stake_range(text: str) -> tuple[int, int | None]:
    """(start, end) of a stake or section, low stake first; see `parse_section`."""
    start, end, _descending = parse_section(text)
    return start, end


def format_stake_range(start: int, end: int | None) -> str:
    """Write a section as `K257+015~K262+505`, or a single stake when there is no end."""
    if end is None:
        return format_stake(start)
    return f"{format_stake(start)}~{format_stake(end)}"


def section_length_m(start: int, end: int | None) -> int:
    """Length of a section in metres along the route; a single stake has none."""
    return 0 if end is None else end - start
