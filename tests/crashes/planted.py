"""A generated set of crash records with crash-prone places planted in it, and near-misses beside them.

The rule the set is built for is `RULE` (5 crashes, 4 deaths or 3 fatal crashes within a 500 m stake
window or chained within 150 m, over 36 months). Each place is one group of rows, so the same rows can
be written straight into the table (`plant`) or, later, fed through the importer as a file (`ROWS`
has the importer's columns: 事故编号, day, division, route, stake, lon/lat, deaths, injuries).

In Xinfu (140902), found by the rule:
- `by_crashes`: G208 K1060+000~K1060+400, five crashes with points along the road, nobody killed;
- `by_deaths`: S311 K20+000~K20+300, two crashes, four dead (stakes only);
- `by_fatal`: X012 K3+000~K3+450, three fatal crashes, one dead each (stakes only);
- `by_radius`: six crashes placed by a point only, each 70 m from the next, off the road network;
- `long_run`: G208 K1200+000~K1200+900, ten crashes 100 m apart: overlapping windows make one place.
Across the Xinfu–Yuanping line, `across_counties`: G208 K1070+000~K1070+400, three crashes in Xinfu
and two in Yuanping: one place for whoever sees both (national routes are one road whatever the
county), nothing for Xinfu's own supervisor.
Near-misses, each just under one threshold (none is a place): four crashes (N-1); one crash with
three dead (D-1); two fatal crashes (F-1); five crashes spread over 501 m; X012 K5 with three crashes
in Xinfu and two in Yuanping (county roads of the same number are different roads); five points
each 160 m from the next; five crashes, one of them just before the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hazards.domain.crash_rules import IdentificationRule

XINFU, YUANPING = "140902", "140981"
RULE = IdentificationRule(period_months=36, window_m=500, radius_m=150, min_crashes=5, min_deaths=4, min_fatal=3,
                          cover_m=200)
LAT = 38.45
STEP_70M = 70 / (111_320 * 0.78297)  # degrees of longitude for 70 m at 38.45° N (cos 38.45° = 0.78297)


@dataclass(frozen=True)
class Row:
    source_id: str
    days_ago: int
    division: str
    route_code: str | None
    stake_m: int | None
    lonlat: tuple[float, float] | None
    deaths: int = 0
    injuries: int = 1


def _road(name, route, stakes, *, division=XINFU, deaths=None, points=None, days=30):
    deaths = deaths or [0] * len(stakes)
    return [Row(f"{name}-{n}", days + 10 * n, division, route, stake, points[n] if points else None, deaths[n])
            for n, stake in enumerate(stakes)]


def _points(name, start_lon, n, step, *, division=XINFU):
    return [Row(f"{name}-{i}", 40 + 5 * i, division, None, None, (start_lon + i * step, LAT)) for i in range(n)]


PLACES = {
    "by_crashes": _road("A", "G208", [1060000, 1060100, 1060200, 1060300, 1060400],
                        points=[(112.80 + i * 0.00114, 38.50) for i in range(5)]),
    "by_deaths": _road("B", "S311", [20000, 20300], deaths=[3, 1]),
    "by_fatal": _road("C", "X012", [3000, 3200, 3450], deaths=[1, 1, 1]),
    "by_radius": _points("D", 112.70, 6, STEP_70M),
    "long_run": _road("L", "G208", [1200000 + 100 * k for k in range(10)]),
}
ACROSS_COUNTIES = (_road("E", "G208", [1070000, 1070100, 1070200])
                   + _road("E2", "G208", [1070300, 1070400], division=YUANPING))
NEAR_MISSES = {
    "four_crashes": _road("N1", "G208", [1080000, 1080100, 1080200, 1080300]),
    "three_dead": _road("N2", "S311", [40000], deaths=[3]),
    "two_fatal": _road("N3", "S311", [60000, 60100], deaths=[1, 1]),
    "spread_501m": _road("N4", "G208", [1090000, 1090125, 1090250, 1090375, 1090501]),
    "county_roads_apart": (_road("N5", "X012", [5000, 5100, 5200])
                           + _road("N5b", "X012", [5050, 5150], division=YUANPING)),
    "points_160m_apart": _points("N6", 112.60, 5, STEP_70M * 160 / 70),
    "one_before_period": (_road("N7", "G208", [1100000, 1100100, 1100200, 1100300])
                          + [Row("N7-old", 36 * 31 + 5, XINFU, "G208", 1100400, None)]),
}
ROWS = [row for rows in (*PLACES.values(), ACROSS_COUNTIES, *NEAR_MISSES.values()) for row in rows]

#: The place each planted group becomes: kind, route, first and last stake, crashes, deaths, fatal.
#: In rank order: deaths, then fatal crashes, then crashes.
EXPECTED = {
    "by_deaths": ("road", "S311", 20000, 20300, 2, 4, 2),
    "by_fatal": ("road", "X012", 3000, 3450, 3, 3, 3),
    "long_run": ("road", "G208", 1200000, 1200900, 10, 0, 0),
    "by_radius": ("radius", None, None, None, 6, 0, 0),
    "by_crashes": ("road", "G208", 1060000, 1060400, 5, 0, 0),
}
ACROSS_EXPECTED = ("road", "G208", 1070000, 1070400, 5, 0, 0)


def plant(session, today: date, rows=ROWS) -> dict[str, int]:
    """Write the rows as crash records (`today` is the period's end); their ids by 事故编号."""
    from tests.factories import crash

    made = {}
    for row in rows:
        made[row.source_id] = crash(session, row.source_id, today - timedelta(days=row.days_ago),
                                    jurisdiction=row.division, route_code=row.route_code, stake_m=row.stake_m,
                                    lonlat=row.lonlat, deaths=row.deaths, injuries=row.injuries).id
    return made


def ids_of(made: dict[str, int], rows) -> tuple[int, ...]:
    return tuple(sorted(made[row.source_id] for row in rows))


def random_road_rows(seed: int, n: int = 120) -> list[Row]:
    """Crashes scattered over three roads of 6 km (two of them county roads of the same number in two
    counties), with deaths now and then: for comparing the database's windows with a plain count."""
    import random

    draw = random.Random(seed)
    roads = [("G208", XINFU), ("X030", XINFU), ("X030", YUANPING)]
    rows = []
    for k in range(n):
        route, division = roads[draw.randrange(3)]
        deaths = draw.choice([0] * 12 + [1, 1, 2])
        rows.append(Row(f"R{seed}-{k}", draw.randrange(1, 300), division, route, draw.randrange(0, 6000), None,
                        deaths))
    return rows


def places_by_counting(rows, rule: IdentificationRule = RULE) -> set[tuple]:
    """The road places a plain count finds: every crash's window, the qualifying ones joined while
    they overlap; (route, division or '', first stake, last stake, crashes, deaths)."""
    by_road: dict[tuple, list[Row]] = {}
    for row in rows:
        key = (row.route_code, row.division if row.route_code[0] in "XYCZ" else "")
        by_road.setdefault(key, []).append(row)
    found = set()
    for (route, key), crashes in by_road.items():
        crashes.sort(key=lambda r: r.stake_m)
        starts = []
        for c in crashes:
            inside = [x for x in crashes if c.stake_m <= x.stake_m <= c.stake_m + rule.window_m]
            if rule.qualifies(len(inside), sum(x.deaths for x in inside), sum(1 for x in inside if x.deaths)):
                starts.append(c.stake_m)
        runs: list[list[int]] = []
        for s in sorted(set(starts)):
            if runs and s - runs[-1][-1] <= rule.window_m:
                runs[-1].append(s)
            else:
                runs.append([s])
        for run in runs:
            inside = [x for x in crashes if run[0] <= x.stake_m <= run[-1] + rule.window_m]
            found.add((route, key, min(x.stake_m for x in inside), max(x.stake_m for x in inside), len(inside),
                       sum(x.deaths for x in inside)))
    return found
