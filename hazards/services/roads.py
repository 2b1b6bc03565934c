"""Roads: storing their lines and kilometre posts, placing a hazard on one by route code and stake,
and the reverse, the road and stake at a point of the map."""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry import LineString, MultiLineString, Point
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, object_session, selectinload

from geo import linear, spatial
from geo.calibration import StakeScale, cumulative_m, locate_point, route_coords
from geo.geometry import from_db, to_ewkt
from geo.stakes import format_stake
from hazards import permissions
from hazards.domain.divisions import DivisionName, is_within, lineage, subtree_prefix
from hazards.domain.enums import RoadClass
from hazards.domain.errors import N_, InvalidInput
from hazards.models import Jurisdiction, Road, StakePost

#: How far from a road a map tap may be and still be read as a place on it.
DEFAULT_SNAP_M = 200


def as_multiline(geometry: BaseGeometry) -> MultiLineString:
    return geometry if isinstance(geometry, MultiLineString) else MultiLineString([geometry])


def add_road(
    session: Session, *, route_code: str, division_code: str, road_class: RoadClass,
    coords: list[tuple[float, float]] | None = None, geometry: BaseGeometry | None = None,
    name: str | None = None, start_m: int = 0, end_m: int | None = None,
    posts: list[tuple[int, tuple[float, float]]] = (),
) -> Road:
    """A new road from its line (`coords` or a (Multi)LineString) and its kilometre posts
    (stake, (lon, lat)); see `write_road` for replacing one."""
    road = Road(route_code=route_code.upper(), division_code=division_code)
    session.add(road)
    write_road(road, geometry if geometry is not None else LineString(coords), name=name, road_class=road_class,
               start_m=start_m, end_m=end_m, posts=posts)
    session.flush()
    return road


def write_road(road: Road, geometry: BaseGeometry, *, name: str | None, road_class: RoadClass, start_m: int,
               end_m: int | None, posts: list[tuple[int, tuple[float, float]]] = ()) -> None:
    """Give a road its line, stakes and posts (the old posts go); the stakes must grow along the line
    (`stake_scale_for` refuses them otherwise, and callers check first)."""
    line = as_multiline(geometry)
    coords = route_coords(line)
    walked = cumulative_m(coords)
    placed = [(locate_point(coords, lon, lat, walked).along_m, stake, (lon, lat)) for stake, (lon, lat) in posts]
    road.name, road.road_class, road.start_m, road.end_m = name, road_class, start_m, end_m
    road.length_m = round(walked[-1])
    road.geom = to_ewkt(line)
    session = object_session(road)
    if road.posts and session is not None:
        # The old posts go first: a new post at the same stake would clash with its predecessor.
        road.posts.clear()
        session.flush()
    road.posts = [StakePost(stake_m=stake, along_m=along, geom=to_ewkt(Point(*lonlat)))
                  for along, stake, lonlat in sorted(placed)]


def stake_scale_for(length_m: float, start_m: int, end_m: int | None, posts: list[tuple[float, int]]) -> StakeScale:
    return StakeScale.build(length_m, start_m, posts, end_m)


def stake_scale(road: Road) -> StakeScale:
    coords = route_coords(from_db(road.geom))
    return stake_scale_for(linear.length_m(coords), road.start_m, road.end_m,
                           [(p.along_m, p.stake_m) for p in road.posts])


def find_road(session: Session, route_code: str, jurisdiction_code: str) -> Road | None:
    """The road with this route code whose numbering division contains the hazard's division;
    the most local one wins (a county's X012, not another county's)."""
    return RoadLocator(session).road(route_code, jurisdiction_code)


def locate_by_stake(
    session: Session, route_code: str, start_m: int, end_m: int | None, jurisdiction_code: str
) -> BaseGeometry:
    """The point at a stake, or the section between two, where the road's posts say it is."""
    return RoadLocator(session).locate(route_code, start_m, end_m, jurisdiction_code)


@dataclass(frozen=True)
class _Line:
    coords: list
    scale: StakeScale
    length_m: float


class RoadLocator:
    """`find_road` and `locate_by_stake` for many places in one go (a province's crash-prone places on
    the map): each route's roads are read once, each road's line and stake scale built once."""

    def __init__(self, session: Session):
        self.session = session
        self._roads: dict[str, list[Road]] = {}  # route code -> the roads numbered so
        self._lines: dict[int, _Line] = {}  # road id -> its line and stake scale
        self._divisions: dict[str, DivisionName | str] = {}  # for the messages of places on unknown roads

    def prefetch(self, route_codes) -> None:
        """Read the roads of all these routes in one statement."""
        wanted = sorted({code.strip().upper() for code in route_codes if code} - set(self._roads))
        for route in wanted:
            self._roads[route] = []
        for start in range(0, len(wanted), 500):
            for road in self.session.scalars(select(Road).where(Road.route_code.in_(wanted[start:start + 500]))
                                             .options(selectinload(Road.posts))):
                self._roads[road.route_code].append(road)

    def road(self, route_code: str, jurisdiction_code: str) -> Road | None:
        route = route_code.strip().upper()
        if route not in self._roads:
            self.prefetch([route])
        fitting = [r for r in self._roads[route] if is_within(jurisdiction_code, r.division_code)]
        return max(fitting, key=lambda r: len(subtree_prefix(r.division_code)), default=None)

    def _division_name(self, code: str) -> DivisionName | str:
        if code not in self._divisions:
            self._divisions[code] = _division_name(self.session, code)
        return self._divisions[code]

    def _line(self, road: Road) -> _Line:
        if road.id not in self._lines:
            coords = route_coords(from_db(road.geom))
            length = linear.length_m(coords)
            self._lines[road.id] = _Line(coords, stake_scale_for(length, road.start_m, road.end_m,
                                                                 [(p.along_m, p.stake_m) for p in road.posts]), length)
        return self._lines[road.id]

    def locate(self, route_code: str, start_m: int, end_m: int | None, jurisdiction_code: str) -> BaseGeometry:
        """The point at a stake, or the section between two, where the road's posts say it is."""
        road = self.road(route_code, jurisdiction_code)
        if road is None:
            raise InvalidInput(N_("No road %(route)s is known in %(division)s; place the hazard on the map."),
                               {"route": route_code, "division": self._division_name(jurisdiction_code)},
                               fields={"route_code": "unknown_road"})
        line = self._line(road)
        first, last = line.scale.first, line.scale.last
        for stake in (start_m, end_m):
            if stake is not None and not first <= stake <= last:
                raise InvalidInput(N_("Stake %(stake)s is not on road %(route)s, which runs %(start)s~%(end)s."),
                                   {"stake": format_stake(stake), "route": road.route_code,
                                    "start": format_stake(first), "end": format_stake(last)},
                                   fields={"stakes": "off_road"})
        start_along = min(line.scale.along(start_m), line.length_m)
        if end_m is None or end_m == start_m:
            return Point(linear.point_at(line.coords, start_along))
        return LineString(linear.substring(line.coords, start_along, min(line.scale.along(end_m), line.length_m)))


def _division_name(session: Session, code: str) -> DivisionName | str:
    """The division as people name it in a message (忻府区), its code when the registry lacks it."""
    division = session.get(Jurisdiction, code)
    return DivisionName(division.name, division.name_en) if division else code


def roads_clause(user) -> ColumnElement[bool]:
    """The roads a user works with: numbered in their division or below it, or by a division above it
    (the national and provincial routes that cross it)."""
    return permissions.visible_clause(user, Road.division_code) | Road.division_code.in_(
        lineage(user.jurisdiction_code))


@dataclass(frozen=True)
class RoadPosition:
    """A point of the map read as a place on a road: which road, at what stake, how far off it."""

    route_code: str
    division_code: str
    name: str | None
    road_class: RoadClass
    stake_m: int
    offset_m: float
    lon: float
    lat: float

    @property
    def stake(self) -> str:
        return format_stake(self.stake_m)


def nearest_road(session: Session, user, lon: float, lat: float, within_m: float = DEFAULT_SNAP_M) -> RoadPosition | None:
    """The road nearest (lon, lat) among those the user works with, and the stake there; None when
    no road runs within `within_m` metres."""
    dialect = session.get_bind().dialect.name
    geom = Road.__table__.c.geom
    distance = spatial.distance_m(geom, lon, lat, dialect)
    road = session.scalars(
        select(Road).where(roads_clause(user),
                           spatial.within_distance_clause(geom, lon, lat, within_m, dialect, id_column=Road.id))
        .order_by(distance, Road.id).limit(1).options(selectinload(Road.posts))
    ).first()
    if road is None:
        return None
    at = locate_point(route_coords(from_db(road.geom)), lon, lat)
    scale = stake_scale(road)
    stake = min(max(round(scale.stake_at(at.along_m)), scale.first), scale.last)
    return RoadPosition(road.route_code, road.division_code, road.name, road.road_class, stake,
                        round(at.offset_m, 1), round(at.lon, 7), round(at.lat, 7))
