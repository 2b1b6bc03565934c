"""Files nobody will ask for again leave the store: report files past REPORT_FILES_KEPT_DAYS, and what
a write that died half-way left in a shared folder. Run by the nightly housekeeping job."""

from __future__ import annotations

import os
import time
from datetime import timedelta

from hazards import clock

from hazards.services import report_files
from hazards.storage import current_store

DAY = 24 * 3600


def test_a_file_knows_when_it_was_written(store):
    store.put("reports/a.pdf", b"%PDF-")
    written = store.modified("reports/a.pdf")
    assert abs(written - clock.as_stored(clock.now().replace(tzinfo=None))) < timedelta(minutes=2)
    assert store.modified("reports/none.pdf") is None


def test_report_files_older_than_the_kept_days_are_removed_and_nothing_else(store_kind, store):
    store.put("reports/new.xlsx", b"new")
    store.put("uploads/1/photo.jpg", b"photo")
    store.put("staging/uploads/1-x/photo.jpg", b"waiting")
    assert report_files.drop_expired(store, kept_days=7) == 0
    if store_kind == "folder":  # a bucket's times cannot be set back; a folder's can (store.store: the folder)
        store.put("reports/old.pdf", b"old")
        nine_days_ago = time.time() - 9 * DAY
        os.utime(store.store.path("reports/old.pdf"), (nine_days_ago, nine_days_ago))
        assert report_files.drop_expired(store, kept_days=7) == 1
    assert report_files.drop_expired(store, kept_days=7) == 0
    assert sorted(store.keys()) == ["reports/new.xlsx", "staging/uploads/1-x/photo.jpg", "uploads/1/photo.jpg"]


def test_half_written_files_of_a_dead_write_are_removed_after_an_hour(tmp_path):
    from hazards.storage.local import FolderStore

    store = FolderStore(tmp_path)
    store.put("uploads/7/photo.jpg", b"photo")
    dead = tmp_path / "uploads" / "7" / ".0f1e.part"
    under_way = tmp_path / "uploads" / "7" / ".9a8b.part"
    dead.write_bytes(b"half")
    under_way.write_bytes(b"half")
    two_hours_ago = time.time() - 7200
    os.utime(dead, (two_hours_ago, two_hours_ago))
    assert store.drop_abandoned_writes(3600) == 1
    assert not dead.exists() and under_way.exists()
    assert list(store.keys()) == ["uploads/7/photo.jpg"]


def test_the_nightly_housekeeping_removes_old_report_files(app, session):
    from tasks.jobs import housekeeping

    store = current_store()  # the test app's: a folder (under the instance files' fallback)
    store.put("reports/old-report.docx", b"old")
    path = store.store.path("reports/old-report.docx")
    long_ago = time.time() - 30 * DAY
    os.utime(path, (long_ago, long_ago))
    outcome = housekeeping()  # the job's own code, as beat runs it
    assert outcome["report_files_dropped"] == 1
    assert not store.exists("reports/old-report.docx")
