"""The folder backend: one file per key under a root folder (the instance's `files/`, or an NFS mount
that every host of a deployment shares)."""

from __future__ import annotations

import mimetypes
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from hazards.storage.base import FileMissing, Store, StoredFile, check_key

CHUNK = 1024 * 1024


class FolderStore(Store):
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def put(self, key: str, data: bytes | BinaryIO, content_type: str = "application/octet-stream") -> None:
        # Written beside the target under a hidden name, then renamed over it: a reader on any host sees
        # the old file or the whole new one, never a half-written one (rename is atomic on NFS too).
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{uuid.uuid4().hex}.part")
        try:
            with open(partial, "wb") as out:
                if isinstance(data, (bytes, bytearray, memoryview)):
                    out.write(data)
                else:
                    shutil.copyfileobj(data, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    def open(self, key: str) -> StoredFile:
        path = self.path(key)
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed by the StoredFile
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise FileMissing(key) from None
        return StoredFile(handle.read, size=os.fstat(handle.fileno()).st_size,
                          content_type=mimetypes.guess_type(path.name)[0], on_close=handle.close)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        try:
            self.path(key).unlink()
        except (FileNotFoundError, NotADirectoryError):
            pass

    def keys(self, prefix: str = "") -> Iterator[str]:
        # Start from the deepest folder the prefix names, so listing "uploads/12/" reads one folder.
        folder, _, _ = prefix.rpartition("/")
        start = self.root.joinpath(*check_key(folder).split("/")) if folder else self.root
        for here, dirs, files in os.walk(start):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            relative = Path(here).relative_to(self.root).as_posix()
            for name in files:
                if name.startswith("."):
                    continue  # a write in progress
                key = name if relative == "." else f"{relative}/{name}"
                if key.startswith(prefix):
                    yield key

    def modified(self, key: str) -> datetime | None:
        try:
            seconds = self.path(key).stat().st_mtime
        except (FileNotFoundError, NotADirectoryError):
            return None
        return datetime.fromtimestamp(seconds, timezone.utc).replace(tzinfo=None)

    def drop_abandoned_writes(self, older_than_s: int) -> int:
        """The hidden `.…part` files of writes whose process died between writing and renaming (a
        failing write removes its own); an hour-old one belongs to no write still under way."""
        cutoff = time.time() - older_than_s
        dropped = 0
        for here, _dirs, files in os.walk(self.root):
            for name in files:
                if name.startswith(".") and name.endswith(".part"):
                    path = Path(here) / name
                    try:
                        if path.stat().st_mtime < cutoff:
                            path.unlink()
                            dropped += 1
                    except FileNotFoundError:
                        pass  # another host's housekeeping got there first
        return dropped

    def describe(self) -> str:
        return f"folder {self.root}"
