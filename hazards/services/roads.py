"""Roads: adding their lines, and placing a hazard on one by route code and stake."""

from __future__ import annotations

from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo import linear
from geo.geometry import from_db, to_ewkt
from geo.stakes import format_stake
from hazards.domain.divisions import is_within, subtree_prefix
from hazards.domain.enums import RoadClass
from hazards.domain.errors import N_, InvalidInput
from hazards.models import Road


def add_road(
    session: Session, *, route_code: str, division_code: str, road_class: RoadClass, coords: list[tuple[float, float]],
    name: str | None = None, start_m: int = 0,
) -> Road:
    road = Road(route_code=route_code.upper(), division_code=division_code, name=name, road_class=road_class,
                start_m=start_m, length_m=round(linear.length_m(coords)), geom=to_ewkt(LineString(coords)))
    session.add(road)
    session.flush()
    return road


def find_road(session: Session, route_code: str, jurisdiction_code: str) -> Road | None:
    """The road with this route code whose numbering division contains the hazard's division;
    the most local one wins (a county's X012, not another county's)."""
    candidates = session.scalars(select(Road).where(Road.route_code == route_code.strip().upper())).all()
    fitting = [r for r in candidates if is_within(jurisdiction_code, r.division_code)]
    return max(fitting, key=lambda r: len(subtree_prefix(r.division_code)), default=None)


def locate_by_stake(
    session: Session, route_code: str, start_m: int, end_m: int | None, jurisdiction_code: str
) -> BaseGeometry:
    road = find_road(session, route_code, jurisdiction_code)
    if road is None:
        raise InvalidInput(N_("No road %(route)s is known in %(division)s; place the hazard on the map."),
                           {"route": route_code, "division": jurisdiction_code}, fields={"route_code": "unknown_road"})
    coords = list(from_db(road.geom).coords)
    last = road.start_m + road.length_m
    for stake in (start_m, end_m):
        if stake is not None and not road.start_m <= stake <= last:
            raise InvalidInput(N_("Stake %(stake)s is not on road %(route)s, which runs %(start)s~%(end)s."),
                               {"stake": format_stake(stake), "route": road.route_code,
                                "start": format_stake(road.start_m), "end": format_stake(last)},
                               fields={"stakes": "off_road"})
    if end_m is None or end_m == start_m:
        return Point(linear.point_at(coords, start_m - road.start_m))
    return LineString(linear.substring(coords, start_m - road.start_m, end_m - road.start_m))
