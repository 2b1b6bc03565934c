"""The demo city's geography: county boundaries, roads, and where a stake lies on a road.

These are SYNTHETIC DEMO SHAPES, NOT OFFICIAL BOUNDARIES OR ROAD LINES. The county seats are roughly
where Xinzhou's 14 county-level towns are; each county is the Voronoi cell of its seat clipped to a
city outline (the seats' convex hull buffered by 0.25°), and the city is their union. National and
provincial routes run through the seats with small deterministic bends; county (X), township (Y)
and village (C) roads branch out of the seats. Everything is deterministic: no randomness that is
not seeded by a fixed string, so every machine draws the same map.

Stakes and geometry agree: a road's first vertex is its `start_m` stake and distances along the
line are haversine metres (the same arithmetic as `geo.linear`, which the app uses to place a hazard
typed as route + stake), so a hazard at K12+300 on a road starting at K0 lies 12.3 km along it.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache

import shapely
from shapely.geometry import LineString, MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from geo.linear import haversine_m
from hazards.demo.places import (
    CITY_CODE,
    COUNTIES,
    COUNTY_BY_CODE,
    NATIONAL_CODE,
    PROVINCE_CODE,
    VILLAGES,
    County,
    short_town,
)
from hazards.domain.enums import RoadClass

Coord = tuple[float, float]

OUTLINE_BUFFER_DEG = 0.25
# Hazards are placed this far inside a county (about 200 m), so they are within its boundary on any
# backend whatever the float rounding of the stored shapes.
INSIDE_MARGIN_DEG = 0.002
VERTEX_SPACING_KM = 1.6
_ROUND = 6  # decimals kept in stored coordinates (about 0.1 m)

# (route code, road name, numbering division, stake at the first vertex, expressway, waypoints);
# a waypoint is a county code (its seat) or an explicit (lon, lat).
TRUNK_ROUTES: list[tuple[str, str, str, int, bool, list]] = [
    ("G55", "G55 二连浩特—广州高速", NATIONAL_CODE, 498_000, True,
     [(112.93, 39.30), (112.99, 39.05), (112.765, 38.745), (112.79, 38.43), (112.78, 38.20)]),
    ("G208", "G208 二连浩特—长治", NATIONAL_CODE, 1_000_000, False,
     [(112.52, 39.14), "140981", "140902", (112.66, 38.20)]),
    ("G108", "G108 北京—昆明", NATIONAL_CODE, 318_000, False,
     [(113.45, 39.27), "140924", "140923", "140981"]),
    ("G209", "G209 呼和浩特—北海", NATIONAL_CODE, 236_000, False,
     [(111.42, 39.60), "140932", "140930", "140931", (111.10, 38.84)]),
    ("G241", "G241 偏关—岢岚", NATIONAL_CODE, 402_000, False,
     ["140932", "140928", "140929", (111.45, 38.52)]),
    ("S311", "S311 忻州—五台", PROVINCE_CODE, 0, False,
     ["140902", "140921", "140922", (113.45, 38.86)]),
    ("S313", "S313 忻州—岢岚", PROVINCE_CODE, 0, False, ["140902", "140926", "140929"]),
    ("S304", "S304 原平—五寨", PROVINCE_CODE, 0, False, ["140981", "140925", "140927", "140928"]),
]


@dataclass(frozen=True)
class Stretch:
    """A run of a road inside one county, between two stakes."""

    division_code: str
    start_m: int
    end_m: int


@dataclass(frozen=True)
class Place:
    """A named spot (a county town, township or village) hazards are described relative to."""

    name: str
    county_code: str
    lon: float
    lat: float


@dataclass
class DemoRoad:
    route_code: str
    name: str  # 'G208 二连浩特—长治', as the roads layer shows it
    road_class: RoadClass
    division_code: str  # the division that numbers it: 100000 (G), 140000 (S), the county (X/Y/C)
    start_m: int  # stake at the first vertex
    coords: list[Coord]
    expressway: bool = False
    cum: list[float] = field(default_factory=list)  # metres from the first vertex to each vertex
    stretches: list[Stretch] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cum = [0.0]
        for a, b in zip(self.coords, self.coords[1:]):
            self.cum.append(self.cum[-1] + haversine_m(a, b))

    @property
    def length_m(self) -> float:
        return self.cum[-1]

    @property
    def end_m(self) -> int:
        """The last whole-metre stake on the line."""
        return self.start_m + int(self.length_m)

    def stretch_at(self, stake_m: int) -> Stretch | None:
        return next((s for s in self.stretches if s.start_m <= stake_m <= s.end_m), None)

    @property
    def road_name(self) -> str:
        """The name a ledger row gives the road beside its route code: '二连浩特—长治线'."""
        text = self.name.split(" ", 1)[1]
        return text if text.endswith(("高速", "线")) else text + "线"


@dataclass
class DemoGeography:
    counties: dict[str, MultiPolygon]
    city: MultiPolygon
    roads: list[DemoRoad]
    places: list[Place]
    _inner: dict[str, BaseGeometry] = field(default_factory=dict, repr=False)
    _places_by_county: dict[str, list[Place]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for code, shape in self.counties.items():
            inner = shape.buffer(-INSIDE_MARGIN_DEG)
            shapely.prepare(inner)
            self._inner[code] = inner

    def county_of(self, geom: BaseGeometry, hint: str | None = None) -> str | None:
        """The county whose boundary holds `geom` with a margin to spare, or None (near a border).

        `hint` (the county a road stretch lies in) is tried first, which spares testing the others.
        """
        if hint is not None and self._inner[hint].contains(geom):
            return hint
        for code, inner in self._inner.items():
            if code != hint and inner.contains(geom):
                return code
        return None

    def division_at(self, lon: float, lat: float) -> str | None:
        """The county (point-in-polygon on the stored boundaries) of a position, or None outside the city."""
        for code, shape in self.counties.items():
            if shapely.intersects_xy(shape, lon, lat):
                return code
        return None

    def nearest_place(self, county_code: str, lon: float, lat: float) -> Place:
        # Flat distance is enough to rank places a few kilometres apart.
        if not self._places_by_county:
            for p in self.places:
                self._places_by_county.setdefault(p.county_code, []).append(p)
        cos_lat = math.cos(math.radians(lat))
        return min(self._places_by_county[county_code],
                   key=lambda p: ((p.lon - lon) * cos_lat) ** 2 + (p.lat - lat) ** 2)

    def describe(self, county_code: str, lon: float, lat: float, best: Place | None = None) -> str:
        """'东冶镇西南约2.5公里': the nearest named place of the county, with direction and distance."""
        best = best or self.nearest_place(county_code, lon, lat)
        km = haversine_m((best.lon, best.lat), (lon, lat)) / 1000
        if km < 0.5:
            return f"{best.name}附近"
        return f"{best.name}{_compass(best.lon, best.lat, lon, lat)}约{km:.1f}公里"


def point_at(road: DemoRoad, stake_m: float) -> Coord:
    """Where stake `stake_m` (metres, e.g. 12300 for K12+300) lies on the road."""
    metres = stake_m - road.start_m
    if metres < 0 or metres > road.length_m + 1:
        raise ValueError(f"stake {stake_m} is not on {road.route_code} ({road.start_m}..{road.end_m})")
    i = bisect_left(road.cum, metres)
    if i == 0:
        return road.coords[0]
    if i >= len(road.coords):
        return road.coords[-1]
    a, b = road.coords[i - 1], road.coords[i]
    step = road.cum[i] - road.cum[i - 1]
    t = (metres - road.cum[i - 1]) / step if step else 0.0
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def section(road: DemoRoad, start_m: float, end_m: float) -> list[Coord]:
    """The road's line between two stakes, with every vertex in between (as `geo.linear.substring`)."""
    if end_m <= start_m:
        raise ValueError("a section's end stake must lie after its start stake")
    lo, hi = start_m - road.start_m, end_m - road.start_m
    inner = [c for c, m in zip(road.coords, road.cum) if lo < m < hi]
    return [point_at(road, start_m), *inner, point_at(road, end_m)]


def to_ewkt(geom: BaseGeometry) -> str:
    return f"SRID=4326;{geom.wkt}"


@lru_cache(maxsize=1)
def build_geography() -> DemoGeography:
    """The whole demo map; computed once per process (it takes a fraction of a second)."""
    counties, city = _boundaries()
    roads, places = _trunk_roads(counties), _seat_places()
    for county in COUNTIES:
        local_roads, local_places = _local_roads(county, counties[county.code], roads)
        roads += local_roads
        places += local_places
    geography = DemoGeography(counties=counties, city=city, roads=roads, places=places)
    for road in roads:
        road.stretches = _stretches(road, geography)
    return geography


# --- boundaries -------------------------------------------------------------------------------

def _boundaries() -> tuple[dict[str, MultiPolygon], MultiPolygon]:
    seats = MultiPoint([(c.lon, c.lat) for c in COUNTIES])
    outline = seats.convex_hull.buffer(OUTLINE_BUFFER_DEG, quad_segs=6)
    cells = shapely.voronoi_polygons(seats, extend_to=outline).geoms
    counties: dict[str, MultiPolygon] = {}
    for county in COUNTIES:
        seat = Point(county.lon, county.lat)
        cell = next(c for c in cells if c.contains(seat))
        # Rounding the shared Voronoi vertices the same way on both sides keeps neighbours seamless.
        shape = shapely.set_precision(cell.intersection(outline), 10 ** -_ROUND)
        counties[county.code] = _as_multipolygon(shape)
    city = _as_multipolygon(unary_union(list(counties.values())))
    return counties, city


def _as_multipolygon(shape: BaseGeometry) -> MultiPolygon:
    if isinstance(shape, MultiPolygon):
        return shape
    if isinstance(shape, Polygon):
        return MultiPolygon([shape])
    polygons = [g for g in getattr(shape, "geoms", []) if isinstance(g, Polygon)]
    return MultiPolygon(polygons)


def _outline(counties: dict[str, MultiPolygon]) -> BaseGeometry:
    return unary_union(list(counties.values())).buffer(-0.01)


# --- roads ------------------------------------------------------------------------------------

def _seat(code: str) -> Coord:
    c = COUNTY_BY_CODE[code]
    return (c.lon, c.lat)


def _bend(waypoints: list[Coord], key: str, amplitude: float = 0.012) -> list[Coord]:
    """A polyline through the waypoints with gentle deterministic bends between them.

    Each leg gets vertices every ~1.6 km, pushed sideways by a smooth wave that is zero at the
    waypoints, so the road still passes exactly through each seat.
    """
    coords: list[Coord] = [waypoints[0]]
    for leg, (a, b) in enumerate(zip(waypoints, waypoints[1:])):
        rng = random.Random(f"bend:{key}:{leg}")
        f1, f2 = rng.choice((1.0, 1.5, 2.0)), rng.choice((2.5, 3.0, 3.5))
        p1, p2 = rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi)
        cos_lat = math.cos(math.radians((a[1] + b[1]) / 2))
        dx, dy = (b[0] - a[0]) * cos_lat, b[1] - a[1]
        norm = math.hypot(dx, dy) or 1.0
        px, py = -dy / norm, dx / norm  # unit normal, in "equal-metre" degrees
        amp = min(amplitude, 0.12 * norm)
        n = max(1, round(haversine_m(a, b) / 1000 / VERTEX_SPACING_KM))
        for k in range(1, n):
            t = k / n
            wave = math.sin(math.pi * t) * (0.7 * math.sin(2 * math.pi * f1 * t + p1)
                                            + 0.3 * math.sin(2 * math.pi * f2 * t + p2))
            coords.append((a[0] + (b[0] - a[0]) * t + amp * wave * px / cos_lat,
                           a[1] + (b[1] - a[1]) * t + amp * wave * py))
        coords.append(b)
    return [(round(x, _ROUND), round(y, _ROUND)) for x, y in coords]


def _clip(coords: list[Coord], area: BaseGeometry) -> list[Coord] | None:
    """The longest part of the line inside `area` (roads are cut at the city's edge)."""
    part = LineString(coords).intersection(area)
    lines = [g for g in getattr(part, "geoms", [part]) if isinstance(g, LineString) and not g.is_empty]
    if not lines:
        return None
    best = max(lines, key=lambda g: g.length)
    return [(round(x, _ROUND), round(y, _ROUND)) for x, y in best.coords]


def _trunk_roads(counties: dict[str, MultiPolygon]) -> list[DemoRoad]:
    outline = _outline(counties)
    roads = []
    for route, name, division, start_m, expressway, waypoints in TRUNK_ROUTES:
        points = [_seat(w) if isinstance(w, str) else w for w in waypoints]
        coords = _clip(_bend(points, route), outline)
        road_class = RoadClass.NATIONAL if route.startswith("G") else RoadClass.PROVINCIAL
        roads.append(DemoRoad(route, name, road_class, division, start_m, coords, expressway=expressway))
    return roads


def _seat_places() -> list[Place]:
    names = {"140902": "忻州城区", "140981": "原平城区"}
    return [Place(names.get(c.code, f"{c.name}城"), c.code, c.lon, c.lat) for c in COUNTIES]


def _trunk_bearings(county: County, roads: list[DemoRoad]) -> list[float]:
    """Directions in which trunk roads leave a seat, so county roads fan out elsewhere."""
    seat = (county.lon, county.lat)
    bearings = []
    for road in roads:
        for i, c in enumerate(road.coords):
            if haversine_m(c, seat) < 50:
                for j in (i - 1, i + 1):
                    if 0 <= j < len(road.coords):
                        bearings.append(_bearing(seat, road.coords[j]))
    return bearings


def _local_roads(county: County, shape: MultiPolygon, trunks: list[DemoRoad]) -> tuple[list[DemoRoad], list[Place]]:
    """Three county roads (X) out of the seat, a township road (Y) beyond the first, a village road (C)."""
    rng = random.Random(f"local:{county.code}")
    inside = shape.buffer(-0.004)
    taken = _trunk_bearings(county, trunks)
    towns = rng.sample(county.towns, 4)
    villages = rng.sample(VILLAGES, 4)
    numbers = sorted(rng.sample(range(1, 60), 3))
    seat = (county.lon, county.lat)
    roads: list[DemoRoad] = []
    places: list[Place] = []
    base = rng.uniform(0, 360)
    for j, number in enumerate(numbers):
        coords = None
        for attempt in range(12):
            bearing = (base + j * 120 + attempt * 29) % 360
            if any(_angle_between(bearing, t) < 30 for t in taken):
                continue
            end = _destination(seat, bearing, rng.uniform(11, 22))
            coords = _clip(_bend([seat, end], f"{county.code}:X{j}", 0.008), inside)
            if coords and LineString(coords).length > 0.04 and haversine_m(coords[0], seat) < 5:
                taken.append(bearing)
                break
            coords = None
        if coords is None:
            continue
        town = towns[j]
        road = DemoRoad(f"X{number:03d}", f"X{number:03d} {county.seat_town}—{short_town(town)}",
                        RoadClass.COUNTY, county.code, 0, coords)
        roads.append(road)
        places.append(Place(town, county.code, *coords[-1]))
    if roads:
        first = roads[0]
        start = first.coords[-1]
        coords = _clip(_bend([start, _destination(start, _bearing(first.coords[-2], start) + rng.uniform(-40, 40),
                                                  rng.uniform(5, 9))], f"{county.code}:Y", 0.005), inside)
        if coords and LineString(coords).length > 0.02:
            number = rng.randrange(101, 260)
            town = short_town(places[0].name)
            roads.append(DemoRoad(f"Y{number:03d}", f"Y{number:03d} {town}—{short_town(villages[0])}",
                                  RoadClass.TOWNSHIP, county.code, 0, coords))
            places.append(Place(villages[0], county.code, *coords[-1]))
    if len(roads) >= 2:
        host = roads[1]
        start = point_at(host, host.length_m * rng.uniform(0.35, 0.65))
        start = (round(start[0], _ROUND), round(start[1], _ROUND))
        ahead = point_at(host, min(host.length_m, host.length_m * 0.7))
        bearing = _bearing(start, ahead) + rng.choice((-80, 80))
        coords = _clip(_bend([start, _destination(start, bearing, rng.uniform(2.5, 4.5))], f"{county.code}:C", 0.003),
                       inside)
        if coords and LineString(coords).length > 0.01:
            number = rng.randrange(1, 400)
            roads.append(DemoRoad(f"C{number:03d}", f"C{number:03d} {short_town(villages[1])}—{short_town(villages[2])}",
                                  RoadClass.VILLAGE, county.code, 0, coords))
            places.append(Place(villages[1], county.code, *start))
            places.append(Place(villages[2], county.code, *coords[-1]))
    return roads, places


def _stretches(road: DemoRoad, geography: DemoGeography, step_m: int = 100) -> list[Stretch]:
    """Which county each part of the road lies in, by point-in-polygon every `step_m` metres."""
    stakes = [*range(road.start_m, road.end_m, step_m), road.end_m]
    xs, ys = zip(*(point_at(road, s) for s in stakes))
    codes: list[str | None] = [None] * len(stakes)
    for code, shape in geography.counties.items():
        for i, inside in enumerate(shapely.intersects_xy(shape, xs, ys)):
            if inside and codes[i] is None:
                codes[i] = code
    runs: list[Stretch] = []
    current, since = None, road.start_m
    for stake, code in zip(stakes, codes):
        if code != current:
            if current is not None:
                runs.append(Stretch(current, since, stake))
            current, since = code, stake
    if current is not None and road.end_m > since:
        runs.append(Stretch(current, since, road.end_m))
    return runs


# --- small spherical helpers -------------------------------------------------------------------

def _destination(origin: Coord, bearing_deg: float, km: float) -> Coord:
    """The point `km` from origin in a compass direction (flat-earth: fine over tens of km)."""
    rad = math.radians(bearing_deg)
    dlat = km * math.cos(rad) / 111.2
    dlon = km * math.sin(rad) / (111.2 * math.cos(math.radians(origin[1])))
    return (round(origin[0] + dlon, _ROUND), round(origin[1] + dlat, _ROUND))


def _bearing(a: Coord, b: Coord) -> float:
    dx = (b[0] - a[0]) * math.cos(math.radians((a[1] + b[1]) / 2))
    return math.degrees(math.atan2(dx, b[1] - a[1])) % 360


def _angle_between(a: float, b: float) -> float:
    d = abs(a - b) % 360
    return min(d, 360 - d)


_COMPASS = ("北", "东北", "东", "东南", "南", "西南", "西", "西北")


def _compass(lon0: float, lat0: float, lon: float, lat: float) -> str:
    return _COMPASS[int(((_bearing((lon0, lat0), (lon, lat)) + 22.5) % 360) // 45)]


__all__ = [
    "CITY_CODE", "DemoGeography", "DemoRoad", "Place", "Stretch", "build_geography", "point_at", "section",
    "to_ewkt",
]
