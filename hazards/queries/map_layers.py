"""The fixed layers of the supervisor's map, from the ledger's own data: boundaries shaded by the
completion report's rate, and roads. Bounded by the number of divisions and roads, never by hazards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from shapely.geometry import mapping
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo import spatial
from hazards import permissions
from hazards.models import Jurisdiction, Road
from hazards.services.roads import roads_clause

if TYPE_CHECKING:
    from hazards.reports.build import CompletionReport

#: The first batch year a ledger can hold (a CHECK constraint): a map with no year chosen reports from it.
FIRST_BATCH_YEAR = 2000


#: The completion shading's classes: (upper limit of the rate, fill), lowest first; the last one has no
#: limit. One hue from pale to dark, so no class competes with the hazards' red, orange and green.
RATE_CLASSES: tuple[tuple[float | None, str], ...] = (
    (0.5, "#f2f0f7"), (0.7, "#cbc9e2"), (0.85, "#9e9ac8"), (0.95, "#756bb1"), (None, "#54278f"),
)
NO_RATE_FILL = "#ffffff"


def rate_fill(rate: float | None) -> str:
    """The shading of a completion rate (0..1); a division with nothing on the list is left white."""
    if rate is None:
        return NO_RATE_FILL
    for limit, colour in RATE_CLASSES:
        if limit is None or rate < limit:
            return colour
    return RATE_CLASSES[-1][1]


@dataclass
class CompletionLayer:
    """The divisions below the user's, shaded by the completion report's numbers for the same choice."""

    geojson: dict
    report: CompletionReport


def completion_layer(session: Session, user, today: date, *, batch_year: int | None = None,
                     level: str | None = None, category: str | None = None, language: str = "zh") -> CompletionLayer:
    """GeoJSON of the divisions directly below the user's (their own outline when none is stored), each
    with its completion numbers as the completion report counts them: the report of `batch_year` (a
    year's report reads that year's list), or, without a year, of every batch year up to today; a
    `level` narrows it as the report's level does, a `category` (code) to the hazards of that category. The numbers are a unit row's annual list, the ones
    the report ranks on, so the map, the report and the dashboard's ranking cannot disagree."""
    from hazards.reports import build_report
    from hazards.reports.period import date_range, year

    from hazards.domain.errors import N_, NotFound

    code = user.jurisdiction_code
    if not permissions.can_see(user, code):  # as a report asked for on the reports page
        raise NotFound(N_("No division %(code)s is within your jurisdiction."), {"code": code})
    period = year(batch_year) if batch_year else date_range(date(FIRST_BATCH_YEAR, 1, 1), today)
    report = build_report(session, code, period, level, today=today, category=category, with_supervision=False,
                          with_previous=False, with_effect=False)
    units = {u.code: u for u in report.units}
    features = []
    for boundary in report.boundaries:
        unit = units.get(boundary.code)
        counts = unit.annual if unit is not None else report.level("annual").counts  # the division's own outline
        rate = float(counts.rate) if counts.rate is not None else None  # GeoJSON carries numbers, not Decimal text
        spot = boundary.geometry.representative_point()
        features.append({"type": "Feature", "id": boundary.code, "geometry": mapping(boundary.geometry), "properties": {
            "code": boundary.code, "name": boundary.name_en if language == "en" else boundary.name,
            "total": counts.total, "closed": counts.closed, "open": counts.open, "overdue": counts.overdue,
            "rate": rate, "rate_text": f"{rate * 100:.1f}%" if rate is not None else "—", "fill": rate_fill(rate),
            "rank": unit.rank if unit is not None else None, "label_at": [round(spot.x, 5), round(spot.y, 5)],
        }})
    return CompletionLayer({"type": "FeatureCollection", "features": features}, report)


def subordinate_bounds(session: Session, user) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of the user's division as its parts are stored, to open the map on."""
    dialect = session.get_bind().dialect.name
    boundary = Jurisdiction.__table__.c.boundary
    wanted = (Jurisdiction.parent_code == user.jurisdiction_code) | (Jurisdiction.code == user.jurisdiction_code)
    rows = session.scalars(select(spatial.as_geojson(display_boundary(), dialect, 5))
                           .where(boundary.is_not(None), wanted)).all()
    return bounds_of({"features": [{"geometry": json.loads(g)} for g in rows]})


def display_boundary():
    """What maps draw of a division: the simplified copy of its boundary, or the boundary itself."""
    table = Jurisdiction.__table__.c
    return func.coalesce(table.boundary_display, table.boundary)


def roads_in(session: Session, user) -> dict:
    """GeoJSON of the roads numbered inside the user's division or above it (national, provincial)."""
    dialect = session.get_bind().dialect.name
    geom = Road.__table__.c.geom
    rows = session.execute(
        select(Road.route_code, Road.name, Road.road_class, spatial.as_geojson(geom, dialect, 5))
        .where(roads_clause(user)).order_by(Road.route_code, Road.division_code)
    ).all()
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(g),
         "properties": {"route": route, "name": name or route, "class": road_class.value}}
        for route, name, road_class, g in rows
    ]}


def boundaries_geojson(session: Session, user) -> dict:
    """The boundaries of the user's jurisdiction and the divisions inside it."""
    dialect = session.get_bind().dialect.name
    boundary = Jurisdiction.__table__.c.boundary
    rows = session.execute(
        select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.level,
               spatial.as_geojson(display_boundary(), dialect, 5))
        .where(permissions.visible_clause(user, Jurisdiction.code), boundary.is_not(None))
        .order_by(Jurisdiction.code)
    ).all()
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": code, "properties": {"code": code, "name": name, "level": level.value},
         "geometry": json.loads(geometry)}
        for code, name, level, geometry in rows
    ]}


def bounds_of(geojson: dict) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of a FeatureCollection, for fitting the view."""
    xs, ys = [], []

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for part in coords:
                walk(part)

    for feature in geojson["features"]:
        walk(feature["geometry"]["coordinates"])
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None
