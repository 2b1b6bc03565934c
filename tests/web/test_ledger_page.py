"""The plain ledger page lists hazards in Chinese."""

from __future__ import annotations

from hazards.services.registration import report_hazard
from tests.factories import draft, section_draft


def test_ledger_page_lists_hazards_with_chinese_labels(client, session):
    report_hazard(session, draft())
    report_hazard(session, section_draft())
    session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "共 2 处隐患点段" in page
    assert "140902-2024-0001" in page and "G208线K1052+300处急弯视距不良" in page
    assert "K3+200~K4+100" in page
    assert "急弯、视距不良" in page and "已上报" in page


def test_empty_ledger_says_so(client):
    assert "台账中还没有隐患点段" in client.get("/").get_data(as_text=True)
