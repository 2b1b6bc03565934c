"""OGC API – Features Core under /ogc: resources, links, paging, filters, refusals, HTML."""

from __future__ import annotations

from datetime import date

import pytest
from shapely.geometry import LineString, MultiPolygon, Point, box

from geo.geometry import to_ewkt
from hazards.domain.enums import Status, SupervisionLevel
from hazards.models import Jurisdiction
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from tests.api.helpers import assert_problem
from tests.factories import draft


@pytest.fixture
def features(session, people):
    made = [
        report_hazard(session, draft(title="甲", geometry=Point(112.70, 38.40), found_on=date(2024, 3, 5)), actor=SYSTEM),
        report_hazard(session, draft(title="乙", geometry=LineString([(112.80, 38.50), (112.82, 38.51)]),
                                     end_m=1052900, found_on=date(2024, 6, 1), category_codes=["junction"]), actor=SYSTEM),
        report_hazard(session, draft(title="丙", geometry=Point(112.90, 38.45), found_on=date(2025, 1, 9),
                                     status=Status.LISTED, level=SupervisionLevel.COUNTY,
                                     listed_on=date(2025, 1, 10), deadline=date(2025, 6, 30)), actor=SYSTEM),
        report_hazard(session, draft(title="丁", jurisdiction_code="140981", geometry=Point(112.71, 38.73),
                                     found_on=date(2025, 2, 1)), actor=SYSTEM),
    ]
    session.get(Jurisdiction, "140902").boundary = to_ewkt(MultiPolygon([box(112.5, 38.25, 112.95, 38.6)]))
    session.commit()
    return made


def test_landing_and_conformance_are_public(client):
    landing = client.get("/ogc")
    assert landing.status_code == 200 and landing.mimetype == "application/json"
    rels = {link["rel"]: link for link in landing.get_json()["links"]}
    assert {"self", "alternate", "service-desc", "conformance", "data"} <= set(rels)
    assert rels["service-desc"]["href"].endswith("/api/v1/openapi.json")
    conforms = client.get("/ogc/conformance").get_json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conforms
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conforms


def test_data_needs_a_caller(client):
    assert_problem(client.get("/ogc/collections"), 401)
    assert_problem(client.get("/ogc/collections/hazards/items"), 401)


def test_collections_describe_both(api, features):
    body = api.get("inspector", "/ogc/collections").get_json()
    by_id = {c["id"]: c for c in body["collections"]}
    assert set(by_id) == {"hazards", "jurisdictions"}
    hazards = api.get("inspector", "/ogc/collections/hazards").get_json()
    assert hazards["extent"]["temporal"]["interval"] == [["2024-03-05T00:00:00Z", "2025-01-09T00:00:00Z"]]
    assert any(link["rel"] == "items" and link["type"] == "application/geo+json" for link in hazards["links"])
    assert_problem(api.get("inspector", "/ogc/collections/roads"), 404)


def test_items_follow_the_jurisdiction_and_page_with_links(api, features):
    first = api.get("inspector", "/ogc/collections/hazards/items?limit=2")
    assert first.mimetype == "application/geo+json"
    body = first.get_json()
    assert body["type"] == "FeatureCollection" and body["numberMatched"] == 3 and body["numberReturned"] == 2
    assert [f["properties"]["title"] for f in body["features"]] == ["甲", "乙"]
    assert body["features"][0]["geometry"] == {"type": "Point", "coordinates": [112.7, 38.4]}
    assert body["features"][1]["geometry"]["coordinates"][0] == [112.8, 38.5]  # [lon, lat]
    links = {link["rel"]: link["href"] for link in body["links"]}
    assert "prev" not in links
    second = api.get("inspector", links["next"]).get_json()
    assert [f["properties"]["title"] for f in second["features"]] == ["丙"] and second["numberReturned"] == 1
    second_links = {link["rel"] for link in second["links"]}
    assert "prev" in second_links and "next" not in second_links
    assert api.get("city", "/ogc/collections/hazards/items").get_json()["numberMatched"] == 4


def test_items_filters(api, features):
    titles = lambda qs: [f["properties"]["title"] for f in
                         api.get("city", "/ogc/collections/hazards/items" + qs).get_json()["features"]]
    assert titles("?bbox=112.6,38.3,112.85,38.55") == ["甲", "乙"]
    assert titles("?datetime=2024-01-01/2024-12-31") == ["甲", "乙"]
    assert titles("?datetime=2025-01-09") == ["丙"]
    assert titles("?datetime=../2024-03-05T12:00:00Z") == ["甲"]
    assert titles("?datetime=2024-06-01/..") == ["乙", "丙", "丁"]
    assert titles("?status=listed") == ["丙"]
    assert titles("?level=county,none&category=junction") == ["乙"]
    jurisdictions = api.get("inspector", "/ogc/collections/jurisdictions/items").get_json()
    assert [f["id"] for f in jurisdictions["features"]] == ["140902"]
    assert jurisdictions["features"][0]["geometry"]["type"] == "MultiPolygon"
    cities = api.get("city", "/ogc/collections/jurisdictions/items?level=city").get_json()
    assert [f["id"] for f in cities["features"]] == ["140900"]


@pytest.mark.parametrize("qs", ["bbox=1,2,3", "bbox=a,b,c,d", "limit=0", "limit=10001", "offset=-1",
                                "datetime=yesterday", "datetime=2025-01-01/2024-01-01", "datetime=../..",
                                "status=lost", "color=red", "f=xml"])
def test_invalid_parameters_are_400(api, features, qs):
    body = assert_problem(api.get("inspector", "/ogc/collections/hazards/items?" + qs), 400)
    assert body["fields"]


def test_one_feature_and_its_refusals(api, features):
    a, *_, outside = features
    body = api.get("inspector", f"/ogc/collections/hazards/items/{a.id}").get_json()
    assert body["type"] == "Feature" and body["id"] == a.id and body["properties"]["code"] == a.code
    assert_problem(api.get("inspector", f"/ogc/collections/hazards/items/{outside.id}"), 404)
    assert_problem(api.get("inspector", "/ogc/collections/hazards/items/abc"), 404)
    assert api.get("inspector", "/ogc/collections/jurisdictions/items/140902").get_json()["properties"]["name"] == "忻府区"
    assert_problem(api.get("inspector", "/ogc/collections/jurisdictions/items/140981"), 404)
    assert_problem(api.get("inspector", "/ogc/collections/jurisdictions/items?datetime=2024-01-01"), 400)


def test_html_pages(client, auth, people, features):
    landing = client.get("/ogc?f=html").get_data(as_text=True)
    assert "符合性类别" in landing and "conformance" in landing  # Chinese by default, with its link
    assert "Conformance classes" in client.get("/ogc?f=html", headers={"Accept-Language": "en"}).get_data(as_text=True)
    auth.login(people["inspector"])
    page = client.get("/ogc/collections/hazards/items?f=html&limit=2")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "甲" in text and 'rel="next"' in text
    browser = client.get("/ogc/collections", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.mimetype == "text/html"
    one = client.get(f"/ogc/collections/hazards/items/{features[0].id}?f=html")
    assert one.status_code == 200 and features[0].code in one.get_data(as_text=True)
