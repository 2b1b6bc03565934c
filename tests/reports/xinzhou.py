"""The Xinzhou-shaped ledger of the report tests: the 2024 year-end report's shape (seeds/004), with
hand-counted right answers in tests/reports/test_build.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shapely.geometry import Point

from hazards.domain.enums import FundingKind, FundingSource, RoadClass, Status, SupervisionLevel
from hazards.models import FundingEntry
from hazards.reports import parse_period
from tests.factories import draft, register_groups

YEAR = parse_period(2024)
TODAY = date(2025, 1, 20)
DEADLINE, LATER = date(2024, 10, 31), date(2025, 3, 31)
L = SupervisionLevel


def spec(title, *, jurisdiction="140902", level=L.COUNTY, status=Status.LISTED, batch=2024, found=date(2024, 3, 5),
         deadline=DEADLINE, closed=None, dynamic=False, categories=("steep_grade",), route=None, road_class=None,
         start_m=None, end_m=None, road_name=None, unit=None):
    listed = None if level is L.NONE else (date(found.year, found.month, found.day + 5))
    return draft(
        title=title, jurisdiction_code=jurisdiction, level=level, status=Status.CLOSED if closed else status,
        batch_year=batch, found_on=found, listed_on=listed, deadline=None if level is L.NONE else deadline,
        closed_on=closed, dynamic_add=dynamic, category_codes=list(categories), route_code=route,
        road_class=road_class, start_m=start_m, end_m=end_m, road_name=road_name, responsible_unit=unit,
        geometry=Point(112.70 + 0.001 * len(title), 38.40),
    )


def seed_ledger(session) -> dict[str, list[int]]:
    """The Xinzhou-shaped ledger; returns the hazard ids of each group."""
    g208 = dict(route="G208", road_class=RoadClass.NATIONAL)
    s311 = dict(route="S311", road_class=RoadClass.PROVINCIAL)
    x012 = dict(route="X012", road_class=RoadClass.COUNTY, start_m=3200, end_m=4100)
    groups = {
        # A: ministry level, Xinfu, closed a month before the deadline (ahead, and so on time); two categories
        "A": [spec("A部级", level=L.MINISTRY, closed=date(2024, 9, 30), categories=("sharp_curve", "poor_sight"), **g208)
              for _ in range(20)],
        # B: province level, Yuanping, 40 sections closed on the deadline day (on time, not ahead), 8 late points
        "B": [spec("B省级按期", jurisdiction="140981", level=L.PROVINCE, closed=DEADLINE, categories=("junction",),
                   start_m=1000, end_m=2500, **s311) for _ in range(40)]
        + [spec("B省级超期", jurisdiction="140981", level=L.PROVINCE, closed=date(2024, 11, 15), categories=("junction",),
                **s311) for _ in range(8)],
        # C: city level, filed at the city itself (本级), on an unnumbered urban street
        "C": [spec("C市级", jurisdiction="140900", level=L.CITY, closed=date(2024, 6, 1), categories=("missing_guardrail",),
                   road_class=RoadClass.URBAN, road_name="和平街") for _ in range(5)],
        "C_overdue": [spec(f"C市级逾期{i}", jurisdiction="140900", level=L.CITY, categories=("missing_guardrail",),
                           unit="忻州市住建局") for i in range(2)],
        "C_open": [spec("C市级未到期", jurisdiction="140900", level=L.CITY, deadline=LATER,
                        categories=("missing_guardrail",))],
        # D: county level; 13 in Xinfu closed early; 2 of the 2023 list closed in 2024 (completed, not on
        # the 2024 list); one closed after the year (open and overdue at its end); 3 open in Dingxiang
        "D": [spec("D县级", closed=date(2024, 8, 1), **x012) for _ in range(13)],
        "D_2023": [spec("D县级2023", jurisdiction="140921", batch=2023, found=date(2023, 5, 1), deadline=date(2023, 12, 31),
                        closed=date(2024, 2, 1), route="X012", road_class=RoadClass.COUNTY, start_m=0, end_m=500)
                   for _ in range(2)],
        "D_late": [spec("D县级次年销号", closed=date(2025, 1, 10), unit="忻府区交通运输局", **x012)],
        "D_open": [spec("D定襄未到期", jurisdiction="140921", deadline=LATER) for _ in range(3)],
        # E: not listed for supervision, fixed at once, no deadline, no road recorded
        "E": [spec("E未挂牌", jurisdiction="140981", level=L.NONE, closed=date(2024, 5, 1), categories=("junction",))
              for _ in range(3)],
        # F: dynamic additions found in July, on a township road
        "F": [spec("F动态新增", found=date(2024, 7, 1), deadline=date(2024, 12, 31), closed=date(2024, 12, 1),
                   dynamic=True, categories=("through_village",), route="Y105", road_class=RoadClass.TOWNSHIP)
              for _ in range(9)],
        "F_overdue": [spec("F动态新增逾期", found=date(2024, 7, 1), deadline=date(2024, 11, 30), dynamic=True,
                           categories=("through_village",), unit="豆罗镇人民政府")],
        # Never counted: rejected, merged, found after the year, in another city; closed the year before
        "rejected": [spec("X不予认定", status=Status.REJECTED, closed=None) for _ in range(2)],
        "merged": [spec("X重复", status=Status.MERGED)],
        "next_year": [spec("X次年发现", batch=2025, found=date(2025, 1, 5), deadline=date(2025, 6, 30))],
        "taiyuan": [spec("X太原", jurisdiction="140100", closed=date(2024, 6, 1))],
        "H_2023": [spec("H上年已销号", jurisdiction="140981", batch=2023, found=date(2023, 3, 1),
                        deadline=date(2023, 12, 31), closed=date(2023, 11, 1)) for _ in range(2)],
    }
    ids = register_groups(session, groups)

    def money(group, kind, source, amount, on):
        session.add(FundingEntry(hazard_id=ids[group][0], kind=kind, source=source, amount=Decimal(amount),
                                 entry_date=on))

    B, A, S = FundingKind.BUDGET, FundingKind.ALLOCATION, FundingKind.SPENDING
    money("A", B, FundingSource.CENTRAL, "10000000.00", date(2024, 3, 15))
    money("A", A, FundingSource.CENTRAL, "8000000.00", date(2024, 4, 1))
    money("A", S, FundingSource.CENTRAL, "7500000.00", date(2024, 9, 1))
    money("B", S, FundingSource.PROVINCE, "12345678.90", date(2024, 10, 1))
    money("C", S, FundingSource.CITY, "4777821.10", date(2024, 6, 1))
    money("F", B, FundingSource.COUNTY, "123456.78", date(2024, 8, 1))
    money("D", B, FundingSource.COUNTY, "500000.00", date(2023, 12, 20))    # dated before the year: not counted
    money("rejected", S, FundingSource.COUNTY, "99999.00", date(2024, 5, 1))  # rejected hazard: not counted
    money("taiyuan", S, FundingSource.CITY, "1000000.00", date(2024, 6, 1))   # another city: not counted
    session.flush()
    return ids
