"""The funding ledger over the API: amounts in yuan without another unit, confirmation above the
plausibility limit, reversing lines, and money after closure (决算)."""

from __future__ import annotations

import pytest

from hazards import clock
from tests.api.helpers import assert_problem
from tests.factories import county_hazard

TODAY = clock.today()


def post_line(api, who, hazard, amount, **extra):
    return api.post(who, f"/api/v1/hazards/{hazard.id}/funding",
                    json={"kind": "spending", "source": "county", "amount": amount, **extra})


def test_an_amount_in_wan_is_refused_in_the_yuan_field_saying_what_to_send(api, ledger):
    body = assert_problem(post_line(api, "inspector", ledger[0], "8.5万"), 422)
    assert "85000" in body["fields"]["amount"]
    assert api.get("inspector", f"/api/v1/hazards/{ledger[0].id}/funding").get_json()["items"] == []


def test_a_line_above_the_limit_needs_confirm_large(api, ledger):
    a = ledger[0]
    assert_problem(post_line(api, "inspector", a, "850000000.00"), 422, "amount_needs_confirmation")
    assert_problem(post_line(api, "inspector", a, "850000000.00", confirm_large=False), 422,
                   "amount_needs_confirmation")
    assert api.get("inspector", f"/api/v1/hazards/{a.id}/funding").get_json()["items"] == []
    made = post_line(api, "inspector", a, "850000000.00", confirm_large=True)
    assert made.status_code == 201 and made.get_json()["amount"] == "850000000.00"
    assert post_line(api, "inspector", a, "50000000.00").status_code == 201  # at the limit itself: no question


def test_a_reversal_voids_a_line_once(api, ledger):
    a = ledger[0]
    post_line(api, "inspector", a, "85000.00")
    wrong = post_line(api, "inspector", a, "850000.00").get_json()
    reversed_ = api.post("inspector", f"/api/v1/hazards/{a.id}/funding/{wrong['id']}/reversal",
                         json={"reason": "多录一位"})
    assert reversed_.status_code == 201, reversed_.get_json()
    assert {k: reversed_.get_json()[k] for k in ("amount", "reverses_id", "reversal_reason", "entry_date")} == {
        "amount": "-850000.00", "reverses_id": wrong["id"], "reversal_reason": "多录一位",
        "entry_date": wrong["entry_date"]}
    listing = api.get("county", f"/api/v1/hazards/{a.id}/funding").get_json()
    assert listing["totals"]["spending"] == "85000.00"
    assert api.get("county", f"/api/v1/hazards/{a.id}").get_json()["funding_totals"]["spending"] == "85000.00"
    assert_problem(api.post("inspector", f"/api/v1/hazards/{a.id}/funding/{wrong['id']}/reversal",
                            json={"reason": "再冲"}), 409, "conflict")
    assert_problem(api.post("inspector", f"/api/v1/hazards/{a.id}/funding/{reversed_.get_json()['id']}/reversal",
                            json={"reason": "冲销冲销"}), 409, "conflict")
    assert_problem(api.post("inspector", f"/api/v1/hazards/{a.id}/funding/{wrong['id']}/reversal", json={}), 422)
    # A line is named through its own hazard: another hazard's path does not reach it.
    assert_problem(api.post("inspector", f"/api/v1/hazards/{ledger[1].id}/funding/{wrong['id']}/reversal",
                            json={"reason": "错"}), 404)
    assert len(api.get("county", f"/api/v1/hazards/{a.id}/funding").get_json()["items"]) == 3


@pytest.fixture
def closed(session, people):
    return county_hazard(session, people["county"], closed=True)


def test_a_supervisor_adds_spending_after_closure_an_inspector_cannot(api, closed):
    assert_problem(post_line(api, "inspector", closed, "2000.00"), 403, "forbidden")
    assert post_line(api, "county", closed, "2000.00", note="决算").status_code == 201
    assert api.get("county", f"/api/v1/hazards/{closed.id}/funding").get_json()["totals"]["spending"] == "2000.00"
