"""Reading JSON bodies into typed values; every problem is collected under its field name.

The JSON twin of `hazards.web.forms.FormReader`: strict about types (a string is not a number, a
float is not money), so what a client sent wrong is named once, all together, as a 422.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import current_app, request
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from geo.coords import CoordinateError, to_wgs84
from geo.geometry import GeometryError, check_hazard_geometry, from_geojson
from hazards.api.problems import ApiProblem
from hazards.domain.enums import CoordinateInput
from hazards.domain.errors import InvalidInput

_MISSING = object()
# Integer columns are 32-bit on PostgreSQL; anything larger is a client error, not a database one.
INT_MAX = 2**31 - 1
# Yuan with at most two decimals, as a string: JSON numbers are binary floats.
_MONEY = re.compile(r"^\d{1,14}(\.\d{1,2})?$")


def json_object() -> dict:
    """The request body as a JSON object (415 without a JSON content type, 400 when unreadable)."""
    if not request.is_json:
        raise ApiProblem(415, "send the body as JSON (Content-Type: application/json)")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiProblem(400, "the body must be a JSON object")
    return data


class JsonReader:
    """Typed access to a JSON object; `check()` raises every collected field error at once."""

    def __init__(self, data: dict, allowed: set[str] | frozenset[str]):
        self.data = data
        self.errors: dict[str, str] = {}
        for name in sorted(set(data) - set(allowed)):
            self.errors[name] = "unknown field"

    def has(self, name: str) -> bool:
        return name in self.data

    def _get(self, name: str, required: bool):
        value = self.data.get(name, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.errors[name] = "required"
            return _MISSING
        return value

    def text(self, name: str, *, required: bool = False, max_length: int = 2000) -> str | None:
        value = self._get(name, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.errors[name] = "must be a string"
            return None
        if "\x00" in value:
            self.errors[name] = "must not contain NUL characters"
            return None
        value = value.strip()
        if not value:
            if required:
                self.errors[name] = "required"
            return None
        if len(value) > max_length:
            self.errors[name] = f"at most {max_length} characters"
        return value

    def integer(self, name: str, *, required: bool = False, default: int | None = None,
                minimum: int | None = None, maximum: int = INT_MAX) -> int | None:
        value = self._get(name, required)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.errors[name] = "must be a whole number"
            return default
        if minimum is not None and value < minimum:
            self.errors[name] = f"must be at least {minimum}"
        if value > maximum:
            self.errors[name] = f"must be at most {maximum}"
        return value

    def boolean(self, name: str, *, default: bool = False) -> bool:
        value = self._get(name, False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.errors[name] = "must be true or false"
            return default
        return value

    def date(self, name: str, *, required: bool = False) -> date | None:
        value = self.text(name, required=required, max_length=10)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.errors[name] = "must be a date (YYYY-MM-DD)"
            return None

    def choice(self, name: str, enum_cls, *, required: bool = False, default=None):
        value = self.text(name, required=required, max_length=64)
        if value is None:
            return default
        if value not in enum_cls.values():
            self.errors[name] = "must be one of: " + ", ".join(enum_cls.values())
            return default
        return enum_cls(value)

    def codes(self, name: str) -> list[str] | None:
        value = self._get(name, False)
        if value is _MISSING:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v and "\x00" not in v for v in value):
            self.errors[name] = "must be a list of codes"
            return None
        return list(dict.fromkeys(value))

    def money(self, name: str, *, required: bool = True) -> Decimal | None:
        """An amount in yuan, sent as a string such as "12500.00" (never a float)."""
        value = self._get(name, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str) or not _MONEY.match(value.strip()):
            self.errors[name] = 'must be an amount in yuan as a string, e.g. "12500.00"'
            return None
        try:
            return Decimal(value.strip())
        except InvalidOperation:  # pragma: no cover - the pattern already holds
            self.errors[name] = "not an amount"
            return None

    def geometry(self, name: str, crs: CoordinateInput, *, required: bool = False) -> BaseGeometry | None:
        """A GeoJSON Point or LineString, [lon, lat]; GCJ-02 / BD-09 input is converted to WGS-84."""
        value = self._get(name, required)
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            self.errors[name] = "must be a GeoJSON geometry object"
            return None
        extent = current_app.config["COORDINATE_EXTENT"]
        try:
            geom = check_hazard_geometry(from_geojson(value), extent)
            if crs is not CoordinateInput.WGS84:
                coords = [to_wgs84(x, y, crs.value) for x, y in geom.coords]
                geom = Point(coords[0]) if geom.geom_type == "Point" else LineString(coords)
                geom = check_hazard_geometry(geom, extent)
        except (GeometryError, CoordinateError, ValueError, TypeError) as exc:
            self.errors[name] = str(exc)
            return None
        return geom

    def check(self) -> None:
        if self.errors:
            raise InvalidInput("some fields are missing or wrong", fields=dict(self.errors))
