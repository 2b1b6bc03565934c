"""Files an older version kept in each host's instance folder (uploads/, reports/): still served, and
moved into the configured store by `hazards files move-into-store`, on a folder and on S3 alike."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from hazards.domain.enums import AttachmentPhase
from hazards.models import Attachment
from hazards.services.registration import report_hazard
from hazards.storage.legacy import move_instance_files
from tests.factories import draft, jpeg

OLD_PHOTO = "uploads/{hazard}/0123456789abcdef0123456789abcdef.jpg"


def old_file(instance: Path, key: str, data: bytes) -> Path:
    path = instance.joinpath(*key.split("/"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_an_older_versions_files_are_read_until_moved_then_moved_once(store, tmp_path):
    instance = tmp_path / "instance"
    files = {"uploads/4/a.jpg": b"photo", "uploads/4/a.thumb.jpg": b"thumb", "reports/old-task.xlsx": b"PK sheet"}
    for key, data in files.items():
        old_file(instance, key, data)
    store.put("uploads/9/new.jpg", b"uploaded since the upgrade")
    old_file(instance, "hazards.sqlite", b"the database, which is no stored file")
    assert all(store.get(key) == data and store.exists(key) for key, data in files.items())
    assert sorted(store.keys()) == sorted([*files, "uploads/9/new.jpg"])  # what a backup copies
    assert sorted(store.keys("uploads/4/")) == ["uploads/4/a.jpg", "uploads/4/a.thumb.jpg"]

    outcome = move_instance_files(store)
    assert (outcome.moved, outcome.already_there) == (3, 0)
    assert sorted(store.keys()) == sorted([*files, "uploads/9/new.jpg"])
    assert all(store.get(k) == d for k, d in files.items())
    assert [p.name for p in instance.rglob("*") if p.is_file()] == ["hazards.sqlite"]
    again = move_instance_files(store)
    assert (again.moved, again.already_there) == (0, 0)


def test_a_file_already_in_the_store_is_kept_and_a_differing_one_stops_the_move(store, tmp_path):
    instance = tmp_path / "instance"
    store.put("uploads/4/a.jpg", b"photo")
    same = old_file(instance, "uploads/4/a.jpg", b"photo")
    assert list(store.keys()) == ["uploads/4/a.jpg"]  # listed once
    assert move_instance_files(store).already_there == 1 and not same.exists()

    store.put("uploads/5/b.jpg", b"the store's own")
    differing = old_file(instance, "uploads/5/b.jpg", b"another file")
    with pytest.raises(OSError, match="left in place"):
        move_instance_files(store)
    assert differing.read_bytes() == b"another file" and store.get("uploads/5/b.jpg") == b"the store's own"


def test_an_upgraded_hosts_old_photo_is_served_before_and_after_the_move_command(app, session, people, client,
                                                                                auth, runner):
    hazard = report_hazard(session, draft(), actor=people["inspector"])
    data = jpeg(300, 200)
    key = OLD_PHOTO.format(hazard=hazard.id)
    old = old_file(Path(app.instance_path), key, data)
    session.add(Attachment(hazard_id=hazard.id, phase=AttachmentPhase.BEFORE, original_name="old.jpg",
                           stored_path=key, content_type="image/jpeg", size_bytes=len(data),
                           sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=people["inspector"].id))
    session.commit()
    photo = session.query(Attachment).filter_by(stored_path=key).one()
    auth.login(people["county"])
    assert client.get(f"/attachments/{photo.id}").data == data  # read from the instance folder

    result = runner.invoke(args=["files", "move-into-store"])
    assert result.exit_code == 0, result.output
    assert "1 files moved" in result.output and not old.exists()
    assert client.get(f"/attachments/{photo.id}").data == data  # now from the store
    assert (Path(app.instance_path) / "files" / key).read_bytes() == data

    again = runner.invoke(args=["files", "move-into-store"])
    assert again.exit_code == 0 and "0 files moved" in again.output


def test_the_check_command_says_where_files_are_kept(app, runner):
    result = runner.invoke(args=["files", "check"])
    assert result.exit_code == 0, result.output
    assert f"folder {Path(app.instance_path) / 'files'}" in result.output and "work" in result.output
