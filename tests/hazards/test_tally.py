"""Completion tallies against hand-counted ledgers, including the edge cases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from hazards import clock
from hazards.domain.enums import FundingKind, FundingSource, Status, SupervisionLevel
from hazards.models import FundingEntry, TallySnapshot
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from hazards.services.tally import compute_tally, store_tally
from tests.factories import draft

AS_OF = date(2024, 12, 31)
COUNTY, CITY = SupervisionLevel.COUNTY, SupervisionLevel.CITY


def listed(**kw):
    base = dict(level=COUNTY, status=Status.LISTED, listed_on=date(2024, 3, 10), deadline=date(2024, 9, 30))
    base.update(kw)
    return draft(**base)


def closed(on, **kw):
    return listed(status=Status.CLOSED, closed_on=on, **kw)


@pytest.fixture
def tally_ledger(session):
    hazards = [
        closed(date(2024, 9, 1)),                       # early
        closed(date(2024, 9, 30)),                      # exactly on the deadline: on time, not early
        closed(date(2024, 10, 15)),                     # late
        listed(),                                       # open, overdue
        listed(deadline=date(2025, 3, 1)),              # open, not yet due
        closed(date(2025, 1, 10)),                      # closed after the as-of date: open and overdue then
        listed(status=Status.REJECTED),                 # not counted at all
        listed(jurisdiction_code="140981"),             # another county, overdue
        listed(level=CITY, status=Status.CLOSED, closed_on=date(2024, 6, 1)),
        listed(found_on=date(2025, 2, 1), listed_on=date(2025, 2, 2), deadline=date(2025, 6, 1)),  # found later
    ]
    rows = [report_hazard(session, h, actor=SYSTEM) for h in hazards]
    for amount, kind in [("100000.50", FundingKind.BUDGET), ("40000.25", FundingKind.SPENDING)]:
        session.add(FundingEntry(hazard_id=rows[0].id, kind=kind, source=FundingSource.COUNTY,
                                 amount=Decimal(amount), entry_date=date(2024, 5, 1)))
    session.add(FundingEntry(hazard_id=rows[7].id, kind=FundingKind.BUDGET, source=FundingSource.CITY,
                             amount=Decimal("0.01"), entry_date=date(2024, 5, 1)))
    session.flush()
    return rows


def test_county_numbers(session, tally_ledger):
    xinfu = compute_tally(session, AS_OF)[("140902", COUNTY, 2024)]
    assert (xinfu.total, xinfu.closed, xinfu.on_time, xinfu.ahead) == (6, 3, 2, 1)
    assert (xinfu.open, xinfu.overdue) == (3, 2)
    assert xinfu.budget == Decimal("100000.50") and xinfu.spent == Decimal("40000.25")


def test_roll_up_to_city_province_and_country(session, tally_ledger):
    tally = compute_tally(session, AS_OF)
    city = tally[("140900", COUNTY, 2024)]
    assert (city.total, city.closed, city.overdue) == (7, 3, 3)
    assert city.budget == Decimal("100000.51")
    assert tally[("140000", COUNTY, 2024)].total == 7 and tally[("100000", COUNTY, 2024)].total == 7
    assert tally[("140900", CITY, 2024)].closed == 1


def test_snapshot_rate_and_rerun_replaces(session, tally_ledger):
    first = store_tally(session, AS_OF)
    assert first > 0 and store_tally(session, AS_OF) == first
    assert session.scalar(select(func.count(TallySnapshot.id))) == first  # replaced, not doubled
    snap = session.scalar(select(TallySnapshot).where(
        TallySnapshot.as_of == AS_OF, TallySnapshot.jurisdiction_code == "140902", TallySnapshot.level == COUNTY))
    assert snap.completion_rate == Decimal("0.5000")  # 3 of 6: overdue open items stay in the denominator


def test_no_hazards_gives_no_rows(session):
    assert compute_tally(session, AS_OF) == {}
    assert store_tally(session, AS_OF) == 0


def test_all_overdue(session):
    for _ in range(3):
        report_hazard(session, listed(), actor=SYSTEM)
    county = compute_tally(session, AS_OF)[("140902", COUNTY, 2024)]
    assert (county.total, county.open, county.overdue, county.closed) == (3, 3, 3, 0)


def test_dashboard_shows_the_trend_from_snapshots(client, auth, session, people, tally_ledger):
    from datetime import timedelta

    supervisor = people["city"]
    report_hazard(session, listed(level=SupervisionLevel.PROVINCE), actor=SYSTEM)  # sorts after county by name, before by rank
    today = clock.today()
    store_tally(session, today - timedelta(days=2))
    store_tally(session, today)
    session.commit()
    auth.login(supervisor)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "治理率趋势" in page and "<polyline" in page and "县级 · " in page
    shown = [page.index(name + " · ") for name in ("部级", "省级", "市级", "县级", "未挂牌") if name + " · " in page]
    assert len(shown) >= 2 and shown == sorted(shown)  # levels in the ledger's own order


def test_tally_command(runner, session, tally_ledger):
    result = runner.invoke(args=["tally", "--as-of", "2024-12-31"])
    assert result.exit_code == 0 and "tally as of 2024-12-31:" in result.output
    assert session.scalar(select(func.count(TallySnapshot.id))) > 0
