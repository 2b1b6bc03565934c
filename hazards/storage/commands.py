"""`hazards files ...`: see where files are kept, and move an older version's files into the store."""

from __future__ import annotations

import uuid

import click

from hazards.storage import current_store
from hazards.storage.legacy import WithInstanceFiles, move_instance_files


@click.group("files")
def files_group():
    """Attachments and report files: where they are kept."""


@files_group.command("check")
def check_command():
    """Write, read back and remove a small file in the configured store."""
    store = current_store()
    key = f"checks/{uuid.uuid4().hex}.txt"
    probe = b"hazards storage check\n"
    store.put(key, probe, "text/plain")
    try:
        if store.get(key) != probe:
            raise click.ClickException(f"{store.describe()}: the file read back differs from the one written")
    finally:
        store.delete(key)
    click.echo(f"files are kept in {store.describe()}: write, read and delete work")


@files_group.command("move-into-store")
def move_command():
    """Move the photos, documents and report files an older version kept in this host's instance folder
    (uploads/, reports/) into the configured store. Run it once on every host; running it again is harmless."""
    store: WithInstanceFiles = current_store()  # store_from_config always puts the fallback around it
    outcome = move_instance_files(store)
    click.echo(f"{outcome.moved} files moved into {store.describe()}; "
               f"{outcome.already_there} were there already (instance copy removed)")


@files_group.command("drop-staged")
@click.option("--older-than-hours", type=click.IntRange(min=0), default=24, show_default=True,
              help="Drop what has waited longer than this.")
def drop_staged_command(older_than_hours: int):
    """Remove photos attached to a logging form that was never saved (kept under staging/uploads/).
    The nightly housekeeping job does this for those a day old."""
    from hazards.services import staged_uploads

    dropped = staged_uploads.drop_stale(current_store(), older_than_s=older_than_hours * 3600)
    click.echo(f"{dropped} waiting uploads removed from {current_store().describe()}")
