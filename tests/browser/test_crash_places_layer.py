"""The supervisor's map layer of crash-prone places (事故多发点段（候选）) in headless Chromium: off until its
checkbox is ticked; then a section drawn along its road and a ring around crashes off the network, in
the strong colour when people died; a click reads as text and leads to the list of places. Inspectors
have no such checkbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from shapely.geometry import MultiPolygon, box

from geo.geometry import to_ewkt
from hazards import clock
from hazards import db as hazards_db
from hazards.domain.enums import RoadClass
from hazards.models import Jurisdiction
from hazards.services.roads import add_road
from tests.factories import crash, user

TODAY = clock.today()
ROAD = [(112.52, 38.30), (112.70, 38.40), (112.90, 38.55)]
LABEL = "事故多发点段（候选）"


@pytest.fixture(scope="module")
def logins(served):
    """G208 through Xinfu with five crashes within 400 m of one another (two deaths), a road the ledger
    knows; five crashes placed by a point only within 60 m of one another, nobody killed; crashes
    strewn elsewhere too far apart to count. A city supervisor and a county inspector."""
    _, app = served
    with app.app_context():
        session = hazards_db.get_session()
        session.get(Jurisdiction, "140902").boundary = to_ewkt(MultiPolygon([box(112.5, 38.25, 112.95, 38.6)]))
        add_road(session, route_code="G208", division_code="140900", road_class=RoadClass.NATIONAL,
                 coords=ROAD, start_m=1040000)
        for k in range(5):
            crash(session, f"P-ROAD-{k}", TODAY - timedelta(days=20 + k), route_code="G208",
                  stake_m=1050000 + 100 * k, deaths=1 if k in (1, 3) else 0, injuries=1)
            crash(session, f"P-RING-{k}", TODAY - timedelta(days=40 + k), lonlat=(112.60 + 0.00015 * k, 38.50))
            crash(session, f"P-FAR-{k}", TODAY - timedelta(days=60 + k), route_code="G208",
                  stake_m=1060000 + 3000 * k)
        supervisor = user(session, "supervisor", "140900", login="city.places")
        inspector = user(session, "inspector", "140902", login="county.inspector")
        session.commit()
        return {"supervisor": supervisor.login, "inspector": inspector.login}


def _ready(visit):
    visit.go("/map")
    visit.page.wait_for_function("() => document.getElementById('map-status').textContent.length > 0")


def test_ticking_the_checkbox_draws_the_places_and_a_click_reads_as_text(visit, logins):
    visit.login(logins["supervisor"])
    page = visit.page
    _ready(visit)
    toggle = page.locator("label.crash-places-toggle", has_text=LABEL)
    assert toggle.is_visible()
    assert page.locator("path.leaflet-interactive[stroke='#7b1fa2'], path.leaflet-interactive[stroke='#ab47bc']").count() == 0

    with page.expect_response(lambda r: "/api/v1/crash-places" in r.url) as answer:
        toggle.locator("input").check()
    places = answer.value.json()["features"]
    assert [(f["geometry"]["type"], f["properties"]["crashes"], f["properties"]["deaths"]) for f in places] == \
        [("LineString", 5, 2), ("Point", 5, 0)]
    section = page.locator("path.leaflet-interactive[stroke='#7b1fa2']")  # people died: the strong colour
    ring = page.locator("path.leaflet-interactive[stroke='#ab47bc']")
    section.first.wait_for()
    assert section.count() == 1 and ring.count() == 1
    assert section.first.get_attribute("stroke-dasharray") == "2 6"
    visit.shot("crash-places-layer", full_page=False)

    section.first.dispatch_event("click")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "1. G208 K1050+000~K1050+400" in text and "事故5起，死亡2人，死亡事故2起" in text
    link = popup.locator("a", has_text="在点段列表中查看")
    assert link.get_attribute("href").endswith("/crashes/places#place-1")

    toggle.locator("input").uncheck()  # off again: the places go
    page.wait_for_function("() => !document.querySelector(\"path.leaflet-interactive[stroke='#7b1fa2']\")")
    assert visit.errors == []


def test_an_inspector_has_no_places_checkbox(visit, logins):
    visit.login(logins["inspector"])
    _ready(visit)
    assert visit.page.locator("label.crash-places-toggle").count() == 0
    assert visit.errors == []
