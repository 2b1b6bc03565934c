"""The API list keeps its page statements between requests (hazards.queries.api_list): what a caller
gets must still follow who they are now, what they filter, and whether their token still holds."""

from __future__ import annotations

from sqlalchemy import select

from hazards.models import ApiToken
from hazards.services.tokens import revoke_token
from tests.api.helpers import assert_problem


def _ids(api, who, query=""):
    """Every hazard id of the list for `who`, following the next links a page of one at a time."""
    seen, url = [], "/api/v1/hazards?limit=1" + query
    while url:
        response = api.get(who, url)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        seen += [h["id"] for h in body["items"]]
        url = body["links"].get("next")
    return seen


def test_callers_of_two_counties_taking_turns_each_see_their_own(api, ledger):
    xinfu, yuanping = {h.id for h in ledger[:3]}, {ledger[3].id}
    for _ in range(2):
        assert set(_ids(api, "inspector")) == xinfu
        assert set(_ids(api, "other_inspector")) == yuanping
        assert set(_ids(api, "city")) == xinfu | yuanping


def test_a_caller_moved_to_another_county_sees_that_county_at_once(api, session, people, ledger):
    assert set(_ids(api, "inspector")) == {h.id for h in ledger[:3]}
    people["inspector"].jurisdiction_code = "140981"
    session.commit()
    assert set(_ids(api, "inspector")) == {ledger[3].id}


def test_each_filter_gives_its_own_page(api, ledger):
    everything = _ids(api, "city")
    assert _ids(api, "city", "&category=junction") == [ledger[2].id]
    assert _ids(api, "city", "&jurisdiction=140981") == [ledger[3].id]
    assert _ids(api, "city", "&sort=id") == sorted(everything)
    assert _ids(api, "city") == everything


def test_a_revoked_token_and_a_deactivated_user_are_refused_on_the_very_next_call(api, session, people, ledger):
    assert _ids(api, "county") and _ids(api, "other_county")
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == people["county"].id))
    revoke_token(session, people["county"], token.id)
    people["other_county"].active = False
    session.commit()
    assert_problem(api.get("county", "/api/v1/hazards"), 401, "invalid_token")
    assert_problem(api.get("other_county", "/api/v1/hazards"), 401, "invalid_token")
