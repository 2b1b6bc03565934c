"""Which SpatiaLite transactions take the write lock: reading requests none, writes from the start.

On a real database file (not the rolled-back test transaction), with a second connection standing in
for another worker process that wants to write while the first one's transaction is open.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, text

from hazards import db as hazards_db
from hazards.io.importer import import_hazards
from hazards.models import Hazard
from hazards.permissions import SYSTEM
from tests.conftest import ledger_app
from tests.io.test_import import POINT_ROW, SECTION_ROW, write_csv


@pytest.fixture(scope="module")
def file_app(make_database, tmp_path_factory):
    app = ledger_app(make_database("spatialite"), tmp_path_factory.mktemp("transactions"))
    yield app
    hazards_db.state(app).engine.dispose()


def other_writer_can_write(app) -> bool:
    """Another connection tries to take the write lock at once (no busy wait) and write."""
    import pysqlite3.dbapi2 as sqlite

    other = sqlite.connect(hazards_db.state(app).engine.url.database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE categories SET sort_order = sort_order WHERE 0")
        other.execute("COMMIT")
        return True
    except sqlite.OperationalError as exc:
        assert "locked" in str(exc)
        return False
    finally:
        other.close()


@pytest.mark.parametrize(("method", "mode"), [("GET", "DEFERRED"), ("HEAD", "DEFERRED"), ("OPTIONS", "DEFERRED"),
                                              ("POST", "IMMEDIATE"), ("PUT", "IMMEDIATE"), ("PATCH", "IMMEDIATE"),
                                              ("DELETE", "IMMEDIATE")])
def test_the_request_method_decides_how_a_transaction_begins(file_app, method, mode):
    with file_app.test_request_context("/", method=method):
        assert hazards_db.sqlite_begin_mode() == mode


def test_outside_a_request_transactions_begin_immediate(file_app):
    with file_app.app_context():
        assert hazards_db.sqlite_begin_mode() == "IMMEDIATE"  # jobs and the CLI


def test_a_reading_request_leaves_the_write_lock_free_and_a_write_takes_it(file_app):
    with file_app.test_request_context("/hazards", method="GET"):
        session = hazards_db.get_session()
        session.scalar(select(func.count(Hazard.id)))  # the transaction is open and has read
        assert other_writer_can_write(file_app)
        session.close()
    with file_app.test_request_context("/hazards", method="POST"):
        session = hazards_db.get_session()
        session.scalar(select(func.count(Hazard.id)))
        assert not other_writer_can_write(file_app)  # a write flow holds it from its first read
        session.close()


def test_declared_blocks_override_the_request_method(file_app):
    with file_app.test_request_context("/api/v1/import", method="POST"):
        session = hazards_db.get_session()
        with hazards_db.reading(session):
            session.scalar(select(func.count(Hazard.id)))
            assert other_writer_can_write(file_app)
        session.close()
    with file_app.test_request_context("/api/v1/me", method="GET"):
        session = hazards_db.get_session()
        with hazards_db.writing(session):
            session.execute(text("SELECT 1"))
            assert not other_writer_can_write(file_app)
        assert other_writer_can_write(file_app)  # the block committed: the lock is free again
        session.close()


def test_an_import_checks_without_the_write_lock_and_writes_in_one_transaction(file_app, tmp_path):
    path = write_csv(tmp_path / "台账.csv", [POINT_ROW, SECTION_ROW])
    engine = hazards_db.state(file_app).engine
    statements: list[str] = []
    free_while_checking: list[bool] = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement.split(None, 2)[0].upper() + (" " + statement.split()[1].upper()
                                                                   if statement.upper().startswith("BEGIN") else ""))

    from hazards.io import importer

    checking = importer._check_pass

    def check_then_probe(*args, **kwargs):
        codes = checking(*args, **kwargs)
        free_while_checking.append(other_writer_can_write(file_app))
        return codes

    event.listen(engine, "before_cursor_execute", note)
    importer._check_pass = check_then_probe
    try:
        with file_app.app_context():
            session = hazards_db.get_session()
            report = import_hazards(session, path, actor=SYSTEM)
            session.commit()
    finally:
        importer._check_pass = checking
        event.remove(engine, "before_cursor_execute", note)

    assert report.errors == [] and len(report.created) == 2
    assert free_while_checking == [True]
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN DEFERRED", "BEGIN IMMEDIATE"], statements
    writes = [i for i, s in enumerate(statements) if s in ("INSERT", "UPDATE", "DELETE")]
    assert writes and min(writes) > statements.index("BEGIN IMMEDIATE")  # every write in the second one
