"""Which crashes count at a hazard's place: near its point or section, or on its road within its stakes."""

from datetime import date

from sqlalchemy import select

from hazards.models import Crash, Hazard
from hazards.permissions import SYSTEM
from hazards.queries.crash_place import at_hazard_place
from hazards.services.registration import report_hazard
from tests import factories


def test_crashes_at_a_point_a_section_and_by_stake(session):
    # 乙 is X012 K3+200~K4+100 drawn from (112.70, 38.40) to (112.71, 38.405); 甲 is a point at XINFU_POINT.
    report_hazard(session, factories.section_draft(title="乙"), actor=SYSTEM)
    report_hazard(session, factories.draft(title="甲"), actor=SYSTEM)
    day = date(2024, 1, 1)
    factories.crash(session, "on-the-line", day, lonlat=(112.7051, 38.4031))
    factories.crash(session, "210m-off-the-line", day, lonlat=(112.7051, 38.4050))
    factories.crash(session, "stake-50m-past-the-end", day, route_code="X012", stake_m=4150)
    factories.crash(session, "stake-150m-past-the-end", day, route_code="X012", stake_m=4250)
    # X012 is numbered per county: Yuanping's X012 is another road.
    factories.crash(session, "x012-of-another-county", day, route_code="X012", stake_m=4150, jurisdiction="140981")
    factories.crash(session, "89m-from-the-point", day, lonlat=(112.7340, 38.4178))
    factories.crash(session, "111m-from-the-point", day, lonlat=(112.7340, 38.4180))

    dialect = session.bind.dialect.name
    rows = session.execute(
        select(Hazard.title, Crash.source_id)
        .join(Crash, at_hazard_place(Crash, Hazard, 100, dialect))
        .order_by(Hazard.title, Crash.source_id)
    ).all()
    assert [tuple(row) for row in rows] == [
        ("乙", "on-the-line"), ("乙", "stake-50m-past-the-end"), ("甲", "89m-from-the-point"),
    ]


def test_national_routes_are_one_road_across_counties(session):
    report_hazard(session, factories.draft(title="甲"), actor=SYSTEM)  # G208 K1052+300 in Xinfu
    factories.crash(session, "g208-next-county", date(2024, 1, 1), route_code="G208", stake_m=1052380,
                    jurisdiction="140981")
    rows = session.execute(select(Crash.source_id).join(
        Hazard, at_hazard_place(Crash, Hazard, 100, session.bind.dialect.name))).scalars().all()
    assert rows == ["g208-next-county"]
