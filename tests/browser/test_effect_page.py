"""治理成效 as a supervisor sees it in a real browser: the list's column and a closed hazard's block."""

from __future__ import annotations

import pytest

from hazards import db as hazards_db
from tests.crashes.effect_ledger import planted, planted_section
from tests.factories import user


@pytest.fixture(scope="module")
def closed_with_crashes(served):
    _, app = served
    with app.app_context():
        session = hazards_db.get_session()
        supervisor = user(session, "supervisor", "140902", login="effect.supervisor")
        hazard = planted(session)
        planted_section(session)
        session.commit()
        return hazard.id, supervisor.login


def test_the_effect_on_the_list_and_the_page(visit, closed_with_crashes):
    hazard_id, supervisor = closed_with_crashes
    visit.login(supervisor)
    page = visit.go("/hazards")
    assert "事故 5→2" in page.locator("table.responsive").inner_text()
    visit.shot("effect-list", full_page=False)
    page = visit.go(f"/hazards/{hazard_id}")
    block = page.locator("#effect")
    block.scroll_into_view_if_needed()
    assert "回归均值" in page.locator("p.caveat").inner_text() and page.locator("table.effect").is_visible()
    assert page.locator("table.effect-crashes tbody tr").count() == 9
    visit.shot("effect-hazard-page", full_page=True)
    assert visit.errors == []
