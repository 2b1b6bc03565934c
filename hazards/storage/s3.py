"""The S3-compatible backend: one object per key in a bucket, under an optional prefix. Written for
MinIO (what intranets run) through MinIO's own maintained client; any S3-compatible server works."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import BinaryIO

from minio import Minio
from minio.error import S3Error
from urllib3.exceptions import HTTPError

from hazards.storage.base import FileMissing, Store, StoredFile, StoreUnavailable, check_key

# A stream of unknown length goes up in parts of this size (S3's least is 5 MiB), one part at a time in
# the calling thread: one part in memory, never the whole file, and nothing left uploading after a failure.
PART_SIZE = 16 * 1024 * 1024
MISSING = ("NoSuchKey", "NoSuchObject", "ResourceNotFound")
# The server's own word that it cannot serve now (S3 error codes), as opposed to a refusal of the request.
BUSY = ("ServiceUnavailable", "SlowDown", "InternalError", "XMinioServerNotInitialized")


@contextmanager
def _reachable():
    """A server that cannot be reached or is too busy is StoreUnavailable (a 503), not a crash."""
    try:
        yield
    except S3Error as exc:
        if exc.code in BUSY:
            raise StoreUnavailable() from exc
        raise
    except HTTPError as exc:  # urllib3's: refused, reset, timed out (an OSError is the caller's own stream)
        raise StoreUnavailable() from exc


class S3Store(Store):
    def __init__(self, client: Minio, bucket: str, prefix: str = "", *, where: str = ""):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.where = where

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes | BinaryIO, content_type: str = "application/octet-stream") -> None:
        # One PUT (or a multipart upload completed in one step): the object appears whole or not at all.
        if isinstance(data, (bytes, bytearray, memoryview)):
            stream, length = io.BytesIO(data), len(data)
        else:
            stream, length = data, _remaining_length(data)
        with _reachable():
            self.client.put_object(self.bucket, self._name(key), stream, length, content_type=content_type,
                                   part_size=PART_SIZE if length < 0 else 0, num_parallel_uploads=1)

    def open(self, key: str) -> StoredFile:
        try:
            with _reachable():
                response = self.client.get_object(self.bucket, self._name(key))
        except S3Error as exc:
            if exc.code in MISSING:
                raise FileMissing(key) from None
            raise
        length = response.headers.get("Content-Length")

        def release() -> None:
            response.close()
            response.release_conn()

        return StoredFile(response.read, size=int(length) if length is not None else None,
                          content_type=response.headers.get("Content-Type"), on_close=release)

    def exists(self, key: str) -> bool:
        try:
            with _reachable():
                self.client.stat_object(self.bucket, self._name(key))
        except S3Error as exc:
            if exc.code in MISSING:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        with _reachable():
            self.client.remove_object(self.bucket, self._name(key))  # S3 answers a missing key with success

    def keys(self, prefix: str = "") -> Iterator[str]:
        with _reachable():
            for item in self.client.list_objects(self.bucket, prefix=self.prefix + prefix, recursive=True):
                if not item.is_dir:
                    yield item.object_name[len(self.prefix):]

    def modified(self, key: str) -> datetime | None:
        try:
            with _reachable():
                stat = self.client.stat_object(self.bucket, self._name(key))
        except S3Error as exc:
            if exc.code in MISSING:
                return None
            raise
        return stat.last_modified.astimezone(timezone.utc).replace(tzinfo=None)

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix} at {self.where}"


def _remaining_length(stream: BinaryIO) -> int:
    """Bytes left in a seekable stream (a spooled upload, an open file); -1 when it cannot tell."""
    try:
        if stream.seekable():
            here = stream.tell()
            end = stream.seek(0, os.SEEK_END)
            stream.seek(here)
            return end - here
    except (AttributeError, OSError, ValueError):
        pass
    return -1
