"""An inspector logs a hazard on the map with a photo; a supervisor takes it through to closure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hazards import clock
from hazards import db as hazards_db
from hazards.models import Organization
from tests.factories import jpeg, user


@pytest.fixture(scope="module")
def walkthrough_logins(served):
    """An inspector and a supervisor of Xinfu with real names for the screenshots, on the live server's
    own database (the shared `people` cast lives in the per-test transaction, which that server cannot see)."""
    _, app = served
    with app.app_context():
        session = hazards_db.get_session()
        inspector = user(session, "inspector", "140902", login="zhang.wei")
        inspector.name = "张伟"
        supervisor = user(session, "supervisor", "140902", login="li.na")
        supervisor.name = "李娜"
        session.add_all([
            Organization(name="忻府区人民政府安委会", kind="supervising", jurisdiction_code="140902"),
            Organization(name="忻府区交通运输局", kind="responsible", jurisdiction_code="140902"),
        ])
        session.commit()
    return inspector.login, supervisor.login


def test_inspector_logs_and_supervisor_closes(visit, walkthrough_logins, tmp_path):
    inspector, supervisor = walkthrough_logins
    photo = tmp_path / "scene.jpg"
    photo.write_bytes(jpeg(640, 480, gps=(112.7341, 38.4172)))

    visit.login(inspector)
    page = visit.go("/hazards/new")
    page.fill("input[name=title]", "X012线K3+200处急弯视距不良")
    page.check("input[name=categories][value=sharp_curve]")
    page.check("input[name=categories][value=poor_sight]")
    page.fill("input[name=route_code]", "X012")
    page.fill("input[name=stakes]", "K3+200")
    box = page.locator("#picker").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.input_value("#lon") and page.input_value("#lat")  # the click filled the coordinates
    page.set_input_files("#photos", str(photo))
    visit.shot("01-inspector-logging-form")
    page.click("form#hazard-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "已上报" in page.content() and "140902-" in page.content()
    hazard_url = page.url
    visit.shot("02-hazard-page-after-logging")
    page.click("header button:has-text('退出')")

    visit.login(supervisor)
    page = visit.go("/hazards")
    assert "X012线K3+200处急弯视距不良" in page.content()
    visit.shot("03-supervisor-hazard-list")
    page.goto(hazard_url)

    def act(action: str, fill: dict | None = None, selects: dict | None = None):
        form = page.locator(f"form#action-{action}")
        for name, value in (fill or {}).items():
            form.locator(f"[name={name}]").fill(value)
        for name, label in (selects or {}).items():
            form.locator(f"select[name={name}]").select_option(label=label)
        form.locator("button[type=submit]").click()
        page.wait_for_load_state("networkidle")

    act("verify")
    act("list", fill={"deadline": (clock.today() + timedelta(days=60)).isoformat(), "document_no": "忻府安办〔2026〕3号"},
        selects={"level": "县级", "supervising_body_id": "忻府区人民政府安委会"})
    funding = page.locator("form[action$='/funding']")
    funding.locator("select[name=kind]").select_option("budget")
    funding.locator("input[name=amount_wan]").fill("18.5")
    funding.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    act("approve_plan", fill={"plan_text": "增设急弯警告标志、减速带和凸面镜"},
        selects={"responsible_unit_id": "忻府区交通运输局"})
    act("start_works")
    upload = page.locator("form[action$='/photos']")
    upload.locator("select[name=phase]").select_option("after")
    upload.locator("input[type=file]").set_input_files(str(photo))
    upload.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    act("request_closure", fill={"completed_on": clock.today().isoformat()})
    act("accept", fill={"acceptance_note": "现场验收合格，同意销号"})
    content = page.content()
    assert "已销号" in content and "同意销号" in content and "18.50" in content
    visit.shot("04-supervisor-closed-hazard")
    assert visit.errors == []


def test_inspector_takes_the_phones_position(visit, walkthrough_logins):
    """In the field: one tap puts the device's GPS position in the form and on the map."""
    inspector, _supervisor = walkthrough_logins
    visit.context.grant_permissions(["geolocation"], origin=visit.base_url)
    visit.context.set_geolocation({"latitude": 38.417213, "longitude": 112.734118, "accuracy": 8})
    visit.login(inspector)
    page = visit.go("/hazards/new")
    page.fill("#lon", "111")  # a stale typed value is replaced
    page.click("#use-my-position")
    page.wait_for_function("() => document.getElementById('lon').value === '112.734118'")
    assert page.input_value("#lat") == "38.417213"
    assert page.input_value("select[name=crs]") == "wgs84"
    assert "±8 m" in page.inner_text("#my-position-status")
    assert page.locator("#picker path[stroke='#b3261e']").count() == 1  # the marker is drawn


def test_without_a_position_the_inspector_is_told_what_to_do(visit, walkthrough_logins):
    inspector, _supervisor = walkthrough_logins
    visit.login(inspector)  # no permission granted: the browser refuses the position
    page = visit.go("/hazards/new")
    page.click("#use-my-position")
    page.wait_for_function("() => document.getElementById('my-position-status').textContent.includes('无法')")
    assert "请在地图上点选" in page.inner_text("#my-position-status") and page.input_value("#lon") == ""
