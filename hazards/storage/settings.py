"""Choosing the store from settings: `STORAGE_URL` and, for a bucket, the `S3_*` settings."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from hazards.storage.base import Store
from hazards.storage.legacy import WithInstanceFiles
from hazards.storage.local import FolderStore

DEFAULT_FOLDER = "files"


def store_from_config(config: Mapping, instance_path: str | Path) -> Store:
    """Empty `STORAGE_URL`: `<instance>/files`. A path or `file://` URL: that folder (a relative path is
    taken inside the instance folder). `s3://bucket/prefix`: that bucket through `S3_ENDPOINT`.
    Files an older version kept in the instance folder stay readable through the chosen store."""
    url = (config.get("STORAGE_URL") or "").strip()
    instance = Path(instance_path)
    if not url:
        store: Store = FolderStore(instance / DEFAULT_FOLDER)
    elif url.startswith("s3://"):
        store = _s3_store(url, config)
    elif url.startswith("file://"):
        store = FolderStore(unquote(urlsplit(url).path))
    elif "://" in url:
        raise ValueError(f"STORAGE_URL: '{url}' is neither a folder, a file:// URL nor an s3:// URL")
    else:
        store = FolderStore(instance / Path(url).expanduser())  # an absolute path replaces the instance's
    if isinstance(store, FolderStore) and store.root.resolve() == instance.resolve():
        # Listing the store (what a backup copies) would list the database, the secret key, ...
        raise ValueError("STORAGE_URL: the files need a folder of their own, not the instance folder itself")
    return WithInstanceFiles(store, instance)


def _s3_store(url: str, config: Mapping) -> Store:
    from minio import Minio

    from hazards.storage.s3 import S3Store

    parts = urlsplit(url)
    if not parts.netloc:
        raise ValueError(f"STORAGE_URL: '{url}' names no bucket (s3://BUCKET/prefix)")
    endpoint = (config.get("S3_ENDPOINT") or "").strip()
    if not endpoint:
        raise ValueError("STORAGE_URL is an s3:// URL: set S3_ENDPOINT (host:port of the S3 or MinIO server)")
    secure = _flag(config.get("S3_SECURE", True))
    if "://" in endpoint:  # a URL's scheme says whether it is TLS
        scheme = urlsplit(endpoint)
        secure, endpoint = scheme.scheme == "https", scheme.netloc
    client = Minio(endpoint, access_key=config.get("S3_ACCESS_KEY") or None,
                   secret_key=config.get("S3_SECRET_KEY") or None, secure=secure,
                   region=config.get("S3_REGION") or None, http_client=_http_client())
    return S3Store(client, parts.netloc, parts.path, where=f"{'https' if secure else 'http'}://{endpoint}")


def _http_client():
    """Connections that give up in seconds when the store is down (a 503 for the request), instead of the
    client's default of five retries with five-minute timeouts holding a web worker."""
    import certifi
    import urllib3

    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=5, read=120), cert_reqs="CERT_REQUIRED", ca_certs=certifi.where(),
        retries=urllib3.Retry(total=2, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]))


def _flag(value) -> bool:
    """A yes/no setting given as a bool, or as text from an environment variable or a unit file."""
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "no", "off")
    return bool(value)
