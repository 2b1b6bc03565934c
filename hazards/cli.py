"""The `hazards` command: Flask's CLI (run, shell, db ...) plus the ledger's own commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from hazards import clock
from hazards.db import get_session


def main() -> None:
    from hazards.app import create_app

    cli = FlaskGroup(create_app=lambda: create_app(), help="Road traffic-safety hazard remediation tracker.")
    cli.main(prog_name="hazards")


def register(app: Flask) -> None:
    from hazards.demo.commands import seed_demo_command
    from hazards.io.commands import export_command, import_command
    from hazards.io.crash_commands import crashes_group
    from hazards.io.gis_commands import divisions_group, roads_group
    from hazards.operations.commands import backup_command, restore_command
    from hazards.operations.init_command import init_command
    from hazards.reports.commands import report_command
    from hazards.storage.commands import files_group

    for command in (init_command, create_user_command, seed_demo_command, import_command, export_command,
                    remind_command, tally_command, report_command, backup_command, restore_command, files_group,
                    divisions_group, roads_group, crashes_group):
        app.cli.add_command(command)


@click.command("create-user")
@click.option("--login", required=True)
@click.option("--password", required=True)
@click.option("--role", type=click.Choice(["inspector", "supervisor", "admin"]), required=True)
@click.option("--jurisdiction", "jurisdiction_code", required=True, help="6-digit division code, e.g. 140902")
@click.option("--name", default=None, help="Display name (defaults to the login)")
@click.option("--email", default=None)
@click.option("--phone", default=None)
@click.option("--language", type=click.Choice(["zh", "en"]), default="zh")
def create_user_command(login, password, role, jurisdiction_code, name, email, phone, language):
    """Create a user who can log in."""
    from hazards.services.users import UserError, create_user

    session = get_session()
    try:
        user = create_user(
            session, login=login, password=password, role=role, jurisdiction_code=jurisdiction_code,
            name=name, email=email, phone=phone, language=language,
        )
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"created {user.role} '{user.login}' in {user.jurisdiction_code}")


def _date_option(value: str | None):
    from datetime import date

    try:
        return date.fromisoformat(value) if value else clock.today()
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (YYYY-MM-DD)") from None


@click.command("remind")
@click.option("--as-of", default=None, help="Run as if today were this date (YYYY-MM-DD).")
def remind_command(as_of):
    """Plan and send deadline reminders now, in this process (the daily job does the same)."""
    from flask import current_app

    from hazards.services.delivery import deliver
    from hazards.services.reminders import ReminderSettings, plan_reminders

    session = get_session()
    plan = plan_reminders(session, _date_option(as_of), ReminderSettings.from_config(current_app.config))
    session.commit()
    outcomes = [deliver(session, delivery_id) for delivery_id in plan.delivery_ids]
    click.echo(f"reminders: {plan.created} sent, {plan.skipped} skipped as already sent; "
               f"digests delivered: {outcomes.count('sent')}, to retry by the workers: {outcomes.count('retry')}, "
               f"undeliverable: {outcomes.count('undeliverable')}")


@click.command("tally")
@click.option("--as-of", default=None, help="Tally as of this date (YYYY-MM-DD).")
def tally_command(as_of):
    """Compute and store today's completion tally snapshot, then count every open hazard's crash history
    and rank every hazard by priority for the day, in this process: what the nightly job does."""
    from hazards.services.crash_history import refresh_crash_history
    from hazards.services.tally import store_tally

    session = get_session()
    day = _date_option(as_of)
    rows = store_tally(session, day)
    session.commit()
    refresh_crash_history(session, as_of=day)
    session.commit()
    click.echo(f"tally as of {day}: {rows} rows stored; crash history of the open hazards counted, hazards ranked")
