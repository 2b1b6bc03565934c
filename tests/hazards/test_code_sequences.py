"""Hazard codes come from a counter row per division and year: consecutive, past any code written
whole, given back by a rollback, and seeded by the migration from the codes already in the ledger.
(Simultaneous reports on live servers: tests/test_concurrent_users.py.)"""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from hazards import db as hazards_db
from hazards.models import CodeSequence
from hazards.permissions import SYSTEM
from hazards.services.codes import take_codes
from hazards.services.reference import ensure_reference_data
from hazards.services.registration import report_hazard
from tests.conftest import build_app
from tests.factories import XINFU, draft

KEY = (XINFU, 2024)
COUNTERS_REVISION = "b3f1c7a9d2e6"  # migrations/versions/*_code_sequences.py


def counter(session, key=KEY) -> int | None:
    return session.scalar(select(CodeSequence.last_value).where(
        CodeSequence.jurisdiction_code == key[0], CodeSequence.batch_year == key[1]))


def test_a_block_of_codes_is_consecutive_and_moves_the_counter_once(session):
    report_hazard(session, draft(), actor=SYSTEM)
    blocks = take_codes(session, {KEY: 3, (XINFU, 2025): 2})
    assert list(blocks[KEY]) == ["140902-2024-0002", "140902-2024-0003", "140902-2024-0004"]
    assert list(blocks[(XINFU, 2025)]) == ["140902-2025-0001", "140902-2025-0002"]
    assert counter(session) == 4
    assert report_hazard(session, draft(title="下一个"), actor=SYSTEM).code == "140902-2024-0005"


def test_a_code_written_whole_moves_the_counter_past_it(session):
    report_hazard(session, draft(code="140902-2024-0040"), actor=SYSTEM)
    assert counter(session) == 40
    report_hazard(session, draft(code="140902-2024-0007"), actor=SYSTEM)  # an older number: no step back
    assert report_hazard(session, draft(title="下一个"), actor=SYSTEM).code == "140902-2024-0041"


def test_a_rolled_back_report_gives_its_number_back(session):
    report_hazard(session, draft(), actor=SYSTEM)
    with session.begin_nested() as attempt:
        assert report_hazard(session, draft(title="撤回"), actor=SYSTEM).code == "140902-2024-0002"
        attempt.rollback()
    assert report_hazard(session, draft(title="再报"), actor=SYSTEM).code == "140902-2024-0002"


def test_a_missing_counter_starts_from_the_codes_in_use(session):
    report_hazard(session, draft(code="140902-2024-0012"), actor=SYSTEM)
    session.execute(CodeSequence.__table__.delete())
    assert report_hazard(session, draft(title="下一个"), actor=SYSTEM).code == "140902-2024-0013"


def test_the_migration_seeds_each_counter_from_the_highest_code_in_use(backend, make_database, tmp_path):
    app = build_app(make_database(backend), tmp_path)
    with app.app_context():
        upgrade()
        session = hazards_db.get_session()
        ensure_reference_data(session)
        for code in ("140902-2024-0003", "140902-2024-0009", "140902-2023-000120", "140902-2022-99999999"):
            report_hazard(session, draft(code=code, batch_year=int(code[7:11])), actor=SYSTEM)
        session.commit()
        downgrade(revision=COUNTERS_REVISION)  # whatever came later first, then the counters' table itself
        downgrade(revision="-1")  # the codes stay
        upgrade()
        seeded = dict(((r.jurisdiction_code, r.batch_year), r.last_value)
                      for r in session.scalars(select(CodeSequence)))
        # 99999999 is not a code of the standard form: it never counted, and does not here.
        assert seeded == {(XINFU, 2024): 9, (XINFU, 2023): 120}
        assert report_hazard(session, draft(title="迁移后"), actor=SYSTEM).code == "140902-2024-0010"
        session.rollback()
    hazards_db.state(app).engine.dispose()
