"""The map's GeoJSON endpoint: boxes, filters, clusters and refusals, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from shapely.geometry import LineString, Point

from hazards import clock
from hazards.domain.enums import Status, SupervisionLevel
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from tests.factories import draft, user

TODAY = clock.today()


@pytest.fixture
def viewer(client, auth, people):
    person = people["city"]
    auth.login(person)
    return person


@pytest.fixture
def mapped(session):
    overdue = report_hazard(session, draft(title="逾期点", geometry=Point(112.70, 38.40), level=SupervisionLevel.CITY,
                                           status=Status.LISTED, listed_on=TODAY - timedelta(days=60),
                                           found_on=TODAY - timedelta(days=70), batch_year=TODAY.year,
                                           deadline=TODAY - timedelta(days=2)), actor=SYSTEM)
    section = report_hazard(session, draft(title="路段", geometry=LineString([(112.80, 38.50), (112.82, 38.51)]),
                                           end_m=1052900), actor=SYSTEM)
    far = report_hazard(session, draft(title="远处", geometry=Point(111.10, 39.40), jurisdiction_code="140932"), actor=SYSTEM)
    session.commit()
    return overdue, section, far


def get(client, **params):
    return client.get("/api/v1/hazards.geojson", query_string=params)


def test_features_in_the_box_only(client, viewer, mapped):
    overdue, section, far = mapped
    data = get(client, bbox="112.6,38.3,112.9,38.6", zoom=11).get_json()
    assert data["type"] == "FeatureCollection" and not data["clustered"]
    by_code = {f["properties"]["code"]: f for f in data["features"]}
    assert set(by_code) == {overdue.code, section.code}
    assert by_code[overdue.code]["geometry"] == {"type": "Point", "coordinates": [112.7, 38.4]}  # lon, lat
    assert by_code[section.code]["geometry"]["type"] == "LineString"
    props = by_code[overdue.code]["properties"]
    assert props["overdue"] is True and props["days_left"] == -2 and props["level_label"] == "市级"


def test_filters(client, viewer, mapped):
    overdue, section, _ = mapped
    codes = lambda **p: {f["properties"]["code"] for f in get(client, bbox="110,37,114,40", **p).get_json()["features"]}
    assert codes(overdue=1) == {overdue.code}
    assert codes(level="city") == {overdue.code}
    assert section.code in codes(status="reported")


def test_clusters_above_the_threshold(app, client, viewer, mapped):
    app.config["MAP_CLUSTER_THRESHOLD"] = 2
    try:
        data = get(client, bbox="110,37,114,40", zoom=6).get_json()
    finally:
        app.config["MAP_CLUSTER_THRESHOLD"] = 5000
    assert data["clustered"] and sum(f["properties"]["count"] for f in data["features"]) == 3
    assert sum(f["properties"]["overdue"] for f in data["features"]) == 1


def test_zoomed_out_clusters_are_per_county(app, client, viewer, mapped, session):
    from shapely.geometry import MultiPolygon, box

    from geo.geometry import to_ewkt
    from hazards.models import Jurisdiction

    session.get(Jurisdiction, "140902").boundary = to_ewkt(MultiPolygon([box(112.5, 38.25, 112.95, 38.6)]))
    session.get(Jurisdiction, "140932").boundary = to_ewkt(MultiPolygon([box(111.0, 39.2, 111.8, 39.6)]))
    session.commit()
    app.config["MAP_CLUSTER_THRESHOLD"] = 2
    try:
        data = get(client, bbox="110,37,114,40", zoom=8).get_json()
    finally:
        app.config["MAP_CLUSTER_THRESHOLD"] = 5000
    counts = {f["properties"]["jurisdiction"]: f["properties"]["count"] for f in data["features"]}
    assert counts == {"140902": 2, "140932": 1}
    xinfu = next(f for f in data["features"] if f["properties"]["jurisdiction"] == "140902")
    assert xinfu["geometry"]["coordinates"] == pytest.approx([112.725, 38.425])


def test_only_the_users_jurisdiction(client, auth, session, mapped):
    auth.login(user(session, "supervisor", "140932"))
    session.commit()
    codes = {f["properties"]["code"] for f in get(client, bbox="110,37,114,40").get_json()["features"]}
    assert codes == {mapped[2].code}


@pytest.mark.parametrize("params, message", [
    ({}, "缺少范围参数"), ({"bbox": "1,2,3"}, "应为4个数"), ({"bbox": "113,38,112,39"}, "最小值不能大于最大值"),
    ({"bbox": "112,38,113,39", "zoom": "99"}, "缩放级别"),
])
def test_bad_requests_get_400_with_a_reason(client, viewer, params, message):
    response = get(client, **params)
    assert response.status_code == 400 and response.content_type == "application/problem+json"
    assert message in response.get_json()["detail"]


def test_needs_a_login(client):
    assert get(client, bbox="110,37,114,40").status_code == 401


def test_roads_for_small_maps_are_the_users_own_and_those_above(client, auth, session, people):
    from hazards.domain.enums import RoadClass
    from hazards.services.roads import add_road

    add_road(session, route_code="X012", division_code="140902", road_class=RoadClass.COUNTY,
             coords=[(112.70, 38.40), (112.75, 38.42)], name="忻府县道")
    add_road(session, route_code="X901", division_code="140932", road_class=RoadClass.COUNTY,
             coords=[(111.10, 39.40), (111.15, 39.42)])
    add_road(session, route_code="G208", division_code="100000", road_class=RoadClass.NATIONAL,
             coords=[(112.60, 38.30), (112.90, 38.60)])
    session.commit()
    auth.login(people["inspector"])
    data = client.get("/maps/roads.geojson").get_json()
    assert {f["properties"]["route"] for f in data["features"]} == {"X012", "G208"}
    x012 = next(f for f in data["features"] if f["properties"]["route"] == "X012")
    # A road is drawn in parts (a MultiLineString), whether it has one or several.
    assert x012["geometry"]["type"] == "MultiLineString" and x012["geometry"]["coordinates"][0][0] == [112.7, 38.4]


@pytest.fixture
def void(session):
    """A report turned down (不予认定) and one merged into another (重复合并), beside the `mapped` three."""
    rejected = report_hazard(session, draft(title="不予认定点", geometry=Point(112.71, 38.41), status=Status.REJECTED), actor=SYSTEM)
    merged = report_hazard(session, draft(title="重复合并点", geometry=Point(112.72, 38.42), status=Status.MERGED), actor=SYSTEM)
    session.commit()
    return rejected, merged


def test_rejected_and_merged_are_left_out_unless_asked_for(app, client, viewer, mapped, void):
    overdue, section, _ = mapped
    rejected, merged = void
    codes = lambda **p: {f["properties"]["code"] for f in get(client, bbox="112.6,38.3,112.9,38.6", **p).get_json()["features"]}
    assert codes() == {overdue.code, section.code}
    assert codes(void=1) == {overdue.code, section.code, rejected.code, merged.code}
    assert codes(status="rejected") == {rejected.code}  # a status filter naming them shows them
    # Nor are they counted in clusters.
    app.config["MAP_CLUSTER_THRESHOLD"] = 2
    try:
        hidden, shown = (get(client, bbox="110,37,114,40", zoom=6, **p).get_json() for p in ({}, {"void": 1}))
    finally:
        app.config["MAP_CLUSTER_THRESHOLD"] = 5000
    assert hidden["clustered"] and sum(f["properties"]["count"] for f in hidden["features"]) == 3
    assert sum(f["properties"]["count"] for f in shown["features"]) == 5


def test_the_map_page_offers_the_switch_as_the_url_says(client, viewer):
    assert 'name="void" value="1" >' in client.get("/map").get_data(as_text=True)
    assert 'name="void" value="1" checked>' in client.get("/map?void=1").get_data(as_text=True)
