"""The REST hazards resources: who may read and change what, and how refusals look."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from geo.coords import wgs84_to_gcj02
from hazards import clock
from hazards.domain.enums import Status
from hazards.models import Hazard, Notification, Organization
from tests.api.helpers import assert_problem
from tests.factories import jpeg

TODAY = clock.today()


@pytest.fixture
def units(session):
    body = Organization(name="忻府区人民政府", kind="supervising", jurisdiction_code="140902")
    unit = Organization(name="忻府区交通运输局", kind="responsible", jurisdiction_code="140902")
    session.add_all([body, unit])
    session.commit()
    return body, unit


# --- reading -------------------------------------------------------------------------------------


def test_list_follows_the_jurisdiction_and_the_filters(api, ledger):
    a, b, c, outside = ledger
    titles = lambda who, qs="": [h["title"] for h in api.get(who, "/api/v1/hazards" + qs).get_json()["items"]]
    assert titles("inspector") == ["丙", "乙", "甲"]  # found_on desc, id desc
    assert set(titles("city")) == {"甲", "乙", "丙", "丁"}
    assert titles("other_county") == ["丁"]
    assert titles("inspector", "?category=junction") == ["丙"]
    assert titles("inspector", "?status=reported&status=verified&level=none") == ["丙", "乙", "甲"]
    assert titles("inspector", "?q=乙") == ["乙"]
    assert titles("city", "?jurisdiction=140981") == ["丁"]
    assert titles("inspector", "?sort=id") == ["甲", "乙", "丙"]


def test_list_pages_by_cursor_without_repeats(api, ledger):
    seen, url = [], "/api/v1/hazards?limit=1"
    while url:
        body = api.get("city", url).get_json()
        assert len(body["items"]) <= 1 and body["limit"] == 1
        seen += [h["id"] for h in body["items"]]
        url = body["links"].get("next")
    assert sorted(seen) == sorted(h.id for h in ledger) and len(seen) == len(set(seen))


def test_list_refuses_wrong_parameters(api, ledger):
    for qs, field in [("?status=nope", "status"), ("?limit=0", "limit"), ("?limit=x", "limit"),
                      ("?batch_year=1800", "batch_year"), ("?cursor=!!", "cursor"), ("?sort=title", "sort"),
                      ("?stauts=reported", "stauts"), ("?overdue=maybe", "overdue"), ("?jurisdiction=14", "jurisdiction")]:
        body = assert_problem(api.get("inspector", "/api/v1/hazards" + qs), 400)
        assert field in body["fields"], (qs, body)


def test_get_shows_geojson_lon_lat_and_money_as_strings(api, ledger):
    a, b, *_ = ledger
    body = api.get("inspector", f"/api/v1/hazards/{a.id}").get_json()
    assert body["geometry"] == {"type": "Point", "coordinates": [112.734, 38.417]}
    assert body["categories"] == ["sharp_curve", "poor_sight"] and body["status"] == "reported"
    assert body["funding_totals"] == {"budget": "0.00", "allocation": "0.00", "spending": "0.00"}
    assert api.get("inspector", f"/api/v1/hazards/{b.id}").get_json()["geometry"]["type"] == "LineString"


def test_outside_the_jurisdiction_a_hazard_does_not_exist(api, ledger):
    outside = ledger[3]
    for path in ("", "/transitions", "/funding", "/attachments"):
        assert_problem(api.get("inspector", f"/api/v1/hazards/{outside.id}{path}"), 404, "not_found")
    assert_problem(api.get("inspector", "/api/v1/hazards/999999"), 404)


# --- creating and editing ------------------------------------------------------------------------


def test_create_reports_a_hazard(api, session, people):
    response = api.post("inspector", "/api/v1/hazards", json={
        "title": "S311线K12+300急弯", "geometry": {"type": "Point", "coordinates": [112.75, 38.42]},
        "route_code": "s311", "start_m": 12300, "categories": ["sharp_curve"], "found_on": "2024-05-01",
    })
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/hazards/{body['id']}")
    assert body["jurisdiction_code"] == "140902" and body["route_code"] == "S311" and body["version"] == 1
    assert body["found_by_id"] == people["inspector"].id and body["batch_year"] == 2024
    assert session.get(Hazard, body["id"]).status is Status.REPORTED


def test_create_converts_gcj02_input_to_wgs84(api):
    lon, lat = wgs84_to_gcj02(112.75, 38.42)
    body = api.post("inspector", "/api/v1/hazards", json={
        "title": "高德坐标", "coordinate_input": "gcj02", "geometry": {"type": "Point", "coordinates": [lon, lat]},
    }).get_json()
    x, y = body["geometry"]["coordinates"]
    assert abs(x - 112.75) < 1e-5 and abs(y - 38.42) < 1e-5 and body["coordinate_input"] == "gcj02"


def test_create_names_every_wrong_field(api):
    body = assert_problem(api.post("inspector", "/api/v1/hazards", json={
        "geometry": {"type": "Polygon", "coordinates": [[[112, 38], [113, 38], [113, 39], [112, 38]]]},
        "crash_count": "3", "source": "rumour", "colour": "red",
    }), 422, "invalid_input")
    assert set(body["fields"]) == {"title", "geometry", "crash_count", "source", "colour"}
    rule = assert_problem(api.post("inspector", "/api/v1/hazards", json={
        "title": "x", "geometry": {"type": "Point", "coordinates": [112.7, 38.4]}, "categories": ["nope"]}), 422)
    assert "categories" in rule["fields"]
    assert_problem(api.post("inspector", "/api/v1/hazards", data="title=x"), 415)
    assert_problem(api.post("inspector", "/api/v1/hazards", data="{not json", content_type="application/json"), 400)


def test_create_is_refused_outside_the_jurisdiction_and_to_admins(api):
    point = {"type": "Point", "coordinates": [112.7, 38.4]}
    assert_problem(api.post("inspector", "/api/v1/hazards", json={
        "title": "x", "geometry": point, "jurisdiction_code": "140981"}), 403, "forbidden")
    assert_problem(api.post("admin", "/api/v1/hazards", json={"title": "x", "geometry": point,
                                                               "jurisdiction_code": "140902"}), 403)


def test_update_with_the_version_and_a_stale_version_is_409(api, ledger):
    a = ledger[0]
    first = api.patch("inspector", f"/api/v1/hazards/{a.id}",
                      json={"version": 1, "place": "红旗桥南", "categories": ["junction"]})
    assert first.status_code == 200, first.get_json()
    version = first.get_json()["version"]
    assert first.get_json()["place"] == "红旗桥南" and version > 1
    assert first.get_json()["categories"] == ["junction"]
    stale = assert_problem(api.patch("county", f"/api/v1/hazards/{a.id}", json={"version": 1, "place": "别处"}),
                           409, "conflict")
    assert stale["version"] == version and {c["field"] for c in stale["changes"]} >= {"place", "categories"}
    cleared = api.patch("county", f"/api/v1/hazards/{a.id}", json={"version": version, "place": None})
    assert cleared.status_code == 200 and cleared.get_json()["place"] is None


def test_update_refusals(api, ledger):
    a, outside = ledger[0], ledger[3]
    body = assert_problem(api.patch("inspector", f"/api/v1/hazards/{a.id}", json={"place": "x"}), 422)
    assert body["fields"] == {"version": "required"}
    body = assert_problem(api.patch("inspector", f"/api/v1/hazards/{a.id}",
                                    json={"version": 1, "status": "closed", "title": ""}), 422)
    assert set(body["fields"]) == {"status", "title"}
    assert_problem(api.patch("inspector", f"/api/v1/hazards/{outside.id}", json={"version": 1}), 404)
    assert_problem(api.patch("admin", f"/api/v1/hazards/{a.id}", json={"version": 1, "place": "x"}), 403)


# --- the workflow --------------------------------------------------------------------------------


def test_transitions_follow_the_workflow_rules(api, ledger, units):
    a = ledger[0]
    body_org, unit = units
    offered = api.get("county", f"/api/v1/hazards/{a.id}/transitions").get_json()
    assert {t["action"] for t in offered["items"]} >= {"verify", "reject", "merge"}
    reject = next(t for t in offered["items"] if t["action"] == "reject")
    assert reject["missing"] == ["reason"]
    assert api.get("inspector", f"/api/v1/hazards/{a.id}/transitions").get_json()["items"][0]["action"] == "fix_on_spot"

    assert_problem(api.post("inspector", f"/api/v1/hazards/{a.id}/transitions", json={"action": "verify"}),
                   403, "forbidden")
    assert_problem(api.post("county", f"/api/v1/hazards/{a.id}/transitions", json={"action": "accept"}),
                   409, "transition_not_allowed")
    assert_problem(api.post("county", f"/api/v1/hazards/{a.id}/transitions", json={"action": "fly"}), 422)
    verified = api.post("county", f"/api/v1/hazards/{a.id}/transitions", json={"action": "verify", "version": 1})
    assert verified.status_code == 200 and verified.get_json()["status"] == "verified"

    missing = assert_problem(api.post("county", f"/api/v1/hazards/{a.id}/transitions",
                                      json={"action": "list", "level": "county"}), 422, "requirements_missing")
    assert missing["missing"] == ["deadline", "supervising_body"]
    assert missing["missing_labels"] == ["a deadline", "a supervising body"]
    assert_problem(api.post("county", f"/api/v1/hazards/{a.id}/transitions",
                            json={"action": "list", "level": "city", "version": 2}), 403)  # above their level
    assert_problem(api.post("county", f"/api/v1/hazards/{a.id}/transitions",
                            json={"action": "list", "version": 1}), 409, "conflict")
    listed = api.post("county", f"/api/v1/hazards/{a.id}/transitions", json={
        "action": "list", "level": "county", "deadline": (TODAY + timedelta(days=90)).isoformat(),
        "supervising_body_id": body_org.id, "document_no": "忻府安办〔2024〕3号", "version": 2})
    assert listed.status_code == 200, listed.get_json()
    assert listed.get_json()["level"] == "county" and listed.get_json()["supervising_body"]["id"] == body_org.id
    assert_problem(api.post("other_county", f"/api/v1/hazards/{a.id}/transitions", json={"action": "assign"}), 404)


# --- funding and attachments ---------------------------------------------------------------------


def test_funding_lines_in_yuan(api, ledger):
    a = ledger[0]
    spent = api.post("inspector", f"/api/v1/hazards/{a.id}/funding",
                     json={"kind": "spending", "source": "county", "amount": "12500.5", "entry_date": "2024-05-02"})
    assert spent.status_code == 201 and spent.get_json()["amount"] == "12500.50"
    assert_problem(api.post("inspector", f"/api/v1/hazards/{a.id}/funding",
                            json={"kind": "budget", "source": "county", "amount": "1.00"}), 403)
    assert api.post("county", f"/api/v1/hazards/{a.id}/funding",
                    json={"kind": "budget", "source": "city", "amount": "185000"}).status_code == 201
    for amount in (12500.5, "-3", "1.234", "abc"):
        body = assert_problem(api.post("inspector", f"/api/v1/hazards/{a.id}/funding",
                                       json={"kind": "spending", "source": "county", "amount": amount}), 422)
        assert "amount" in body["fields"]
    assert_problem(api.post("inspector", f"/api/v1/hazards/{a.id}/funding",
                            json={"kind": "spending", "source": "county", "amount": "0"}), 422)
    listing = api.get("inspector", f"/api/v1/hazards/{a.id}/funding").get_json()
    assert listing["totals"] == {"budget": "185000.00", "allocation": "0.00", "spending": "12500.50"}
    assert [e["amount"] for e in listing["items"]] == ["12500.50", "185000.00"]


def test_attachments_upload_and_list(api, ledger, app):
    a = ledger[0]
    uploaded = api.post("inspector", f"/api/v1/hazards/{a.id}/attachments",
                        data={"file": (io.BytesIO(jpeg()), "现场.jpg"), "phase": "before",
                              "caption": "整改前"}, content_type="multipart/form-data")
    assert uploaded.status_code == 201, uploaded.get_json()
    item = uploaded.get_json()
    assert item["phase"] == "before" and item["content_type"] == "image/jpeg" and len(item["sha256"]) == 64
    assert api.get("inspector", item["download_url"]).status_code == 200  # the web route takes the token too
    listed = api.get("county", f"/api/v1/hazards/{a.id}/attachments").get_json()["items"]
    assert [x["id"] for x in listed] == [item["id"]]

    not_image = assert_problem(api.post("inspector", f"/api/v1/hazards/{a.id}/attachments",
                                        data={"file": (io.BytesIO(b"hello"), "a.jpg")},
                                        content_type="multipart/form-data"), 422)
    assert not_image["fields"] == {"file": "type"}
    body = assert_problem(api.post("inspector", f"/api/v1/hazards/{a.id}/attachments", data={"phase": "later"},
                                   content_type="multipart/form-data"), 422)
    assert set(body["fields"]) == {"file", "phase"}
    assert_problem(api.post("inspector", f"/api/v1/hazards/{a.id}/attachments", json={}), 415)
    assert_problem(api.post("admin", f"/api/v1/hazards/{a.id}/attachments",
                            data={"file": (io.BytesIO(jpeg()), "a.jpg")},
                            content_type="multipart/form-data"), 403)


# --- the inbox -----------------------------------------------------------------------------------


def test_notifications_are_the_callers_own(api, session, people):
    mine = [Notification(user_id=people["inspector"].id, title=f"提醒{i}", body="…") for i in range(3)]
    theirs = Notification(user_id=people["county"].id, title="别人的", body="…")
    session.add_all([*mine, theirs])
    session.commit()
    first = api.get("inspector", "/api/v1/notifications?limit=2").get_json()
    assert [n["title"] for n in first["items"]] == ["提醒2", "提醒1"] and first["next_cursor"]
    rest = api.get("inspector", first["links"]["next"]).get_json()
    assert [n["title"] for n in rest["items"]] == ["提醒0"] and rest["next_cursor"] is None

    read = api.post("inspector", f"/api/v1/notifications/{mine[0].id}/read")
    assert read.status_code == 200 and read.get_json()["read"] is True
    assert_problem(api.post("inspector", f"/api/v1/notifications/{theirs.id}/read"), 404)
    unread = api.get("inspector", "/api/v1/notifications?unread=1").get_json()["items"]
    assert {n["title"] for n in unread} == {"提醒1", "提醒2"}
    assert api.post("inspector", "/api/v1/notifications/read").get_json() == {"marked": 2}
    assert api.get("inspector", "/api/v1/notifications?unread=1").get_json()["items"] == []
    assert api.get("county", "/api/v1/notifications?unread=1").get_json()["items"][0]["title"] == "别人的"
