"""Which crashes happened at a hazard's place: the one definition shared by the remediation effect
(治理成效), the priority score's crash history and the identification's "already covered" test.

A crash with a point is at the place when it lies within `buffer_m` metres of the hazard's point or of
its section's line (on the ellipsoid). A crash known only by route and stake is at the place when it is
on the same road and its stake lies within the hazard's stakes widened by `buffer_m` on each side.

The same road: the route code and, for routes numbered within a county, the county
(hazards.domain.roads): a crash's stored `road_key` against the hazard's.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, case, column, func, literal, or_, select, table

from geo.spatial import rtree_table
from hazards.domain.roads import NETWORK_WIDE_PREFIXES

#: Metres per degree of longitude at the northern edge of China (about 53.6°N), rounded down: a box of
#: `buffer_m / this` degrees around a geometry holds every point within `buffer_m` of it anywhere in China.
_METRES_PER_DEGREE_FLOOR = 60_000


def buffer_degrees(buffer_m: float) -> float:
    return buffer_m / _METRES_PER_DEGREE_FLOOR


def same_road(crash, hazard) -> ColumnElement[bool]:
    """The crash's route is the hazard's road (see the module docstring on county-numbered routes): an
    equality on both halves of the road's name, so the crashes' (route, road key, stake) index serves it."""
    hazard_road_key = case((func.substr(hazard.route_code, 1, 1).in_(NETWORK_WIDE_PREFIXES), literal("")),
                           else_=hazard.jurisdiction_code)
    return and_(crash.route_code == hazard.route_code, crash.road_key == hazard_road_key)


def within_m(crash, hazard, buffer_m: float, dialect: str) -> ColumnElement[bool]:
    """The crash's point lies within `buffer_m` of the hazard's geometry: an index-backed box first."""
    degrees = buffer_degrees(buffer_m)
    if dialect == "postgresql":
        return and_(crash.geom.op("&&")(func.ST_Expand(hazard.geom, degrees)),
                    func.ST_DWithin(func.geography(crash.geom), func.geography(hazard.geom), buffer_m))
    rtree = table(rtree_table("crashes", "geom"), *(column(name) for name in ("pkid", "xmin", "xmax", "ymin", "ymax")))
    near_box = crash.id.in_(
        select(rtree.c.pkid).where(
            rtree.c.xmin <= func.MbrMaxX(hazard.geom) + degrees,
            rtree.c.xmax >= func.MbrMinX(hazard.geom) - degrees,
            rtree.c.ymin <= func.MbrMaxY(hazard.geom) + degrees,
            rtree.c.ymax >= func.MbrMinY(hazard.geom) - degrees,
        )
    )
    # SpatiaLite's third argument asks for metres on the ellipsoid.
    return and_(near_box, func.ST_Distance(crash.geom, hazard.geom, 1) <= buffer_m)


def hazards_at_crash_parts(crash, hazard, buffer_m: float, dialect: str) -> tuple[ColumnElement[bool], ...]:
    """`at_hazard_place_parts` asked from the crash's side: for a few crashes and many hazards, the point
    half looks the hazards up by their own spatial index (on SpatiaLite join the hazards' R*Tree as
    `HAZARD_BOXES`, which the point half constrains) rather than each hazard's crashes by theirs."""
    degrees = buffer_degrees(buffer_m)
    if dialect == "postgresql":
        by_point = and_(crash.geom.is_not(None), hazard.geom.op("&&")(func.ST_Expand(crash.geom, degrees)),
                        func.ST_DWithin(func.geography(crash.geom), func.geography(hazard.geom), buffer_m))
    else:
        boxes = HAZARD_BOXES
        by_point = and_(crash.geom.is_not(None), boxes.c.pkid == hazard.id,
                        boxes.c.xmin <= func.MbrMaxX(crash.geom) + degrees,
                        boxes.c.xmax >= func.MbrMinX(crash.geom) - degrees,
                        boxes.c.ymin <= func.MbrMaxY(crash.geom) + degrees,
                        boxes.c.ymax >= func.MbrMinY(crash.geom) - degrees,
                        func.ST_Distance(crash.geom, hazard.geom, 1) <= buffer_m)
    return by_point, at_hazard_place_parts(crash, hazard, buffer_m, dialect)[1]


#: SpatiaLite: the hazards' R*Tree (one box per hazard, `pkid` its id); one object, so a statement that
#: joins it and the conditions that name it refer to the same table.
HAZARD_BOXES = table(rtree_table("hazards", "geom"), *(column(name) for name in ("pkid", "xmin", "xmax", "ymin", "ymax")))


def at_hazard_place(crash, hazard, buffer_m: float, dialect: str) -> ColumnElement[bool]:
    """Join condition: the crash happened at the hazard's place (module docstring)."""
    return or_(*at_hazard_place_parts(crash, hazard, buffer_m, dialect))


def at_hazard_place_parts(crash, hazard, buffer_m: float, dialect: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """The two halves of `at_hazard_place`, by point and by stake, which no crash meets both of. A join
    on one half at a time lets each use its index (the spatial one, the route and stake one), which an
    OR of the two keeps PostgreSQL from doing: joined as a UNION ALL of the two, many hazards against
    many crashes stay index lookups."""
    by_stake = and_(
        crash.geom.is_(None),
        hazard.start_m.is_not(None),
        same_road(crash, hazard),
        crash.stake_m >= hazard.start_m - buffer_m,
        crash.stake_m <= func.coalesce(hazard.end_m, hazard.start_m) + buffer_m,
    )
    return and_(crash.geom.is_not(None), within_m(crash, hazard, buffer_m, dialect)), by_stake
