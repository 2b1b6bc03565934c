"""Photos attached to the logging form that wait for the form to be saved.

A browser does not send a chosen file again when the form comes back with a question (is this a
duplicate?) or a field to correct, so the photos the form carried are kept in the deployment's file
store (`staging/uploads/<token>/`, hazards.storage) and the form carries only the token. The token
names its owner in the store beside the files: a token is honoured for the person who made it, and
for nobody else. The files are removed when the hazard is saved with them; an upload never saved is
removed a day later (`hazards files drop-staged`, which every new staging also runs).
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from hazards import clock
from hazards.storage import FileMissing, Store

STAGING = "staging/uploads/"
KEPT_FOR_S = 24 * 3600  # an upload whose form was never saved is dropped after a day
MAX_FILES = 20
_TOKEN = re.compile(r"^\d{10}-[0-9a-f]{32}$")
_MANIFEST = "manifest.json"


@dataclass(frozen=True)
class StagedPhoto:
    name: str  # as the sender named it
    data: bytes


def is_token(text: str | None) -> bool:
    return bool(text) and bool(_TOKEN.fullmatch(text))


def load(store: Store, token: str | None, owner_id: int) -> list[StagedPhoto]:
    """The photos kept under `token` for `owner_id`; none for an unknown, expired or someone else's token."""
    manifest = _manifest(store, token)
    if manifest is None or manifest.get("owner") != owner_id:
        return []
    photos = []
    for entry in manifest.get("files", []):
        try:
            photos.append(StagedPhoto(entry["name"], store.get(f"{STAGING}{token}/{entry['key']}")))
        except (FileMissing, KeyError, TypeError):
            continue
    return photos


def keep(store: Store, owner_id: int, photos: list[StagedPhoto], token: str | None = None) -> str | None:
    """Keep `photos` for `owner_id`, beside those already under `token` when it is theirs; returns the
    token the form should carry (None when nothing is kept)."""
    drop_stale(store)
    manifest = _manifest(store, token)
    if manifest is None or manifest.get("owner") != owner_id:
        token, manifest = None, None
    if not photos:
        return token
    if token is None:
        token = f"{int(clock.now().timestamp()):010d}-{secrets.token_hex(16)}"
        manifest = {"owner": owner_id, "files": []}
    files = manifest["files"]
    for photo in photos[:max(0, MAX_FILES - len(files))]:
        key = str(len(files) + 1)
        store.put(f"{STAGING}{token}/{key}", photo.data)
        files.append({"key": key, "name": Path(photo.name or "photo").name[:255]})
    store.put(f"{STAGING}{token}/{_MANIFEST}", json.dumps(manifest, ensure_ascii=False).encode(),
              "application/json")
    return token


def forget(store: Store, token: str | None, owner_id: int | None = None) -> None:
    """Remove what is kept under `token` (only when it is `owner_id`'s, if given)."""
    if not is_token(token):
        return
    if owner_id is not None:
        manifest = _manifest(store, token)
        if manifest is not None and manifest.get("owner") != owner_id:
            return
    for key in list(store.keys(f"{STAGING}{token}/")):
        store.delete(key)


def drop_stale(store: Store, older_than_s: int = KEPT_FOR_S) -> int:
    """Remove every kept upload made more than `older_than_s` seconds ago; returns how many."""
    cutoff = clock.now().timestamp() - older_than_s
    tokens = {key[len(STAGING):].split("/", 1)[0] for key in store.keys(STAGING)}
    dropped = 0
    for token in tokens:
        made = token.split("-", 1)[0]
        if not made.isdigit() or int(made) < cutoff:
            for key in list(store.keys(f"{STAGING}{token}/")):
                store.delete(key)
            dropped += 1
    return dropped


def _manifest(store: Store, token: str | None) -> dict | None:
    if not is_token(token):
        return None
    try:
        manifest = json.loads(store.get(f"{STAGING}{token}/{_MANIFEST}"))
    except (FileMissing, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None
