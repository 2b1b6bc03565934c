"""Input that once made the API answer 500 (issue 12, finding 11) is a problem document with a 4xx, on
both backends: characters no database column stores, JSON nested to exhaust the stack, malformed
GeoJSON and CSV in an import, an unknown organization, a date of year 1, numbers past any column."""

from __future__ import annotations

import io
import json

import pytest

from hazards.models import Hazard
from tests.api.helpers import assert_problem

POINT = {"type": "Point", "coordinates": [112.734, 38.417]}
TWENTY_DIGITS = "9" * 20


def _post_raw(api, who, path, text: str):
    return api.post(who, path, data=text.encode("utf-8", "surrogatepass"), content_type="application/json")


@pytest.mark.parametrize("title", ["井\x00盖", "\ud800井盖"], ids=["nul", "lone-surrogate"])
def test_a_string_no_column_can_store_is_refused(api, session, title):
    before = session.query(Hazard).count()
    body = assert_problem(_post_raw(api, "inspector", "/api/v1/hazards",
                                    json.dumps({"title": title, "geometry": POINT})), 400, "invalid_json")
    assert "NUL" in body["detail"] or "surrogate" in body["detail"]
    # anywhere in the body: a key, a nested value, an action's reason
    assert_problem(_post_raw(api, "inspector", "/api/v1/hazards",
                             json.dumps({"title": "井盖", "geometry": POINT, "categories": [title]})), 400)
    assert_problem(_post_raw(api, "inspector", "/api/v1/hazards", json.dumps({title: 1})), 400)
    assert session.query(Hazard).count() == before


def test_a_string_no_column_can_store_is_refused_in_every_body(api, ledger):
    a = ledger[0]
    for path, body in [(f"/api/v1/hazards/{a.id}", {"version": 1, "place": "\ud800"}),
                       (f"/api/v1/hazards/{a.id}/transitions", {"action": "verify", "reason": "x\x00"}),
                       (f"/api/v1/hazards/{a.id}/funding",
                        {"kind": "budget", "amount": "1.00", "entry_date": "2024-01-01", "note": "\udfff"})]:
        method = "PATCH" if path.endswith(str(a.id)) else "POST"
        response = api("county", method, path, data=json.dumps(body).encode(), content_type="application/json")
        assert_problem(response, 400, "invalid_json")


def test_json_nested_a_hundred_thousand_deep_is_refused(api):
    deep = '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}"
    body = assert_problem(_post_raw(api, "inspector", "/api/v1/hazards", deep), 400, "invalid_json")
    assert "nested" in body["detail"]
    assert_problem(_post_raw(api, "inspector", "/api/v1/hazards", '{"a": ' + "[" * 40 + "]" * 40 + "}"), 400)


def test_a_date_of_year_one_is_a_field_error(api, ledger):
    body = assert_problem(api.post("inspector", "/api/v1/hazards", json={
        "title": "井盖", "geometry": POINT, "found_on": "0001-01-01"}), 422)
    assert "found_on" in body["fields"]
    a = ledger[0]
    funding = assert_problem(api.post("county", f"/api/v1/hazards/{a.id}/funding", json={
        "kind": "budget", "amount": "1.00", "entry_date": "0001-01-01"}), 422)
    assert "entry_date" in funding["fields"]
    # a discovery date the ledger may hold, but whose year, the default batch, it may not
    old = assert_problem(api.post("inspector", "/api/v1/hazards", json={
        "title": "井盖", "geometry": POINT, "found_on": "1999-05-01"}), 422)
    assert "batch_year" in old["fields"]


def test_an_unknown_supervising_body_is_a_field_error(api, ledger):
    a = ledger[0]
    assert api.post("county", f"/api/v1/hazards/{a.id}/transitions", json={"action": "verify"}).status_code == 200
    body = assert_problem(api.post("county", f"/api/v1/hazards/{a.id}/transitions", json={
        "action": "list", "level": "county", "deadline": "2099-01-01", "supervising_body_id": 999999}), 422)
    assert body["fields"] == {"supervising_body_id": "unknown"}
    assert "999999" in body["detail"]


@pytest.mark.parametrize("path", [
    f"/api/v1/hazards?batch_year={TWENTY_DIGITS}", f"/api/v1/hazards?limit={TWENTY_DIGITS}",
    "/api/v1/hazards?batch_year=²⁰²⁴", "/api/v1/hazards?limit=²",
    f"/ogc/collections/hazards/items?offset={TWENTY_DIGITS}", f"/ogc/collections/hazards/items?limit={TWENTY_DIGITS}",
    "/ogc/collections/hazards/items?limit=²", f"/api/v1/notifications?limit={TWENTY_DIGITS}",
    f"/api/v1/reports?year={TWENTY_DIGITS}", f"/api/v1/reports?year=2024&min_rank={TWENTY_DIGITS}",
])
def test_numbers_past_any_column_in_query_parameters_are_400(api, ledger, path):
    assert_problem(api.get("city", path), 400)


@pytest.mark.parametrize("path", [f"/api/v1/hazards/{TWENTY_DIGITS}", f"/ogc/collections/hazards/items/{TWENTY_DIGITS}",
                                  "/ogc/collections/hazards/items/²"])
def test_ids_past_any_column_are_404(api, ledger, path):
    assert_problem(api.get("city", path), 404)


def _import(api, name: str, content: bytes):
    """A file import asked for in English, so the file errors' wording can be checked here (the
    Chinese wording is checked by tests/api/test_import_api.py)."""
    return api.post("county", "/api/v1/import", data={"file": (io.BytesIO(content), name), "dry_run": "false"},
                    content_type="multipart/form-data", headers={"Accept-Language": "en"})


def test_a_geojson_crs_given_as_a_string_is_a_file_error(api):
    feature = {"type": "Feature", "geometry": POINT, "properties": {"隐患名称": "井盖"}}
    text = json.dumps({"type": "FeatureCollection", "crs": "EPSG:4326", "features": [feature]})
    body = assert_problem(_import(api, "ledger.geojson", text.encode()), 422, "import_refused")
    assert "crs" in body["fields"]["file"]


def test_a_geojson_file_nested_deep_or_with_a_nul_is_a_file_error(api):
    deep = '{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert "nested" in assert_problem(_import(api, "deep.geojson", deep.encode()), 422)["fields"]["file"]
    feature = {"type": "Feature", "geometry": POINT, "properties": {"隐患名称": "井\x00盖"}}
    nul = json.dumps({"type": "FeatureCollection", "features": [feature]})
    assert "NUL" in assert_problem(_import(api, "nul.geojson", nul.encode()), 422)["fields"]["file"]


def test_a_csv_field_over_128_kb_is_a_file_error(api):
    header = "隐患名称,经度,纬度,辖区代码,发现日期\n"
    text = header + "井盖,112.734,38.417,140902,2024-03-01\n" + '"' + "长" * 140_000 + '",112.734,38.417,140902,2024-03-01\n'
    body = assert_problem(_import(api, "ledger.csv", text.encode()), 422, "import_refused")
    assert "line 3" in body["fields"]["file"] and "131072" in body["fields"]["file"]


def test_a_nul_past_the_first_64_kb_of_a_csv_is_a_file_error(api):
    header = "隐患名称,经度,纬度,辖区代码,发现日期\n"
    text = header + "井盖,112.734,38.417,140902,2024-03-01\n" * 3000 + "井\x00盖,112.734,38.417,140902,2024-03-01\n"
    body = assert_problem(_import(api, "ledger.csv", text.encode()), 422, "import_refused")
    assert "NUL" in body["fields"]["file"]


def test_a_date_of_year_one_in_an_import_or_a_report_period_is_refused(api):
    text = "隐患名称,经度,纬度,辖区代码,发现日期\n井盖,112.734,38.417,140902,0001-01-01\n"
    body = assert_problem(_import(api, "ledger.csv", text.encode()), 422, "import_refused")
    assert body["errors"] and body["errors"][0]["row"] == 2
    assert_problem(api.get("city", "/api/v1/reports?jurisdiction=140900&from=0001-01-01&to=0001-12-31"), 400)
    assert_problem(api.get("city", "/api/v1/reports?jurisdiction=140900&from=9999-12-01&to=9999-12-31"), 400)
