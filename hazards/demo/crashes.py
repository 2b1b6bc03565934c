"""The demo city's crash records: three years of crashes along its roads, so the crash pages, the
identification, the remediation effect and the priority score have something to show.

Three kinds are planted on top of a thin background of crashes spread along every road:
- crash-prone places nobody has logged yet: a few hundred metres of a road with many crashes, some
  fatal, far from every demo hazard, and two clusters off the road network (crashes placed by a point
  only), so identification has candidates to offer;
- closed hazards with crashes before their works and fewer after them, so the completion report's
  治理成效 section and the hazard pages have numbers;
- open hazards with recent crashes at their place, so the priority score varies with crash history.
Deterministic for a seed and a `today`. Written in bulk, like the rest of the demo.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shapely.geometry import Point
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hazards.demo.geography import DemoGeography, DemoRoad, point_at, to_ewkt
from hazards.demo.history import bulk_insert
from hazards.demo.scenario import HazardPlan
from hazards.domain.enums import Status
from hazards.models import Crash
from hazards.models.base import utcnow

FORMS = ("追尾", "侧面相撞", "正面相撞", "刮擦", "刮撞行人", "碾压", "翻车", "坠车", "撞固定物", "撞静止车辆", "其他")
FORM_WEIGHTS = (22, 18, 9, 12, 8, 3, 6, 3, 8, 4, 7)
YEARS = 3  # as far back as the identification's default period looks
BEIJING = timedelta(hours=8)


@dataclass(frozen=True)
class DemoCrash:
    occurred: datetime  # Beijing time
    division_code: str
    route_code: str | None
    stake_m: int | None
    lonlat: tuple[float, float] | None
    deaths: int
    injuries: int
    form: str


def plan_crashes(geo: DemoGeography, plans: list[HazardPlan], *, seed: int, today: date,
                 background_per_hazard: int = 3) -> list[DemoCrash]:
    rng = random.Random(seed * 7 + 18)
    first_day = add_months(today, -12 * YEARS)
    crashes: list[DemoCrash] = []
    roads = [road for road in geo.roads if road.stretches]
    lengths = [road.length_m for road in roads]  # by length, or a village lane gets a trunk road's share
    for _ in range(background_per_hazard * max(len(plans), 40)):
        road = rng.choices(roads, weights=lengths)[0]
        stake = rng.randint(road.start_m, road.end_m)
        # At most two deaths: one crash with three would make a crash-prone place on its own (the default
        # rule), and the background is meant to stay below every threshold.
        crashes.append(_on_road(rng, road, stake, _day(rng, first_day, today), most_deaths=2))
    crashes += _crash_prone_places(rng, roads, plans, first_day, today)
    crashes += _off_network_clusters(rng, geo, first_day, today)
    for plan in plans:
        crashes += _at_hazard(rng, plan, first_day, today)
    return [c for c in crashes if c.division_code]


def write_crashes(session: Session, crashes: list[DemoCrash], *, seed: int) -> int:
    # Numbers continue after the crashes already there, so a second demo run adds rather than collides.
    first = (session.scalar(select(func.max(Crash.id))) or 0) + 1
    written_at = utcnow()  # COPY on PostGIS takes no column defaults
    rows = []
    for number, crash in enumerate(sorted(crashes, key=lambda c: c.occurred), start=first):
        rows.append({
            "source_id": f"{crash.division_code}{crash.occurred.year}{seed % 1000:03d}{number:06d}",
            "occurred_at": crash.occurred - BEIJING, "occurred_on": crash.occurred.date(),
            "jurisdiction_code": crash.division_code, "route_code": crash.route_code, "stake_m": crash.stake_m,
            "geom": to_ewkt(Point(*crash.lonlat)) if crash.lonlat else None,
            "coordinate_input": "wgs84" if crash.lonlat else None,
            "deaths": crash.deaths, "injuries": crash.injuries, "form": crash.form,
            "imported_at": written_at, "imported_by_id": None,
        })
    bulk_insert(session, Crash.__table__, rows)
    return len(rows)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (earlier if negative), on the month's last day where it is shorter."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _moment(rng: random.Random, day: date) -> datetime:
    # More crashes by day and in the evening rush than at night, as crash statistics show.
    hour = rng.choices(range(24), weights=[2, 1, 1, 1, 1, 2, 4, 6, 6, 5, 5, 5, 5, 5, 5, 6, 7, 8, 9, 8, 6, 4, 3, 2])[0]
    return datetime(day.year, day.month, day.day, hour, rng.randint(0, 59))


def _toll(rng: random.Random, fatal_share: float, most_deaths: int = 3) -> tuple[int, int]:
    deaths = min(rng.choice((1, 1, 1, 2, 3)), most_deaths) if rng.random() < fatal_share else 0
    injuries = rng.choices((0, 1, 2, 3, 5), weights=(30, 40, 18, 8, 4))[0]
    return deaths, injuries


def _on_road(rng: random.Random, road: DemoRoad, stake: int, day: date, *, fatal_share: float = 0.06,
             with_point: bool = True, most_deaths: int = 3) -> DemoCrash:
    stretch = road.stretch_at(stake)
    deaths, injuries = _toll(rng, fatal_share, most_deaths)
    lonlat = None
    if with_point:
        lon, lat = point_at(road, stake)
        lonlat = (round(lon + rng.uniform(-0.00008, 0.00008), 6), round(lat + rng.uniform(-0.00008, 0.00008), 6))
    return DemoCrash(_moment(rng, day), stretch.division_code if stretch else "", road.route_code, stake, lonlat,
                     deaths, injuries, rng.choices(FORMS, weights=FORM_WEIGHTS)[0])


def _crash_prone_places(rng, roads, plans, first_day, today) -> list[DemoCrash]:
    """Six stretches of 200–450 m with 6–9 crashes each, none within 2 km of a demo hazard on that road;
    some of their crashes carry only route and stake, as road-side exports give them."""
    taken = {}
    for plan in plans:
        d = plan.draft
        if d.route_code and d.start_m is not None:
            taken.setdefault(d.route_code, []).append((d.start_m, d.end_m or d.start_m))
    out: list[DemoCrash] = []
    for road in rng.sample(roads, min(len(roads), 24)):
        if len(out) >= 6 * 9:
            break
        stake = rng.randint(road.start_m + 1000, max(road.start_m + 1000, road.end_m - 1000))
        if any(start - 2000 <= stake <= end + 2000 for start, end in taken.get(road.route_code, [])):
            continue
        length = rng.randint(200, 450)
        for _ in range(rng.randint(6, 9)):
            out.append(_on_road(rng, road, stake + rng.randint(0, length), _day(rng, first_day, today),
                                fatal_share=0.3, with_point=rng.random() < 0.8))
        taken.setdefault(road.route_code, []).append((stake, stake + length))
    return out


def _off_network_clusters(rng, geo: DemoGeography, first_day, today) -> list[DemoCrash]:
    """Two village squares where crashes are recorded by a point only (no route, no stake)."""
    out: list[DemoCrash] = []
    for place in rng.sample(geo.places, min(2, len(geo.places))):
        for _ in range(rng.randint(5, 7)):
            deaths, injuries = _toll(rng, 0.2)
            lonlat = (round(place.lon + rng.uniform(-0.0006, 0.0006), 6),
                      round(place.lat + rng.uniform(-0.0005, 0.0005), 6))
            out.append(DemoCrash(_moment(rng, _day(rng, first_day, today)), place.county_code, None, None, lonlat,
                                 deaths, injuries, rng.choice(("刮撞行人", "侧面相撞", "刮擦"))))
    return out


def _at_hazard(rng, plan: HazardPlan, first_day: date, today: date) -> list[DemoCrash]:
    """Crashes at a hazard's own place: before and after the works of a closed one (fewer after, most of
    the time), or recent ones at an open one."""
    d, life = plan.draft, plan.life
    if d.route_code is None or d.start_m is None:
        return []
    low, high = d.start_m, d.end_m or d.start_m

    def crash_on(day: date) -> DemoCrash:
        stake = rng.randint(low, high) if high > low else low + rng.randint(-30, 30)
        stake = min(max(stake, plan.road.start_m), plan.road.end_m)
        return _on_road(rng, plan.road, stake, day, fatal_share=0.15)

    out = []
    if d.status is Status.CLOSED and life.planned_start and life.completed_on:
        # Ten days' margin inside each 12-month window, so the demo's pattern does not hang on which day
        # works are taken to start.
        before = (add_months(life.planned_start, -12) + timedelta(days=10), life.planned_start - timedelta(days=10))
        after = (life.completed_on + timedelta(days=10), min(add_months(life.completed_on, 12) - timedelta(days=10), today))
        for _ in range(rng.choice((1, 2, 3, 3, 4, 5, 6))):
            if before[0] <= before[1]:
                out.append(crash_on(_day(rng, max(before[0], first_day), before[1])))
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
            if after[0] <= after[1]:
                out.append(crash_on(_day(rng, after[0], after[1])))
    elif d.status not in (Status.CLOSED, Status.REJECTED, Status.MERGED) and rng.random() < 0.35:
        for _ in range(rng.randint(1, 4)):
            out.append(crash_on(_day(rng, add_months(today, -24), today)))
    return out
