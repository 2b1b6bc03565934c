"""Assertions shared by the API tests."""

from __future__ import annotations


def assert_problem(response, status: int, code: str | None = None) -> dict:
    """The response is a problem document with this status (and code)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and "detail" in body and body["type"]
    assert "Traceback" not in response.get_data(as_text=True)
    if code:
        assert body["code"] == code, body
    return body
