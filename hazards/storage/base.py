"""The storage interface every backend keeps, and the rule for what a key may be."""

from __future__ import annotations

from datetime import datetime

import io
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from typing import BinaryIO

from hazards.domain.errors import N_, Unavailable

MAX_KEY_LENGTH = 1024
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


class FileMissing(LookupError):
    """No file under this key."""


class StoreUnavailable(Unavailable):
    """The store cannot be reached (the S3 server down or refusing, a timeout): a 503 that says to try
    again, never a 500. What was being saved with the file is rolled back with the request."""

    code = "file_store_unavailable"

    def __init__(self):
        super().__init__(N_("The file store cannot be reached just now; nothing was saved. "
                            "Please try again in a minute."))


def check_key(key: str) -> str:
    """A key is a relative, '/'-separated path whose parts are not empty and do not start with a dot: no
    key leads a backend outside its folder or prefix ('..'), none is a hidden or half-written file of the
    folder backend, and the same key means the same file on every backend."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH or _UNSAFE.search(key):
        raise ValueError(f"not a storage key: {key!r}")
    if any(not part or part.startswith(".") for part in key.split("/")):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class StoredFile(io.RawIOBase):
    """A stored file opened for reading: a binary stream read in pieces (never whole unless asked),
    with its size when the backend knows it. Close it (or use `with`) to free the file or connection."""

    def __init__(self, read: Callable[[int], bytes], *, size: int | None, content_type: str | None,
                 on_close: Callable[[], None]):
        super().__init__()
        self._read = read
        self._on_close = on_close
        self.size = size
        self.content_type = content_type

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            try:
                self._on_close()
            finally:
                super().close()


class Store(ABC):
    """Files by key. `put` replaces a file whole (a reader never sees half of one); `delete` of a missing
    key is not an error; `keys` yields every key starting with a prefix, in no set order (what a backup
    copies)."""

    @abstractmethod
    def put(self, key: str, data: bytes | BinaryIO, content_type: str = "application/octet-stream") -> None: ...

    @abstractmethod
    def open(self, key: str) -> StoredFile:
        """The file for reading; FileMissing if there is none."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def delete(self, key: str) -> None: ...

    @abstractmethod
    def keys(self, prefix: str = "") -> Iterator[str]: ...

    @abstractmethod
    def modified(self, key: str) -> datetime | None:
        """When the file was last written, in UTC (naive, like every stored time); None if there is none."""

    def drop_abandoned_writes(self, older_than_s: int) -> int:
        """Remove what writes that never finished left behind, older than this; how many. Nothing by
        default: an S3 server keeps no half-written object (a bucket lifecycle rule ends abandoned
        multipart uploads)."""
        return 0

    def get(self, key: str) -> bytes:
        with self.open(key) as stored:
            return stored.read()

    @abstractmethod
    def describe(self) -> str:
        """Where the files are, for operators' messages (no secrets)."""
