"""Where files live: attachments (photos, documents) and generated report files, behind one interface.

A store maps keys ("uploads/12/ab34.jpg", "reports/<task id>.xlsx") to bytes. Two backends, chosen by
`HAZARDS_STORAGE_URL`: a folder (the default `<instance>/files`, or a path several hosts share over
NFS) and an S3-compatible bucket (MinIO on an intranet). Every web server and worker of one
deployment must name the same store; the instance folder stays per host.
"""

from __future__ import annotations

from flask import Flask, current_app

from hazards.storage.base import FileMissing, Store, StoredFile, StoreUnavailable, check_key
from hazards.storage.settings import store_from_config

__all__ = ["FileMissing", "Store", "StoredFile", "StoreUnavailable", "check_key", "current_store", "init_app", "store_from_config"]

EXTENSION = "hazards_storage"


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = store_from_config(app.config, app.instance_path)


def current_store() -> Store:
    return current_app.extensions[EXTENSION]
