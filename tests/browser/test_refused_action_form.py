"""A county supervisor's plan refused for want of a budget, in a real browser: the page comes back at the
form, with the plan, the unit and the person still there and the refusal in view."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hazards import clock
from hazards import db as hazards_db
from hazards.domain.enums import Status, SupervisionLevel
from hazards.models import Organization
from hazards.services.registration import report_hazard
from tests.factories import draft, user


@pytest.fixture(scope="module")
def listed_hazard(served):
    """A county-listed hazard of Xinfu without a budget, and Xinfu's supervisor, on the live server's database."""
    _, app = served
    today = clock.today()
    with app.app_context():
        session = hazards_db.get_session()
        supervisor = user(session, "supervisor", "140902", login="wang.fang")
        session.add_all([
            Organization(name="忻府区交通运输局", kind="responsible", jurisdiction_code="140902"),
            Organization(name="忻府区公路段", kind="responsible", jurisdiction_code="140902"),
            Organization(name="忻州市交通运输局", kind="responsible", jurisdiction_code="140900"),
        ])
        session.flush()
        hazard = report_hazard(session, draft(
            title="G208线K1052+300处急弯视距不良", level=SupervisionLevel.COUNTY, status=Status.LISTED,
            batch_year=today.year, found_on=today - timedelta(days=20), listed_on=today - timedelta(days=10),
            deadline=today + timedelta(days=60), responsible_unit="忻府区交通运输局"), actor=supervisor)
        session.commit()
        return hazard.id, supervisor.login


def test_a_refused_plan_comes_back_at_the_form_with_everything_typed(visit, listed_hazard):
    hazard_id, supervisor = listed_hazard
    visit.login(supervisor)
    page = visit.go(f"/hazards/{hazard_id}")
    form = page.locator("#action-approve_plan")
    assert "预算资金：尚缺" in form.inner_text()
    form.locator("select[name=responsible_unit_id]").select_option(label="忻府区公路段")
    form.locator("input[name=responsible_person]").fill("王建国")
    form.locator("textarea[name=plan_text]").fill("增设减速带和警示标志，拓宽弯道内侧")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    refusal = form.locator(".refusal")
    assert refusal.inner_text() == "尚缺：预算资金。"
    assert refusal.is_visible() and _in_view(page, refusal)  # the page opens at the refused form
    assert form.locator("textarea[name=plan_text]").input_value() == "增设减速带和警示标志，拓宽弯道内侧"
    assert form.locator("input[name=responsible_person]").input_value() == "王建国"
    assert form.locator("select[name=responsible_unit_id] option:checked").inner_text() == "忻府区公路段"
    visit.shot("refused-plan-kept", full_page=False)
    assert visit.errors == []


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"]
