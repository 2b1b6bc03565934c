"""`hazards report`: a completion report from the command line, e.g. for the year-end summary.

    hazards report --jurisdiction 140900 --year 2024 --format txt
    hazards report --jurisdiction 140900 --year 2024 --quarter 1 --format xlsx -o q1.xlsx
    hazards report --jurisdiction 140900 --year 2024 --format docx      # 忻州市2024年隐患治理报表.docx, for Word or WPS
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from hazards.db import get_session

FORMATS = ["txt", "json", "html", "xlsx", "docx", "pdf", "csv"]
BINARY = {"xlsx", "docx", "pdf"}


def iso_day(_ctx, _param, value: str | None) -> date | None:
    """A click callback: an optional YYYY-MM-DD option as a date (the report and identify commands)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (YYYY-MM-DD)") from None


@click.command("report")
@click.option("--jurisdiction", "jurisdiction_code", required=True, help="6-digit division code, e.g. 140900")
@click.option("--year", type=int, help="The year, alone or with --quarter, --half or --month.")
@click.option("--quarter", type=click.IntRange(1, 4))
@click.option("--half", type=click.IntRange(1, 2))
@click.option("--month", type=click.IntRange(1, 12))
@click.option("--from", "start", callback=iso_day, help="Start of a date range (YYYY-MM-DD), with --to.")
@click.option("--to", "end", callback=iso_day, help="End of a date range (YYYY-MM-DD), inclusive.")
@click.option("--level", default=None, help="One supervision level: ministry, province, ministry_province (部省级), "
                                            "city, county, none; Chinese names work too.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="txt", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--min-rank", type=click.IntRange(0), default=None,
              help="Fewest hazards on the list for a unit to be ranked (default: REPORT_MIN_RANK or 5).")
@click.option("--today", "today", callback=iso_day, help="Judge overdue as if today were this date.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (xlsx, docx and pdf default to a file named after the report).")
def report_command(jurisdiction_code, year, quarter, half, month, start, end, level, fmt, lang, min_rank, today,
                   output):
    """Print or write the remediation completion report of a division for a period."""
    from flask import current_app

    from hazards.domain.divisions import DivisionCodeError
    from hazards.reports import PeriodError, ReportError, build_report, parse_period
    from hazards.reports.formats import MAP_FORMATS, download_name, export

    try:
        period = parse_period(year, quarter_=quarter, half_=half, month_=month, start=start, end=end)
        rank = min_rank if min_rank is not None else int(current_app.config.get("REPORT_MIN_RANK", 5))
        report = build_report(get_session(), jurisdiction_code, period, level, today=today, min_rank=rank,
                              with_map=fmt in MAP_FORMATS, with_trend=fmt in MAP_FORMATS)
    except (PeriodError, ReportError, DivisionCodeError) as exc:
        raise click.UsageError(str(exc)) from None
    data = export(report, fmt, lang)
    if output is None and fmt in BINARY:
        output = Path(download_name(report, fmt))
    if output is None:
        click.echo(data.decode("utf-8").lstrip("\ufeff"), nl=False)
        return
    output.write_bytes(data)
    click.echo(f"wrote {output} ({len(data):,} bytes)")
