"""The funding ledger's rules: amounts typed in the field's unit, lines corrected by reversing lines
(never edited), totals and report money that follow, and settling money after closure (决算)."""

from __future__ import annotations

import csv
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from hazards import clock, permissions
from hazards.domain.enums import FundingKind, FundingSource, Status, SupervisionLevel
from hazards.domain.errors import Conflict, InvalidInput, UnconfirmedAmount
from hazards.domain.money import MoneyError, WrongUnit, exceeds_line_limit, parse_amount
from hazards.io.exporter import export_hazards
from hazards.models import FundingEntry
from hazards.reports.build import build_report
from hazards.reports.period import year
from hazards.services import funding
from hazards.services.funding import add_funding, funding_totals, reverse_funding
from hazards.services.registration import report_hazard
from hazards.services.tally import compute_tally
from tests.factories import county_hazard, draft

TODAY = clock.today()
SPENDING, COUNTY_SOURCE = FundingKind.SPENDING, FundingSource.COUNTY


# --- typed amounts -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text, unit, instead", [
    ("85,000元", "wan", "8.5"),       # the reported slip: yuan typed into the 万元 field
    ("850000 元", "wan", "85"),
    ("8.5万", "yuan", "85000"),        # and the other way round
    ("8.5万元", "yuan", "85000"),
])
def test_an_amount_in_the_other_unit_is_refused_saying_what_to_type(text, unit, instead):
    with pytest.raises(WrongUnit) as refused:
        parse_amount(text, unit=unit)
    assert refused.value.params == {"text": text, "instead": instead}


@pytest.mark.parametrize("text, unit, yuan", [
    ("8.5", "wan", Decimal("85000.00")),
    ("8.5万元", "wan", Decimal("85000.00")),   # repeating the field's own unit is fine
    ("8.5万", "wan", Decimal("85000.00")),
    ("85,000元", "yuan", Decimal("85000.00")),
    ("¥300", "yuan", Decimal("300.00")),
])
def test_an_amount_in_the_fields_unit_is_read_as_yuan(text, unit, yuan):
    assert parse_amount(text, unit=unit) == yuan


def test_a_unit_alone_is_not_an_amount():
    with pytest.raises(MoneyError):
        parse_amount("元", unit="wan")


def test_the_plausibility_limit_is_per_line_in_wan():
    assert not exceeds_line_limit(Decimal("50000000.00"), 5000)        # exactly 5000 万元
    assert exceeds_line_limit(Decimal("50000000.01"), 5000)
    assert not exceeds_line_limit(Decimal("9" * 14), None)             # no limit set


# --- the service -------------------------------------------------------------------------------------


@pytest.fixture
def hazard(session, people):
    return county_hazard(session, people["inspector"])


def spend(session, hazard, who, yuan: str, **kw) -> FundingEntry:
    return add_funding(session, hazard.id, who, kind=SPENDING, source=COUNTY_SOURCE, amount=Decimal(yuan),
                       entry_date=TODAY, **kw)


def test_a_line_above_the_limit_needs_confirming(session, people, hazard):
    with pytest.raises(UnconfirmedAmount):
        spend(session, hazard, people["inspector"], "850000000.00", limit_wan=5000)
    assert funding_totals(session, hazard.id)[SPENDING] == Decimal("0.00")
    entry = spend(session, hazard, people["inspector"], "850000000.00", limit_wan=5000, confirm_large=True)
    assert entry.amount == Decimal("850000000.00")


def test_a_reversal_brings_the_totals_and_the_reports_money_back(session, people, hazard):
    spend(session, hazard, people["inspector"], "85000.00")
    wrong = spend(session, hazard, people["inspector"], "850000000.00", confirm_large=True)
    session.commit()
    reversal = reverse_funding(session, hazard.id, wrong.id, people["county"], reason="单位填错，应为8.5万元")
    session.commit()
    assert (reversal.amount, reversal.reverses_id, reversal.kind, reversal.source, reversal.entry_date) == (
        Decimal("-850000000.00"), wrong.id, SPENDING, COUNTY_SOURCE, wrong.entry_date)
    assert wrong.amount == Decimal("850000000.00")  # the wrong line is kept as it was, never edited
    assert funding_totals(session, hazard.id)[SPENDING] == Decimal("85000.00")
    report = build_report(session, "140900", year(TODAY.year), today=TODAY, with_map=False)
    assert report.total.money.yuan(SPENDING) == Decimal("85000.00")
    assert report.total.money.amounts == {(SPENDING, COUNTY_SOURCE): Decimal("85000.00")}


def test_a_line_is_reversed_once_and_a_reversal_is_not_reversed(session, people, hazard):
    line = spend(session, hazard, people["inspector"], "1000.00")
    reversal = reverse_funding(session, hazard.id, line.id, people["inspector"], reason="重复录入")
    with pytest.raises(Conflict):
        reverse_funding(session, hazard.id, line.id, people["inspector"], reason="再冲一次")
    with pytest.raises(Conflict):
        reverse_funding(session, hazard.id, reversal.id, people["inspector"], reason="冲销冲销")
    with pytest.raises(InvalidInput):
        reverse_funding(session, hazard.id, spend(session, hazard, people["inspector"], "5.00").id,
                        people["inspector"], reason="  ")
    assert funding_totals(session, hazard.id)[SPENDING] == Decimal("5.00")


def test_two_people_reversing_the_same_line_at_once_get_a_refusal_not_an_error(session, people, hazard, monkeypatch):
    line = spend(session, hazard, people["inspector"], "1000.00")
    reverse_funding(session, hazard.id, line.id, people["inspector"], reason="重复录入")
    session.commit()
    # The second one checked before the first one's line was there: only the database can tell.
    monkeypatch.setattr(funding, "reversal_of", lambda session, entry_id: None)
    with pytest.raises(Conflict):
        reverse_funding(session, hazard.id, line.id, people["county"], reason="同时冲销")
    session.commit()
    assert funding_totals(session, hazard.id)[SPENDING] == Decimal("0.00")


def test_the_database_holds_the_reversal_rules_too(session, people, hazard):
    """Backstops for writers other than the service: one reversal per line, and only reversals negative."""
    line = spend(session, hazard, people["inspector"], "1000.00")
    reverse_funding(session, hazard.id, line.id, people["inspector"], reason="重复录入")
    session.commit()
    for bad in (
        dict(amount=Decimal("-1000.00"), reverses_id=line.id, reversal_reason="第二次"),   # reversed twice
        dict(amount=Decimal("-1.00")),                                                  # negative, reverses nothing
        dict(amount=Decimal("-1.00"), reverses_id=None, reversal_reason="无对应"),
    ):
        session.add(FundingEntry(hazard_id=hazard.id, kind=SPENDING, source=COUNTY_SOURCE, entry_date=TODAY, **bad))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()


# --- money after closure (决算) -----------------------------------------------------------------------


@pytest.mark.parametrize("who, level, allowed", [
    ("county", SupervisionLevel.COUNTY, True),       # the supervisors at the hazard's level settle it
    ("city", SupervisionLevel.COUNTY, True),
    ("city", SupervisionLevel.CITY, True),
    ("county", SupervisionLevel.CITY, False),        # not below it
    ("inspector", SupervisionLevel.COUNTY, False),   # and not the field
    ("inspector", SupervisionLevel.NONE, False),
])
def test_spending_after_closure_is_the_supervisors(session, people, who, level, allowed):
    listing = {} if level is SupervisionLevel.NONE else {"listed_on": TODAY - timedelta(days=60)}
    closed = report_hazard(session, draft(level=level, status=Status.CLOSED, closed_on=TODAY - timedelta(days=5),
                                          deadline=TODAY, found_on=TODAY - timedelta(days=70), **listing),
                           actor=people["city"])
    for action in ("add_spending", "add_budget"):
        assert permissions.can(people[who], action, closed) is allowed
    assert permissions.can(people[who], "view", closed)


def test_the_field_records_spending_while_the_hazard_is_open(session, people, hazard):
    assert permissions.can(people["inspector"], "add_spending", hazard)
    assert not permissions.can(people["inspector"], "add_budget", hazard)


def test_the_tally_and_the_export_count_a_reversed_line_out(session, people, hazard, tmp_path):
    spend(session, hazard, people["inspector"], "85000.00")
    wrong = spend(session, hazard, people["inspector"], "850000000.00", confirm_large=True)
    reverse_funding(session, hazard.id, wrong.id, people["inspector"], reason="单位填错")
    session.commit()
    tally = compute_tally(session, TODAY)
    assert tally[(hazard.jurisdiction_code, hazard.level, hazard.batch_year)].spent == Decimal("85000.00")
    path = tmp_path / "ledger.csv"
    export_hazards(session, path, fmt="csv", actor=people["inspector"])
    (row,) = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert row["已投入资金(万元)"] == "8.50"
