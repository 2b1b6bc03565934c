"""Division boundaries: a file's polygon made a valid MultiPolygon, and a lighter copy for maps.

An agency's boundary file often has small faults (a ring that touches itself, a bow-tie where two
vertices were swapped, a duplicated closing vertex). `as_boundary` repairs what GEOS's `make_valid`
can repair and keeps only the polygonal parts of the result (a repair may leave stray lines or points
where a ring folded over itself); a geometry with no area left, or of another kind, is refused with
the reason.

The full geometry answers "does this hazard lie in its division?"; maps draw `display_version`, simplified
to about `DISPLAY_TOLERANCE_M` (a county drawn at city scale needs no 1-metre vertices, and a
boundary of 200,000 vertices makes the map page megabytes long).
"""

from __future__ import annotations

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from geo.coords import CHINA_EXTENT
from geo.messages import N_, GeoError

#: Simplification for display, in metres; converted to degrees at the boundary's latitude.
DISPLAY_TOLERANCE_M = 30.0
METRES_PER_DEGREE = 111_320.0


class BoundaryError(GeoError):
    """A feature that cannot be a division's boundary; the message says why."""


def as_boundary(geom: BaseGeometry | None, extent=CHINA_EXTENT) -> MultiPolygon:
    """The geometry as a valid 2-D MultiPolygon inside `extent`, repaired where possible."""
    if geom is None or geom.is_empty:
        raise BoundaryError(N_("the feature has no geometry"))
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise BoundaryError(N_("a boundary is a Polygon or a MultiPolygon, not a %(type)s"), {"type": geom.geom_type})
    geom = shapely.force_2d(geom)
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    if min_lon < extent[0] or max_lon > extent[2] or min_lat < extent[1] or max_lat > extent[3]:
        raise BoundaryError(N_("the boundary reaches %(lon)s, %(lat)s, outside China: is the coordinate system "
                               "right?"), {"lon": f"{min_lon:.4f}..{max_lon:.4f}", "lat": f"{min_lat:.4f}..{max_lat:.4f}"})
    if not geom.is_valid:
        reason = explain_validity(geom)
        repaired = polygonal_part(shapely.make_valid(geom))
        if repaired is None:
            raise BoundaryError(N_("the boundary is not a valid polygon (%(reason)s) and cannot be repaired"),
                                {"reason": reason})
        geom = repaired
    multi = geom if isinstance(geom, MultiPolygon) else MultiPolygon([geom])
    if multi.area == 0:
        raise BoundaryError(N_("the boundary encloses no area"))
    return multi


def polygonal_part(geom: BaseGeometry) -> MultiPolygon | None:
    """The polygons of a (repaired) geometry, lines and points dropped; None when no area is left."""
    polygons: list[Polygon] = []

    def collect(g: BaseGeometry) -> None:
        if isinstance(g, Polygon):
            if not g.is_empty and g.area > 0:
                polygons.append(g)
        elif hasattr(g, "geoms"):
            for part in g.geoms:
                collect(part)

    collect(geom)
    if not polygons:
        return None
    merged = shapely.union_all(polygons) if len(polygons) > 1 else polygons[0]
    merged = merged if isinstance(merged, MultiPolygon) else MultiPolygon([merged])
    return merged if merged.is_valid else None


def merge_boundaries(parts: list[MultiPolygon]) -> MultiPolygon:
    """Several features of one division (islands drawn as features of their own) as one MultiPolygon."""
    if len(parts) == 1:
        return parts[0]
    merged = polygonal_part(shapely.union_all(parts))
    if merged is None:
        raise BoundaryError(N_("the division's features enclose no area together"))
    return merged


def display_version(boundary: MultiPolygon, tolerance_m: float = DISPLAY_TOLERANCE_M) -> MultiPolygon:
    """A lighter copy for maps: topology kept, no part dropped (a small island stays as it was)."""
    # A degree of latitude: along a parallel the same tolerance is finer still, never coarser than asked.
    tolerance = tolerance_m / METRES_PER_DEGREE
    simplified = []
    for polygon in boundary.geoms:
        light = polygon.simplify(tolerance, preserve_topology=True)
        simplified.append(light if isinstance(light, Polygon) and light.is_valid and not light.is_empty else polygon)
    result = MultiPolygon(simplified)
    return result if result.is_valid else boundary
