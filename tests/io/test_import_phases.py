"""An import checks first and writes after: what someone else writes in between cannot half-apply it."""

from __future__ import annotations

from sqlalchemy import func, select

from hazards.io import importer
from hazards.io.importer import import_hazards
from hazards.models import Hazard
from hazards.permissions import SYSTEM
from hazards.services.reference import ReferenceData
from hazards.services.registration import register_hazards
from tests.factories import draft
from tests.io.test_import import POINT_ROW, SECTION_ROW, write_csv


def test_a_code_taken_between_the_check_and_the_write_writes_nothing(session, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "台账.csv", [SECTION_ROW, POINT_ROW])  # the point row brings 140902-2024-0101
    checking = importer._check_pass

    def check_then_someone_else_writes(*args, **kwargs):
        codes = checking(*args, **kwargs)
        register_hazards(session, [draft(code="140902-2024-0101", title="另一人同时登记的隐患")],
                         ref=ReferenceData(session))
        return codes

    monkeypatch.setattr(importer, "_check_pass", check_then_someone_else_writes)
    report = import_hazards(session, path, actor=SYSTEM)

    assert report.created == [] and report.blocked
    assert [e.message for e in report.errors] == [
        "nothing was written: the ledger changed during the import; try again"]
    titles = session.scalars(select(Hazard.title)).all()
    assert titles == ["另一人同时登记的隐患"]  # theirs stays, none of the file's rows
    assert session.scalar(select(func.count(Hazard.id))) == 1
