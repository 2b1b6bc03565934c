"""The demo's crash records: three years of them inside the demo city, fatal ones among them, some
placed by route and stake only or by a point only, and fewer crashes after a closed hazard's works
than before them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import and_, func, select

from hazards.demo.crashes import add_months, plan_crashes
from hazards.demo.geography import build_geography
from hazards.demo.ledger import seed_demo
from hazards.demo.places import COUNTIES
from hazards.demo.scenario import plan_ledger
from hazards.domain.enums import Status
from hazards.models import Crash, Hazard
from hazards.queries.crash_place import at_hazard_place

TODAY = date(2024, 11, 20)


@pytest.fixture
def seeded(session):
    return seed_demo(session, hazards=200, today=TODAY)


def test_crashes_lie_in_the_demo_counties_within_three_years(session, seeded):
    assert seeded.history_rows["crashes"] == session.scalar(select(func.count(Crash.id))) > 600
    divisions, first, last = session.execute(select(
        func.count(func.distinct(Crash.jurisdiction_code)), func.min(Crash.occurred_on), func.max(Crash.occurred_on),
    )).one()
    assert divisions > 5 and first >= date(2021, 11, 20) and last <= TODAY
    counties = {county.code for county in COUNTIES}
    assert set(session.scalars(select(Crash.jurisdiction_code).distinct())) <= counties
    fatal, without_point, without_route = session.execute(select(
        func.count().filter(Crash.deaths > 0), func.count().filter(Crash.geom.is_(None)),
        func.count().filter(Crash.route_code.is_(None)),
    )).one()
    assert fatal > 20 and without_point > 0 and without_route > 0


def test_closed_hazards_have_fewer_crashes_after_their_works(session, seeded):
    dialect = session.bind.dialect.name
    closed = session.scalars(select(Hazard).where(Hazard.status == Status.CLOSED,
                                                  Hazard.planned_start.is_not(None))).all()
    before = after = 0
    for hazard in closed:
        at_place = and_(Hazard.id == hazard.id, at_hazard_place(Crash, Hazard, 100, dialect))
        counted = select(func.count(Crash.id)).select_from(Hazard).join(Crash, at_place)
        before += session.scalar(counted.where(Crash.occurred_on >= add_months(hazard.planned_start, -12),
                                               Crash.occurred_on < hazard.planned_start))
        after += session.scalar(counted.where(Crash.occurred_on > hazard.completed_on,
                                              Crash.occurred_on <= add_months(hazard.completed_on, 12)))
    assert before > 2 * after > 0


def test_same_seed_same_crashes():
    geo = build_geography()
    plans = plan_ledger(geo, count=60, seed=7, today=TODAY)
    assert plan_crashes(geo, plans, seed=7, today=TODAY) == plan_crashes(geo, plans, seed=7, today=TODAY)
    assert plan_crashes(geo, plans, seed=7, today=TODAY) != plan_crashes(geo, plans, seed=8, today=TODAY)


def test_months_are_calendar_months():
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2024, 1, 15), 12) == date(2025, 1, 15)
    assert add_months(date(2024, 1, 15), -13) == date(2022, 12, 15)
