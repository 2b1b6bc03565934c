"""Spatial SQL that reads the same on PostGIS and SpatiaLite.

Every difference between the two backends lives here. Callers pass the geometry column and the
dialect name; they get a SQL expression back.

SpatiaLite never uses its spatial index unless the query asks the R*Tree for candidate rowids
itself, so the SpatiaLite forms below join through `idx_<table>_<column>`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, literal_column, select, text
from sqlalchemy.sql.elements import ColumnClause

from geo.messages import N_, GeoError

SRID = 4326
METRES_PER_DEGREE_LAT = 111_320.0


class BBoxError(GeoError):
    """A bounding box that cannot be used, as a template and its params (geo/messages)."""


_FOUR_NUMBERS = N_("The bbox '%(bbox)s' must have 4 numbers: minlon,minlat,maxlon,maxlat.")


@dataclass(frozen=True)
class BBox:
    """A lon/lat box: (min_lon, min_lat, max_lon, max_lat), in WGS-84 degrees."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    @classmethod
    def parse(cls, text_value: str) -> BBox:
        """Parse `minlon,minlat,maxlon,maxlat` as typed in a URL; errors say which part is wrong."""
        parts = [p.strip() for p in str(text_value).split(",")]
        if len(parts) != 4:
            raise BBoxError(_FOUR_NUMBERS, {"bbox": text_value})
        try:
            values = [float(p) for p in parts]
        except ValueError:
            raise BBoxError(_FOUR_NUMBERS, {"bbox": text_value}) from None
        return cls(*values).validated()

    def validated(self) -> BBox:
        for v in (self.min_lon, self.min_lat, self.max_lon, self.max_lat):
            if not math.isfinite(v):
                raise BBoxError(N_("The bbox values must be finite numbers."))
        if not (-180 <= self.min_lon <= 180 and -180 <= self.max_lon <= 180):
            raise BBoxError(N_("The bbox longitudes must lie between -180 and 180."))
        if not (-90 <= self.min_lat <= 90 and -90 <= self.max_lat <= 90):
            raise BBoxError(N_("The bbox latitudes must lie between -90 and 90."))
        if self.min_lon > self.max_lon or self.min_lat > self.max_lat:
            raise BBoxError(N_("The bbox minimum must not exceed its maximum (order: minlon,minlat,maxlon,maxlat)."))
        return self

    @classmethod
    def around(cls, lon: float, lat: float, metres: float) -> BBox:
        """The smallest box sure to contain every point within `metres` of (lon, lat)."""
        dlat = metres / METRES_PER_DEGREE_LAT * 1.01
        cos_lat = max(math.cos(math.radians(min(abs(lat) + dlat, 89.9))), 1e-6)
        dlon = min(metres / (METRES_PER_DEGREE_LAT * cos_lat) * 1.01, 180)
        return cls(lon - dlon, max(lat - dlat, -90), lon + dlon, min(lat + dlat, 90))


def rtree_table(table_name: str, column_name: str) -> str:
    """The R*Tree SpatiaLite keeps for a spatially indexed column."""
    return f"idx_{table_name}_{column_name}"


def bbox_clause(geom: ColumnClause, box: BBox, dialect: str, id_column=None) -> ColumnElement[bool]:
    """Rows whose geometry's bounding box meets `box` (the semantics of PostGIS `&&`), index-backed.

    On SpatiaLite `id_column` must be the table's integer primary key (its rowid).
    """
    if dialect == "postgresql":
        envelope = func.ST_MakeEnvelope(box.min_lon, box.min_lat, box.max_lon, box.max_lat, SRID)
        return geom.op("&&")(envelope)
    if id_column is None:
        raise ValueError("SpatiaLite bbox queries need the table's integer primary key")
    return id_column.in_(rtree_candidates(geom.table.name, geom.name, box))


def rtree_candidates(table_name: str, column_name: str, box: BBox):
    """SELECT of the rowids whose bounding box meets `box`, straight from the R*Tree."""
    rtree = rtree_table(table_name, column_name)
    return (
        select(literal_column("pkid"))
        .select_from(text(f'"{rtree}"'))
        .where(
            and_(
                literal_column("xmin") <= box.max_lon,
                literal_column("xmax") >= box.min_lon,
                literal_column("ymin") <= box.max_lat,
                literal_column("ymax") >= box.min_lat,
            )
        )
    )


def point(lon: float, lat: float, dialect: str):
    if dialect == "postgresql":
        return func.ST_SetSRID(func.ST_MakePoint(lon, lat), SRID)
    return func.MakePoint(lon, lat, SRID)


def distance_m(geom: ColumnClause, lon: float, lat: float, dialect: str):
    """Distance in metres on the WGS-84 ellipsoid from each row's geometry to (lon, lat)."""
    if dialect == "postgresql":
        return func.ST_Distance(func.geography(geom), func.geography(point(lon, lat, dialect)))
    # SpatiaLite: the third argument asks for metres on the ellipsoid for a geographic SRID.
    return func.ST_Distance(geom, point(lon, lat, dialect), 1)


def mbr_contains_point(area: ColumnClause, lon: float, lat: float, dialect: str) -> ColumnElement[bool]:
    """Rows whose area's bounding box holds (lon, lat): a cheap first cut before the exact test
    (index-backed on PostGIS; on SpatiaLite read from the stored bbox, with no geometry maths)."""
    if dialect == "postgresql":
        return area.op("&&")(point(lon, lat, dialect))
    return and_(func.MbrMinX(area) <= lon, func.MbrMaxX(area) >= lon,
                func.MbrMinY(area) <= lat, func.MbrMaxY(area) >= lat)


def covers_point(area: ColumnClause, lon: float, lat: float, dialect: str) -> ColumnElement[bool]:
    """The area holds (lon, lat), its edge included."""
    exact = func.ST_Covers(area, point(lon, lat, dialect))
    if dialect != "postgresql":
        exact = exact == 1  # SpatiaLite answers 1, 0, or -1 for an invalid geometry
    return and_(mbr_contains_point(area, lon, lat, dialect), exact)


def metres_outside(area: ColumnClause, lon: float, lat: float, dialect: str):
    """How far (lon, lat) lies outside the area, in metres on the ellipsoid; 0 inside or on its edge.
    The exact distance is only computed for points the cheap containment test leaves outside."""
    return case((covers_point(area, lon, lat, dialect), 0.0), else_=distance_m(area, lon, lat, dialect))


def within_distance_clause(
    geom: ColumnClause, lon: float, lat: float, metres: float, dialect: str, id_column=None
) -> ColumnElement[bool]:
    """Rows within `metres` of (lon, lat): an index-backed box first, then the exact ellipsoidal test."""
    box = BBox.around(lon, lat, metres)
    near = bbox_clause(geom, box, dialect, id_column=id_column)
    if dialect == "postgresql":
        exact = func.ST_DWithin(func.geography(geom), func.geography(point(lon, lat, dialect)), metres)
    else:
        exact = distance_m(geom, lon, lat, dialect) <= metres
    return and_(near, exact)


def as_geojson(geom: ColumnClause, dialect: str, precision: int = 7):
    """The geometry as a GeoJSON geometry string, built by the database."""
    if dialect == "postgresql":
        return func.ST_AsGeoJSON(geom, precision)
    return func.AsGeoJSON(geom, precision)


def length_m(geom: ColumnClause, dialect: str):
    """Length in metres of a line geometry on the ellipsoid."""
    if dialect == "postgresql":
        return func.ST_Length(func.geography(geom))
    return func.GLength(geom, 1)


def bbox_center(geom: ColumnClause, dialect: str):
    """(x, y) of the centre of each geometry's bounding box: read from the stored bbox, no geometry
    maths, so clustering thousands of rows stays cheap."""
    if dialect == "postgresql":
        return (func.ST_XMin(geom) + func.ST_XMax(geom)) / 2, (func.ST_YMin(geom) + func.ST_YMax(geom)) / 2
    return (func.MbrMinX(geom) + func.MbrMaxX(geom)) / 2, (func.MbrMinY(geom) + func.MbrMaxY(geom)) / 2


def grid_cell_degrees(zoom: int, cell_px: int = 64) -> float:
    """Width in degrees of a `cell_px` square at a web-map zoom level (256-pixel tiles)."""
    return 360.0 / (2 ** max(0, min(zoom, 22))) / (256 / cell_px)
