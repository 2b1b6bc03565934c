"""Which road a crash is on is the database's to say (crashes.road_key, hazards.domain.roads), and
identification walks the crashes in road and stake order from an index instead of sorting them."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from hazards import clock
from hazards.domain.crash_rules import IdentificationRule
from hazards.models import Crash
from hazards.queries.crash_places import crash_filter, road_windows_sql
from tests import factories
from tests.factories import XINFU

YUANPING = "140981"


def test_a_county_numbered_route_is_a_road_of_its_county_and_a_national_route_one_road(session, people):
    today = clock.today()
    national = factories.crash(session, "K-G", today, jurisdiction=XINFU, route_code="G208", stake_m=1000)
    county = factories.crash(session, "K-X", today, jurisdiction=YUANPING, route_code="X030", stake_m=1000)
    placed = factories.crash(session, "K-P", today, jurisdiction=XINFU, lonlat=(112.7, 38.4))
    session.refresh(national), session.refresh(county), session.refresh(placed)
    assert (national.road_key, county.road_key) == ("", YUANPING)

    county.route_code = "S304"  # a corrected export: the road is now the province's S304
    session.flush()
    session.refresh(county)
    assert county.road_key == ""


def _plan(session, statement) -> str:
    sql = str(statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
    return "\n".join(row[0] for row in session.connection().exec_driver_sql("EXPLAIN " + sql))


@pytest.mark.backend_only("postgis")
def test_the_windows_are_counted_in_one_pass_over_the_road_index(session, people):
    today = clock.today()
    for k in range(40):
        factories.crash(session, f"W-{k}", today, jurisdiction=(XINFU, YUANPING)[k % 2],
                        route_code=("G208", "X030")[k % 3 % 2], stake_m=100 * k, deaths=k % 7 == 0)
    rule = IdentificationRule()
    where = crash_filter(Crash.jurisdiction_code.like("1409%"), today.replace(year=today.year - 3), today)
    statement = road_windows_sql(where, rule)
    # The three counts (crashes, deaths, fatal crashes) share one frame: one pass, not one per count,
    # which is what a frame length sent as a parameter gave (PostgreSQL cannot tell two parameters equal).
    assert _plan(session, statement).count("WindowAgg") == 1
    # An index hands the crashes over in the windows' order, so a province's crashes need no sort (on a
    # large table whose pages are marked all-visible the planner takes it; on these 40 rows it would
    # rather sort, so sorting is priced out here to show there is an index to take instead).
    session.execute(text("SET LOCAL enable_sort = off"))
    plan = _plan(session, statement)
    assert "Scan using ix_crashes_road_stake" in plan and "Sort" not in plan, plan
    found = session.execute(statement).all()
    assert {(route, key) for route, key, *_ in found} <= {("G208", ""), ("X030", XINFU), ("X030", YUANPING)}
    session.execute(text("RESET enable_sort"))


@pytest.mark.backend_only("spatialite")
def test_the_windows_walk_the_road_index_on_spatialite(session, people):
    today = clock.today()
    where = crash_filter(Crash.jurisdiction_code.like("1409%"), today.replace(year=today.year - 3), today)
    plan = " | ".join(row[-1] for row in session.connection().exec_driver_sql(
        "EXPLAIN QUERY PLAN " + str(road_windows_sql(where, IdentificationRule()).compile(
            session.get_bind(), compile_kwargs={"literal_binds": True}))))
    assert "USING INDEX ix_crashes_road_stake" in plan and "TEMP B-TREE" not in plan
