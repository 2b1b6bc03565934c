"""Division boundaries: the one way a boundary is stored, with the lighter copy maps draw."""

from __future__ import annotations

from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry

from geo.geometry import to_ewkt
from geo.polygons import display_version
from hazards.models import Jurisdiction


def set_boundary(division: Jurisdiction, boundary: BaseGeometry) -> None:
    """Store a division's full boundary (location checks use it) and its simplified copy (maps draw it)."""
    multi = boundary if isinstance(boundary, MultiPolygon) else MultiPolygon([boundary])
    division.boundary = to_ewkt(multi)
    division.boundary_display = to_ewkt(display_version(multi))
