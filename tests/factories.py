"""Builders for test hazards: a valid draft in Xinfu district that each test changes as it needs."""

from __future__ import annotations

from datetime import date

from shapely.geometry import LineString, Point

from hazards.drafts import HazardDraft
from hazards.enums import RoadClass

XINFU = "140902"
XINFU_POINT = (112.7340, 38.4170)


def draft(**overrides) -> HazardDraft:
    values = dict(
        title="G208线K1052+300处急弯视距不良",
        jurisdiction_code=XINFU,
        batch_year=2024,
        found_on=date(2024, 3, 5),
        geometry=Point(*XINFU_POINT),
        route_code="G208",
        road_class=RoadClass.NATIONAL,
        start_m=1052300,
        category_codes=["sharp_curve", "poor_sight"],
    )
    values.update(overrides)
    return HazardDraft(**values)


def section_draft(**overrides) -> HazardDraft:
    base = dict(
        title="X012线K3+200~K4+100段临水临崖缺护栏",
        geometry=LineString([(112.70, 38.40), (112.705, 38.403), (112.71, 38.405)]),
        route_code="X012",
        road_class=RoadClass.COUNTY,
        start_m=3200,
        end_m=4100,
        category_codes=["roadside_danger", "missing_guardrail"],
    )
    base.update(overrides)
    return draft(**base)
