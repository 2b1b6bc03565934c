"""GET /api/docs: the API reference page, rendered on the server from the OpenAPI document."""

from __future__ import annotations

import re

from hazards.api.openapi import build_document


def test_the_reference_page_in_chinese_lists_every_operation(client):
    response = client.get("/api/docs", headers={"Accept-Language": "zh-CN,zh;q=0.9"})  # public, like the document
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<title>API 接口文档</title>" in page and "接口列表" in page and "请求体" in page and "状态码" in page
    assert 'href="/api/v1/openapi.json"' in page and re.search(r'href="/ogc/?"', page)
    for path in ("/api/v1/hazards", "/api/v1/hazards/{hazard_id}/transitions", "/api/v1/reports", "/api/v1/import",
                 "/ogc/collections/{collectionId}/items"):
        assert f'<span class="api-path">{path}</span>' in page, path

    doc = build_document("test")
    operations = [op for item in doc["paths"].values() for method, op in item.items() if method != "parameters"]
    for op in operations:
        assert f'id="op-{op["operationId"]}"' in page, op["operationId"]
    for name in doc["components"]["schemas"]:
        assert f'id="schema-{name}"' in page, name
    # What an operation says: its summary, a parameter, the request body's form fields, the responses.
    assert "Import a ledger file (CSV, XLSX or GeoJSON)" in page
    assert "<code>skip_invalid</code>" in page and "multipart/form-data" in page
    assert "<code>min_rank</code>" in page and 'href="#schema-CompletionReport"' in page


def test_the_page_fetches_nothing_from_elsewhere(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert not re.search(r'<script[^>]*\bsrc=', page)
    stylesheets = re.findall(r'<link[^>]*href="([^"]+)"', page)
    assert stylesheets and all(href.startswith("/") for href in stylesheets)
    assert "swagger" not in page.lower() and "cdn" not in page.lower()


def test_the_page_in_english(client):
    page = client.get("/api/docs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<title>API reference</title>" in page and "Request body" in page


def test_the_tokens_page_links_to_it(client, auth, session):
    from tests.factories import user

    person = user(session, "inspector", "140902")
    session.commit()
    auth.login(person)
    page = client.get("/profile/tokens").get_data(as_text=True)
    assert 'href="/api/docs"' in page and 'href="/api/v1/openapi.json"' in page
