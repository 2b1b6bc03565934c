"""The map's crash layer in headless Chromium: off until switched on; fatal crashes drawn larger, red and
above the others; a click shows the crash as text; crowded views as clusters that say they hold fatal
crashes; the legend says how many crashes could not be drawn."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from shapely.geometry import MultiPolygon, Point, box

from geo.geometry import to_ewkt
from hazards import clock
from hazards import db as hazards_db
from hazards.domain.enums import RoadClass, Status, SupervisionLevel
from hazards.models import Jurisdiction
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from hazards.services.roads import add_road
from tests.factories import crash, draft, user

TODAY = clock.today()
ROAD = [(112.52, 38.30), (112.62, 38.36), (112.70, 38.40), (112.78, 38.47), (112.90, 38.55)]
FORMS = ["追尾", "刮擦", "侧面相撞", "正面相撞", "翻车", "刮撞行人", "碰撞固定物"]


@pytest.fixture(scope="module")
def crashes(served):
    """Seventy crashes along G208 and around Xinfu over three years, nine of them fatal, one placed only
    by a stake on a road the ledger does not hold, and one whose 事故形态 looks like markup."""
    _, app = served
    with app.app_context():
        session = hazards_db.get_session()
        for code, shape in (("140902", box(112.5, 38.25, 112.95, 38.6)), ("140981", box(112.4, 38.6, 113.0, 38.95))):
            session.get(Jurisdiction, code).boundary = to_ewkt(MultiPolygon([shape]))
        add_road(session, route_code="G208", division_code="140900", road_class=RoadClass.NATIONAL,
                 coords=ROAD, start_m=1040000)
        supervisor = user(session, "supervisor", "140900", login="city.crashes")
        report_hazard(session, draft(title="急弯陡坡", geometry=Point(*ROAD[2]), level=SupervisionLevel.CITY,
                                     status=Status.LISTED, listed_on=TODAY - timedelta(days=40),
                                     deadline=TODAY + timedelta(days=60)), actor=SYSTEM)
        rng = random.Random(18)
        for i in range(70):
            a, b = ROAD[i % 4], ROAD[i % 4 + 1]
            t = rng.random()
            lon = a[0] + (b[0] - a[0]) * t + rng.gauss(0, 0.004)
            lat = a[1] + (b[1] - a[1]) * t + rng.gauss(0, 0.004)
            fatal = i % 8 == 3
            crash(session, f"1409022024{i:05d}", TODAY - timedelta(days=rng.randrange(0, 1000)),
                  lonlat=(round(lon, 6), round(lat, 6)), route_code="G208", stake_m=1040000 + i * 700,
                  deaths=1 + i % 2 if fatal else 0, injuries=rng.randrange(0, 4), form=FORMS[i % len(FORMS)])
        crash(session, "14090220249999", TODAY - timedelta(days=3), lonlat=(112.70, 38.40), route_code="G208",
              stake_m=1052300, deaths=2, injuries=1, form="<b>正面相撞</b>")
        crash(session, "14090220248888", TODAY - timedelta(days=5), route_code="X999", stake_m=3000)
        session.commit()
        return supervisor.login


def switch_on(page) -> None:
    page.locator(".leaflet-control-layers label", has_text="事故").locator("input").check()


def test_fatal_crashes_stand_out_and_read_as_text(visit, crashes):
    visit.login(crashes)
    page = visit.page
    visit.go("/map")
    page.wait_for_function("() => document.getElementById('map-status').textContent.includes('1')")
    assert page.locator("path.crash-marker").count() == 0 and page.locator("#crash-legend").is_hidden()  # off at first

    with page.expect_response(lambda r: "/api/v1/crashes.geojson" in r.url) as answer:
        switch_on(page)
    data = answer.value.json()
    assert not data["clustered"] and data["numberReturned"] == 71 and data["unplaced"] == 1
    page.wait_for_selector("path.crash-fatal")
    fatal, plain = page.locator("path.crash-fatal"), page.locator("path.crash-marker:not(.crash-fatal)")
    assert fatal.count() == 10 and plain.count() == 61
    assert fatal.first.get_attribute("fill") == "#b71c1c" and plain.first.get_attribute("fill") != "#b71c1c"
    assert fatal.first.bounding_box()["width"] > 1.5 * plain.first.bounding_box()["width"]
    # fatal crashes are in the pane above the others
    assert page.evaluate("""() => {
        const z = sel => +getComputedStyle(document.querySelector(sel).closest('.leaflet-pane')).zIndex;
        return z('path.crash-fatal') > z('path.crash-marker:not(.crash-fatal)');
    }""")
    legend = page.locator("#crash-legend")
    assert legend.is_visible() and "死亡事故" in legend.inner_text()
    page.wait_for_function("() => document.getElementById('crash-note').textContent.includes('显示事故71起')")
    assert "另有事故1起没有坐标" in page.locator("#crash-note").inner_text()
    start = page.input_value("#crash-from")
    assert page.input_value("#crash-to") == TODAY.isoformat() and start and start < TODAY.isoformat()
    # Closer in, along the road (docs/img/map-crashes.png is this view).
    with page.expect_response(lambda r: "/api/v1/crashes.geojson" in r.url):
        page.evaluate("""() => window[document.getElementById('hazard-map-config').dataset.mapName]
            .fitBounds([[38.29, 112.51], [38.56, 112.91]], {animate: false})""")
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => document.getElementById('crash-note').textContent.includes('显示事故')")
    visit.shot("crash-layer", full_page=False)

    page.evaluate("""() => {
        const m = window[document.getElementById('hazard-map-config').dataset.mapName];
        m.eachLayer(l => { if (l.feature && l.feature.properties && l.feature.properties.source_id === '14090220249999') l.fire('click'); });
    }""")
    popup = page.locator(".crash-popup")
    popup.wait_for()
    text = popup.inner_text()
    day = TODAY - timedelta(days=3)
    assert "事故编号：14090220249999" in text and f"时间（北京时间）：{day.isoformat()} 12:00" in text
    assert "路线/桩号：G208 K1052+300" in text and "死亡/受伤：2 / 1" in text
    assert "事故形态：<b>正面相撞</b>" in text and popup.locator("b", has_text="正面相撞").count() == 0  # text, not markup

    # A shorter period asks again and draws fewer.
    since = (TODAY - timedelta(days=10)).isoformat()
    with page.expect_response(lambda r: "/api/v1/crashes.geojson" in r.url and f"from={since}" in r.url) as shorter:
        page.fill("#crash-from", since)
        page.dispatch_event("#crash-from", "change")
    assert shorter.value.json()["numberReturned"] < 71
    assert visit.errors == []


def test_crowded_views_come_as_clusters_marked_when_they_hold_fatal_crashes(visit, served, crashes):
    _, app = served
    app.config["MAP_CLUSTER_THRESHOLD"] = 20
    try:
        visit.login(crashes)
        page = visit.page
        visit.go("/map")
        page.wait_for_function("() => document.getElementById('map-status').textContent.includes('1')")
        with page.expect_response(lambda r: "/api/v1/crashes.geojson" in r.url) as answer:
            switch_on(page)
        data = answer.value.json()
        assert data["clustered"] and sum(f["properties"]["count"] for f in data["features"]) == 71
        page.wait_for_selector(".crash-cluster")
        assert page.locator(".crash-cluster.has-fatal").count() >= 1
        assert page.locator(".crash-cluster.has-fatal").count() < page.locator(".crash-cluster").count()
        page.wait_for_function("() => document.getElementById('crash-note').textContent.includes('聚合显示')")
        visit.shot("crash-clusters", full_page=False)
        assert visit.errors == []
    finally:
        app.config["MAP_CLUSTER_THRESHOLD"] = 5000
