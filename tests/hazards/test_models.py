"""The ledger's tables and their constraints, on both backends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm.exc import StaleDataError

from geo.geometry import from_db
from hazards.domain.enums import FundingKind, FundingSource, Status, SupervisionLevel
from hazards.models import Category, FundingEntry, Hazard, Jurisdiction, StatusChange
from hazards.permissions import SYSTEM
from hazards.services.registration import DraftRejected, report_hazard
from tests.factories import XINFU, XINFU_POINT, draft, section_draft, user


def test_reported_hazard_gets_code_categories_history(session):
    hazard = report_hazard(session, draft(), actor=SYSTEM)
    second = report_hazard(session, draft(title="另一处"), actor=SYSTEM)
    assert hazard.code == "140902-2024-0001"
    assert second.code == "140902-2024-0002"
    assert [c.code for c in hazard.categories] == ["sharp_curve", "poor_sight"]
    assert hazard.status is Status.REPORTED
    assert hazard.version == 1
    history = session.scalars(select(StatusChange).where(StatusChange.hazard_id == hazard.id)).all()
    assert [(h.action, h.from_status, h.to_status) for h in history] == [("report", None, Status.REPORTED)]


def test_point_and_section_geometry_round_trip(session):
    point = report_hazard(session, draft(), actor=SYSTEM)
    section = report_hazard(session, section_draft(), actor=SYSTEM)
    session.expire_all()
    assert from_db(session.get(Hazard, point.id).geom).coords[0] == pytest.approx(XINFU_POINT)
    line = from_db(session.get(Hazard, section.id).geom)
    assert line.geom_type == "LineString" and len(line.coords) == 3
    assert session.get(Hazard, section.id).is_section


def test_funding_amounts_are_exact_decimals_and_sum_exactly(session):
    hazard = report_hazard(session, draft(), actor=SYSTEM)
    amounts = [Decimal("0.10"), Decimal("0.20"), Decimal("1234567.89"), Decimal("0.01")]
    for amount in amounts:
        session.add(FundingEntry(hazard_id=hazard.id, kind=FundingKind.SPENDING, source=FundingSource.COUNTY,
                                 amount=amount, entry_date=date(2024, 5, 1)))
    session.flush()
    total = session.scalar(select(func.sum(FundingEntry.amount)).where(FundingEntry.hazard_id == hazard.id))
    assert total == Decimal("1234568.20") and isinstance(total, Decimal)
    stored = session.scalars(select(FundingEntry.amount).order_by(FundingEntry.id)).all()
    assert stored == amounts


def test_money_refuses_floats(session):
    hazard = report_hazard(session, draft(), actor=SYSTEM)
    session.add(FundingEntry(hazard_id=hazard.id, kind=FundingKind.BUDGET, source=FundingSource.CITY,
                             amount=0.1, entry_date=date(2024, 5, 1)))
    with pytest.raises(StatementError, match="Decimal"):
        session.flush()


@pytest.mark.parametrize(
    "column, value",
    [("status", "fixed"), ("level", "township"), ("end_m", -5), ("batch_year", 1990), ("crash_count", -1)],
)
def test_database_refuses_values_outside_the_vocabulary(session, column, value):
    hazard = report_hazard(session, draft(), actor=SYSTEM)
    table = Hazard.__table__
    with pytest.raises((IntegrityError, StatementError)):
        with session.begin_nested():
            session.execute(table.update().where(table.c.id == hazard.id).values({column: value}))


def test_codes_are_unique(session):
    report_hazard(session, draft(code="140902-2024-0042"), actor=SYSTEM)
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            report_hazard(session, draft(code="140902-2024-0042"), actor=SYSTEM)


def test_unknown_jurisdiction_and_bad_fields_are_named(session):
    with pytest.raises(DraftRejected) as caught:
        report_hazard(session, draft(jurisdiction_code="999999", end_m=100, category_codes=["nope"]), actor=SYSTEM)
    message = str(caught.value)
    assert "999999" in message and "nope" in message and "end stake" in message


def test_a_save_over_someone_elses_newer_version_is_refused(session):
    hazard = report_hazard(session, draft(), actor=SYSTEM)
    table = Hazard.__table__
    # Another user saves first: their UPDATE bumps the version our copy was loaded at.
    session.execute(
        table.update().where(table.c.id == hazard.id).values(title="theirs", version=table.c.version + 1)
    )
    hazard.title = "mine"
    with pytest.raises(StaleDataError):
        session.flush()


def test_reference_data_is_seeded(session):
    xinzhou = session.get(Jurisdiction, "140900")
    assert xinzhou.name == "忻州市" and {c.code for c in xinzhou.children} >= {XINFU, "140981"}
    assert session.scalar(select(Category.name_zh).where(Category.code == "sharp_curve")) == "急弯"


def test_overdue_is_derived_from_deadline_and_status(session):
    hazard = report_hazard(session, draft(level=SupervisionLevel.COUNTY, deadline=date(2024, 6, 30)), actor=SYSTEM)
    assert not hazard.is_overdue(date(2024, 6, 30))
    assert hazard.is_overdue(date(2024, 7, 1))
    hazard.status, hazard.closed_on = Status.CLOSED, date(2024, 7, 2)
    assert not hazard.is_overdue(date(2024, 8, 1))


def test_labels_of_like_named_members_do_not_collide():
    from hazards.domain.enums import FundingSource, JurisdictionLevel
    from hazards.domain.labels import label, lookup_table

    assert (label(SupervisionLevel.CITY), label(JurisdictionLevel.CITY), label(FundingSource.CITY)) == ("市级", "市", "市级")
    assert label(SupervisionLevel.PROVINCE, "en") == "Province"
    assert lookup_table(SupervisionLevel)["市级督办"] is SupervisionLevel.CITY


def test_a_failed_statement_never_shows_its_parameters(session):
    """The server log records a failed statement's error; its values (here a password hash) stay out."""
    import sqlalchemy.exc

    from hazards.models import User

    first = user(session, "inspector", "140902", login="same.login")
    twin = User(login="same.login", name="twin", role=first.role, jurisdiction_code="140902")
    twin.set_password("another-secret-pass")
    session.add(twin)
    with pytest.raises(sqlalchemy.exc.IntegrityError) as failure:
        with session.begin_nested():
            session.flush()
    text = str(failure.value)
    assert twin.password_hash not in text and "another-secret-pass" not in text
    assert "hidden" in text
