"""`hazards backup` and `hazards restore` as an operator uses them, on each backend.

Each test has ledgers of its own (committed, in their own databases and instance folders), because a
restore replaces a whole database.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from hazards import db as hazards_db
from hazards.domain.enums import AttachmentPhase
from hazards.models import Attachment, Hazard, User
from hazards.operations.backup import schema_revision
from hazards.services.attachments import add_attachment
from hazards.services.reference import ensure_reference_data
from hazards.services.registration import report_hazard
from hazards.storage import current_store
from tests.conftest import build_app
from tests.factories import draft, jpeg, small_ledger, user


def empty_app(backend, make_database, folder, **settings):
    return build_app(make_database(backend), folder, **settings)


def ledger_app(backend, make_database, folder, **settings):
    """An app whose ledger has the small ledger, its inspector, and a photo on 甲."""
    app = empty_app(backend, make_database, folder, **settings)
    with app.app_context():
        upgrade()
        session = hazards_db.get_session()
        ensure_reference_data(session)
        inspector = user(session)
        made = small_ledger(session, {"inspector": inspector})
        add_attachment(session, made[0].id, inspector, data=jpeg(), filename="现场.jpg",
                       phase=AttachmentPhase.BEFORE, store=current_store())
        session.commit()
    return app


def ledger_of(app) -> list[tuple]:
    with app.app_context():
        session = hazards_db.get_session()
        return session.execute(select(Hazard.code, Hazard.title, Hazard.status).order_by(Hazard.code)).all()


def cli(app, *args):
    with app.app_context():  # as `hazards` runs its commands
        result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output + (repr(result.exception) if result.exit_code and not result.output else "")


def photo_as_served(app) -> bytes:
    with app.app_context():
        attachment_id = hazards_db.get_session().scalar(select(Attachment.id))
    client = app.test_client()
    assert client.post("/login", data={"login": "inspector-140902", "password": "secret-pass"}).status_code == 302
    response = client.get(f"/attachments/{attachment_id}")
    assert response.status_code == 200
    return response.data


def test_a_backup_brings_the_ledger_and_its_photos_back_on_a_new_server(backend, make_database, tmp_path):
    source = ledger_app(backend, make_database, tmp_path / "old-server")
    code, output = cli(source, "backup", str(tmp_path / "backup"))
    assert code == 0, output
    assert "backed up" in output and "2 files" in output  # the photo and its thumbnail

    # The old server is gone; a new one starts from an empty database and an empty instance folder.
    replacement = empty_app(backend, make_database, tmp_path / "new-server")
    code, output = cli(replacement, "restore", str(tmp_path / "backup"))
    assert code == 0, output

    assert ledger_of(replacement) == ledger_of(source)
    assert len(ledger_of(replacement)) == 4
    assert photo_as_served(replacement) == photo_as_served(source)


def test_files_kept_in_a_bucket_come_back_into_another_servers_folder(make_database, tmp_path, s3_server):
    source = ledger_app("spatialite", make_database, tmp_path / "old-server",
                        **s3_server.settings(s3_server.new_bucket(), "ledger"))
    code, output = cli(source, "backup", str(tmp_path / "backup"))
    assert code == 0 and "2 files" in output, output
    replacement = empty_app("spatialite", make_database, tmp_path / "new-server")  # files in <instance>/files
    code, output = cli(replacement, "restore", str(tmp_path / "backup"))
    assert code == 0, output
    assert photo_as_served(replacement) == photo_as_served(source)
    assert len(list((tmp_path / "new-server" / "files" / "uploads").rglob("*.jpg"))) == 2


def test_restore_will_not_overwrite_a_ledger_unless_told(backend, make_database, tmp_path):
    app = ledger_app(backend, make_database, tmp_path / "server")
    assert cli(app, "backup", str(tmp_path / "backup"))[0] == 0
    as_backed_up = ledger_of(app)
    with app.app_context():
        session = hazards_db.get_session()
        report_hazard(session, draft(title="备份之后"), actor=session.scalar(select(User).filter_by(login="inspector-140902")))
        session.commit()

    code, output = cli(app, "restore", str(tmp_path / "backup"))
    assert code == 1 and "--replace" in output
    assert len(ledger_of(app)) == 5  # untouched

    code, output = cli(app, "restore", str(tmp_path / "backup"), "--replace")
    assert code == 0, output
    assert ledger_of(app) == as_backed_up


def test_a_damaged_backup_is_refused_before_anything_is_overwritten(backend, make_database, tmp_path):
    app = ledger_app(backend, make_database, tmp_path / "server")
    assert cli(app, "backup", str(tmp_path / "backup"))[0] == 0
    before = ledger_of(app)
    database_file = next(p for p in (tmp_path / "backup").iterdir() if p.name.startswith("database."))
    data = database_file.read_bytes()
    database_file.write_bytes(data[: len(data) // 2])

    code, output = cli(app, "restore", str(tmp_path / "backup"), "--replace")
    assert code == 1 and "damaged" in output and database_file.name in output
    assert ledger_of(app) == before


def test_a_backup_cut_short_after_its_checksum_leaves_the_database_as_it_was(backend, make_database, tmp_path):
    """A file truncated and its checksum rewritten (a bad disk, a hand edit): the restore fails in the
    database tools and the ledger is still the one that was there."""
    app = ledger_app(backend, make_database, tmp_path / "server")
    assert cli(app, "backup", str(tmp_path / "backup"))[0] == 0
    before = ledger_of(app)
    folder = tmp_path / "backup"
    manifest = json.loads((folder / "manifest.json").read_text())
    database_file = next(p for p in folder.iterdir() if p.name.startswith("database."))
    data = database_file.read_bytes()
    database_file.write_bytes(data[: len(data) * 2 // 3])
    manifest["checksums"][database_file.name] = hashlib.sha256(database_file.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))

    code, output = cli(app, "restore", str(folder), "--replace")
    assert code == 1 and "nothing was changed" in output, output
    assert ledger_of(app) == before


def test_a_backup_goes_into_a_new_folder_only(backend, make_database, tmp_path):
    app = ledger_app(backend, make_database, tmp_path / "server")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("keep me")
    code, output = cli(app, "backup", str(tmp_path / "busy"))
    assert code == 1 and "not empty" in output
    assert (tmp_path / "busy" / "notes.txt").read_text() == "keep me"


@pytest.mark.postgis
def test_a_backup_of_one_database_kind_is_not_restored_into_the_other(make_database, tmp_path):
    app = ledger_app("spatialite", make_database, tmp_path / "server")
    assert cli(app, "backup", str(tmp_path / "backup"))[0] == 0
    elsewhere = empty_app("postgis", make_database, tmp_path / "other")
    code, output = cli(elsewhere, "restore", str(tmp_path / "backup"))
    assert code == 1 and "export/import" in output
    with elsewhere.app_context():
        assert schema_revision(hazards_db.get_engine()) is None  # still the empty database it was
