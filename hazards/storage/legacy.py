"""Files an older version kept in each host's instance folder (`uploads/`, `reports/`), under the same
keys the store now uses: read from there while they have not been moved, and moved by
`hazards files move-into-store` (see `move_instance_files`)."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from datetime import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hazards.storage.base import FileMissing, Store, StoredFile
from hazards.storage.local import FolderStore

INSTANCE_FOLDERS = ("uploads", "reports")


def _is_instance_key(key: str) -> bool:
    return key.split("/", 1)[0] in INSTANCE_FOLDERS


class WithInstanceFiles(Store):
    """The configured store, falling back for reads to this host's instance folder; listing shows both
    (a file in each once), so a backup taken before the move still copies every file this host has."""

    def __init__(self, store: Store, instance_path: str | Path):
        self.store = store
        self.instance = FolderStore(instance_path)

    def put(self, key: str, data: bytes | BinaryIO, content_type: str = "application/octet-stream") -> None:
        self.store.put(key, data, content_type)

    def open(self, key: str) -> StoredFile:
        try:
            return self.store.open(key)
        except FileMissing:
            if not _is_instance_key(key):
                raise
        return self.instance.open(key)

    def exists(self, key: str) -> bool:
        return self.store.exists(key) or (_is_instance_key(key) and self.instance.exists(key))

    def delete(self, key: str) -> None:
        self.store.delete(key)
        if _is_instance_key(key):
            self.instance.delete(key)

    def keys(self, prefix: str = "") -> Iterator[str]:
        yield from self.store.keys(prefix)
        for folder in INSTANCE_FOLDERS:  # never the rest of the instance folder (the database, the key)
            for key in self.instance.keys(folder + "/"):
                if key.startswith(prefix) and not self.store.exists(key):
                    yield key

    def modified(self, key: str) -> datetime | None:
        when = self.store.modified(key)
        if when is None and _is_instance_key(key):
            return self.instance.modified(key)
        return when

    def drop_abandoned_writes(self, older_than_s: int) -> int:
        return self.store.drop_abandoned_writes(older_than_s)

    def describe(self) -> str:
        return self.store.describe()


@dataclass
class Moved:
    moved: int = 0
    already_there: int = 0


def move_instance_files(store: WithInstanceFiles) -> Moved:
    """Copy each file of the instance folder's `uploads/` and `reports/` into the store under the same
    key, check the stored size, then remove the instance copy. Safe to run again, and on each host."""
    outcome = Moved()
    for folder in INSTANCE_FOLDERS:
        for key in list(store.instance.keys(folder + "/")):
            source = store.instance.path(key)
            size = source.stat().st_size
            if store.store.exists(key):
                outcome.already_there += 1
            else:
                with source.open("rb") as stream:
                    store.store.put(key, stream, mimetypes.guess_type(source.name)[0] or "application/octet-stream")
                outcome.moved += 1
            with store.store.open(key) as stored:
                if stored.size is not None and stored.size != size:
                    raise OSError(f"{key}: {stored.size} bytes in the store, {size} in {source}; left in place")
            source.unlink()
    return outcome
