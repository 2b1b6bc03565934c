"""N synthetic hazards spread over Xinzhou's counties, as drafts or as CSV rows for the importer.

Deterministic for a seed, so two runs measure the same data.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import shapely
from shapely.geometry import LineString, Point

from hazards.domain.drafts import HazardDraft
from hazards.domain.enums import RoadClass, Status, SupervisionLevel

# county code -> approximate seat (lon, lat); hazards scatter ~0.25° around it
COUNTY_SEATS = {
    "140902": (112.73, 38.40), "140921": (112.96, 38.47), "140922": (113.25, 38.73),
    "140923": (112.96, 39.07), "140924": (113.27, 39.19), "140925": (112.30, 39.00),
    "140926": (111.94, 38.36), "140927": (112.21, 39.09), "140928": (111.85, 38.91),
    "140929": (111.57, 38.70), "140930": (111.14, 39.38), "140931": (111.09, 39.02),
    "140932": (111.51, 39.44), "140981": (112.71, 38.73),
}
LEVELS = [SupervisionLevel.PROVINCE, SupervisionLevel.CITY] + [SupervisionLevel.COUNTY] * 5 + [SupervisionLevel.NONE] * 2
STATUSES = [Status.REPORTED, Status.LISTED, Status.IN_REMEDIATION, Status.IN_REMEDIATION, Status.CLOSED, Status.CLOSED]
CATEGORIES = ["sharp_curve", "steep_grade", "junction", "missing_guardrail", "poor_sight", "through_village"]
ROUTES = [("G208", RoadClass.NATIONAL), ("S311", RoadClass.PROVINCIAL), ("X012", RoadClass.COUNTY), ("Y105", RoadClass.TOWNSHIP)]


def _fields(rng: random.Random, i: int, areas: dict | None = None) -> dict:
    county, (lon0, lat0) = rng.choice(list(COUNTY_SEATS.items()))
    lon, lat = lon0 + rng.uniform(-0.25, 0.25), lat0 + rng.uniform(-0.25, 0.25)
    while areas is not None and not shapely.contains_xy(areas[county], lon, lat):
        lon, lat = lon0 + rng.uniform(-0.25, 0.25), lat0 + rng.uniform(-0.25, 0.25)
    route, road_class = rng.choice(ROUTES)
    start = rng.randrange(0, 300_000)
    is_section = rng.random() < 0.3
    end = start + rng.randrange(200, 5000) if is_section else None
    level = rng.choice(LEVELS)
    status = rng.choice(STATUSES) if level is not SupervisionLevel.NONE else Status.REPORTED
    found = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 600))
    listed = found + timedelta(days=10) if level is not SupervisionLevel.NONE else None
    return dict(
        i=i, county=county, lon=lon, lat=lat, route=route, road_class=road_class, start=start, end=end,
        level=level, status=status, found=found, listed=listed,
        deadline=listed + timedelta(days=rng.randrange(60, 240)) if listed else None,
        closed=found + timedelta(days=rng.randrange(30, 300)) if status is Status.CLOSED else None,
        categories=rng.sample(CATEGORIES, rng.randint(1, 2)),
    )


def drafts(n: int, seed: int = 7) -> Iterator[HazardDraft]:
    rng = random.Random(seed)
    for i in range(n):
        f = _fields(rng, i)
        geometry = (
            LineString([(f["lon"], f["lat"]), (f["lon"] + 0.004, f["lat"] + 0.002)]) if f["end"] else Point(f["lon"], f["lat"])
        )
        yield HazardDraft(
            title=f"合成隐患 {i}", jurisdiction_code=f["county"], batch_year=f["found"].year, found_on=f["found"],
            geometry=geometry, route_code=f["route"], road_class=f["road_class"], start_m=f["start"], end_m=f["end"],
            level=f["level"], listed_on=f["listed"], deadline=f["deadline"], status=f["status"],
            closed_on=f["closed"], category_codes=f["categories"],
        )


CSV_HEADER = ["隐患名称", "辖区代码", "批次年度", "发现日期", "经度", "纬度", "路线编号", "起点桩号", "止点桩号",
              "督办级别", "挂牌日期", "整改期限", "状态", "销号日期", "隐患类型"]


def county_areas() -> dict:
    """The bench ledger's county boundaries (`bench.common.app_for` stores the demo's), prepared: an
    imported row must lie within its division, so the CSV's points are drawn inside them."""
    from hazards.demo.geography import build_geography

    areas = build_geography().counties
    shapely.prepare(list(areas.values()))
    return areas


def write_csv(path: Path, n: int, seed: int = 7) -> Path:
    """A CSV of N point hazards with the Chinese headers users type, for the import benchmark."""
    from geo.stakes import format_stake
    from hazards.domain.labels import label

    rng = random.Random(seed)
    areas = county_areas()
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        out = csv.writer(fh)
        out.writerow(CSV_HEADER)
        for i in range(n):
            f = _fields(rng, i, areas)
            out.writerow([
                f"合成隐患 {i}", f["county"], f["found"].year, f["found"].isoformat(), f"{f['lon']:.6f}",
                f"{f['lat']:.6f}", f["route"], format_stake(f["start"]), "", label(f["level"]),
                f["listed"] or "", f["deadline"] or "", label(f["status"]), f["closed"] or "",
                "、".join(f["categories"]),
            ])
    return path
