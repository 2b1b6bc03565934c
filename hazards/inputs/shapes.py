"""Each input shape read once, with one set of limits, from a form or a JSON body.

The web page and the API call the same function with their own source (`FormValues` or
`JsonValues`), so a plan text, a deadline or an amount is refused the same way wherever it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from geo.coords import CoordinateError, parse_coordinate
from hazards.domain.errors import N_
from hazards.domain.enums import Direction, FundingKind, FundingSource, RiskGrade, RoadClass, SupervisionLevel
from hazards.inputs.values import FieldValues
from hazards.services.requirements import ActionInput

# Longest texts a person may write into each field (characters); a plan or a description is a document.
LONG_TEXT = 20000
SHORT_TEXT = 2000
TEXT_LIMITS = {
    "title": 200, "description": LONG_TEXT, "route_code": 16, "road_name": 100, "place": 200,
    "responsible_person": 64, "responsible_contact": 64, "plan_text": LONG_TEXT, "measures_text": LONG_TEXT,
    "temporary_controls": LONG_TEXT, "document_no": 100, "reason": SHORT_TEXT, "note": SHORT_TEXT,
    "acceptance_note": SHORT_TEXT,
}
FUNDING_NOTE_MAX = 200
_ENUM_FIELDS = {"road_class": RoadClass, "direction": Direction, "risk_grade": RiskGrade}
_COUNT_FIELDS = ("start_m", "end_m", "crash_count", "death_count")
_FLAG_FIELDS = ("crash_prone", "school_zone")

ACTION_FIELDS = frozenset({
    "reason", "note", "level", "deadline", "supervising_body_id", "document_no", "listed_on", "responsible_unit_id",
    "responsible_person", "responsible_contact", "plan_text", "completed_on", "acceptance_note", "merge_target_id",
})


def _text(r: FieldValues, name: str, *, required: bool = False) -> str | None:
    return r.text(name, required=required, max_length=TEXT_LIMITS[name])


def read_action(r: FieldValues, *, merge_target_id: int | None = None) -> ActionInput:
    """What a person supplies with a workflow action; the original of a merge may be resolved by the
    caller (the web form names it by code) and passed in."""
    given = ActionInput(
        reason=_text(r, "reason"), note=_text(r, "note"), level=r.choice("level", SupervisionLevel),
        deadline=r.date("deadline"), supervising_body_id=r.integer("supervising_body_id", minimum=1),
        document_no=_text(r, "document_no"), listed_on=r.date("listed_on"),
        responsible_unit_id=r.integer("responsible_unit_id", minimum=1),
        responsible_person=_text(r, "responsible_person"), responsible_contact=_text(r, "responsible_contact"),
        plan_text=_text(r, "plan_text"), completed_on=r.date("completed_on"),
        acceptance_note=_text(r, "acceptance_note"),
        merge_target_id=merge_target_id if merge_target_id is not None else r.integer("merge_target_id", minimum=1),
    )
    return given


def read_version(r: FieldValues, *, required: bool = False) -> int | None:
    """The version of the hazard the person was looking at (optimistic locking)."""
    return r.integer("version", required=required, minimum=1)


def read_hazard_changes(r: FieldValues, names) -> dict:
    """The editable hazard fields among `names`, typed and limited; a blank text clears the field."""
    changes: dict = {}
    for name in names:
        if name in TEXT_LIMITS:
            changes[name] = _text(r, name, required=name == "title")
            if name == "route_code" and changes[name]:
                changes[name] = changes[name].upper()
        elif name in _ENUM_FIELDS:
            changes[name] = r.choice(name, _ENUM_FIELDS[name])
        elif name in _COUNT_FIELDS:
            changes[name] = r.integer(name, minimum=0, default=0 if name.endswith("_count") else None)
        elif name in _FLAG_FIELDS:
            changes[name] = r.boolean(name)
        else:  # planned_start, planned_end
            changes[name] = r.date(name)
    return changes


@dataclass(frozen=True)
class FundingLine:
    """One line of budget, allocation or spending (资金), amount in yuan."""

    kind: FundingKind | None
    source: FundingSource | None
    amount: Decimal | None
    entry_date: date | None
    note: str | None
    confirm_large: bool  # the person confirmed an amount above the plausibility limit


def read_funding_line(r: FieldValues, *, amount_field: str = "amount", unit: str = "yuan") -> FundingLine:
    """The page asks for 万元 (`amount_wan`), the API for yuan (`amount`); both arrive as yuan."""
    return FundingLine(
        kind=r.choice("kind", FundingKind, required=True), source=r.choice("source", FundingSource, required=True),
        amount=r.money(amount_field, unit=unit), entry_date=r.date("entry_date"),
        note=r.text("note", max_length=FUNDING_NOTE_MAX), confirm_large=r.boolean("confirm_large"),
    )


# --- a position typed or pasted --------------------------------------------------------------------------

NOT_A_PAIR = N_("'%(value)s' is not a longitude and latitude: paste two numbers, e.g. 112.7340,38.4170")
# Phone map apps copy "112.7340,38.4170"; people type a Chinese comma, a semicolon or a space between.
_PAIR_SEPARATOR = re.compile(r"\s*[,，、;；]\s*|\s+")
_COORDINATE_TEXT = 64


@dataclass(frozen=True)
class LonLatTexts:
    """The longitude and latitude as typed, a pasted pair split into its two fields."""

    lon: str | None
    lat: str | None
    split: bool = False  # one field held both numbers


def read_lonlat(r: FieldValues, extent: tuple[float, float, float, float]) -> LonLatTexts:
    """Longitude and latitude from the `lon` and `lat` fields. A pair pasted into either one is split,
    in the order that lies inside `extent` ("38.4170,112.7340" is latitude first); a field holding
    anything other than one or two numbers is refused by name."""
    lon, lat = r.text("lon", max_length=_COORDINATE_TEXT), r.text("lat", max_length=_COORDINATE_TEXT)
    for name, value, other in (("lon", lon, lat), ("lat", lat, lon)):
        if value is None or other is not None:
            continue
        parts = [p for p in _PAIR_SEPARATOR.split(value) if p]
        if len(parts) == 2 and all(_one_number(p) for p in parts):
            first, second = parts
            if not _inside(first, second, extent) and _inside(second, first, extent):
                first, second = second, first
            return LonLatTexts(first, second, split=True)
        if len(parts) > 1 and not _one_number(value):
            r.fail(name, NOT_A_PAIR, {"value": value})
    return LonLatTexts(lon, lat)


def swap_fits(texts: LonLatTexts, extent: tuple[float, float, float, float]) -> bool:
    """Whether the two numbers, swapped, lie inside `extent` while as given they do not: the form then
    offers to swap them with one tap."""
    if not texts.lon or not texts.lat:
        return False
    return not _inside(texts.lon, texts.lat, extent) and _inside(texts.lat, texts.lon, extent)


def _one_number(text: str) -> bool:
    for axis in ("lon", "lat"):  # "北纬38.417" is one number too
        try:
            parse_coordinate(text, axis)
            return True
        except CoordinateError:
            continue
    return False


def _inside(lon_text: str, lat_text: str, extent) -> bool:
    try:
        x, y = parse_coordinate(lon_text, "lon"), parse_coordinate(lat_text, "lat")
    except CoordinateError:
        return False
    min_lon, min_lat, max_lon, max_lat = extent
    return min_lon <= x <= max_lon and min_lat <= y <= max_lat
