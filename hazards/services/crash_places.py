"""Crash-prone places (事故多发点段) found in the crash records, and the two decisions on one: register it
as a hazard (事故倒查), or mark its crashes covered by a hazard already in the ledger.

`identify` lists the places the rule (`IdentificationRule`, settings CRASH_*) finds in a division over
a period, ranked by deaths, then fatal crashes, then crashes. A place is either a stretch of one road
(crashes with route and stake, a sliding window of `window_m` metres; see hazards.queries.crash_places)
or a cluster of crashes placed by a point only (each within `radius_m` of another). A place is left
out when an open hazard already covers it (same road with overlapping stakes, or lying within
`cover_m` of one of its crashes) or when every one of its crashes is linked to a hazard already. A
closed hazard does not cover: crashes after the works are a new case, and the place names it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import shapely
from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from geo import spatial
from geo.stakes import format_stake
from hazards import clock, permissions
from hazards.domain.crash_rules import IdentificationRule
from hazards.domain.drafts import HazardDraft
from hazards.domain.enums import CLOSED_STATUSES, CrashLink, RoadClass, Source, Status
from hazards.domain.errors import N_, Conflict, Forbidden, InvalidInput, NotFound
from hazards.models import Crash, Hazard, HazardCrash, Jurisdiction, StatusChange
from hazards.queries import crash_places as sql

#: An open hazard this close (metres, or stake metres on the same road) is offered as the one that
#: may cover a place; nearer than the rule's cover_m it covers the place and the place is not listed.
OFFER_WITHIN_M = 1000
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON = 111_320.0
_CHUNK = 900  # ids per IN list (SQLite's bound parameter limit is far above; this keeps statements small)


@dataclass(frozen=True)
class NearbyHazard:
    id: int
    code: str
    title: str
    status: Status
    distance_m: int  # 0 when its stakes overlap the place's on the same road


@dataclass(slots=True)
class CandidatePlace:
    key: str  # stable between runs: route, division and stake range, or the cluster's centre
    kind: str  # "road" (by stake window) or "radius" (crashes placed by a point only)
    division_code: str
    route_code: str | None
    start_m: int | None  # first and last crash stake (road places)
    end_m: int | None
    lon: float | None  # the centre of its crashes' points (None: no crash of a road place has one)
    lat: float | None
    radius_m: int | None  # a radius place: its farthest crash from the centre
    crashes: int
    deaths: int
    injuries: int
    fatal: int
    first_on: date
    last_on: date
    crash_ids: tuple[int, ...]
    closed_hazard: NearbyHazard | None = None  # a closed hazard was here: these crashes are a new case
    offer: NearbyHazard | None = None  # the open hazard nearest to it, to mark it covered by
    rank: int = 0
    road_key: str = ""  # county-numbered routes (X, Y, C, Z): the division whose road it is

    @property
    def stakes(self) -> str | None:
        if self.start_m is None:
            return None
        if self.end_m is None or self.end_m == self.start_m:
            return format_stake(self.start_m)
        return f"{format_stake(self.start_m)}~{format_stake(self.end_m)}"

    def title(self, division_name: str | None = None) -> str:
        """The hazard's title when registered, in the ledger's words (Chinese, like the rest of its data)."""
        if self.kind == "road":
            span = "段" if self.end_m is not None and self.end_m != self.start_m else "处"
            return f"{self.route_code}线{self.stakes}{span}事故多发"
        where = division_name or self.division_code
        return f"{where}（{self.lon:.5f}，{self.lat:.5f}）附近事故多发"


@dataclass(frozen=True)
class Period:
    start: date
    end: date


def months_before(end: date, months: int) -> date:
    """The day after the same date `months` months earlier: a period of exactly that many months
    ending on `end` (the 31st falls back to the month's last day)."""
    y, m = divmod(end.month - 1 - months, 12)
    year, month = end.year + y, m + 1
    if year < 1:
        return date.min
    for day in range(end.day, 27, -1):
        try:
            return date(year, month, day) + timedelta(days=1)
        except ValueError:
            continue
    return date(year, month, min(end.day, 28)) + timedelta(days=1)


def period_for(rule: IdentificationRule, start: date | None = None, end: date | None = None) -> Period:
    end = end or clock.today()
    start = start or months_before(end, rule.period_months)
    if start > end:
        raise InvalidInput(N_("The period's start %(start)s is after its end %(end)s."),
                           {"start": start.isoformat(), "end": end.isoformat()}, fields={"from": "after_end"})
    return Period(start, end)


def rule_from_settings() -> IdentificationRule:
    from flask import current_app

    return IdentificationRule.from_config(current_app.config)


# --- identification --------------------------------------------------------------------------------

def identify(session: Session, actor, jurisdiction_code: str, *, start: date | None = None, end: date | None = None,
             rule: IdentificationRule | None = None) -> list[CandidatePlace]:
    """The crash-prone places in `jurisdiction_code`'s subtree over the period (default: the rule's
    `period_months` ending today), among the crashes `actor` may see; ranked, most deaths first."""
    rule = rule or rule_from_settings()
    if not permissions.can_see(actor, jurisdiction_code):
        raise NotFound(N_("No division %(code)s is within your reach."), {"code": jurisdiction_code})
    when = period_for(rule, start, end)
    where = sql.crash_filter(and_(permissions.visible_clause(actor, Crash.jurisdiction_code),
                                  permissions.within_clause(Crash.jurisdiction_code, jurisdiction_code)),
                             when.start, when.end)
    where = and_(where, Crash.id.not_in(sql.acted_on(session.get_bind().dialect.name, rule)))
    places = _road_places(session, where, rule) + _radius_places(session, where, rule)
    places = _weigh_against_hazards(session, actor, places, rule)
    places.sort(key=lambda p: (-p.deaths, -p.fatal, -p.crashes, p.key))
    for n, place in enumerate(places, start=1):
        place.rank = n
    return places


def _road_places(session: Session, where, rule: IdentificationRule) -> list[CandidatePlace]:
    places = []
    for r in sql.road_runs(session, where, rule):
        if r.linked == r.crashes:
            continue
        key = f"{r.route_code}@{r.road_key or '-'}:{r.start_m}-{r.end_m}"
        places.append(CandidatePlace(key, "road", r.division, r.route_code, r.start_m, r.end_m, None, None, None,
                                     r.crashes, r.deaths, r.injuries, r.fatal, r.first_on, r.last_on, r.crash_ids,
                                     road_key=r.road_key))
    return places


def _radius_places(session: Session, where, rule: IdentificationRule) -> list[CandidatePlace]:
    crashes = sql.point_crashes(session, where, rule)
    if not crashes:
        return []
    if crashes[0].cluster is None:
        groups = _clusters(crashes, rule.radius_m)
    else:
        by_cluster = defaultdict(list)
        for c in crashes:
            by_cluster[c.cluster].append(c)
        groups = list(by_cluster.values())
    places = []
    for group in groups:
        deaths = sum(c.deaths for c in group)
        fatal = sum(1 for c in group if c.deaths > 0)
        if not rule.qualifies(len(group), deaths, fatal) or all(c.linked for c in group):
            continue
        lon = sum(c.lon for c in group) / len(group)
        lat = sum(c.lat for c in group) / len(group)
        reach = max(_metres((lon, lat), (c.lon, c.lat)) for c in group)
        divisions = Counter(c.jurisdiction_code for c in group)
        division = min(divisions, key=lambda code: (-divisions[code], code))
        places.append(CandidatePlace(
            f"@{lon:.5f},{lat:.5f}", "radius", division, None, None, None, lon, lat, math.ceil(reach),
            len(group), deaths, sum(c.injuries for c in group), fatal, min(c.occurred_on for c in group),
            max(c.occurred_on for c in group), tuple(sorted(c.id for c in group))))
    return places


def _clusters(crashes: list[sql.PointCrash], radius_m: float) -> list[list[sql.PointCrash]]:
    """Crashes chained by distance (each within `radius_m` of another in its cluster): union-find over a
    grid of radius-sized cells, so each crash is compared with those of its own and the 8 cells around."""
    parent = list(range(len(crashes)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    mean_lat = sum(c.lat for c in crashes) / len(crashes)
    cell_lon = radius_m / (_M_PER_DEG_LON * math.cos(math.radians(min(abs(mean_lat) + 1, 89))))
    cell_lat = radius_m / _M_PER_DEG_LAT
    cells = defaultdict(list)
    for i, c in enumerate(crashes):
        cells[(math.floor(c.lon / cell_lon), math.floor(c.lat / cell_lat))].append(i)
    for (cx, cy), members in cells.items():
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for j in cells.get((cx + dx, cy + dy), ()):
                    for i in members:
                        if i < j and root(i) != root(j) and \
                                _metres((crashes[i].lon, crashes[i].lat), (crashes[j].lon, crashes[j].lat)) <= radius_m:
                            parent[root(i)] = root(j)
    groups = defaultdict(list)
    for i, c in enumerate(crashes):
        groups[root(i)].append(c)
    return list(groups.values())


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    from geo.linear import haversine_m

    return haversine_m(a, b)


# --- the hazards already there ---------------------------------------------------------------------

@dataclass
class _Known:
    id: int
    code: str
    title: str
    status: Status
    route_code: str | None
    jurisdiction_code: str
    start_m: int | None
    end_m: int | None
    geometry: object = field(repr=False)

    def ref(self, distance_m: float) -> NearbyHazard:
        return NearbyHazard(self.id, self.code, self.title, self.status, round(distance_m))


def _weigh_against_hazards(session: Session, actor, places: list[CandidatePlace],
                           rule: IdentificationRule) -> list[CandidatePlace]:
    """Drop the places an open hazard covers; name a closed hazard that was there and offer the
    nearest open one."""
    if not places:
        return []
    points = _crash_points(session, [i for p in places for i in p.crash_ids])
    known = _hazards_near(session, actor, places, points)
    tree = shapely.STRtree([h.geometry for h in known]) if known else None
    kept = []
    for place in places:
        own = [points[i] for i in place.crash_ids if i in points]
        if place.kind == "road" and own:
            place.lon, place.lat = sum(x for x, _ in own) / len(own), sum(y for _, y in own) / len(own)
        distances = _distances(place, own, known, tree) if known else []
        if any(d <= rule.cover_m for h, d in distances if h.status not in CLOSED_STATUSES):
            continue
        closed = [(d, h.id, h) for h, d in distances if h.status is Status.CLOSED and d <= rule.cover_m]
        open_near = [(d, h.id, h) for h, d in distances if h.status not in CLOSED_STATUSES and d <= OFFER_WITHIN_M]
        place.closed_hazard = min(closed)[2].ref(min(closed)[0]) if closed else None
        place.offer = min(open_near)[2].ref(min(open_near)[0]) if open_near else None
        kept.append(place)
    return kept


def _distances(place: CandidatePlace, own: list[tuple[float, float]], known: list[_Known], tree) -> list[tuple[_Known, float]]:
    """Each hazard within OFFER_WITHIN_M of the place: by stake on the same road, or by its geometry's
    distance to the nearest of the place's crashes."""
    best: dict[int, tuple[_Known, float]] = {}

    def note(h: _Known, d: float) -> None:
        if d <= OFFER_WITHIN_M and (h.id not in best or d < best[h.id][1]):
            best[h.id] = (h, d)

    if place.kind == "road":
        for h in known:
            if h.route_code == place.route_code and h.start_m is not None and (
                    not place.road_key or h.jurisdiction_code == place.road_key):
                h_end = h.end_m if h.end_m is not None else h.start_m
                note(h, max(0, h.start_m - place.end_m, place.start_m - h_end))
    if tree is not None:
        for lon, lat in own:
            kx = _M_PER_DEG_LON * math.cos(math.radians(lat))
            box = shapely.box(lon - OFFER_WITHIN_M / kx, lat - OFFER_WITHIN_M / _M_PER_DEG_LAT,
                              lon + OFFER_WITHIN_M / kx, lat + OFFER_WITHIN_M / _M_PER_DEG_LAT)
            for index in tree.query(box):
                h = known[index]
                # Metres in a plane tangent at the crash: exact enough within a kilometre.
                local = shapely.transform(h.geometry, lambda xy: (xy - (lon, lat)) * (kx, _M_PER_DEG_LAT))
                note(h, shapely.distance(local, Point(0, 0)))
    return list(best.values())


def _crash_points(session: Session, ids: list[int]) -> dict[int, tuple[float, float]]:
    """The point of each of these crashes that has one: one statement with the ids as an array on
    PostgreSQL (a province's places hold tens of thousands of crashes), IN lists on SpatiaLite."""
    columns = (Crash.id, func.ST_X(Crash.geom), func.ST_Y(Crash.geom))
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import Integer, any_, bindparam
        from sqlalchemy.dialects.postgresql import ARRAY

        rows = session.execute(select(*columns).where(
            Crash.id == any_(bindparam("ids", list(ids), type_=ARRAY(Integer))), Crash.geom.is_not(None)))
        return {i: (float(x), float(y)) for i, x, y in rows}
    found = {}
    for part in _chunks(ids):
        found.update((i, (float(x), float(y))) for i, x, y in session.execute(
            select(*columns).where(Crash.id.in_(part), Crash.geom.is_not(None))))
    return found


def _hazards_near(session: Session, actor, places: list[CandidatePlace],
                  points: dict[int, tuple[float, float]]) -> list[_Known]:
    """Open and closed hazards the actor sees on the places' roads or near their crashes."""
    near = []
    routes = {p.route_code for p in places if p.route_code}
    if routes:
        near.append(Hazard.route_code.in_(sorted(routes)))
    if points:
        lons, lats = [x for x, _ in points.values()], [y for _, y in points.values()]
        margin_lat = OFFER_WITHIN_M / _M_PER_DEG_LAT
        margin_lon = OFFER_WITHIN_M / (_M_PER_DEG_LON * math.cos(math.radians(min(max(map(abs, lats)), 89))))
        box = spatial.BBox(min(lons) - margin_lon, min(lats) - margin_lat, max(lons) + margin_lon, max(lats) + margin_lat)
        near.append(spatial.bbox_clause(Hazard.__table__.c.geom, box, session.get_bind().dialect.name,
                                        id_column=Hazard.id))
    rows = session.execute(
        select(Hazard.id, Hazard.code, Hazard.title, Hazard.status, Hazard.route_code, Hazard.jurisdiction_code,
               Hazard.start_m, Hazard.end_m, Hazard.geom)
        .where(permissions.visible_clause(actor), Hazard.status.not_in((Status.REJECTED, Status.MERGED)), or_(*near)))
    return [_Known(*row[:8], geometry=to_shape(row[8])) for row in rows]


def _chunks(ids):
    ids = list(ids)
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


# --- the decisions -------------------------------------------------------------------------------

def _crashes_for(session: Session, actor, crash_ids) -> list[Crash]:
    """The crashes named, each one the actor may see and decide on, none linked to a hazard yet."""
    ids = sorted({int(i) for i in crash_ids})
    if not ids:
        raise InvalidInput(N_("No crash records were given."), fields={"crash_ids": "required"})
    query = select(Crash).where(Crash.id.in_(ids)).order_by(Crash.stake_m, Crash.occurred_on, Crash.id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()  # two supervisors deciding on one place: the second waits, then is refused
    crashes = list(session.scalars(query))
    seen = [c for c in crashes if permissions.can_see(actor, c.jurisdiction_code)]
    if len(seen) < len(ids):
        raise NotFound(N_("%(n)s of the crash records named do not exist or are outside your reach."),
                       {"n": len(ids) - len(seen)})
    for division in sorted({c.jurisdiction_code for c in crashes}):
        if not permissions.can_review_crashes(actor, division):
            raise Forbidden(N_("Only a supervisor of %(division)s decides on its crash-prone places."),
                            {"division": division})
    taken = session.execute(select(HazardCrash.crash_id, Hazard.code).join(Hazard, Hazard.id == HazardCrash.hazard_id)
                            .where(HazardCrash.crash_id.in_(ids)).order_by(Hazard.code)).all()
    if taken:
        raise Conflict(N_("%(n)s of these crashes are already linked to hazard %(code)s: this place was decided on "
                          "already."), {"n": len({crash_id for crash_id, _ in taken}), "code": taken[0][1]})
    return crashes


def place_of(crashes: list[Crash]) -> CandidatePlace:
    """The place a set of crashes describes: a stretch of one road when each has that route and a stake,
    else a point place around their centre."""
    points = [to_shape(c.geom) for c in crashes if c.geom is not None]
    lon = sum(p.x for p in points) / len(points) if points else None
    lat = sum(p.y for p in points) / len(points) if points else None
    divisions = Counter(c.jurisdiction_code for c in crashes)
    division = min(divisions, key=lambda code: (-divisions[code], code))
    routes = {c.route_code for c in crashes}
    on_road = len(routes) == 1 and None not in routes and all(c.stake_m is not None for c in crashes)
    stakes = [c.stake_m for c in crashes if c.stake_m is not None]
    common = dict(division_code=division, lon=lon, lat=lat, crashes=len(crashes),
                  deaths=sum(c.deaths for c in crashes), injuries=sum(c.injuries for c in crashes),
                  fatal=sum(1 for c in crashes if c.deaths > 0), first_on=min(c.occurred_on for c in crashes),
                  last_on=max(c.occurred_on for c in crashes), crash_ids=tuple(sorted(c.id for c in crashes)))
    if on_road:
        (route,) = routes
        return CandidatePlace(key=f"{route}:{min(stakes)}-{max(stakes)}", kind="road", route_code=route,
                              start_m=min(stakes), end_m=max(stakes), radius_m=None, **common)
    if not points:
        raise InvalidInput(N_("These crashes are on different roads and have no coordinates: they do not make "
                              "one place."), fields={"crash_ids": "not_one_place"})
    reach = max(_metres((lon, lat), (p.x, p.y)) for p in points)
    return CandidatePlace(key=f"@{lon:.5f},{lat:.5f}", kind="radius", route_code=None, start_m=None, end_m=None,
                          radius_m=math.ceil(reach), **common)


def place_geometries(session: Session, places: list[CandidatePlace]) -> dict[str, BaseGeometry | None]:
    """Where each place is drawn, by its key: its road section when the road is known, else the centre
    of its crashes; None when neither is known. The places' roads are read once for all of them."""
    from hazards.services.roads import RoadLocator

    locator = RoadLocator(session)
    locator.prefetch(p.route_code for p in places if p.kind == "road")
    shapes = {}
    for place in places:
        try:
            shapes[place.key] = _geometry(session, place, locator)
        except InvalidInput:
            shapes[place.key] = None
    return shapes


def _geometry(session: Session, place: CandidatePlace, locator=None):
    """A section along the road where the road is known, else the point at the crashes' centre."""
    from hazards.services.roads import RoadLocator

    if place.kind == "road":
        try:
            return (locator or RoadLocator(session)).locate(
                place.route_code, place.start_m, place.end_m if place.end_m != place.start_m else None,
                place.division_code)
        except InvalidInput:
            if place.lon is None:
                raise InvalidInput(N_("Road %(route)s is not in the ledger's road network and these crashes have no "
                                      "coordinates: load the road, or register the hazard from the logging form."),
                                   {"route": place.route_code}, fields={"crash_ids": "unplaced"}) from None
    return Point(place.lon, place.lat)


def register_candidate(session: Session, actor, crash_ids, *, rule: IdentificationRule | None = None) -> Hazard:
    """Register the place these crashes make as a hazard (source 事故倒查, crash-prone, with their counts)
    and link the crashes to it as its evidence. Refused when any of them is linked already."""
    from hazards.services.registration import report_hazard

    crashes = _crashes_for(session, actor, crash_ids)
    place = place_of(crashes)
    today = clock.today()
    division = session.get(Jurisdiction, place.division_code)
    stakes = None if place.kind != "road" else (place.start_m, place.end_m if place.end_m != place.start_m else None)
    numbers = "、".join(c.source_id for c in crashes[:20]) + ("等" if len(crashes) > 20 else "")
    draft = HazardDraft(
        title=place.title(division.name if division else None), jurisdiction_code=place.division_code,
        batch_year=today.year, found_on=today, geometry=_geometry(session, place), source=Source.CRASH_REVIEW,
        route_code=place.route_code, road_class=_road_class(place.route_code),
        start_m=stakes[0] if stakes else None, end_m=stakes[1] if stakes else None,
        category_codes=["crash_prone"], crash_prone=True, crash_count=place.crashes, death_count=place.deaths,
        description=(f"事故倒查：{place.first_on.isoformat()}至{place.last_on.isoformat()}发生事故{place.crashes}起，"
                     f"其中死亡事故{place.fatal}起，死亡{place.deaths}人，受伤{place.injuries}人。事故编号：{numbers}"),
    )
    hazard = report_hazard(session, draft, actor=actor)
    _link(session, actor, hazard, crashes, CrashLink.EVIDENCE)
    # The hazard's first history row says what it was registered from.
    session.execute(update(StatusChange).where(StatusChange.hazard_id == hazard.id)
                    .values(note=f"事故倒查：{place.crashes}起事故，死亡{place.deaths}人"))
    session.flush()
    return hazard


def mark_covered(session: Session, actor, hazard: Hazard, crash_ids) -> int:
    """Record that `hazard` already covers the place these crashes make; returns how many were linked."""
    if not permissions.can_see(actor, hazard):
        raise NotFound(N_("No hazard %(code)s is within your reach."), {"code": hazard.code})
    if hazard.status in (Status.REJECTED, Status.MERGED):
        raise InvalidInput(N_("Hazard %(code)s was rejected or merged: it covers no place."), {"code": hazard.code},
                           fields={"hazard_code": "void"})
    crashes = _crashes_for(session, actor, crash_ids)
    _link(session, actor, hazard, crashes, CrashLink.COVERED)
    session.flush()
    return len(crashes)


def find_hazard(session: Session, actor, code: str) -> Hazard:
    hazard = session.scalar(select(Hazard).where(Hazard.code == code.strip()))
    if hazard is None or not permissions.can_see(actor, hazard):
        raise NotFound(N_("No hazard %(code)s is within your reach."), {"code": code.strip()})
    return hazard


def _link(session: Session, actor, hazard: Hazard, crashes: list[Crash], link: CrashLink) -> None:
    session.add_all(HazardCrash(hazard_id=hazard.id, crash_id=c.id, link=link, linked_by_id=actor.id) for c in crashes)


def _road_class(route_code: str | None) -> RoadClass | None:
    try:
        return RoadClass(route_code[:1]) if route_code else None
    except ValueError:
        return None
