"""CLI commands `hazards import` and `hazards export`."""

from __future__ import annotations

import click

from hazards import permissions
from hazards.db import get_session

#: More errors than this are counted, not listed: a wrong file can have one per row.
MAX_LISTED_ERRORS = 200


def echo_errors(errors, render=str) -> None:
    """An import's row errors on stderr, the first MAX_LISTED_ERRORS of them, then how many more."""
    for error in errors[:MAX_LISTED_ERRORS]:
        click.echo(render(error), err=True)
    if len(errors) > MAX_LISTED_ERRORS:
        click.echo(f"... and {len(errors) - MAX_LISTED_ERRORS} more errors", err=True)


@click.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Write the valid rows even when others have errors.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "geojson"]), default=None,
              help="File format (default: from the extension).")
def import_command(path, dry_run, skip_invalid, fmt):
    """Import hazards from a CSV, XLSX or GeoJSON file (all rows or none, unless --skip-invalid)."""
    from hazards.io.importer import import_hazards

    session = get_session()
    report = import_hazards(session, path, dry_run=dry_run, skip_invalid=skip_invalid, fmt=fmt,
                            actor=permissions.SYSTEM)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    echo_errors(report.errors)

    invalid = report.rows_read - report.valid_rows
    summary = f"rows read: {report.rows_read}, valid: {report.valid_rows}, with errors: {invalid}"
    if dry_run:
        verdict = "dry run, nothing written" + ("; the import would be refused" if report.blocked else "")
    elif report.blocked:
        verdict = "nothing imported: fix the errors, or use --skip-invalid to import the valid rows"
    else:
        session.commit()
        from geo.engine import refresh_statistics

        refresh_statistics(session.connection())  # a big import changes what the planner should pick
        session.commit()
        verdict = f"created: {len(report.created)}"
    click.echo(f"{summary}; {verdict}")
    if report.blocked:
        raise SystemExit(1)


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "geojson"]), default=None,
              help="File format (default: from the extension).")
@click.option("--headers", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Chinese headers and labels, or English keys and codes (GeoJSON is always English).")
@click.option("--jurisdiction", default=None, help="Only this division and everything below it (e.g. 140900).")
def export_command(path, fmt, headers, jurisdiction):
    """Export hazards to a CSV, XLSX or GeoJSON file."""
    from hazards.domain.divisions import DivisionCodeError
    from hazards.io.exporter import ExportError, export_hazards

    session = get_session()
    try:
        count = export_hazards(session, path, actor=permissions.SYSTEM, fmt=fmt, headers=headers,
                               jurisdiction=jurisdiction)
    except (ExportError, DivisionCodeError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"exported {count} hazards to {path}")
