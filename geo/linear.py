"""Linear referencing along a road line: where stake K12+300 lies, and the line between two stakes.

Distances are metres along the WGS-84 line, summed segment by segment with the haversine formula
(good to a few metres per kilometre, far finer than a stake's own accuracy). Here stakes are taken
as distance along the line; where they are not (chain breaks, 断链, or a generalised line), kilometre
posts pin them (`geo.calibration`).
"""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8

Coord = tuple[float, float]


class LinearReferenceError(ValueError):
    pass


def haversine_m(a: Coord, b: Coord) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def length_m(coords: list[Coord]) -> float:
    return sum(haversine_m(a, b) for a, b in zip(coords, coords[1:]))


def _interpolate(a: Coord, b: Coord, fraction: float) -> Coord:
    # Linear in degrees over one short segment: the error is negligible at road-vertex spacing.
    return (a[0] + (b[0] - a[0]) * fraction, a[1] + (b[1] - a[1]) * fraction)


def point_at(coords: list[Coord], metres: float) -> Coord:
    """The point `metres` along the line from its first vertex."""
    if len(coords) < 2:
        raise LinearReferenceError("a road line needs at least two points")
    total = length_m(coords)
    if metres < 0 or metres > total + 1:
        raise LinearReferenceError(f"{metres:.0f} m is beyond the road's {total:.0f} m")
    walked = 0.0
    for a, b in zip(coords, coords[1:]):
        step = haversine_m(a, b)
        if walked + step >= metres:
            return _interpolate(a, b, (metres - walked) / step if step else 0.0)
        walked += step
    return coords[-1]


def substring(coords: list[Coord], start_m: float, end_m: float) -> list[Coord]:
    """The part of the line between two distances, with every vertex in between."""
    if end_m <= start_m:
        raise LinearReferenceError("the end of a section must lie after its start")
    part = [point_at(coords, start_m)]
    walked = 0.0
    for a, b in zip(coords, coords[1:]):
        walked += haversine_m(a, b)
        if start_m < walked < end_m:
            part.append(b)
    part.append(point_at(coords, end_m))
    return part
