"""The supervisor's map in headless Chromium: markers and a section drawn, a popup, a pan that loads
the new box, and nothing fetched from outside the machine."""

from __future__ import annotations

from datetime import timedelta

import pytest
from shapely.geometry import LineString, MultiPolygon, Point, box

from geo.geometry import to_ewkt
from hazards import clock
from hazards import db as hazards_db
from hazards.domain.enums import Status, SupervisionLevel
from hazards.models import Jurisdiction
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from tests.factories import draft, user

TODAY = clock.today()


@pytest.fixture(scope="module")
def mapped(served):
    _, app = served
    with app.app_context():
        session = hazards_db.get_session()
        for code, shape in (("140902", box(112.5, 38.25, 112.95, 38.6)), ("140981", box(112.4, 38.6, 113.0, 38.95))):
            session.get(Jurisdiction, code).boundary = to_ewkt(MultiPolygon([shape]))
        supervisor = user(session, "supervisor", "140900", login="city.map")
        overdue = report_hazard(session, draft(title="逾期急弯", geometry=Point(112.70, 38.40), level=SupervisionLevel.CITY,
                                               status=Status.LISTED, found_on=TODAY - timedelta(days=90),
                                               batch_year=TODAY.year, listed_on=TODAY - timedelta(days=80),
                                               deadline=TODAY - timedelta(days=5)), actor=SYSTEM)
        report_hazard(session, draft(title="临水路段", geometry=LineString([(112.75, 38.45), (112.80, 38.47), (112.85, 38.46)]),
                                     end_m=1058000), actor=SYSTEM)
        report_hazard(session, draft(title="原平平交路口", geometry=Point(112.71, 38.73), jurisdiction_code="140981"), actor=SYSTEM)
        session.commit()
        return supervisor.login, overdue.code


def wait_until_drawn(page) -> None:
    """The map's last load has come back and been drawn (its status line no longer says it is loading)."""
    page.wait_for_function("""() => document.getElementById('map-status').textContent
        !== document.getElementById('hazard-map-config').dataset.loading""")


def count_map_loads(page) -> None:
    """From now on window.mapLoads counts the map's requests for features, as they are sent."""
    page.evaluate("""() => {
        window.mapLoads = 0;
        const send = window.fetch;
        window.fetch = function (url, options) {
            if (String(url).includes('/api/v1/hazards.geojson')) window.mapLoads += 1;
            return send.call(this, url, options);
        };
    }""")


def test_map_loads_by_bbox_shows_features_popup_and_pans(visit, mapped):
    login, overdue_code = mapped
    visit.login(login)
    page = visit.page
    with page.expect_request(lambda r: "/api/v1/hazards.geojson" in r.url) as first:
        visit.go("/map")
    assert "bbox=" in first.value.url and "zoom=" in first.value.url
    page.wait_for_function("() => document.getElementById('map-status').textContent.includes('3')")
    page.wait_for_selector(".county-label")  # the shaded boundaries come with their own request
    markers = page.locator("path.leaflet-interactive")
    assert markers.count() >= 5  # 2 boundaries, 2 points, 1 section
    page.wait_for_load_state("networkidle")
    visit.shot("05-supervisor-map", full_page=False)

    page.locator(".leaflet-tooltip-pane")  # tooltips exist; now open the overdue hazard's popup
    page.evaluate("""() => {
        const m = window[document.getElementById('hazard-map-config').dataset.mapName];
        m.eachLayer(l => { if (l.getLatLng && l.feature && l.feature.properties && l.feature.properties.overdue) l.fire("click"); });
    }""")
    page.wait_for_selector(".leaflet-popup-content a")
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert overdue_code in popup and "逾期 5 天" in popup
    visit.shot("06-map-popup", full_page=False)

    # A marker at the top edge: its popup pans the map to fit, and must stay open (no redraw under it).
    with page.expect_response(lambda r: "/api/v1/hazards.geojson" in r.url):  # this pan reloads, as it should
        page.evaluate("""() => {
            const m = window[document.getElementById('hazard-map-config').dataset.mapName];
            m.closePopup();
            m.eachLayer(l => { if (l.getLatLng && l.feature && l.feature.properties && l.feature.properties.overdue) {
                m.panBy([0, m.latLngToContainerPoint(l.getLatLng()).y - 12], {animate: false}); } });
        }""")
    wait_until_drawn(page)
    count_map_loads(page)
    page.clock.install()  # from here on the page's timers run when the test says, not by the wall clock
    page.evaluate("""() => {
        const m = window[document.getElementById('hazard-map-config').dataset.mapName];
        m.eachLayer(l => { if (l.getLatLng && l.feature && l.feature.properties && l.feature.properties.overdue) l.fire("click"); });
    }""")
    page.wait_for_selector(".leaflet-popup-content a")
    page.clock.run_for(2000)  # the popup's pan, its moveend and any reload that would follow have all had their turn
    assert page.evaluate("window.mapLoads") == 0
    assert page.locator(".leaflet-popup-content a").count() == 1
    page.clock.resume()

    with page.expect_request(lambda r: "/api/v1/hazards.geojson" in r.url) as after_pan:
        page.evaluate("() => window[document.getElementById('hazard-map-config').dataset.mapName].panBy([300, 0])")
    assert after_pan.value.url != first.value.url

    page.select_option("select[name=level]", "city")
    page.wait_for_function("() => location.search.includes('level=city')")
    page.wait_for_function("() => document.getElementById('map-status').textContent.includes('1')")
    assert visit.errors == []


def boxes_overlap(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


@pytest.mark.parametrize("width, height", [(1400, 900), (390, 844)])
def test_legend_names_and_scale_are_in_view_on_a_desk_and_a_phone(visit, mapped, width, height):
    login, _ = mapped
    page = visit.page
    page.set_viewport_size({"width": width, "height": height})
    visit.login(login)
    visit.go("/map")
    wait_until_drawn(page)
    page.wait_for_selector(".county-label")
    # County names stay on the map, not only on hover.
    names = page.locator(".county-label").all_inner_texts()
    assert any("忻府区" in n for n in names) and any("原平市" in n for n in names)

    legend = page.locator("#map-legend")
    if width < 600:  # folded on a phone, one tap away
        assert legend.locator("summary").is_visible() and not legend.get_attribute("open")
        legend.locator("summary").click()
    body = legend.locator(".body")
    assert body.is_visible() and "逾期" in body.inner_text() and "辖区底色：治理率" in body.inner_text()
    page.wait_for_function("() => document.getElementById('map-shading-caption').textContent.includes('治理率')")
    view = {"x": 0, "y": 0, "width": width, "height": height}
    legend_box = legend.bounding_box()
    for control in (".leaflet-control-zoom", ".leaflet-control-layers", ".leaflet-control-scale"):
        assert not boxes_overlap(legend_box, page.locator(control).bounding_box()), control

    scale = page.locator(".leaflet-control-scale").bounding_box()
    assert scale["x"] >= 0 and scale["y"] >= 0 and scale["x"] + scale["width"] <= width \
        and scale["y"] + scale["height"] <= height, (scale, view)
    visit.shot(f"07-map-legend-{width}", full_page=False)
    assert visit.errors == []
