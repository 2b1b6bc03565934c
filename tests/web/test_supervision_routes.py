"""The hazard page's supervision forms over HTTP: extensions, raising the level, events and funding.

Each route is driven as a browser would: the right person's change lands in the database and on the
hazard's page; a person without the right is refused and nothing changes; bad input is explained on
the page and nothing changes. (Error wording is not asserted: only that the page shows an error.)
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from hazards import clock
from hazards.domain.enums import EventKind, ExtensionState, FundingKind, FundingSource, Status, SupervisionLevel
from hazards.models import DeadlineChange, ExtensionRequest, FundingEntry, HazardEvent, LevelChange
from hazards.services.registration import report_hazard
from hazards.services.supervision import request_extension
from tests.factories import draft

TODAY = clock.today()
DEADLINE = TODAY + timedelta(days=30)
REFUSAL = 'class="flash error refusal"'


@pytest.fixture
def hazard(session, people):
    """A county-level hazard of Xinfu on the list, its deadline a month away."""
    made = report_hazard(session, draft(level=SupervisionLevel.COUNTY, status=Status.LISTED, deadline=DEADLINE,
                                        batch_year=TODAY.year, found_on=TODAY - timedelta(days=20),
                                        listed_on=TODAY - timedelta(days=10)),
                         actor=people["inspector"])
    session.commit()
    return made


@pytest.fixture
def pending(session, people, hazard):
    """An extension request by Xinfu's inspector, waiting for a decision."""
    made = request_extension(session, hazard.id, people["inspector"], DEADLINE + timedelta(days=60), "雨季无法施工")
    session.commit()
    return made


def count(session, model, *where) -> int:
    return session.scalar(select(func.count(model.id)).where(*where))


def page_of(client, hazard) -> str:
    response = client.get(f"/hazards/{hazard.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def assert_explained_and_unchanged(response, session, hazard, before) -> None:
    """Bad input: the hazard's page again (422) with the refusal beside the form, and the hazard as it was."""
    assert response.status_code == 422
    assert REFUSAL in response.get_data(as_text=True)
    session.refresh(hazard)
    assert (hazard.deadline, hazard.level, hazard.version) == before


def snapshot(session, hazard) -> tuple:
    session.refresh(hazard)
    return hazard.deadline, hazard.level, hazard.version


# --- asking for an extension (延期申请) ---------------------------------------------------------------


def test_inspector_asks_for_an_extension_and_the_page_shows_it(client, auth, session, people, hazard):
    auth.login(people["inspector"])
    wanted = DEADLINE + timedelta(days=45)
    response = client.post(f"/hazards/{hazard.id}/extensions",
                           data={"requested_deadline": wanted.isoformat(), "reason": "汛期<b>停工</b>"})
    assert response.status_code == 303
    (asked,) = session.scalars(select(ExtensionRequest).where(ExtensionRequest.hazard_id == hazard.id)).all()
    assert (asked.state, asked.requested_deadline, asked.requested_by_id) == (
        ExtensionState.PENDING, wanted, people["inspector"].id)
    session.refresh(hazard)
    assert hazard.deadline == DEADLINE  # asking moves nothing
    page = page_of(client, hazard)
    assert wanted.isoformat() in page and "汛期&lt;b&gt;停工&lt;/b&gt;" in page and "<b>停工" not in page


@pytest.mark.parametrize("who, status", [("other_inspector", 404), ("admin", 403)])
def test_extension_request_refused_to_outsiders_and_admins(client, auth, session, people, hazard, who, status):
    auth.login(people[who])
    response = client.post(f"/hazards/{hazard.id}/extensions",
                           data={"requested_deadline": (DEADLINE + timedelta(days=45)).isoformat(), "reason": "理由"})
    assert response.status_code == status
    assert count(session, ExtensionRequest) == 0


@pytest.mark.parametrize("form", [
    {"requested_deadline": "2099-13-45", "reason": "理由"},   # not a date
    {"requested_deadline": "", "reason": "理由"},             # missing
    {"requested_deadline": (DEADLINE + timedelta(days=45)).isoformat(), "reason": "  "},  # no reasons
    {"requested_deadline": (DEADLINE - timedelta(days=1)).isoformat(), "reason": "理由"},  # not later
])
def test_a_bad_extension_request_is_explained_and_nothing_is_asked(client, auth, session, people, hazard, form):
    before = snapshot(session, hazard)
    auth.login(people["inspector"])
    response = client.post(f"/hazards/{hazard.id}/extensions", data=form, follow_redirects=True)
    assert_explained_and_unchanged(response, session, hazard, before)
    assert count(session, ExtensionRequest) == 0


# --- deciding on an extension -------------------------------------------------------------------------


def test_county_supervisor_grants_and_the_deadline_moves(client, auth, session, people, hazard, pending):
    auth.login(people["county"])
    response = client.post(f"/hazards/{hazard.id}/extensions/{pending.id}",
                           data={"decision": "grant", "note": "同意延期"})
    assert response.status_code == 303
    session.refresh(pending)
    session.refresh(hazard)
    assert pending.state is ExtensionState.GRANTED and pending.decided_by_id == people["county"].id
    assert hazard.deadline == pending.requested_deadline
    changes = session.execute(select(DeadlineChange.from_deadline, DeadlineChange.to_deadline)
                              .where(DeadlineChange.hazard_id == hazard.id)).all()
    assert changes == [(DEADLINE, pending.requested_deadline)]
    page = page_of(client, hazard)
    assert f"<dd>{pending.requested_deadline.isoformat()}</dd>" in page and "已批准" in page and "同意延期" in page


def test_a_grant_may_set_another_date_than_asked(client, auth, session, people, hazard, pending):
    other = DEADLINE + timedelta(days=20)
    auth.login(people["county"])
    client.post(f"/hazards/{hazard.id}/extensions/{pending.id}", data={"decision": "grant", "deadline": other.isoformat()})
    session.refresh(hazard)
    assert hazard.deadline == other
    assert f"<dd>{other.isoformat()}</dd>" in page_of(client, hazard)


def test_county_supervisor_refuses_and_the_deadline_stays(client, auth, session, people, hazard, pending):
    auth.login(people["county"])
    response = client.post(f"/hazards/{hazard.id}/extensions/{pending.id}",
                           data={"decision": "refuse", "note": "理由不充分"})
    assert response.status_code == 303
    session.refresh(pending)
    session.refresh(hazard)
    assert pending.state is ExtensionState.REFUSED and hazard.deadline == DEADLINE
    assert count(session, DeadlineChange, DeadlineChange.hazard_id == hazard.id) == 0
    page = page_of(client, hazard)
    assert "不予批准" in page and "理由不充分" in page and f"<dd>{DEADLINE.isoformat()}</dd>" in page


@pytest.mark.parametrize("who, status", [("inspector", 403), ("other_county", 404), ("admin", 403)])
@pytest.mark.parametrize("decision", ["grant", "refuse"])
def test_only_a_supervisor_of_the_hazard_decides(client, auth, session, people, hazard, pending, who, status,
                                                  decision):
    auth.login(people[who])
    response = client.post(f"/hazards/{hazard.id}/extensions/{pending.id}", data={"decision": decision})
    assert response.status_code == status
    session.refresh(pending)
    session.refresh(hazard)
    assert pending.state is ExtensionState.PENDING and hazard.deadline == DEADLINE


def test_a_grant_with_a_malformed_date_is_explained_and_changes_nothing(client, auth, session, people, hazard,
                                                                        pending):
    before = snapshot(session, hazard)
    auth.login(people["county"])
    response = client.post(f"/hazards/{hazard.id}/extensions/{pending.id}",
                           data={"decision": "grant", "deadline": "2099-13-45"}, follow_redirects=True)
    assert_explained_and_unchanged(response, session, hazard, before)
    session.refresh(pending)
    assert pending.state is ExtensionState.PENDING
    assert count(session, DeadlineChange, DeadlineChange.hazard_id == hazard.id) == 0


def test_a_request_already_decided_is_not_decided_again(client, auth, session, people, hazard, pending):
    auth.login(people["county"])
    client.post(f"/hazards/{hazard.id}/extensions/{pending.id}", data={"decision": "refuse"})
    response = client.post(f"/hazards/{hazard.id}/extensions/{pending.id}", data={"decision": "grant"})
    assert response.status_code == 409
    session.refresh(pending)
    session.refresh(hazard)
    assert pending.state is ExtensionState.REFUSED and hazard.deadline == DEADLINE


# --- raising the supervision level (提级督办) -----------------------------------------------------------


def test_city_supervisor_raises_the_level_and_the_page_shows_it(client, auth, session, people, hazard):
    auth.login(people["city"])
    response = client.post(f"/hazards/{hazard.id}/level",
                           data={"level": "city", "note": "多次逾期", "version": hazard.version})
    assert response.status_code == 303
    session.refresh(hazard)
    assert hazard.level is SupervisionLevel.CITY
    levels = session.execute(select(LevelChange.from_level, LevelChange.to_level, LevelChange.changed_by_id)
                             .where(LevelChange.hazard_id == hazard.id)
                             .order_by(LevelChange.id)).all()
    assert levels[-1] == (SupervisionLevel.COUNTY, SupervisionLevel.CITY, people["city"].id)
    page = page_of(client, hazard)
    assert 'class="badge level-city"' in page and "多次逾期" in page


@pytest.mark.parametrize("who, status", [
    ("county", 403),          # a county supervisor may not raise above their own level
    ("inspector", 403),
    ("admin", 403),
    ("other_county", 404),
])
def test_raising_the_level_is_refused_without_the_right(client, auth, session, people, hazard, who, status):
    before = snapshot(session, hazard)
    changes = count(session, LevelChange)
    auth.login(people[who])
    response = client.post(f"/hazards/{hazard.id}/level", data={"level": "city", "note": "提级"})
    assert response.status_code == status
    assert snapshot(session, hazard) == before and count(session, LevelChange) == changes


@pytest.mark.parametrize("form", [
    {"level": "city", "note": ""},          # no reason
    {"level": "county", "note": "提级"},     # not higher than now
    {"level": "galactic", "note": "提级"},   # not a level
    {"note": "提级"},                        # no level
])
def test_a_bad_level_change_is_explained_and_nothing_changes(client, auth, session, people, hazard, form):
    before = snapshot(session, hazard)
    changes = count(session, LevelChange)
    auth.login(people["city"])
    response = client.post(f"/hazards/{hazard.id}/level", data=form, follow_redirects=True)
    assert_explained_and_unchanged(response, session, hazard, before)
    assert count(session, LevelChange) == changes


def test_a_level_change_on_a_stale_page_is_refused(client, auth, session, people, hazard):
    stale = hazard.version
    hazard.title = "有人先改了标题"
    session.commit()
    auth.login(people["city"])
    response = client.post(f"/hazards/{hazard.id}/level", data={"level": "city", "note": "提级", "version": stale})
    assert response.status_code == 409
    session.refresh(hazard)
    assert hazard.level is SupervisionLevel.COUNTY


# --- progress notes and supervision events (通报、约谈、问责) ------------------------------------------------


def test_inspector_records_progress_and_the_page_shows_it(client, auth, session, people, hazard):
    auth.login(people["inspector"])
    response = client.post(f"/hazards/{hazard.id}/events",
                           data={"kind": "progress", "note": "护栏已进场<script>x</script>",
                                 "happened_on": (TODAY - timedelta(days=1)).isoformat()})
    assert response.status_code == 303
    (event,) = session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id)).all()
    assert (event.kind, event.happened_on, event.created_by_id) == (
        EventKind.PROGRESS, TODAY - timedelta(days=1), people["inspector"].id)
    page = page_of(client, hazard)
    assert "护栏已进场&lt;script&gt;" in page and "<script>x</script>" not in page


def test_county_supervisor_records_a_summons(client, auth, session, people, hazard):
    auth.login(people["county"])
    response = client.post(f"/hazards/{hazard.id}/events",
                           data={"kind": "summons", "note": "约谈责任单位", "document_no": "忻府安办〔2024〕9号"})
    assert response.status_code == 303
    (event,) = session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id)).all()
    assert event.kind is EventKind.SUMMONS and event.happened_on == TODAY
    page = page_of(client, hazard)
    assert "忻府安办〔2024〕9号" in page and "约谈责任单位" in page


@pytest.mark.parametrize("who, kind, status", [
    ("inspector", "summons", 403),      # supervision events are the supervisors'
    ("admin", "progress", 403),
    ("other_inspector", "progress", 404),
    ("other_county", "notice", 404),
])
def test_events_are_refused_without_the_right(client, auth, session, people, hazard, who, kind, status):
    auth.login(people[who])
    response = client.post(f"/hazards/{hazard.id}/events", data={"kind": kind, "note": "记录"})
    assert response.status_code == status
    assert count(session, HazardEvent) == 0


@pytest.mark.parametrize("form", [
    {"kind": "progress", "note": ""},
    {"kind": "progress", "note": "记录", "happened_on": "2024-02-30"},
    {"kind": "gossip", "note": "记录"},
])
def test_a_bad_event_is_explained_and_nothing_is_recorded(client, auth, session, people, hazard, form):
    before = snapshot(session, hazard)
    auth.login(people["county"])
    response = client.post(f"/hazards/{hazard.id}/events", data=form, follow_redirects=True)
    assert_explained_and_unchanged(response, session, hazard, before)
    assert count(session, HazardEvent) == 0


# --- funding lines (资金), in 万元 on the form and yuan in the ledger ----------------------------------


def test_county_supervisor_records_a_budget_in_wan(client, auth, session, people, hazard):
    auth.login(people["county"])
    response = client.post(f"/hazards/{hazard.id}/funding",
                           data={"kind": "budget", "source": "county", "amount_wan": "12.5", "note": "县财政"})
    assert response.status_code == 303
    (entry,) = session.scalars(select(FundingEntry).where(FundingEntry.hazard_id == hazard.id)).all()
    assert (entry.kind, entry.source, entry.amount, entry.created_by_id) == (
        FundingKind.BUDGET, FundingSource.COUNTY, Decimal("125000.00"), people["county"].id)
    assert isinstance(entry.amount, Decimal)
    page = page_of(client, hazard)
    assert "12.50" in page and "县财政" in page


def test_inspector_records_spending(client, auth, session, people, hazard):
    auth.login(people["inspector"])
    response = client.post(f"/hazards/{hazard.id}/funding",
                           data={"kind": "spending", "source": "county", "amount_wan": "0.35",
                                 "entry_date": (TODAY - timedelta(days=3)).isoformat()})
    assert response.status_code == 303
    (entry,) = session.scalars(select(FundingEntry).where(FundingEntry.hazard_id == hazard.id)).all()
    assert entry.amount == Decimal("3500.00") and entry.entry_date == TODAY - timedelta(days=3)
    assert "0.35" in page_of(client, hazard)


@pytest.mark.parametrize("who, kind, status", [
    ("inspector", "budget", 403),       # budgets and allocations are decided by supervisors
    ("inspector", "allocation", 403),
    ("admin", "spending", 403),
    ("other_county", "budget", 404),
    ("other_inspector", "spending", 404),
])
def test_funding_is_refused_without_the_right(client, auth, session, people, hazard, who, kind, status):
    auth.login(people[who])
    response = client.post(f"/hazards/{hazard.id}/funding", data={"kind": kind, "source": "county", "amount_wan": "1"})
    assert response.status_code == status
    assert count(session, FundingEntry) == 0


@pytest.mark.parametrize("form", [
    {"kind": "budget", "source": "county", "amount_wan": "十万"},
    {"kind": "budget", "source": "county", "amount_wan": "-1"},
    {"kind": "budget", "source": "county", "amount_wan": "0"},
    {"kind": "budget", "source": "county", "amount_wan": ""},
    {"kind": "budget", "source": "moon", "amount_wan": "1"},
    {"source": "county", "amount_wan": "1"},
    {"kind": "budget", "source": "county", "amount_wan": "1", "entry_date": "2024-13-01"},
])
def test_a_bad_funding_line_is_explained_and_nothing_is_recorded(client, auth, session, people, hazard, form):
    before = snapshot(session, hazard)
    auth.login(people["county"])
    response = client.post(f"/hazards/{hazard.id}/funding", data=form, follow_redirects=True)
    assert_explained_and_unchanged(response, session, hazard, before)
    assert count(session, FundingEntry) == 0
