"""The OpenAPI document lists exactly what the server routes, and GDAL finds its paging limits there."""

from __future__ import annotations

import re

from tests.api.helpers import assert_problem


def _server_operations(app) -> set[tuple[str, str]]:
    operations = set()
    for rule in app.url_map.iter_rules():
        path = str(rule)
        if not path.startswith(("/api/v1", "/ogc")):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", path).rstrip("/") or "/"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operations.add((path, method.lower()))
    return operations


def _documented_operations(doc) -> set[tuple[str, str]]:
    methods = {"get", "post", "put", "patch", "delete"}
    return {(path, method) for path, item in doc["paths"].items() for method in item if method in methods}


def test_every_route_is_documented_and_nothing_else(app, client):
    response = client.get("/api/v1/openapi.json")  # public: no token needed
    assert response.status_code == 200 and response.mimetype == "application/vnd.oai.openapi+json"
    doc = response.get_json()
    assert doc["openapi"].startswith("3.0")
    server = {(re.sub(r"\{collection_id\}", "{collectionId}", p).replace("{feature_id}", "{featureId}"), m)
              for p, m in _server_operations(app)}
    assert server == _documented_operations(doc)
    assert any(p.startswith("/api/v1/") for p, _ in server)


def test_operations_have_ids_and_documented_errors(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    ids = []
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            ids.append(operation["operationId"])
            statuses = set(operation["responses"])
            assert statuses & {"200", "201"}, (path, method)
            if operation.get("security") != []:
                assert "401" in statuses, (path, method)
    assert len(ids) == len(set(ids))


def test_every_reference_resolves(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    text = client.get("/api/v1/openapi.json").get_data(as_text=True)
    for name in set(re.findall(r'"#/components/schemas/([^"]+)"', text)):
        assert name in doc["components"]["schemas"], name


def test_money_is_documented_as_yuan_strings(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    amount = schemas["FundingEntry"]["properties"]["amount"]
    assert amount["type"] == "string" and "yuan" in amount["description"]


def test_the_ogc_items_limit_matches_the_server(api, client, people, tokens):
    doc = client.get("/api/v1/openapi.json").get_json()
    limit = next(p for p in doc["paths"]["/ogc/collections/{collectionId}/items"]["get"]["parameters"]
                 if p["name"] == "limit")["schema"]
    ok = api.get("inspector", f"/ogc/collections/hazards/items?limit={limit['maximum']}")
    assert ok.status_code == 200
    assert_problem(api.get("inspector", f"/ogc/collections/hazards/items?limit={limit['maximum'] + 1}"), 400)
