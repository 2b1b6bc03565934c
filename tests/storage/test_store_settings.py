"""Which store the settings choose, and settings that cannot work refused at start-up with the reason."""

from __future__ import annotations

import pytest

from hazards.storage import store_from_config


def test_by_default_files_live_in_the_instance_folder(tmp_path):
    store = store_from_config({"STORAGE_URL": ""}, tmp_path)
    store.put("uploads/1/a.jpg", b"x")
    assert (tmp_path / "files" / "uploads" / "1" / "a.jpg").read_bytes() == b"x"


@pytest.mark.parametrize("url", ["/SHARED", "file:///SHARED", "shared-elsewhere"])
def test_a_folder_is_named_by_path_or_file_url(tmp_path, url):
    url = url.replace("/SHARED", str(tmp_path / "nfs"))
    store_from_config({"STORAGE_URL": url}, tmp_path / "instance").put("reports/r.csv", b"x")
    folder = tmp_path / "instance" / "shared-elsewhere" if url == "shared-elsewhere" else tmp_path / "nfs"
    assert (folder / "reports" / "r.csv").read_bytes() == b"x"  # a relative path lies in the instance folder


@pytest.mark.parametrize("settings, reason", [
    ({"STORAGE_URL": "s3://bucket/prefix"}, "S3_ENDPOINT"),
    ({"STORAGE_URL": "s3:///prefix", "S3_ENDPOINT": "minio:9000"}, "names no bucket"),
    ({"STORAGE_URL": "ftp://files/x"}, "neither a folder"),
    ({"STORAGE_URL": "."}, "folder of their own"),
])
def test_settings_that_cannot_work_are_refused_with_the_reason(tmp_path, settings, reason):
    with pytest.raises(ValueError, match=reason):
        store_from_config(settings, tmp_path)


@pytest.mark.parametrize("endpoint, secure, expected", [
    ("minio.intranet:9000", True, "https://minio.intranet:9000"),
    ("minio.intranet:9000", "false", "http://minio.intranet:9000"),  # as an environment variable gives it
    ("http://minio.intranet:9000", True, "http://minio.intranet:9000"),  # the URL's scheme decides
    ("https://minio.intranet", "0", "https://minio.intranet"),
])
def test_the_endpoint_and_tls_of_a_bucket(tmp_path, endpoint, secure, expected):
    store = store_from_config({"STORAGE_URL": "s3://ledger-files/hazards", "S3_ENDPOINT": endpoint,
                               "S3_SECURE": secure}, tmp_path)
    assert store.describe() == f"s3://ledger-files/hazards/ at {expected}"


def test_a_bucket_region_may_be_left_to_the_server(s3_server, tmp_path):
    settings = {**s3_server.settings(s3_server.new_bucket(), "p"), "S3_REGION": ""}
    store = store_from_config(settings, tmp_path)
    store.put("uploads/1/a.jpg", b"x")
    assert store.get("uploads/1/a.jpg") == b"x"
