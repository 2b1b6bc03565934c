"""Reading JSON bodies: the body as an object, and `JsonReader` (the JSON source of
`hazards.inputs.values`, strict about types) with the API's GeoJSON geometry field."""

from __future__ import annotations

from flask import current_app, request
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from geo.coords import CoordinateError, to_wgs84
from geo.geometry import GeometryError, check_hazard_geometry, from_geojson
from hazards.api.problems import ApiProblem
from hazards.domain.enums import CoordinateInput
from hazards.domain.errors import N_
from hazards.inputs.values import MISSING, JsonValues, UnreadableJson, strict_json

__all__ = ["JsonReader", "json_object"]


def json_object() -> dict:
    """The request body as a JSON object (415 without a JSON content type, 400 when unreadable).

    Read by `strict_json`, not Flask's parser: a body nested thousands deep, or carrying NUL or a lone
    surrogate in any string, is refused here, before it can reach the database or the stack's limit."""
    if not request.is_json:
        raise ApiProblem(415, N_("Send the body as JSON (Content-Type: application/json)."))
    try:
        data = strict_json(request.get_data(cache=True))
    except UnreadableJson as exc:
        raise ApiProblem(400, N_("The body is not usable JSON: %(reason)s"), params={"reason": str(exc)}, code="invalid_json") from None
    except ValueError:
        data = None  # not JSON at all: the same answer as any body that is not an object
    if not isinstance(data, dict):
        raise ApiProblem(400, N_("The body must be a JSON object."))
    return data


class JsonReader(JsonValues):
    """The JSON source of `hazards.inputs.values`, plus the one JSON-only shape: a GeoJSON geometry."""

    def geometry(self, name: str, crs: CoordinateInput, *, required: bool = False) -> BaseGeometry | None:
        """A GeoJSON Point or LineString, [lon, lat]; GCJ-02 / BD-09 input is converted to WGS-84."""
        value = self._get(name, required)
        if value is MISSING:
            return None
        if not isinstance(value, dict):
            self.fail(name, N_("must be a GeoJSON geometry object"))
            return None
        extent = current_app.config["COORDINATE_EXTENT"]
        try:
            geom = check_hazard_geometry(from_geojson(value), extent)
            if crs is not CoordinateInput.WGS84:
                coords = [to_wgs84(x, y, crs.value) for x, y in geom.coords]
                geom = Point(coords[0]) if geom.geom_type == "Point" else LineString(coords)
                geom = check_hazard_geometry(geom, extent)
        except (GeometryError, CoordinateError, ValueError, TypeError) as exc:
            if getattr(exc, "template", None) is not None:
                self.fail(name, exc.template, exc.params)
            else:
                self.fail(name, N_("not a valid geometry: %(reason)s"), {"reason": str(exc)})
            return None
        return geom
