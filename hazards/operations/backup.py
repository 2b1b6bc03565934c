"""Backup and restore of a whole ledger: the database and every stored file, in one folder.

A backup folder holds `manifest.json` (what it is, from which schema revision, a checksum of every
part), the database (`database.sqlite`, a SpatiaLite online backup; or `database.dump`, pg_dump's
custom format) and `files/` (every attachment and report file in the store). It is taken while the
app runs: SQLite's backup API copies a consistent snapshot, and pg_dump reads one transaction.
Files are copied after the database, so every file a backed-up row names is there; a file uploaded
during the backup may come along without its row, which is harmless.

A restore goes back into the same kind of database (SpatiaLite to SpatiaLite, PostGIS to PostGIS);
moving between the two is what `hazards export` and `hazards import` are for. It refuses a database
that already holds a ledger unless told to replace it, and a backup from a newer schema than this
code knows. A backup from an older schema is restored as it is and then brought up to date by
`hazards db upgrade`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from typing import BinaryIO
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Engine, make_url

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite"
PG_FILE = "database.dump"
FILES = "files"


class BackupError(Exception):
    """Something an operator must fix before a backup or restore can go on; the message says what."""


@dataclass
class FileStore:
    """The three things a backup needs of wherever files live."""

    keys: Callable[[], Iterator[str]]
    open: Callable[[str], BinaryIO]
    write: Callable[[str, BinaryIO], None]


@dataclass
class Summary:
    backend: str
    revision: str | None
    files: int
    bytes: int


def backend_of(engine: Engine) -> str:
    return "postgis" if engine.dialect.name == "postgresql" else "spatialite"


def schema_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def take_backup(engine: Engine, store: FileStore, target: Path) -> Summary:
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; a backup goes into a new or empty folder")
    target.mkdir(parents=True, exist_ok=True)
    backend = backend_of(engine)
    revision = schema_revision(engine)
    if revision is None:
        raise BackupError("the database has no ledger to back up (run `hazards db upgrade` first)")
    database_file = target / (PG_FILE if backend == "postgis" else SQLITE_FILE)
    if backend == "postgis":
        _pg_dump(engine.url, database_file)
    else:
        _sqlite_copy(Path(engine.url.database), database_file)
    checksums = {database_file.name: _sha256(database_file)}
    total = 0
    count = 0
    for key in sorted(store.keys()):
        path = _file_path(target, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with store.open(key) as source, open(path, "wb") as copy:  # piece by piece: files may be large
            for block in iter(lambda: source.read(1 << 20), b""):
                digest.update(block)
                copy.write(block)
                total += len(block)
        checksums[f"{FILES}/{key}"] = digest.hexdigest()
        count += 1
    manifest = {"format": FORMAT, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "backend": backend, "schema_revision": revision, "files": count, "file_bytes": total,
                "checksums": checksums}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return Summary(backend, revision, count, total)


def restore_backup(engine: Engine, store: FileStore, source: Path, *, known_revisions: set[str],
                   replace: bool = False) -> Summary:
    source = Path(source)
    manifest = read_manifest(source)
    backend = backend_of(engine)
    if manifest["backend"] != backend:
        raise BackupError(f"this is a {manifest['backend']} backup and the configured database is {backend}; "
                          "restore into the same kind of database (use export/import to move between them)")
    if manifest["schema_revision"] not in known_revisions:
        raise BackupError(f"the backup's schema revision {manifest['schema_revision']} is unknown to this "
                          "version of the software; restore it with the version that made it, or a newer one")
    _verify(source, manifest)
    if schema_revision(engine) is not None and _holds_a_ledger(engine) and not replace:
        raise BackupError("the configured database already holds a ledger; pass --replace to overwrite it")
    engine.dispose()
    if backend == "postgis":
        _pg_restore(engine.url, source / PG_FILE)
    else:
        _sqlite_restore(source / SQLITE_FILE, Path(engine.url.database))
    engine.dispose()
    total = 0
    for name in manifest["checksums"]:
        if not name.startswith(FILES + "/"):
            continue
        with open(source / name, "rb") as data:
            store.write(name[len(FILES) + 1:], data)
        total += (source / name).stat().st_size
    return Summary(backend, manifest["schema_revision"], manifest["files"], total)


def read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((Path(source) / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{source} is not a backup folder (no {MANIFEST})") from None
    except ValueError:
        raise BackupError(f"{source}/{MANIFEST} is damaged") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not one this version reads")
    return manifest


def _verify(source: Path, manifest: dict) -> None:
    """Every part present and unchanged, checked before anything is overwritten."""
    for name, digest in manifest["checksums"].items():
        path = source / name
        if not path.is_file():
            raise BackupError(f"the backup is incomplete: {name} is missing")
        if _sha256(path) != digest:
            raise BackupError(f"the backup is damaged: {name} does not match its checksum")


def _holds_a_ledger(engine: Engine) -> bool:
    with engine.connect() as conn:
        return inspect(conn).has_table("hazards") and conn.execute(
            text("SELECT EXISTS (SELECT 1 FROM hazards)")).scalar()


def _file_path(root: Path, key: str) -> Path:
    path = (root / FILES / key).resolve()
    if not path.is_relative_to((root / FILES).resolve()):
        raise BackupError(f"refusing a file key outside the backup folder: {key!r}")
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# SpatiaLite ----------------------------------------------------------------------------------------

def _sqlite_copy(live: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while other connections keep reading and writing."""
    import pysqlite3.dbapi2 as sqlite

    source = sqlite.connect(str(live))
    copy = sqlite.connect(str(target))
    try:
        with copy:
            source.backup(copy, pages=4096)
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
    finally:
        copy.close()
        source.close()


def _sqlite_restore(backup: Path, live: Path) -> None:
    """Copy the backup into the live file page by page, under SQLite's own locking."""
    import pysqlite3.dbapi2 as sqlite

    live.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
    try:
        verdict = source.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite.DatabaseError as exc:
        verdict = str(exc)
    if verdict != "ok":
        source.close()
        raise BackupError(f"the backup's database file is unreadable ({verdict}); nothing was changed")
    target = sqlite.connect(str(live), timeout=30)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


# PostGIS -------------------------------------------------------------------------------------------

def _libpq(url: URL) -> tuple[str, dict]:
    """A libpq connection string without the password, which goes in the environment instead (not argv,
    where any local user could read it)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict) -> None:
    if shutil.which(args[0]) is None:
        raise BackupError(f"{args[0]} is not installed (Debian package postgresql-client)")
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed: {done.stderr.strip()[-2000:]}")


def _pg_dump(url: URL, target: Path) -> None:
    dsn, env = _libpq(make_url(url))
    # Custom format: compressed, and pg_restore can restore it table by table if ever needed.
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", dsn], env)


def _pg_restore(url: URL, dump: Path) -> None:
    """Empty the public schema, then restore into it in one transaction: all of the backup or, when
    anything fails, the database as it was. pg_restore's SQL is streamed into psql, never held whole."""
    dsn, env = _libpq(make_url(url))
    for tool in ("pg_restore", "psql"):
        if shutil.which(tool) is None:
            raise BackupError(f"{tool} is not installed (Debian package postgresql-client)")
    # One transaction, committed only once pg_restore has produced the whole script: a backup that
    # breaks off half-way must not leave half a ledger.
    psql = subprocess.Popen(["psql", "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "--dbname", dsn],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    restore = subprocess.Popen(["pg_restore", "--no-owner", "--no-privileges", "--file=-", str(dump)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        psql.stdin.write(b"BEGIN;\nDROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n")
        shutil.copyfileobj(restore.stdout, psql.stdin, 1 << 20)
        restore_err = restore.communicate()[1]
        psql.stdin.write(b"COMMIT;\n" if restore.returncode == 0 else b"ROLLBACK;\n")
    except BrokenPipeError:
        restore.kill()
        restore_err = restore.communicate()[1]
    finally:
        try:
            psql.stdin.close()
        except BrokenPipeError:
            pass
        psql_err = psql.stderr.read()
        psql.wait()
    if restore.returncode != 0 and psql.returncode == 0:
        raise BackupError("pg_restore could not read the backup, nothing was changed: "
                          f"{restore_err.decode(errors='replace').strip()[-2000:]}")
    if psql.returncode != 0:
        raise BackupError("restoring into PostgreSQL failed and nothing was changed: "
                          f"{psql_err.decode(errors='replace').strip()[-2000:]}")
