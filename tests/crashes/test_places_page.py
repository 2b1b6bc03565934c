"""The crash-prone places page and its GeoJSON: what a supervisor sees and does there."""

from __future__ import annotations

from datetime import timedelta

import re

import pytest
from sqlalchemy import select

from hazards import clock
from hazards.domain.enums import CrashLink, Source
from hazards.models import Hazard, HazardCrash
from tests import factories
from tests.crashes import planted
from tests.crashes.planted import PLACES, RULE

SETTINGS = {"CRASH_MIN_CRASHES": RULE.min_crashes, "CRASH_MIN_DEATHS": RULE.min_deaths,
            "CRASH_MIN_FATAL": RULE.min_fatal}


@pytest.fixture
def crashes(app, session, people, monkeypatch):
    for name, value in SETTINGS.items():
        monkeypatch.setitem(app.config, name, value)
    made = planted.plant(session, clock.today())
    session.commit()
    return made


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_the_page_states_the_rule_and_ranks_the_places(client, auth, people, crashes):
    auth.login(people["county"])
    page = client.get("/crashes/places")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "36个月内，发生事故不少于5起，或死亡不少于4人，或死亡事故不少于3起" in html
    assert "排序：先按死亡人数，再按死亡事故起数，再按事故起数" in html
    ranked = re.findall(r'<td class="num">(\d+)</td>\s*<td>(?:<a [^>]+>)?([^<]+)<', html)
    assert [(n, where.strip()) for n, where in ranked][:2] == [("1", "S311 K20+000~K20+300"), ("2", "X012 K3+000~K3+450")]
    assert len(ranked) == 5
    assert html.count('class="place-map"') == 5


def test_the_page_names_a_closed_hazard_that_was_there(client, auth, session, people, crashes):
    from shapely.geometry import Point

    from hazards.domain.enums import Status, SupervisionLevel
    from hazards.permissions import SYSTEM
    from hazards.services.registration import report_hazard

    # Closed 100 days ago, before the radius place's crashes (40 to 65 days ago): they are a new case.
    long_ago = clock.today() - timedelta(days=100)
    closed = report_hazard(session, factories.draft(
        title="旧隐患", found_on=long_ago, batch_year=long_ago.year, route_code=None, start_m=None,
        geometry=Point(112.70, planted.LAT + 100 / 110_574), level=SupervisionLevel.COUNTY, status=Status.CLOSED,
        completed_on=long_ago, closed_on=long_ago, listed_on=long_ago, deadline=long_ago), actor=SYSTEM)
    session.commit()
    auth.login(people["county"])
    html = client.get("/crashes/places").get_data(as_text=True)
    assert f"此处曾有已销号隐患 {closed.code}" in html


def test_a_bad_date_is_a_400_not_a_500(client, auth, people, crashes):
    auth.login(people["county"])
    assert client.get("/crashes/places?from=2026-02-30").status_code == 400
    assert client.get("/crashes/places?from=2026-02-01&to=2025-01-01").status_code == 422
    assert client.get("/crashes/places?jurisdiction=140981").status_code == 404
    assert client.get("/api/v1/crash-places?to=yesterday").status_code == 400


def test_inspectors_and_admins_are_refused(client, auth, people, crashes):
    for who in ("inspector", "county_admin"):
        auth.login(people[who])
        assert client.get("/crashes/places").status_code == 403
        assert client.get("/api/v1/crash-places").status_code == 403
        auth.logout()


def test_registering_from_the_page_opens_the_new_hazard_and_a_second_time_is_a_409(client, auth, session, people,
                                                                                      crashes):
    auth.login(people["county"])
    html = client.get("/crashes/places").get_data(as_text=True)
    ids = planted.ids_of(crashes, PLACES["by_crashes"])
    form = {"csrf_token": _csrf(html), "crash_ids": [str(i) for i in ids]}
    done = client.post("/crashes/places/register", data=form)
    assert done.status_code == 303
    hazard = session.scalar(select(Hazard).where(Hazard.source == Source.CRASH_REVIEW))
    assert done.headers["Location"].endswith(f"/hazards/{hazard.id}")
    assert hazard.title == "G208线K1060+000~K1060+400段事故多发"
    again = client.post("/crashes/places/register", data=form)
    assert again.status_code == 409
    assert f"已关联隐患 {hazard.code}" in again.get_data(as_text=True)
    assert "K1060+000" not in client.get("/crashes/places").get_data(as_text=True)


def test_marking_covered_from_the_page(client, auth, session, people, crashes):
    existing = factories.county_hazard(session, people["county"])
    auth.login(people["county"])
    html = client.get("/crashes/places").get_data(as_text=True)
    ids = planted.ids_of(crashes, PLACES["by_radius"])
    form = {"csrf_token": _csrf(html), "crash_ids": [str(i) for i in ids], "hazard_code": "NO-SUCH"}
    missing = client.post("/crashes/places/cover", data=form)
    assert missing.status_code == 404
    form["hazard_code"] = existing.code
    assert client.post("/crashes/places/cover", data=form).status_code == 303
    links = session.scalars(select(HazardCrash.link).where(HazardCrash.hazard_id == existing.id)).all()
    assert links == [CrashLink.COVERED] * 6
    assert client.post("/crashes/places/cover", data=form).status_code == 409  # decided already


def test_an_inspector_cannot_post_a_decision(client, auth, people, crashes):
    auth.login(people["inspector"])
    html = client.get("/hazards").get_data(as_text=True)
    ids = planted.ids_of(crashes, PLACES["by_crashes"])
    response = client.post("/crashes/places/register", data={"csrf_token": _csrf(html),
                                                             "crash_ids": [str(i) for i in ids]})
    assert response.status_code == 403


def test_the_geojson_serves_the_places_in_rank_order(client, auth, people, crashes):
    auth.login(people["city"])
    body = client.get("/api/v1/crash-places?jurisdiction=140900").get_json()
    assert [f["properties"]["rank"] for f in body["features"]] == [1, 2, 3, 4, 5, 6]
    first = body["features"][0]
    assert first["properties"]["stakes"] == "K20+000~K20+300" and first["properties"]["deaths"] == 4
    assert first["geometry"] is None  # S311 is not in the road network and its crashes have no point
    radius = next(f for f in body["features"] if f["properties"]["kind"] == "radius")
    assert radius["geometry"]["type"] == "Point"
    assert client.get("/api/v1/crash-places?jurisdiction=140981").get_json()["features"] == []


def test_the_map_offers_the_places_layer_to_supervisors_only(client, auth, people, crashes):
    auth.login(people["county"])
    assert "js/crash-places-layer.js" in client.get("/map").get_data(as_text=True)
    auth.logout()
    auth.login(people["inspector"])
    assert "js/crash-places-layer.js" not in client.get("/map").get_data(as_text=True)
