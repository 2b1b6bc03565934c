"""CLI command `hazards seed-demo` (placeholder, being written)."""

import click


@click.command("seed-demo")
@click.option("--hazards", "count", default=400, show_default=True)
@click.option("--if-empty", is_flag=True)
def seed_demo_command(count, if_empty):
    """Fill the database with the demo ledger."""
    raise click.ClickException("not implemented yet")
