"""The completion rules at their edges, as docs/reports.md states them, and their SQL face held to them.

The pure half needs no database; the last test runs each SQL condition over hazards built for the
same edges (some given data the forms refuse, such as a closed hazard without a closing date, since
SQL's NULLs are where the two faces could part) on SpatiaLite and PostGIS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from hazards.domain import completion as c
from hazards.domain.completion import Counts
from hazards.domain.enums import Status, SupervisionLevel

DEADLINE = date(2024, 9, 30)
DAY = timedelta(days=1)


@dataclass
class H:
    status: Status = Status.LISTED
    closed_on: date | None = None
    deadline: date | None = DEADLINE
    batch_year: int = 2024


def closed(on: date, deadline: date | None = DEADLINE) -> H:
    return H(Status.CLOSED, on, deadline)


@pytest.mark.parametrize("closed_on, on_time, ahead", [
    (DEADLINE - DAY, True, True),       # a day before the deadline: ahead, and so on time
    (DEADLINE, True, False),            # on the deadline day: on time, not ahead
    (DEADLINE + DAY, False, False),     # a day late: neither
])
def test_on_time_and_ahead_around_the_deadline_day(closed_on, on_time, ahead):
    hazard, later = closed(closed_on), date(2025, 1, 1)
    assert (c.is_on_time(hazard, later), c.is_ahead(hazard, later)) == (on_time, ahead)


def test_on_time_and_ahead_count_only_what_is_closed_by_the_day():
    early = closed(DEADLINE - 10 * DAY)
    assert c.is_on_time(early, DEADLINE - 10 * DAY) and c.is_ahead(early, DEADLINE - 10 * DAY)
    assert not c.is_on_time(early, DEADLINE - 11 * DAY) and not c.is_ahead(early, DEADLINE - 11 * DAY)


@pytest.mark.parametrize("as_of, overdue", [
    (DEADLINE, False),                  # deadline today and open: not yet overdue
    (DEADLINE + DAY, True),             # the day after: overdue
    (DEADLINE - DAY, False),
])
def test_overdue_starts_the_day_after_the_deadline(as_of, overdue):
    for status in c.OPEN_STATUSES:
        assert c.is_overdue(H(status), as_of) is overdue


def test_without_a_deadline_nothing_is_on_time_ahead_or_overdue():
    fixed_at_once, waiting = closed(date(2024, 5, 1), deadline=None), H(Status.REPORTED, deadline=None)
    far = date(2030, 1, 1)
    assert c.is_closed_by(fixed_at_once, far) and not c.is_on_time(fixed_at_once, far)
    assert not c.is_ahead(fixed_at_once, far)
    assert c.is_open_at(waiting, far) and not c.is_overdue(waiting, far)


def test_closed_after_the_day_judged_was_open_then_and_can_be_overdue():
    late = closed(DEADLINE + 20 * DAY)
    assert c.is_open_at(late, DEADLINE + 19 * DAY) and not c.is_closed_by(late, DEADLINE + 19 * DAY)
    assert c.is_overdue(late, DEADLINE + 19 * DAY)
    assert c.is_closed_by(late, DEADLINE + 20 * DAY) and not c.is_overdue(late, DEADLINE + 20 * DAY)


def test_a_report_judges_open_at_its_end_and_deadlines_at_its_as_of_date():
    # A period running past today: deadlines are judged today; open is whatever is not closed by the end.
    end, today = date(2024, 12, 31), DEADLINE + 5 * DAY
    assert c.is_overdue(H(), today, open_on=end)
    assert not c.is_overdue(H(deadline=today), today, open_on=end)
    assert not c.is_overdue(closed(DEADLINE + DAY), today, open_on=end)


@pytest.mark.parametrize("status", [Status.REJECTED, Status.MERGED])
def test_rejected_and_merged_never_count(status):
    hazard, far = H(status), date(2030, 1, 1)
    assert not c.is_counted(hazard)
    assert not (c.is_open_at(hazard, far) or c.is_closed_by(hazard, far) or c.is_overdue(hazard, far))


@pytest.mark.parametrize("status", sorted(s for s in Status if s not in (Status.REJECTED, Status.MERGED)))
def test_a_counted_hazard_is_either_closed_or_open_on_any_day(status):
    closing = DEADLINE if status is Status.CLOSED else None
    for day in (DEADLINE - DAY, DEADLINE, DEADLINE + DAY):
        hazard = H(status, closing)
        assert c.is_counted(hazard) and c.is_closed_by(hazard, day) != c.is_open_at(hazard, day)


def test_completed_in_a_period_includes_both_end_days_whatever_the_batch():
    start, end = date(2024, 1, 1), date(2024, 12, 31)
    assert c.is_completed_in(H(Status.CLOSED, start, batch_year=2023), start, end)
    assert c.is_completed_in(closed(end), start, end)
    assert not c.is_completed_in(closed(start - DAY), start, end)
    assert not c.is_completed_in(closed(end + DAY), start, end)
    assert not c.is_completed_in(H(Status.CLOSURE_REQUESTED), start, end)


def test_on_the_list_of_the_years_a_period_covers():
    assert c.is_on_list(H(batch_year=2024), 2023, 2024) and not c.is_on_list(H(batch_year=2022), 2023, 2024)


@pytest.mark.parametrize("closed_, total, rate", [
    (3, 6, Decimal("0.5000")),          # overdue open items stay in the denominator
    (2, 3, Decimal("0.6667")),
    (1, 32, Decimal("0.0313")),         # 0.03125: half up, as the reports have always rounded
    (5, 5, Decimal("1.0000")),
    (0, 4, Decimal("0.0000")),
    (0, 0, None),                       # nothing counted: no rate, not a rate of zero
])
def test_completion_rate(closed_, total, rate):
    assert c.completion_rate(closed_, total) == rate
    assert Counts(total=total, closed=closed_, open=total - closed_).rate == rate


def test_counts_add_up_field_by_field():
    total = Counts(completed=1, total=2, closed=1, on_time=1, ahead=0, open=1, overdue=1)
    total.add(Counts(completed=0, total=3, closed=2, on_time=2, ahead=1, open=1, overdue=0))
    assert total == Counts(completed=1, total=5, closed=3, on_time=3, ahead=1, open=2, overdue=1)


# ---- the SQL face ------------------------------------------------------------------------------

def test_every_sql_condition_selects_what_its_predicate_accepts(session):
    from sqlalchemy import select, update

    from hazards.models import Hazard
    from hazards.queries import completion as sql
    from hazards.services.reference import ReferenceData
    from hazards.services.registration import register_hazards
    from tests.factories import draft

    listed = dict(level=SupervisionLevel.COUNTY, listed_on=date(2024, 3, 10))
    drafts = [
        draft(status=Status.CLOSED, closed_on=DEADLINE - DAY, deadline=DEADLINE, **listed),
        draft(status=Status.CLOSED, closed_on=DEADLINE, deadline=DEADLINE, **listed),
        draft(status=Status.CLOSED, closed_on=DEADLINE + DAY, deadline=DEADLINE, **listed),
        draft(status=Status.CLOSED, closed_on=date(2024, 5, 1)),                 # no deadline
        draft(status=Status.LISTED, deadline=DEADLINE, **listed),
        draft(status=Status.CLOSURE_REQUESTED, deadline=DEADLINE + DAY),
        draft(status=Status.REPORTED),                                           # no deadline
        draft(status=Status.REJECTED, deadline=DEADLINE - DAY),
        draft(status=Status.MERGED, deadline=DEADLINE - DAY),
        draft(status=Status.CLOSED, closed_on=DEADLINE, deadline=DEADLINE, batch_year=2023, **listed),
        draft(status=Status.CLOSED, closed_on=DEADLINE, deadline=DEADLINE, **listed),  # closing date removed below
    ]
    ids = register_hazards(session, drafts, ref=ReferenceData(session))
    session.execute(update(Hazard).where(Hazard.id == ids[-1]).values(closed_on=None))
    session.flush()
    session.expire_all()
    hazards = session.scalars(select(Hazard).where(Hazard.id.in_(ids))).all()
    assert len(hazards) == len(ids) and any(h.status is Status.CLOSED and h.closed_on is None for h in hazards)

    def selected(condition) -> set[int]:
        return set(session.scalars(select(Hazard.id).where(Hazard.id.in_(ids), condition)))

    def accepted(predicate) -> set[int]:
        return {h.id for h in hazards if predicate(h)}

    start, end = date(2024, 1, 1), DEADLINE
    assert selected(sql.counted()) == accepted(c.is_counted)
    assert selected(sql.completed_in(start, end)) == accepted(lambda h: c.is_completed_in(h, start, end))
    assert selected(sql.on_list(2024, 2024)) == accepted(lambda h: c.is_on_list(h, 2024, 2024))
    for day in (DEADLINE - DAY, DEADLINE, DEADLINE + DAY, DEADLINE + 2 * DAY):
        assert selected(sql.closed_by(day)) == accepted(lambda h: c.is_closed_by(h, day)), day
        assert selected(sql.open_at(day)) == accepted(lambda h: c.is_open_at(h, day)), day
        assert selected(sql.on_time(day)) == accepted(lambda h: c.is_on_time(h, day)), day
        assert selected(sql.ahead(day)) == accepted(lambda h: c.is_ahead(h, day)), day
        assert selected(sql.overdue(day)) == accepted(lambda h: c.is_overdue(h, day)), day
        assert selected(sql.overdue(day, open_on=DEADLINE + 2 * DAY)) == accepted(
            lambda h: c.is_overdue(h, day, open_on=DEADLINE + 2 * DAY)), day
    assert selected(sql.overdue(DEADLINE + DAY)), "the edges include an overdue hazard"
