"""An inspector's day on a phone (390×844): every page of their flow fits the screen's width, and a
hazard is logged by tapping the map, its photo kept across the duplicate question."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from shapely.geometry import Point

from hazards import clock
from hazards import db as hazards_db
from hazards.domain.enums import OrganizationKind, RoadClass, Status, SupervisionLevel
from hazards.models import Organization
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from hazards.services.roads import add_road
from hazards.web.maps import map_center
from tests.browser.conftest import PHONE
from tests.factories import draft, jpeg, user

WIDE_TITLE = "S313线K11+530~K11+890段施工路段安全防护设施缺失、临时交通组织不完善、夜间照明不足"


@pytest.fixture(scope="module")
def field_day(served):
    """An inspector of Xinfu; a county road through the middle of the logging form's map with an open
    sharp curve on it (the duplicate to be asked about); a hazard of theirs under remediation with its
    funding, and one just reported."""
    _, app = served
    with app.app_context():
        session = hazards_db.get_session()
        inspector = user(session, "inspector", "140902", login="wang.fang")
        inspector.name = "王芳"
        lon, lat = (float(v) for v in map_center(session, "140902").split(","))
        add_road(session, route_code="X021", division_code="140902", road_class=RoadClass.COUNTY, name="东楼—西张",
                 coords=[(lon - 0.05, lat), (lon + 0.05, lat)], start_m=0)
        report_hazard(session, draft(title="X021线急弯", geometry=Point(lon, lat), route_code="X021", start_m=None,
                                     category_codes=["sharp_curve"]), actor=SYSTEM)
        today = clock.today()
        working = report_hazard(session, draft(
            title=WIDE_TITLE, status=Status.IN_REMEDIATION, level=SupervisionLevel.COUNTY, batch_year=today.year,
            found_on=today - timedelta(days=60), listed_on=today - timedelta(days=50),
            deadline=today + timedelta(days=20), budget=Decimal("140900.00"), spent=Decimal("38200.00"),
            description="施工区未设置连续隔离设施，夜间无照明，" * 8), actor=inspector)
        reported = report_hazard(session, draft(title="新上报的平交路口", category_codes=["junction"]), actor=inspector)
        session.commit()
        return {"login": inspector.login, "working": working.id, "reported": reported.id}


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _tap_the_road_on_the_logging_form(phone, title: str):
    """Open the logging form, name a sharp curve, and tap the middle of the map: the county road and
    beside the open sharp curve there, once zoomed in twice. Returns the page once the stake is filled."""
    page = phone.go("/hazards/new")
    page.wait_for_load_state("networkidle")
    page.fill("input[name=title]", title)
    page.check("input[name=categories][value=sharp_curve]")
    page.locator("#picker").scroll_into_view_if_needed()
    for _ in range(2):
        page.click("#picker .leaflet-control-zoom-in")
        page.wait_for_function("() => !document.querySelector('#picker .leaflet-zoom-anim')")
    box = page.locator("#picker").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => document.getElementById('stakes').value !== ''")
    return page


def test_no_page_of_the_inspectors_flow_is_wider_than_the_phone(phone, field_day):
    page = phone.go("/login")
    assert _width(page) <= PHONE[0], "login"
    phone.login(field_day["login"])
    for path in ("/hazards/new", "/hazards/mine", f"/hazards/{field_day['working']}",
                 f"/hazards/{field_day['reported']}", f"/hazards/{field_day['reported']}/edit", "/inbox", "/todo"):
        page = phone.go(path)
        page.wait_for_load_state("networkidle")
        assert _width(page) <= PHONE[0], f"{path} is {_width(page)} px wide on a {PHONE[0]} px phone"
    # The header is one short line; its links open from the menu button.
    assert page.locator("header.top").bounding_box()["height"] < 60
    assert not page.locator("header.top nav a[href='/hazards/mine']").is_visible()
    assert page.locator("#todo-link").is_visible()  # what asks for attention stays in sight
    page.click("label.menu-button")
    assert page.locator("header.top nav a[href='/hazards/mine']").is_visible()
    assert _width(page) <= PHONE[0]
    assert phone.errors == []


def test_an_inspector_logs_a_hazard_by_tapping_the_map_and_keeps_the_photo(phone, field_day, tmp_path):
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(jpeg(640, 480))
    phone.login(field_day["login"])
    page = _tap_the_road_on_the_logging_form(phone, "X021线急弯处护栏缺失")
    assert page.input_value("#route_code") == "X021"
    assert page.input_value("#stakes").startswith("K")
    assert page.input_value("#lon") and page.input_value("#lat")
    page.set_input_files("#photos", str(photo))
    assert _width(page) <= PHONE[0]
    page.click("form#hazard-form button[type=submit]")
    page.wait_for_load_state("networkidle")

    assert "是否为同一处" in page.content()  # the duplicate question
    assert page.locator("#kept-photos").inner_text() == "已保留照片：现场.jpg"
    assert page.input_value("input[name=title]") == "X021线急弯处护栏缺失"
    assert page.input_value("#route_code") == "X021"
    page.check("input[name=not_duplicate]")
    page.click("form#hazard-form button[type=submit]")
    page.wait_for_load_state("networkidle")

    assert "已上报" in page.content()
    assert page.locator("img[alt='现场.jpg']").count() == 1
    assert _width(page) <= PHONE[0]
    assert phone.errors == []


def _marker_centred(page):
    """Wait until the map has moved to put the marker in its middle."""
    page.locator("#picker").scroll_into_view_if_needed()
    page.wait_for_function("""() => {
        const map = document.getElementById('picker').getBoundingClientRect();
        const dot = document.querySelector("#picker path[stroke='#b3261e']").getBoundingClientRect();
        return Math.abs(dot.x + dot.width / 2 - (map.x + map.width / 2)) < 2
            && Math.abs(dot.y + dot.height / 2 - (map.y + map.height / 2)) < 2;
    }""")


def test_typed_coordinates_are_split_swapped_and_followed(phone, field_day):
    phone.login(field_day["login"])
    page = phone.go("/hazards/new")
    page.wait_for_load_state("networkidle")

    page.fill("#lon", "38.4170，112.7340")  # latitude first, with a Chinese comma, as pasted
    assert (page.input_value("#lon"), page.input_value("#lat")) == ("112.7340", "38.4170")
    assert page.locator("#picker path[stroke='#b3261e']").count() == 1  # the marker follows
    assert page.locator("#swap-offer").is_hidden()
    # The map moved to the typed point; a tap on the marker there places the point again.
    _marker_centred(page)
    box = page.locator("#picker").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert len(page.input_value("#lon").split(".")[1]) == 6

    page.fill("#lon", "38.4170")
    page.fill("#lat", "112.7340")
    assert page.locator("#swap-offer").is_visible()
    page.click("#swap-lonlat")
    assert (page.input_value("#lon"), page.input_value("#lat")) == ("112.7340", "38.4170")
    assert page.locator("#swap-offer").is_hidden()
    assert phone.errors == []


def test_the_days_round_from_a_map_tap_to_a_granted_extension(phone, visit, field_day, served, tmp_path):
    """The whole round as the issue walks it: the inspector logs on the phone by a map tap, with a photo
    kept across the duplicate question; the county supervisor finds the report under 待办, verifies it and
    assigns it with a deadline; the inspector asks for more time from the phone; the supervisor finds the
    request under 待办 and grants it; the inspector's inbox says so and its link opens the hazard."""
    _, app = served
    with app.app_context():
        session = hazards_db.get_session()
        supervisor = user(session, "supervisor", "140902", login="zhao.lei")
        session.add(Organization(name="忻府区公路管理段", kind=OrganizationKind.RESPONSIBLE,
                                 jurisdiction_code="140902"))
        session.commit()
        supervisor_login = supervisor.login
    photo = tmp_path / "护栏.jpg"
    photo.write_bytes(jpeg(640, 480))

    phone.login(field_day["login"])
    page = _tap_the_road_on_the_logging_form(phone, "X021线急弯外侧无护栏")
    assert page.input_value("#route_code") == "X021"
    page.set_input_files("#photos", str(photo))
    page.click("form#hazard-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#kept-photos").inner_text() == "已保留照片：护栏.jpg"
    page.check("input[name=not_duplicate]")
    page.click("form#hazard-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("img[alt='护栏.jpg']").count() == 1
    hazard_path = "/" + page.url.split("/", 3)[3].split("#")[0]

    visit.login(supervisor_login)
    desk = visit.page
    desk.click("#todo-link")
    desk.wait_for_load_state("networkidle")
    desk.locator("#todo-verify a", has_text="X021线急弯外侧无护栏").click()
    desk.wait_for_load_state("networkidle")
    assert desk.url.endswith(f"{hazard_path}#action-verify")
    desk.locator("form#action-verify button[type=submit]").click()
    desk.wait_for_load_state("networkidle")
    deadline = clock.today() + timedelta(days=30)
    assign = desk.locator("form#action-assign")
    assign.locator("select[name=responsible_unit_id]").select_option(label="忻府区公路管理段")
    assign.locator("input[name=deadline]").fill(deadline.isoformat())
    assign.locator("button[type=submit]").click()
    desk.wait_for_load_state("networkidle")
    assert "已核实 → 已交办" in desk.locator("#timeline + ul.timeline").inner_text()

    page = phone.go(hazard_path)
    asked_for = deadline + timedelta(days=45)
    form = page.locator("form#extension")
    form.locator("input[name=requested_deadline]").fill(asked_for.isoformat())
    form.locator("input[name=reason]").fill("护栏需定制，供货周期长")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert _width(page) <= PHONE[0]

    desk = visit.go("/todo")
    desk.locator("#todo-extension a", has_text="X021线急弯外侧无护栏").click()
    desk.wait_for_load_state("networkidle")
    decision = desk.locator("form#extension")
    decision.locator("input[name=note]").fill("同意")
    decision.locator("button[value=grant]").click()
    desk.wait_for_load_state("networkidle")

    page = phone.go("/inbox")
    note = page.locator("ul.notes > li.unread a", has_text="延期申请已批准")
    assert note.inner_text().endswith(asked_for.isoformat())
    note.click()
    page.wait_for_load_state("networkidle")
    assert page.url.split("#")[0].endswith(hazard_path)
    assert _width(page) <= PHONE[0]
    assert phone.errors == [] and visit.errors == []
