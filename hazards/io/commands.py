"""CLI commands `hazards import` and `hazards export` (placeholder, being written)."""

import click


@click.command("import")
def import_command():
    """Import hazards from a CSV, XLSX or GeoJSON file."""
    raise click.ClickException("not implemented yet")


@click.command("export")
def export_command():
    """Export hazards to a CSV, XLSX or GeoJSON file."""
    raise click.ClickException("not implemented yet")
