"""Location sanity: a hazard lies in the division it is logged in (where that division's boundary is
stored), within a tolerance for roads that run along a border; a refusal names where the place is."""

from __future__ import annotations

from flask import current_app, has_app_context
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.geometry import from_db
from geo.spatial import covers_point, metres_outside
from hazards.domain.divisions import DivisionName, subtree_prefix
from hazards.domain.drafts import FieldProblem
from hazards.domain.errors import N_
from hazards.models import Jurisdiction

DEFAULT_TOLERANCE_M = 2000
_CHUNK = 200  # vertices measured per statement: one round trip for any ordinary section


def tolerance_m() -> float:
    """`BOUNDARY_TOLERANCE_M` of the running app; the default for code run outside one."""
    if has_app_context():
        return float(current_app.config.get("BOUNDARY_TOLERANCE_M", DEFAULT_TOLERANCE_M))
    return DEFAULT_TOLERANCE_M


def placement_problem(session: Session, jurisdiction_code: str, geometry: BaseGeometry | None,
                      field: str = "location") -> FieldProblem | None:
    """None when `geometry` (every vertex of it) lies within its division's boundary plus the tolerance,
    or when no boundary is stored for the division; otherwise the problem, naming where it lies."""
    if geometry is None or geometry.is_empty:
        return None
    division = session.get(Jurisdiction, jurisdiction_code)
    if division is None or division.boundary is None:
        return None
    dialect = session.get_bind().dialect.name
    area = Jurisdiction.__table__.c.boundary
    vertices = list(dict.fromkeys((round(x, 7), round(y, 7)) for x, y, *_ in _vertices(geometry)))
    limit = tolerance_m()
    for i in range(0, len(vertices), _CHUNK):
        part = vertices[i : i + _CHUNK]
        distances = session.execute(
            select(*[metres_outside(area, x, y, dialect) for x, y in part]).where(area.table.c.code == jurisdiction_code)
        ).one()
        for (lon, lat), metres in zip(part, distances):
            if metres is not None and metres > limit:
                return _outside(session, division, lon, lat, metres, field)
    return None


class PlacementChecker:
    """The same rule for many hazards at once (a ledger file): each division's boundary is loaded
    once and a vertex inside it is cleared in memory; only a vertex outside it (rare in a real
    ledger) is measured by the database, as `placement_problem` does for one hazard."""

    def __init__(self, session: Session):
        self._session = session
        self._areas: dict[str, object] = {}

    def problem(self, jurisdiction_code: str, geometry: BaseGeometry | None,
                field: str = "location") -> FieldProblem | None:
        if geometry is None or geometry.is_empty:
            return None
        area = self._area(jurisdiction_code)
        if area is None:
            return None
        if all(area.covers(Point(x, y)) for x, y, *_ in _vertices(geometry)):
            return None
        return placement_problem(self._session, jurisdiction_code, geometry, field)

    def problems(self, places: list[tuple[str, BaseGeometry | None]], field: str = "location"
                 ) -> list[FieldProblem | None]:
        """`problem` for each (division, geometry) of a chunk: the points of each division are tested
        against its boundary in one vectorised call (a file's rows are points, most of them inside)."""
        found: list[FieldProblem | None] = [None] * len(places)
        points: dict[str, list[int]] = {}
        for index, (code, geometry) in enumerate(places):
            if geometry is not None and geometry.geom_type == "Point" and not geometry.is_empty:
                points.setdefault(code, []).append(index)
            else:
                found[index] = self.problem(code, geometry, field)
        for code, indexes in points.items():
            area = self._area(code)
            if area is None:
                continue
            inside = shapely.covers(area.context, [places[i][1] for i in indexes])
            for index in (i for i, ok in zip(indexes, inside) if not ok):
                found[index] = placement_problem(self._session, code, places[index][1], field)
        return found

    def _area(self, code: str):
        if code not in self._areas:
            boundary = self._session.scalar(select(Jurisdiction.boundary).where(Jurisdiction.code == code))
            self._areas[code] = prep(from_db(boundary)) if boundary is not None else None
        return self._areas[code]


def division_at(session: Session, lon: float, lat: float) -> Jurisdiction | None:
    """The most local division whose stored boundary holds (lon, lat)."""
    dialect = session.get_bind().dialect.name
    area = Jurisdiction.__table__.c.boundary
    found = session.scalars(select(Jurisdiction).where(area.is_not(None), covers_point(area, lon, lat, dialect))).all()
    return max(found, key=lambda j: len(subtree_prefix(j.code)), default=None)


def _outside(session, division: Jurisdiction, lon: float, lat: float, metres: float, field: str) -> FieldProblem:
    params = {"lon": f"{lon:.5f}", "lat": f"{lat:.5f}", "km": f"{metres / 1000:.1f}",
              "division": DivisionName(division.name, division.name_en)}
    there = division_at(session, lon, lat)
    if there is None:
        return FieldProblem(field, N_("the place %(lon)s, %(lat)s lies %(km)s km outside %(division)s, in no division "
                                      "whose boundary the ledger holds"), params)
    return FieldProblem(field, N_("the place %(lon)s, %(lat)s lies in %(place)s, %(km)s km outside %(division)s"),
                        {**params, "place": DivisionName(there.name, there.name_en)})


def _vertices(geometry: BaseGeometry):
    if hasattr(geometry, "geoms"):
        for part in geometry.geoms:
            yield from _vertices(part)
    elif geometry.geom_type == "Polygon":
        yield from geometry.exterior.coords
    else:
        yield from geometry.coords
