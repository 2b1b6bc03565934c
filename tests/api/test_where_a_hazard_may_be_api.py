"""The API's side of location sanity and 下行 sections (issue 12, finding 13); the rules themselves are
tested in tests/web/test_where_a_hazard_may_be.py."""

from __future__ import annotations

from tests.web.test_where_a_hazard_may_be import IN_YUANPING, boundaries  # noqa: F401 (a fixture)


def test_the_api_refuses_a_misplaced_hazard_with_a_field_error(api, boundaries):
    response = api.post("inspector", "/api/v1/hazards", headers={"Accept-Language": "zh"}, json={
        "title": "错位", "jurisdiction_code": "140902",
        "geometry": {"type": "Point", "coordinates": list(IN_YUANPING)}})
    assert response.status_code == 422
    body = response.get_json()
    assert "location" in body["fields"] and "原平市" in body["detail"]



def test_the_api_takes_a_descending_section_too(api, session):
    response = api.post("inspector", "/api/v1/hazards", json={
        "title": "下行段", "jurisdiction_code": "140902", "route_code": "G208", "start_m": 262505, "end_m": 257015,
        "geometry": {"type": "LineString", "coordinates": [[112.70, 38.40], [112.71, 38.405]]}})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["start_m"], body["end_m"], body["direction"]) == (257015, 262505, "down")


def test_stakes_edited_high_stake_first_are_kept_low_stake_first(api, session):
    made = api.post("inspector", "/api/v1/hazards", json={
        "title": "路段", "jurisdiction_code": "140902", "route_code": "G208", "start_m": 257015, "end_m": 258000,
        "geometry": {"type": "LineString", "coordinates": [[112.70, 38.40], [112.71, 38.405]]}}).get_json()
    edited = api.patch("inspector", f"/api/v1/hazards/{made['id']}",
                       json={"version": made["version"], "start_m": 262505, "end_m": 257015})
    assert edited.status_code == 200, edited.get_json()
    body = edited.get_json()
    assert (body["start_m"], body["end_m"], body["direction"]) == (257015, 262505, "down")
