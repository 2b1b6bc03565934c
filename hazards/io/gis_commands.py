"""CLI commands `hazards divisions import` (boundaries) and `hazards roads import|export`."""

from __future__ import annotations

import click

from hazards.db import get_session
from hazards.io.commands import echo_errors

_FILE = click.Path(dir_okay=False)
_ENCODING = click.option("--encoding", default=None,
                         help="Text encoding of a Shapefile's .dbf or a CSV (GBK, UTF-8 ...), when its .cpg is "
                              "missing or wrong.")
_CRS = click.option("--crs", default=None,
                    help="Coordinate system of the file (e.g. EPSG:4547), when it declares none or a wrong one.")
_LAYER = click.option("--layer", default=None, help="The layer to read (a GeoPackage with several).")
_DRY_RUN = click.option("--dry-run", is_flag=True, help="Check every feature and report; write nothing.")
_LANGUAGE = click.option("--language", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                         help="Language of the problems listed.")


@click.group("divisions")
def divisions_group():
    """Division boundaries."""


@divisions_group.command("import")
@click.argument("path", type=_FILE)
@click.option("--code-field", default=None, help="The field holding each feature's 6-digit division code.")
@_LAYER
@_ENCODING
@_CRS
@_DRY_RUN
@_LANGUAGE
def import_divisions_command(path, code_field, layer, encoding, crs, dry_run, language):
    """Import division boundaries from a Shapefile, GeoPackage or GeoJSON (all features or none)."""
    from hazards.io.gis import import_boundaries

    session = get_session()
    report = import_boundaries(session, path, code_field=code_field, layer=layer, encoding=encoding, crs=crs,
                               dry_run=dry_run, extent=_extent())
    _finish(session, report, dry_run, language, "boundaries")


@click.group("roads")
def roads_group():
    """The road network: lines, stakes and kilometre posts."""


@roads_group.command("import")
@click.argument("path", type=_FILE)
@_LAYER
@click.option("--posts", "posts", type=_FILE, default=None,
              help="A file of kilometre posts (route code, stake, Point); default: the GeoPackage layer "
                   "stake_posts or a file NAME_posts beside the road file.")
@click.option("--posts-layer", default=None, help="The layer of the road file holding the kilometre posts.")
@click.option("--division", default=None, help="Division code for roads whose feature gives none.")
@_ENCODING
@_CRS
@_DRY_RUN
@_LANGUAGE
def import_roads_command(path, layer, posts, posts_layer, division, encoding, crs, dry_run, language):
    """Import roads from a Shapefile, GeoPackage, GeoJSON or CSV with WKT (all features or none)."""
    from hazards.io.roads import import_roads

    session = get_session()
    report = import_roads(session, path, layer=layer, posts=posts, posts_layer=posts_layer, division=division,
                          encoding=encoding, crs=crs, dry_run=dry_run, extent=_extent())
    _finish(session, report, dry_run, language, "roads")


@roads_group.command("export")
@click.argument("path", type=_FILE)
@click.option("--division", default=None, help="Only roads numbered in this division or below it.")
def export_roads_command(path, division):
    """Export roads (and their kilometre posts) to a Shapefile, GeoPackage, GeoJSON or CSV."""
    from geo.vector_files import VectorFileError
    from hazards.domain.divisions import DivisionCodeError, check_code
    from hazards.io.roads import export_roads

    try:
        roads, posts, where = export_roads(get_session(), path, division=check_code(division) if division else None)
    except (VectorFileError, DivisionCodeError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"exported {roads} roads to {path}" + (f", {posts} kilometre posts to {where}" if posts else ""))


def _extent():
    from flask import current_app

    return tuple(current_app.config["COORDINATE_EXTENT"])


def _finish(session, report, dry_run, language, what):
    from hazards.i18n import translate_message

    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    separator = "：" if language == "zh" else ": "
    echo_errors(report.errors, lambda error: error.where(language) + separator
                + translate_message(error.template, error.params, language))
    summary = f"features read: {report.features_read}" + (f" (layer {report.layer}, {report.source_crs})"
                                                           if report.layer else "")
    if report.blocked:
        click.echo(f"{summary}; nothing written: {len(report.errors)} problems", err=True)
        raise SystemExit(1)
    if dry_run:
        click.echo(f"{summary}; dry run, nothing written")
        return
    session.commit()
    click.echo(f"{summary}; {what} written: {len(report.written)} ({', '.join(report.written[:20])}"
               f"{' ...' if len(report.written) > 20 else ''})")
