"""Attachments served from the store: streamed with their length, revalidated and ranged like static
files, the same permission check as before, and a file the store lacks is a 404, not a 500."""

from __future__ import annotations

import hashlib
import logging

import pytest

from hazards.domain.enums import AttachmentPhase
from hazards.services.attachments import add_attachment, thumbnail_key
from hazards.services.registration import report_hazard
from hazards.storage import current_store
from tests.factories import draft, jpeg


@pytest.fixture
def photo(session, people):
    hazard = report_hazard(session, draft(), actor=people["inspector"])
    item = add_attachment(session, hazard.id, people["inspector"], data=jpeg(1200, 800), filename="现场.jpg",
                          phase=AttachmentPhase.BEFORE, store=current_store())
    session.commit()
    return item


def test_a_photo_comes_whole_with_its_length_and_answers_revalidation_and_ranges(client, auth, people, photo):
    auth.login(people["inspector"])
    full = client.get(f"/attachments/{photo.id}")
    assert full.status_code == 200 and full.mimetype == "image/jpeg"
    assert full.content_length == photo.size_bytes == len(full.data)
    assert hashlib.sha256(full.data).hexdigest() == photo.sha256
    assert client.get(f"/attachments/{photo.id}", headers={"If-None-Match": full.headers["ETag"]}).status_code == 304
    part = client.get(f"/attachments/{photo.id}", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.data == full.data[:100]
    assert client.get(f"/attachments/{photo.id}", headers={"Range": f"bytes={len(full.data)}-"}).status_code == 416
    thumb = client.get(f"/attachments/{photo.id}?thumb=1")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg" and len(thumb.data) < len(full.data)


def test_outside_ones_area_a_photo_is_not_found(client, auth, people, photo):
    auth.login(people["other_inspector"])
    assert client.get(f"/attachments/{photo.id}").status_code == 404


def test_a_file_the_store_lacks_is_a_404_and_an_error_in_the_log(client, auth, people, photo, caplog):
    current_store().delete(photo.stored_path)
    current_store().delete(thumbnail_key(photo.stored_path))
    auth.login(people["inspector"])
    with caplog.at_level(logging.ERROR):
        assert client.get(f"/attachments/{photo.id}").status_code == 404
        assert client.get(f"/attachments/{photo.id}?thumb=1").status_code == 404
    assert photo.stored_path in caplog.text and "missing" in caplog.text
