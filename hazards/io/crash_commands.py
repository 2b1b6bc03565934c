"""CLI group `hazards crashes`: `hazards crashes import FILE` loads a crash export; `hazards crashes identify`
(hazards/io/crash_places_command.py) lists the crash-prone places they show."""

from __future__ import annotations

import click

from hazards import permissions
from hazards.db import get_session
from hazards.io.commands import echo_errors
from hazards.io.crash_places_command import identify_command


@click.group("crashes")
def crashes_group():
    """Crash records (交通事故记录) from the traffic police's crash system."""


@crashes_group.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--as", "login", default=None,
              help="Import as this user (their division bounds the rows); default: the system, anywhere.")
@click.option("--crs", type=click.Choice(["wgs84", "gcj02", "bd09"]), default="wgs84", show_default=True,
              help="Datum of coordinates in rows without a 坐标系 of their own.")
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
@click.option("--skip-existing", is_flag=True,
              help="Skip crashes whose 事故编号 is already in the ledger (an export overlapping the last one).")
@click.option("--update-existing", is_flag=True,
              help="Update crashes whose 事故编号 is already in the ledger from the file (a revised export: "
                   "deaths, injuries, form, place corrected).")
def import_crashes_command(path, login, crs, dry_run, skip_existing, update_existing):
    """Import crash records from a CSV or XLSX export (all rows or none). A crash already in the ledger
    is an error, unless --skip-existing or --update-existing says otherwise."""
    if skip_existing and update_existing:
        raise click.UsageError("--skip-existing and --update-existing exclude each other: a crash already in "
                               "the ledger is either skipped or updated from the file; choose one.")
    from sqlalchemy import select

    from hazards.domain.errors import Forbidden
    from hazards.io.crash_import import import_crashes
    from hazards.models import User

    session = get_session()
    actor = permissions.SYSTEM
    if login:
        actor = session.scalar(select(User).where(User.login == login))
        if actor is None:
            raise click.ClickException(f"no user '{login}'")
    try:
        report = import_crashes(session, path, actor=actor, dry_run=dry_run, skip_existing=skip_existing,
                                update_existing=update_existing, default_crs=crs)
    except Forbidden as exc:
        raise click.ClickException(str(exc)) from None
    echo_errors(report.errors)
    if dry_run:
        verdict = "dry run, nothing written" + ("; the import would be refused" if report.blocked else "")
    elif report.blocked:
        verdict = "nothing imported: fix the errors and import the file again"
    else:
        session.commit()
        from geo.engine import mark_all_visible, refresh_statistics

        refresh_statistics(session.connection())
        session.commit()
        mark_all_visible(session.get_bind(), "crashes")
        verdict = (f"written: {report.written} crashes ({report.added} added, {report.updated} updated) in "
                   f"{report.seconds:.1f} s ({report.rows_per_second:,.0f} rows/s)")
    click.echo(f"{report.summary()}; {verdict}")
    if report.blocked:
        raise SystemExit(1)


crashes_group.add_command(identify_command)
