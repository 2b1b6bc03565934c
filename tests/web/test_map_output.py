"""What the map's GeoJSON endpoint returns, field by field, on both backends: every property of a
feature, the geometry's coordinates to six decimals, the clusters of the zoomed-out views, the
hidden rejected/merged reports and the user's jurisdiction. The endpoint's text is what the browser
draws; these pin it whatever builds it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from shapely.geometry import LineString, MultiPolygon, Point, box

from geo.geometry import to_ewkt
from hazards import clock
from hazards.domain.enums import Status, SupervisionLevel
from hazards.models import Jurisdiction, Organization
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from tests.factories import draft, user

TODAY = clock.today()
COUNTY_BOX = "112.6,38.3,112.9,38.6"


@pytest.fixture
def placed(session):
    unit = Organization(name="忻府区交通运输局", kind="responsible", jurisdiction_code="140902")
    session.add(unit)
    session.flush()
    overdue = report_hazard(session, draft(
        title="逾期点 \"引号\" 与\\斜杠", geometry=Point(112.7000004, 38.4123456789), level=SupervisionLevel.CITY,
        status=Status.LISTED, listed_on=TODAY - timedelta(days=60), found_on=TODAY - timedelta(days=70),
        batch_year=TODAY.year, deadline=TODAY - timedelta(days=2)), actor=SYSTEM)
    overdue.responsible_unit_id = unit.id
    section = report_hazard(session, draft(title="路段", geometry=LineString([(112.80, 38.50), (112.8212345678, 38.51)]),
                                           end_m=1052900), actor=SYSTEM)
    listed = report_hazard(session, draft(title="期限未到", geometry=Point(112.75, 38.45), level=SupervisionLevel.PROVINCE,
                                          status=Status.LISTED, listed_on=TODAY - timedelta(days=5),
                                          found_on=TODAY - timedelta(days=9), batch_year=TODAY.year,
                                          deadline=TODAY + timedelta(days=30)), actor=SYSTEM)
    far = report_hazard(session, draft(title="远处", geometry=Point(111.10, 39.40), jurisdiction_code="140932"), actor=SYSTEM)
    rejected = report_hazard(session, draft(title="不予认定点", geometry=Point(112.71, 38.41), status=Status.REJECTED),
                             actor=SYSTEM)
    merged = report_hazard(session, draft(title="重复合并点", geometry=Point(112.72, 38.42), status=Status.MERGED),
                           actor=SYSTEM)
    session.get(Jurisdiction, "140902").boundary = to_ewkt(MultiPolygon([box(112.5, 38.25, 112.95, 38.6)]))
    session.get(Jurisdiction, "140932").boundary = to_ewkt(MultiPolygon([box(111.0, 39.2, 111.8, 39.6)]))
    session.commit()
    return dict(overdue=overdue, section=section, listed=listed, far=far, rejected=rejected, merged=merged), unit


def geojson(client, headers=None, **params):
    response = client.get("/api/v1/hazards.geojson", query_string=params, headers=headers)
    assert response.status_code == 200 and response.content_type == "application/geo+json"
    return response.get_json()


def test_every_field_of_every_feature(client, auth, people, placed):
    hazards, unit = placed
    auth.login(people["city"])
    data = geojson(client, bbox=COUNTY_BOX, zoom=11)
    assert set(data) == {"type", "clustered", "numberReturned", "features"}
    assert data["type"] == "FeatureCollection" and data["clustered"] is False and data["numberReturned"] == 3
    features = data["features"]
    # In the order the hazards were logged, each with its id beside the properties.
    assert [f["id"] for f in features] == [hazards[k].id for k in ("overdue", "section", "listed")]
    assert all(f["type"] == "Feature" and set(f) == {"type", "id", "geometry", "properties"} for f in features)
    overdue, section, listed = (f["properties"] for f in features)
    assert set(overdue) == {"id", "code", "title", "status", "status_label", "level", "level_label", "deadline",
                            "days_left", "overdue", "unit"}
    h = hazards["overdue"]
    assert overdue == {"id": h.id, "code": h.code, "title": "逾期点 \"引号\" 与\\斜杠", "status": "listed",
                       "status_label": overdue["status_label"], "level": "city", "level_label": "市级",
                       "deadline": (TODAY - timedelta(days=2)).isoformat(), "days_left": -2, "overdue": True,
                       "unit": "忻府区交通运输局"}
    assert overdue["status_label"] and overdue["status_label"] != "listed"  # the Chinese label, not the code
    h = hazards["listed"]
    assert listed["days_left"] == 30 and listed["overdue"] is False and listed["level_label"] == "省级"
    assert listed["deadline"] == (TODAY + timedelta(days=30)).isoformat() and listed["id"] == h.id
    h = hazards["section"]
    assert section["code"] == h.code and section["status"] == "reported" and section["deadline"] is None
    assert section["days_left"] is None and section["overdue"] is False and section["unit"] is None
    # Coordinates to six decimals, longitude first.
    assert features[0]["geometry"] == {"type": "Point", "coordinates": [112.7, 38.412346]}
    assert features[1]["geometry"] == {"type": "LineString", "coordinates": [[112.8, 38.5], [112.821235, 38.51]]}


def test_the_same_view_in_english(client, auth, people, placed):
    auth.login(people["city"])
    zh = geojson(client, bbox=COUNTY_BOX, zoom=11)
    en = geojson(client, bbox=COUNTY_BOX, zoom=11, headers={"Accept-Language": "en"})
    labels = lambda data: [(f["properties"]["status_label"], f["properties"]["level_label"]) for f in data["features"]]
    strip = lambda data: [{k: v for k, v in f["properties"].items() if not k.endswith("_label")} for f in data["features"]]
    assert strip(zh) == strip(en)
    if labels(zh) != labels(en):  # the English labels when the request asks for them
        assert labels(en)[0][1] == "City"


def test_an_empty_view(client, auth, people, placed):
    auth.login(people["city"])
    assert geojson(client, bbox="100,20,100.1,20.1", zoom=11) == {
        "type": "FeatureCollection", "clustered": False, "numberReturned": 0, "features": []}


def test_rejected_and_merged_only_when_asked(client, auth, people, placed):
    hazards, _ = placed
    auth.login(people["city"])
    ids = lambda **p: [f["id"] for f in geojson(client, bbox=COUNTY_BOX, zoom=11, **p)["features"]]
    assert ids() == [hazards[k].id for k in ("overdue", "section", "listed")]
    assert ids(void=1) == [hazards[k].id for k in ("overdue", "section", "listed", "rejected", "merged")]
    assert ids(status="merged") == [hazards["merged"].id]
    shown = geojson(client, bbox=COUNTY_BOX, zoom=11, void=1)
    assert shown["numberReturned"] == 5
    assert shown["features"][3]["properties"]["status"] == "rejected"


def test_only_what_the_user_may_see(client, auth, session, placed):
    hazards, _ = placed
    auth.login(user(session, "supervisor", "140932"))
    session.commit()
    data = geojson(client, bbox="110,37,114,40", zoom=11)
    assert [f["id"] for f in data["features"]] == [hazards["far"].id]


def test_grid_clusters(app, client, auth, people, placed):
    auth.login(people["city"])
    app.config["MAP_CLUSTER_THRESHOLD"] = 2
    try:
        data = geojson(client, bbox="110,37,114,40", zoom=11)
        with_void = geojson(client, bbox="110,37,114,40", zoom=11, void=1)
    finally:
        app.config["MAP_CLUSTER_THRESHOLD"] = 5000
    assert data["type"] == "FeatureCollection" and data["clustered"] is True
    assert data["numberReturned"] == len(data["features"])
    for f in data["features"]:
        assert set(f) == {"type", "geometry", "properties"} and f["geometry"]["type"] == "Point"
        assert set(f["properties"]) == {"cluster", "count", "overdue"} and f["properties"]["cluster"] is True
    assert sum(f["properties"]["count"] for f in data["features"]) == 4
    assert sum(f["properties"]["overdue"] for f in data["features"]) == 1
    assert sum(f["properties"]["count"] for f in with_void["features"]) == 6
    far = next(f for f in data["features"] if f["properties"]["count"] == 1 and f["geometry"]["coordinates"][0] < 112)
    assert far["geometry"]["coordinates"] == [111.1, 39.4]


@pytest.mark.parametrize("zoom", [8, 6])
def test_per_county_clusters_in_city_and_province_views(app, client, auth, people, placed, zoom):
    auth.login(people["city"])
    app.config["MAP_CLUSTER_THRESHOLD"] = 2
    try:
        data = geojson(client, bbox="110,37,114,40", zoom=zoom)
        with_void = geojson(client, bbox="110,37,114,40", zoom=zoom, void=1)
    finally:
        app.config["MAP_CLUSTER_THRESHOLD"] = 5000
    assert data["clustered"] is True and data["numberReturned"] == 2
    by_county = {f["properties"]["jurisdiction"]: f for f in data["features"]}
    assert {code: f["properties"] for code, f in by_county.items()} == {
        "140902": {"cluster": True, "count": 3, "overdue": 1, "jurisdiction": "140902"},
        "140932": {"cluster": True, "count": 1, "overdue": 0, "jurisdiction": "140932"},
    }
    assert by_county["140902"]["geometry"] == {"type": "Point", "coordinates": [112.725, 38.425]}
    assert by_county["140932"]["geometry"] == {"type": "Point", "coordinates": [111.4, 39.4]}
    assert {f["properties"]["jurisdiction"]: f["properties"]["count"] for f in with_void["features"]} == {
        "140902": 5, "140932": 1}


def test_zoomed_out_below_the_threshold_the_same_features(client, auth, people, placed):
    auth.login(people["city"])
    near = geojson(client, bbox=COUNTY_BOX, zoom=14)
    far = geojson(client, bbox=COUNTY_BOX, zoom=8)
    assert far == near and far["numberReturned"] == 3 and far["clustered"] is False


def test_the_rows_of_a_view_are_those_of_its_query(session, people, placed):
    from geo.spatial import BBox
    from hazards.queries.map_features import MapQuery, feature_rows, feature_statement

    q = MapQuery(BBox(110, 37, 114, 40), 12)
    rows = feature_rows(session, people["city"], q, TODAY)
    assert rows == [tuple(r) for r in session.execute(feature_statement(session, people["city"], q, TODAY))]
    assert [r[0] for r in rows] == sorted(h.id for k, h in placed[0].items() if k not in ("rejected", "merged"))
    assert rows[0][1:] == (placed[0]["overdue"].code, "逾期点 \"引号\" 与\\斜杠", "listed", "city",
                           (TODAY - timedelta(days=2)).isoformat(), 1, "忻府区交通运输局",
                           '{"type":"Point","coordinates":[112.7,38.412346]}')
