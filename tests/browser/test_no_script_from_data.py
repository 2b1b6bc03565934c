"""Text from the ledger never runs as script in a supervisor's browser.

An inspector can title a hazard with markup; an admin can name a road or a division. Each of these
reaches the supervisor's map as a tooltip, and the page must show the words, not run them. The
page's Content-Security-Policy is the second wall: a page that needed an inline script without its
nonce would show up here as a console violation.
"""

from __future__ import annotations

import pytest
from shapely.geometry import MultiLineString, MultiPolygon, Point, box

from geo.geometry import to_ewkt
from hazards import db as hazards_db
from hazards.domain.enums import RoadClass
from hazards.models import Jurisdiction, Road
from hazards.services.registration import report_hazard
from tests.factories import draft, user

HAZARD_TITLE = '<img src=x onerror="window.__xss_title=1">井盖缺失'
ROAD_NAME = '<img src=x onerror="window.__xss_road=1">忻阜线'
DIVISION_NAME = '<img src=x onerror="window.__xss_division=1">忻府区'


@pytest.fixture(scope="module")
def booby_trapped(served):
    _, app = served
    with app.app_context():
        session = hazards_db.get_session()
        xinfu = session.get(Jurisdiction, "140902")
        xinfu.boundary = to_ewkt(MultiPolygon([box(112.5, 38.25, 112.95, 38.6)]))
        xinfu.name = DIVISION_NAME
        session.add(Road(route_code="X999", division_code="140902", name=ROAD_NAME, road_class=RoadClass.COUNTY,
                         start_m=0, length_m=20000, geom=to_ewkt(MultiLineString([[(112.55, 38.30), (112.90, 38.55)]]))))
        inspector = user(session, "inspector", "140902", login="xss.inspector")
        report_hazard(session, draft(title=HAZARD_TITLE, geometry=Point(112.70, 38.40), route_code=None,
                                     road_class=None, start_m=None), actor=inspector)
        supervisor = user(session, "supervisor", "140900", login="xss.city")
        session.commit()
        return supervisor.login


def _hover_at(page, lon: float, lat: float) -> str:
    """Move the real mouse over a place on the map and return the tooltip shown there."""
    x, y = page.evaluate("""([lon, lat]) => {
        const m = window[document.getElementById('hazard-map-config').dataset.mapName];
        const p = m.latLngToContainerPoint([lat, lon]), r = m.getContainer().getBoundingClientRect();
        return [r.left + p.x, r.top + p.y];
    }""", [lon, lat])
    page.mouse.move(x - 30, y - 30)
    page.mouse.move(x, y, steps=5)
    page.wait_for_selector(".leaflet-tooltip")
    return page.locator(".leaflet-tooltip").last.text_content()


def test_markup_in_titles_and_names_is_shown_as_text_on_the_map(visit, booby_trapped):
    csp_violations: list[str] = []
    visit.page.on("console", lambda msg: csp_violations.append(msg.text)
                  if "Content Security Policy" in msg.text else None)
    visit.login(booby_trapped)
    response = visit.go("/map")
    page = visit.page
    page.wait_for_function("() => document.getElementById('map-status').textContent.includes('1')")
    page.wait_for_load_state("networkidle")

    tips = {}
    for name, (lon, lat) in {"hazard": (112.70, 38.40), "road": (112.62, 38.35), "division": (112.90, 38.28)}.items():
        tips[name] = _hover_at(page, lon, lat)
        page.wait_for_timeout(300)  # an onerror would fire as the broken image is tried
        if name == "hazard":
            visit.shot("xss-map-tooltip", full_page=False)

    assert HAZARD_TITLE in tips["hazard"], tips
    assert ROAD_NAME in tips["road"], tips
    assert DIVISION_NAME in tips["division"], tips
    ran = page.evaluate("() => [window.__xss_title, window.__xss_road, window.__xss_division]")
    assert ran == [None, None, None]
    assert page.locator(".leaflet-tooltip img").count() == 0
    assert csp_violations == []
    assert visit.errors == []
    assert response is not None


def test_pages_forbid_inline_script_without_the_nonce(visit, booby_trapped):
    visit.login(booby_trapped)
    response = visit.page.goto(visit.base_url + "/map")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert "frame-ancestors 'none'" in policy
    # A script injected without the nonce is refused by the browser itself.
    visit.page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.__injected = 1'; document.body.appendChild(s); }""")
    assert visit.page.evaluate("() => window.__injected") is None
