"""The map's crash layer (GET /api/v1/crashes.geojson): who sees which crashes, points or clusters,
the fatal flag, the period, and the crashes no map can draw; on both backends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hazards import clock
from hazards.queries.crash_map import CrashPeriod
from tests.factories import crash

TODAY = clock.today()
BOX = "112.5,38.2,113.0,38.7"


@pytest.fixture
def crashes(session, people):
    """In Xinfu: a fatal crash and two slight ones this year, one three years and more ago (outside the
    default 36 months), one known only by stake on a road the ledger lacks; one in Yuanping."""
    recent = TODAY - timedelta(days=30)
    made = {
        "fatal": crash(session, "XF-1", recent, lonlat=(112.70, 38.40), route_code="G208", stake_m=1052300,
                       deaths=2, injuries=1, form="正面相撞"),
        "slight": crash(session, "XF-2", recent, lonlat=(112.71, 38.41), injuries=1),
        "slight2": crash(session, "XF-3", TODAY, lonlat=(112.72, 38.42)),
        "old": crash(session, "XF-4", TODAY - timedelta(days=3 * 366 + 10), lonlat=(112.73, 38.43)),
        "unplaced": crash(session, "XF-5", recent, route_code="X999", stake_m=3000),
        "yuanping": crash(session, "YP-1", recent, jurisdiction="140981", lonlat=(112.72, 38.45), deaths=1),
    }
    session.commit()
    return made


def get(client, **params):
    params.setdefault("bbox", BOX)
    return client.get("/api/v1/crashes.geojson", query_string=params)


def ids(data) -> set[str]:
    return {f["properties"]["source_id"] for f in data["features"]}


def test_a_county_sees_its_own_crashes_in_the_period_with_the_fatal_one_marked(client, auth, people, crashes):
    auth.login(people["county"])
    response = get(client, zoom=12)
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    data = response.get_json()
    assert not data["clustered"] and ids(data) == {"XF-1", "XF-2", "XF-3"}  # not the old one, not Yuanping's
    by_id = {f["properties"]["source_id"]: f for f in data["features"]}
    fatal = by_id["XF-1"]
    assert fatal["geometry"] == {"type": "Point", "coordinates": [112.7, 38.4]}
    props = fatal["properties"]
    assert props["fatal"] is True and props["deaths"] == 2 and props["injuries"] == 1
    assert props["form"] == "正面相撞" and props["route_code"] == "G208" and props["stake_m"] == 1052300
    day = TODAY - timedelta(days=30)
    assert props["occurred_utc"] == f"{day.isoformat()} 04:00:00"  # noon in Beijing
    assert by_id["XF-2"]["properties"]["fatal"] is False
    assert data["unplaced"] == 1  # XF-5: on a road the ledger does not hold
    start = CrashPeriod.months_ending(TODAY, 36).start
    assert data["period"] == {"from": start.isoformat(), "to": TODAY.isoformat()}  # the rule's, by default


def test_another_county_sees_none_of_them(client, auth, people, crashes):
    auth.login(people["other_county"])
    data = get(client, bbox="112.6,38.35,112.8,38.44", zoom=12).get_json()
    assert data["features"] == [] and data["unplaced"] == 0
    assert ids(get(client).get_json()) == {"YP-1"}


def test_the_city_sees_both_counties(client, auth, people, crashes):
    auth.login(people["city"])
    assert ids(get(client).get_json()) == {"XF-1", "XF-2", "XF-3", "YP-1"}


def test_a_period_chosen_on_the_map(client, auth, people, crashes):
    auth.login(people["county"])
    old_day = TODAY - timedelta(days=3 * 366 + 10)
    data = get(client, **{"from": old_day.isoformat(), "to": (old_day + timedelta(days=1)).isoformat()}).get_json()
    assert ids(data) == {"XF-4"} and data["unplaced"] == 0
    assert ids(get(client, **{"from": TODAY.isoformat()}).get_json()) == {"XF-3"}


def test_above_the_threshold_clusters_count_deaths_and_fatal_crashes(app, client, auth, people, crashes):
    auth.login(people["city"])
    app.config["MAP_CLUSTER_THRESHOLD"] = 2
    try:
        data = get(client, zoom=6).get_json()
        few = get(client, bbox="112.705,38.405,112.715,38.415", zoom=6).get_json()
    finally:
        app.config["MAP_CLUSTER_THRESHOLD"] = 5000
    assert data["clustered"] and all(f["properties"]["cluster"] for f in data["features"])
    props = [f["properties"] for f in data["features"]]
    assert sum(p["count"] for p in props) == 4 and sum(p["deaths"] for p in props) == 3
    assert sum(p["fatal"] for p in props) == 2 and data["unplaced"] == 1
    assert not few["clustered"] and ids(few) == {"XF-2"}  # a box of few crashes still gets points


def test_refusals(client, auth, people, crashes):
    assert get(client).status_code == 401
    auth.login(people["county"])
    assert get(client, bbox="").status_code == 400
    assert get(client, zoom=40).status_code == 400
    assert get(client, **{"from": "2024-13-01"}).status_code == 400
    assert get(client, **{"from": "2024-05-02", "to": "2024-05-01"}).status_code == 400


def test_the_default_period_is_whole_months_ending_today():
    assert CrashPeriod.months_ending(date(2026, 11, 30), 36) == CrashPeriod(date(2023, 12, 1), date(2026, 11, 30))
    assert CrashPeriod.months_ending(date(2024, 3, 31), 1) == CrashPeriod(date(2024, 3, 1), date(2024, 3, 31))
    assert CrashPeriod.months_ending(date(2024, 2, 29), 12) == CrashPeriod(date(2023, 3, 1), date(2024, 2, 29))
