"""The file store's two backends for the tests: a folder, and a bucket on a real S3 server (moto's, on
127.0.0.1: the `s3_server` fixture of tests/conftest.py; under CI=true a missing one fails, not skips)."""

from __future__ import annotations

import pytest

from hazards.storage import store_from_config


def store_settings(kind: str, request, tmp_path) -> dict:
    """Settings naming a fresh store of this kind: a shared folder, or a new bucket (with a prefix)."""
    if kind == "folder":
        return {"STORAGE_URL": str(tmp_path / "shared-files")}
    server = request.getfixturevalue("s3_server")
    return server.settings(server.new_bucket(), "hazards")


@pytest.fixture(params=["folder", "s3"])
def store_kind(request) -> str:
    return request.param


@pytest.fixture
def store(store_kind, request, tmp_path):
    """A store as the app builds it from settings, on an empty instance folder."""
    return store_from_config(store_settings(store_kind, request, tmp_path), tmp_path / "instance")
