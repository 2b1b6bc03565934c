"""A hazard registered from a crash-prone place shows the crash records it rests on, in Chinese; a
hazard marked as covering a place shows those crashes as covered."""

from __future__ import annotations

from hazards import clock
from hazards.services.crash_places import identify, mark_covered, register_candidate
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from tests import factories
from tests.crashes import planted
from tests.crashes.planted import RULE, XINFU


def test_the_hazard_page_lists_its_evidence_and_covered_crashes(session, people, client, auth):
    planted.plant(session, clock.today())
    supervisor = people["county"]
    places = {p.start_m: p for p in identify(session, supervisor, XINFU, rule=RULE)}
    registered = register_candidate(session, supervisor, places[1060000].crash_ids, rule=RULE)
    other = report_hazard(session, factories.draft(title="路口隐患"), actor=SYSTEM)
    mark_covered(session, supervisor, other, places[3000].crash_ids)
    session.commit()

    auth.login(supervisor)
    page = client.get(f"/hazards/{registered.id}", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "关联事故记录" in page
    assert all(f"<td>A-{n}</td>" in page for n in range(5))
    assert page.count("<td>倒查依据</td>") == 5 and "K1060+000" in page
    page = client.get(f"/hazards/{other.id}", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert page.count("<td>已覆盖</td>") == 3 and "<td>C-2</td>" in page
