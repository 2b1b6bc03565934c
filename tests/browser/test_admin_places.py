"""A county admin in headless Chromium uploads their county's boundary, confirms it, and lands on the
division's page, whose map draws the boundary and the county's road, with nothing fetched from outside."""

from __future__ import annotations

import pytest

from hazards import db as hazards_db
from hazards.domain.enums import RoadClass
from hazards.services.roads import add_road
from tests.factories import user
from tests.io.gis_files import feature, geojson, polygon

XINFU_OUTLINE = [(112.60, 38.30), (112.90, 38.30), (112.92, 38.55), (112.62, 38.56), (112.60, 38.30)]


@pytest.fixture(scope="module")
def county_admin(served):
    _, app = served
    with app.app_context():
        session = hazards_db.get_session()
        admin = user(session, "admin", "140902", login="xinfu.places")
        add_road(session, route_code="X001", division_code="140902", road_class=RoadClass.COUNTY, name="忻府—豆罗",
                 coords=[(112.65, 38.42), (112.72, 38.43), (112.80, 38.41)])
        session.commit()
        return admin.login


def test_a_boundary_uploaded_in_the_browser_is_drawn_on_the_division_page(visit, county_admin, tmp_path):
    source = geojson(tmp_path / "忻府区.geojson", [feature({"XZQDM": "140902"}, polygon(XINFU_OUTLINE))])
    visit.login(county_admin)
    page = visit.go("/admin/divisions")
    page.set_input_files("input[name=file]", str(source))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("text=全部要素检查通过")
    page.click("form.actions button[type=submit]")
    page.wait_for_url("**/admin/divisions/140902")
    page.wait_for_selector("#division-map path.leaflet-interactive")
    page.wait_for_load_state("networkidle")

    shot = visit.shot("admin-division-140902")
    assert shot.exists()
    assert page.locator("#division-map path.leaflet-interactive").count() == 2  # the boundary and X001
    box = page.locator("#division-map").bounding_box()
    assert box["height"] >= 300 and box["width"] >= 600
    assert "忻府区" in page.locator("h1").inner_text()
    assert "X001" in page.locator("main table").inner_text()
    assert visit.errors == []
