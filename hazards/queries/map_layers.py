"""The fixed layers of the supervisor's map, from the ledger's own data: boundaries coloured by
completion rate, and roads. Bounded by the number of divisions and roads, never by hazards.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo import spatial
from hazards import permissions
from hazards.domain.completion import Counts
from hazards.models import Jurisdiction, Road
from hazards.services.roads import roads_clause
from hazards.services.tally import compute_tally


def subordinate_boundaries(session: Session, user, today: date) -> dict:
    """GeoJSON of the divisions directly below the user's (or theirs, for a county), each with
    its completion numbers for a choropleth."""
    jurisdiction_code = user.jurisdiction_code
    dialect = session.get_bind().dialect.name
    boundary = Jurisdiction.__table__.c.boundary
    children = select(Jurisdiction.code).where(Jurisdiction.parent_code == jurisdiction_code)
    rows = session.execute(
        select(Jurisdiction.code, Jurisdiction.name, spatial.as_geojson(display_boundary(), dialect, 5))
        .where(boundary.is_not(None), permissions.visible_clause(user, Jurisdiction.code),
               Jurisdiction.code.in_(children) | (Jurisdiction.code == jurisdiction_code))
        .order_by(Jurisdiction.code)
    ).all()
    codes = {code for code, _, _ in rows}
    if len(codes) > 1:  # drop the outline of the user's own division when its parts are drawn
        rows = [r for r in rows if r[0] != jurisdiction_code]
    totals: dict[str, Counts] = defaultdict(Counts)
    for (code, _level, _year), counts in compute_tally(session, today).items():
        if code in codes:
            totals[code].add(counts)
    features = []
    for code, name, geometry in rows:
        c = totals.get(code, Counts())
        rate = float(c.rate) if c.rate is not None else None  # GeoJSON carries numbers, not Decimal text
        features.append({"type": "Feature", "id": code, "geometry": json.loads(geometry), "properties": {
            "code": code, "name": name, "total": c.total, "closed": c.closed, "open": c.open,
            "overdue": c.overdue, "rate": rate, "rate_text": f"{rate * 100:.1f}%" if rate is not None else "—",
        }})
    return {"type": "FeatureCollection", "features": features}


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
