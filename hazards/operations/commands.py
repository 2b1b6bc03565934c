"""`hazards backup PATH` and `hazards restore PATH`."""

from __future__ import annotations

import mimetypes
from pathlib import Path

import click

from hazards.db import get_engine
from hazards.operations.backup import BackupError, FileStore, restore_backup, take_backup
from hazards.storage import current_store


def _file_store() -> FileStore:
    """The stored files, through the deployment's file store (hazards.storage), by their keys."""
    store = current_store()

    def write(key: str, data) -> None:
        store.put(key, data, mimetypes.guess_type(key)[0] or "application/octet-stream")

    return FileStore(keys=store.keys, open=store.open, write=write)


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from hazards.app import PROJECT_ROOT

    return {script.revision for script in ScriptDirectory(str(PROJECT_ROOT / "migrations")).walk_revisions()}


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
def backup_command(path: Path):
    """Back up the database and every stored file into the new folder PATH, while the app runs."""
    try:
        summary = take_backup(get_engine(), _file_store(), path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backed up the {summary.backend} database (schema {summary.revision}) and "
               f"{summary.files} files ({summary.bytes:,} bytes) into {path}")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--replace", is_flag=True, help="Overwrite a database that already holds a ledger.")
def restore_command(path: Path, replace: bool):
    """Restore the database and files from the backup folder PATH, then bring the schema up to date.

    Stop the web servers and workers first: they would otherwise keep writing to what is replaced.
    """
    from flask_migrate import upgrade

    try:
        summary = restore_backup(get_engine(), _file_store(), path, known_revisions=_known_revisions(),
                                 replace=replace)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    upgrade()
    click.echo(f"restored the {summary.backend} database (schema {summary.revision}) and {summary.files} "
               f"files from {path}; schema brought up to date")
