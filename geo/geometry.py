"""Hazard geometries: a Point (a spot) or a LineString (a road section), lon/lat in WGS-84.

Converts between WKT, GeoJSON, shapely and the EWKT the database takes, and checks every vertex.
"""

from __future__ import annotations

import json
import struct

import shapely
from shapely import wkb as shapely_wkb
from shapely import wkt as shapely_wkt
from shapely.errors import ShapelyError
from shapely.geometry import LineString, Point, mapping, shape
from shapely.geometry.base import BaseGeometry

from geo.coords import CHINA_EXTENT, CoordinateError, validate_lonlat
from geo.messages import N_, GeoError

SRID = 4326
ALLOWED_TYPES = ("Point", "LineString")


class GeometryError(GeoError):
    """A geometry that cannot be a hazard's; a vertex's CoordinateError passes its message through."""


def check_hazard_geometry(geom: BaseGeometry, extent=CHINA_EXTENT) -> BaseGeometry:
    """A hazard is a point or a section: refuse other types, empty or degenerate shapes, far-off vertices."""
    if geom.geom_type not in ALLOWED_TYPES:
        raise GeometryError(N_("a hazard is a Point or a LineString, not a %(type)s"), {"type": geom.geom_type})
    if geom.is_empty:
        raise GeometryError(N_("the geometry is empty"))
    if geom.has_z:
        geom = shapely_wkt.loads(shapely_wkt.dumps(geom, output_dimension=2))
    for lon, lat in geom.coords:
        try:
            validate_lonlat(lon, lat, extent=extent)
        except CoordinateError as exc:
            raise GeometryError(exc.template, exc.params) from None
    if geom.geom_type == "LineString" and geom.length == 0:
        raise GeometryError(N_("a road section needs two different points"))
    return geom


def from_wkt(text: str) -> BaseGeometry:
    try:
        return shapely_wkt.loads(text.strip())
    except (ShapelyError, ValueError, AttributeError) as exc:
        raise GeometryError(N_("'%(text)s' is not valid WKT (%(reason)s)"), {"text": _clip(text), "reason": str(exc)}) from None


def from_geojson(obj: dict | str) -> BaseGeometry:
    try:
        data = json.loads(obj) if isinstance(obj, str) else obj
        return shape(data)
    except (ShapelyError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise GeometryError(N_("not a valid GeoJSON geometry (%(reason)s)"), {"reason": str(exc)}) from None


# Names a GeoJSON `crs` member may give for lon/lat in WGS-84 (or CGCS2000, the same to a metre).
_LONLAT_CRS_SUFFIXES = ("crs84", "4326", "4490")


def declared_crs(collection: dict) -> str:
    """The CRS a GeoJSON object declares (the 2008 `crs` member; RFC 7946 dropped it), lower-cased;
    "crs84" when it declares none. A member of another shape (`"crs": "EPSG:4326"`) is refused."""
    crs = collection.get("crs")
    if not crs:
        return "crs84"
    properties = crs.get("properties") or {} if isinstance(crs, dict) else None
    name = properties.get("name", "crs84") if isinstance(properties, dict) else None
    if not isinstance(name, str):
        raise GeometryError(N_('the "crs" member must be {"type": "name", "properties": {"name": "..."}}'))
    return name.lower()


def is_lonlat_crs(name: str) -> bool:
    return name.lower().endswith(_LONLAT_CRS_SUFFIXES)


def point(lon: float, lat: float) -> Point:
    return Point(lon, lat)


def line(coords: list[tuple[float, float]]) -> LineString:
    return LineString(coords)


def to_ewkt(geom: BaseGeometry) -> str:
    """What GeoAlchemy2 binds to a Geometry column: `SRID=4326;POINT(...)`."""
    return f"SRID={SRID};{geom.wkt}"


def to_ewkts(geoms) -> list[str]:
    """`to_ewkt` of many geometries in one call: the same text, made by one vectorised GEOS call."""
    return [f"SRID={SRID};{wkt}" for wkt in shapely.to_wkt(geoms, rounding_precision=-1)]


def to_geojson(geom: BaseGeometry) -> dict:
    return mapping(geom)


def from_db(value) -> BaseGeometry | None:
    """A geometry as it comes back from the database (WKB element) or as WKT text."""
    if value is None:
        return None
    if isinstance(value, BaseGeometry):
        return value
    if isinstance(value, str):
        # EWKT as bound to a column (`to_ewkt`) before the row is read back.
        return from_wkt(value.split(";", 1)[1] if value.upper().startswith("SRID=") else value)
    from geoalchemy2.shape import to_shape

    return to_shape(value)


def _clip(text: str, width: int = 60) -> str:
    text = str(text)
    return text if len(text) <= width else text[:width] + "…"


def wkb_geojson(wkb: bytes) -> str:
    """A GeoJSON geometry's text from WKB, with every digit (the shortest text that reads back as the
    same float, as `json.dumps` writes): Points and LineStrings decoded directly, others via shapely."""
    data = bytes(wkb)
    order = "<" if data[0] == 1 else ">"
    (kind,) = struct.unpack_from(order + "I", data, 1)
    if kind == 1:
        x, y = struct.unpack_from(order + "dd", data, 5)
        return f'{{"type":"Point","coordinates":[{x!r},{y!r}]}}'
    if kind == 2:
        (n,) = struct.unpack_from(order + "I", data, 5)
        values = struct.unpack_from(f"{order}{2 * n}d", data, 9)
        pairs = ",".join(f"[{values[i]!r},{values[i + 1]!r}]" for i in range(0, 2 * n, 2))
        return f'{{"type":"LineString","coordinates":[{pairs}]}}'
    return json.dumps(mapping(shapely_wkb.loads(data)), separators=(",", ":"))
