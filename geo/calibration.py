"""Stakes that follow a road's kilometre posts (公里桩) rather than its drawn length.

A road line's stakes are its start stake plus the metres walked along it (`geo.linear`), which holds
only where the line was drawn as long as the road is measured and there is no chain break (断链).
Calibration points say "the post K12+000 stands here": each is an anchor (metres along the line, stake),
and between two anchors stakes are spread evenly over the drawn length (a stretch drawn 980 m long
between K12 and K13 has 1.0204 stake metres per drawn metre). Before the first anchor and past the
last one, stakes run one to one with the line.

A road drawn in several parts (a MultiLineString, or a network file's sections of one route) is
walked part after part in their order, each in its own direction, a gap between two parts bridged
by a straight step: stakes run on across it as the road does across a hole in the data.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass

from shapely.geometry.base import BaseGeometry

from geo.linear import Coord, haversine_m
from geo.messages import N_, GeoError
from geo.stakes import format_stake


class CalibrationError(GeoError):
    """Calibration points that contradict each other or the line."""


def route_coords(geom: BaseGeometry) -> list[Coord]:
    """The vertices a road is walked along: a LineString's, or a MultiLineString's parts in order
    (a vertex shared by the end of one part and the start of the next taken once)."""
    parts = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
    coords: list[Coord] = []
    for part in parts:
        for x, y, *_ in part.coords:
            if not coords or coords[-1] != (x, y):
                coords.append((x, y))
    return coords


@dataclass(frozen=True)
class Position:
    """Where a point falls on a road line: metres along it, metres off it, and the foot on the line."""

    along_m: float
    offset_m: float
    lon: float
    lat: float


def cumulative_m(coords: list[Coord]) -> list[float]:
    """Metres along the line to each vertex (haversine, as `geo.linear` walks it)."""
    walked = [0.0]
    for a, b in zip(coords, coords[1:]):
        walked.append(walked[-1] + haversine_m(a, b))
    return walked


def locate_point(coords: list[Coord], lon: float, lat: float, walked: list[float] | None = None) -> Position:
    """The point of the line nearest (lon, lat). Each segment is measured in a local flat projection
    around the point (metres east and north), ample for the few hundred metres a tap or a post lies off.
    `walked` (`cumulative_m(coords)`) spares the walk when many points are located on one line."""
    if len(coords) < 2:
        raise CalibrationError(N_("a road line needs at least two points"))
    cos_lat = math.cos(math.radians(lat))
    scale_x, scale_y = 111_320.0 * cos_lat, 110_574.0
    best: tuple[float, int, float] | None = None  # (offset², segment, fraction along it)
    for i, (a, b) in enumerate(zip(coords, coords[1:])):
        ax, ay = (a[0] - lon) * scale_x, (a[1] - lat) * scale_y
        dx, dy = (b[0] - a[0]) * scale_x, (b[1] - a[1]) * scale_y
        seg2 = dx * dx + dy * dy
        t = 0.0 if seg2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / seg2))
        fx, fy = ax + t * dx, ay + t * dy
        offset2 = fx * fx + fy * fy
        if best is None or offset2 < best[0]:
            best = (offset2, i, t)
    _offset2, i, t = best
    a, b = coords[i], coords[i + 1]
    walked = walked or cumulative_m(coords)
    foot = (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
    return Position(walked[i] + (walked[i + 1] - walked[i]) * t, haversine_m((lon, lat), foot), foot[0], foot[1])


@dataclass(frozen=True)
class StakeScale:
    """The stake at each point of a line and back: anchors (metres along, stake metres), ascending in both."""

    length_m: float
    anchors: tuple[tuple[float, int], ...]

    @classmethod
    def build(cls, length_m: float, start_m: int, posts: list[tuple[float, int]] = (),
              end_m: int | None = None) -> StakeScale:
        """The start stake at the first vertex, the posts where they stand, the end stake (when
        known) at the last vertex; refused when the stakes do not grow along the line."""
        # A post at the start or end stake says what those anchors already say.
        anchors = [(0.0, start_m)] + sorted((a, s) for a, s in posts if s not in (start_m, end_m))
        if end_m is not None:
            anchors.append((length_m, end_m))
        for (along_a, stake_a), (along_b, stake_b) in zip(anchors, anchors[1:]):
            if stake_b <= stake_a or along_b <= along_a:
                raise CalibrationError(N_("stake %(later)s stands %(along)s m along the line, after %(earlier)s: "
                                          "stakes must grow along the line's direction"),
                                       {"later": format_stake(stake_b), "earlier": format_stake(stake_a),
                                        "along": round(along_b)})
        return cls(length_m, tuple(anchors))

    @property
    def first(self) -> int:
        return self.anchors[0][1]

    @property
    def last(self) -> int:
        """The stake at the line's last vertex, in whole metres."""
        return round(self.stake_at(self.length_m))

    def along(self, stake_m: float) -> float:
        """Metres along the line to a stake (the caller keeps it between `first` and `last`)."""
        stakes = [s for _a, s in self.anchors]
        i = bisect_right(stakes, stake_m) - 1
        i = max(0, min(i, len(self.anchors) - 1))
        along_a, stake_a = self.anchors[i]
        if i + 1 < len(self.anchors):
            along_b, stake_b = self.anchors[i + 1]
            return along_a + (stake_m - stake_a) * (along_b - along_a) / (stake_b - stake_a)
        return along_a + (stake_m - stake_a)

    def stake_at(self, along_m: float) -> float:
        """The stake (in metres, unrounded) at a distance along the line."""
        alongs = [a for a, _s in self.anchors]
        i = max(0, min(bisect_right(alongs, along_m) - 1, len(self.anchors) - 1))
        along_a, stake_a = self.anchors[i]
        if i + 1 < len(self.anchors):
            along_b, stake_b = self.anchors[i + 1]
            return stake_a + (along_m - along_a) * (stake_b - stake_a) / (along_b - along_a)
        return stake_a + (along_m - along_a)
