"""An inspector asks for an extension; the county supervisor finds it under 待办 and grants it; the
inspector's inbox says so and links to the hazard. In headless Chromium, as people click."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hazards import clock
from hazards import db as hazards_db
from hazards.domain.enums import Status, SupervisionLevel
from hazards.services.registration import report_hazard
from tests.factories import draft, user


@pytest.fixture(scope="module")
def setting(served):
    """An inspector and a supervisor of Xinfu and a county-level hazard the inspector found, in works."""
    _, app = served
    today = clock.today()
    with app.app_context():
        session = hazards_db.get_session()
        inspector = user(session, "inspector", "140902", login="wang.fang")
        inspector.name = "王芳"
        supervisor = user(session, "supervisor", "140902", login="zhao.lei")
        supervisor.name = "赵磊"
        hazard = report_hazard(session, draft(title="G208线K1052+300处急弯视距不良", level=SupervisionLevel.COUNTY,
                                              status=Status.IN_REMEDIATION, batch_year=today.year,
                                              found_on=today - timedelta(days=40),
                                              deadline=today + timedelta(days=10)), actor=inspector)
        session.commit()
        return inspector.login, supervisor.login, hazard.id, hazard.deadline


def test_an_extension_found_under_todo_granted_and_told_back(visit, setting):
    inspector, supervisor, hazard_id, deadline = setting
    asked_for = deadline + timedelta(days=60)

    visit.login(inspector)
    page = visit.go(f"/hazards/{hazard_id}")
    form = page.locator("form#extension")
    form.locator("input[name=requested_deadline]").fill(asked_for.isoformat())
    form.locator("input[name=reason]").fill("雨季路基积水，无法施工")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "等待督办单位审批" in page.locator("form#extension").inner_text()
    page.click("header button:has-text('退出')")

    visit.login(supervisor)
    assert page.locator("#todo-link").inner_text() == "待办 (1)"
    page.click("#todo-link")
    page.wait_for_load_state("networkidle")
    group = page.locator("#todo-extension")
    assert "待审批的延期申请 (1)" in group.inner_text() and "雨季" not in group.inner_text()
    visit.shot("todo-county-supervisor")
    group.locator("a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/hazards/{hazard_id}#extension")
    decision = page.locator("form#extension")
    decision.locator("input[name=note]").fill("同意延期")
    decision.locator("button[value=grant]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#todo-link").inner_text() == "待办 (0)"
    page.click("header button:has-text('退出')")

    visit.login(inspector)
    assert page.locator("#unread-count").inner_text() == "1"
    page = visit.go("/inbox")
    note = page.locator("ul.notes > li.unread a").first
    assert note.inner_text().endswith(f"延期申请已批准，新整改期限 {asked_for.isoformat()}")
    visit.shot("inbox-inspector")
    note.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/hazards/{hazard_id}#timeline")
    assert asked_for.isoformat() in page.locator("#timeline + ul.timeline").inner_text()
    assert page.locator("#unread-count").count() == 0
