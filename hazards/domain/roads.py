"""Which road a route code names.

National and provincial routes (G…, S…) are numbered once for the whole country or province, so the
route code alone names the road. County, township and village routes (X…, Y…, C…), special routes (Z…)
and anything else are numbered within a county: X012 in one county is not X012 in the next, so the
road is the route code within its division.
"""

from __future__ import annotations

#: Route-code prefixes numbered once for the whole network (national, provincial): same code, same road.
NETWORK_WIDE_PREFIXES = ("G", "S")


def road_key_sql(route_column: str, division_column: str) -> str:
    """SQL (the same on PostgreSQL and SQLite) for the second half of a road's name beside its route
    code: '' for a network-wide route, else the division the route is numbered in."""
    prefixes = ", ".join(f"'{p}'" for p in NETWORK_WIDE_PREFIXES)
    return f"CASE WHEN substr({route_column}, 1, 1) IN ({prefixes}) THEN '' ELSE {division_column} END"
