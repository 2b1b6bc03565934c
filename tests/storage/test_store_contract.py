"""What every backend of the file store promises, run against a folder and a real S3 server alike."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from hazards.storage import FileMissing, store_from_config

MIB = 1024 * 1024
BIG = 17 * MIB  # past one upload part (16 MiB): a stream of unknown length goes up in parts


class Unseekable(io.RawIOBase):
    """A stream that cannot tell its length (a pipe, a generated file), optionally failing part-way."""

    def __init__(self, size: int, fail_after: int | None = None, midway=None):
        self.left, self.sent, self.fail_after, self.midway = size, 0, fail_after, midway

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.fail_after is not None and self.sent >= self.fail_after:
            raise OSError("the upload broke off")
        if self.midway and self.sent > 16 * MIB:  # once, when the first part has gone up
            check, self.midway = self.midway, None
            check()
        n = min(len(buffer), self.left, 64 * 1024)
        buffer[:n] = os.urandom(n)
        self.left -= n
        self.sent += n
        return n


def test_a_file_put_is_read_back_whole_and_in_pieces(store):
    store.put("uploads/7/a.jpg", b"\xff\xd8photo", "image/jpeg")
    assert store.exists("uploads/7/a.jpg")
    assert store.get("uploads/7/a.jpg") == b"\xff\xd8photo"
    with store.open("uploads/7/a.jpg") as stored:
        assert stored.size == 7 and stored.content_type == "image/jpeg"
        assert stored.read(3) == b"\xff\xd8p" and stored.read() == b"hoto"
    store.put("uploads/7/a.jpg", b"replaced", "image/jpeg")
    assert store.get("uploads/7/a.jpg") == b"replaced"


def test_a_large_stream_of_unknown_length_is_stored_and_read_back_in_pieces(store):
    digest, source = hashlib.sha256(), Unseekable(BIG)

    class Hashing(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            n = source.readinto(buffer)
            digest.update(bytes(buffer[:n]))
            return n

    store.put("reports/big.pdf", io.BufferedReader(Hashing()), "application/pdf")
    again, pieces = hashlib.sha256(), 0
    with store.open("reports/big.pdf") as stored:
        assert stored.size == BIG
        while piece := stored.read(1024 * 1024):
            again.update(piece)
            pieces += 1
    assert again.hexdigest() == digest.hexdigest() and pieces >= 17


def test_a_seekable_stream_is_stored_from_where_it_stands(store, tmp_path):
    source = tmp_path / "scan.pdf"
    source.write_bytes(b"HEADER%PDF-1.7 body")
    with source.open("rb") as stream:
        stream.seek(6)
        store.put("uploads/3/scan.pdf", stream, "application/pdf")
    assert store.get("uploads/3/scan.pdf") == b"%PDF-1.7 body"


def test_a_missing_key_is_told_apart_from_a_failure(store):
    assert not store.exists("uploads/1/none.jpg")
    with pytest.raises(FileMissing):
        store.open("uploads/1/none.jpg")
    with pytest.raises(FileMissing):
        store.get("uploads/1/none.jpg")
    store.delete("uploads/1/none.jpg")  # nothing to delete is not an error


def test_keys_list_what_is_stored_under_a_prefix_and_deleted_keys_go(store):
    for key in ("uploads/1/a.jpg", "uploads/1/a.thumb.jpg", "uploads/10/b.pdf", "uploads/2/c.png", "reports/x.xlsx"):
        store.put(key, key.encode())
    assert sorted(store.keys()) == ["reports/x.xlsx", "uploads/1/a.jpg", "uploads/1/a.thumb.jpg",
                                    "uploads/10/b.pdf", "uploads/2/c.png"]
    assert sorted(store.keys("uploads/1/")) == ["uploads/1/a.jpg", "uploads/1/a.thumb.jpg"]
    assert sorted(store.keys("uploads/1")) == ["uploads/1/a.jpg", "uploads/1/a.thumb.jpg", "uploads/10/b.pdf"]
    assert list(store.keys("nothing/")) == []
    store.delete("uploads/1/a.jpg")
    assert not store.exists("uploads/1/a.jpg") and "uploads/1/a.jpg" not in set(store.keys())
    assert {key: store.get(key) for key in store.keys()}["uploads/2/c.png"] == b"uploads/2/c.png"


def test_while_a_file_is_replaced_readers_get_the_old_one_whole(store):
    store.put("reports/r.pdf", b"%PDF old")
    seen = []
    store.put("reports/r.pdf", io.BufferedReader(Unseekable(BIG, midway=lambda: seen.append(
        (store.get("reports/r.pdf"), sorted(store.keys()))))))
    assert seen == [(b"%PDF old", ["reports/r.pdf"])]
    with store.open("reports/r.pdf") as stored:
        assert stored.size == BIG


@pytest.mark.parametrize("broken_at", [2 * MIB, 16 * MIB + 1])  # within the first part, after it went up
def test_a_put_that_breaks_off_leaves_no_file(store, broken_at):
    with pytest.raises(OSError, match="broke off"):
        store.put("uploads/5/half.pdf", io.BufferedReader(Unseekable(BIG, fail_after=broken_at)))
    assert not store.exists("uploads/5/half.pdf") and list(store.keys()) == []
    store.put("uploads/5/whole.pdf", b"%PDF whole")
    assert list(store.keys()) == ["uploads/5/whole.pdf"]  # nothing half-written is listed either


@pytest.mark.parametrize("key", ["../outside.jpg", "uploads/../../etc/passwd", "/etc/passwd", "uploads//a.jpg",
                                 "uploads/./a.jpg", "", ".hidden", "uploads/.a.part", "uploads\\a.jpg",
                                 "uploads/a\x00.jpg", "uploads/"])
def test_a_key_that_could_lead_elsewhere_is_refused(store, key):
    with pytest.raises(ValueError):
        store.put(key, b"x")
    with pytest.raises(ValueError):
        store.open(key)
    with pytest.raises(ValueError):
        store.exists(key)
    assert list(store.keys()) == []


def test_stores_under_different_prefixes_or_folders_keep_apart(store_kind, request, tmp_path):
    if store_kind == "s3":  # one bucket, two prefixes
        server = request.getfixturevalue("s3_server")
        bucket = server.new_bucket()
        settings = [server.settings(bucket, "one"), server.settings(bucket, "two/deeper")]
    else:
        settings = [{"STORAGE_URL": str(tmp_path / "one")}, {"STORAGE_URL": f"file://{tmp_path / 'two'}"}]
    first, second = (store_from_config(s, tmp_path / "instance") for s in settings)
    first.put("uploads/1/a.jpg", b"first")
    second.put("uploads/1/a.jpg", b"second")
    assert first.get("uploads/1/a.jpg") == b"first" and second.get("uploads/1/a.jpg") == b"second"
    assert list(first.keys()) == list(second.keys()) == ["uploads/1/a.jpg"]
