"""GET /api/v1/crashes: the caller's crashes only, the list's filters, keyset pages, 400 for a wrong filter."""

from __future__ import annotations

from datetime import date

from tests.api.helpers import assert_problem
from tests.factories import XINFU_POINT, crash


def made(session):
    crash(session, "A-1", date(2024, 3, 1), route_code="G208", stake_m=1_052_300, deaths=1, injuries=2, form="正面相撞")
    crash(session, "A-2", date(2024, 3, 2), lonlat=XINFU_POINT)
    crash(session, "A-3", date(2024, 3, 3), lonlat=XINFU_POINT, injuries=1)
    crash(session, "B-1", date(2024, 3, 4), jurisdiction="140981", lonlat=(112.7, 38.7))
    session.commit()


def test_a_county_reads_its_own_crashes_newest_first_page_by_page(api, session):
    made(session)
    first = api.get("county", "/api/v1/crashes?limit=2")
    assert first.status_code == 200
    body = first.get_json()
    assert [c["source_id"] for c in body["items"]] == ["A-3", "A-2"]
    assert body["items"][0]["occurred_at"] == "2024-03-03T04:00:00Z" and body["items"][0]["occurred_on"] == "2024-03-03"
    assert body["items"][0]["lon"] == XINFU_POINT[0] and body["items"][0]["jurisdiction_name"] == "忻府区"
    rest = api.get("county", body["links"]["next"]).get_json()
    assert [c["source_id"] for c in rest["items"]] == ["A-1"] and rest["next_cursor"] is None
    a1 = rest["items"][0]
    assert (a1["stake"], a1["lon"], a1["deaths"], a1["form"]) == ("K1052+300", None, 1, "正面相撞")


def test_filters_and_what_another_county_sees(api, session):
    made(session)

    def ids(who, query):
        return [c["source_id"] for c in api.get(who, f"/api/v1/crashes?{query}").get_json()["items"]]

    assert ids("city", "fatal=1") == ["A-1"]
    assert ids("city", "route=g208") == ["A-1"]
    assert ids("city", "from=2024-03-02&to=2024-03-03") == ["A-3", "A-2"]
    assert ids("city", "jurisdiction=140981") == ["B-1"]
    assert ids("other_county", "") == ["B-1"]
    assert ids("other_county", "jurisdiction=140902") == []
    assert ids("inspector", "") == ["A-3", "A-2", "A-1"]


def test_wrong_filters_are_400_naming_them(api, session):
    problem = assert_problem(api.get("county", "/api/v1/crashes?from=yesterday&fatal=maybe"), 400, "invalid_parameter")
    assert set(problem["fields"]) == {"from", "fatal"}
    assert_problem(api.get("county", "/api/v1/crashes?colour=red"), 400, "invalid_parameter")
    assert_problem(api.get("county", "/api/v1/crashes?cursor=abc"), 400, "invalid_parameter")
    assert api.get(None, "/api/v1/crashes").status_code == 401
