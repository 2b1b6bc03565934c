"""`hazards init --division CODE --admin LOGIN --password PW`: an empty database to a usable ledger.

One command for a new agency, on SpatiaLite or PostGIS: the schema (the migrations), the
vocabularies, the national division registry and the first administrator at the agency's division,
then what to do next. Running it again is harmless; it says what it left as it was.
"""

from __future__ import annotations

import click

from hazards.db import get_session


@click.command("init")
@click.option("--division", "division_code", required=True,
              help="The agency's 6-digit division code (GB/T 2260), e.g. 430981 for 沅江市.")
@click.option("--admin", "admin_login", required=True, help="Login of the first administrator.")
@click.option("--password", "admin_password", required=True, help="The administrator's password (at least 10 characters).")
@click.option("--name", "admin_name", default=None, help="The administrator's display name (defaults to the login).")
def init_command(division_code: str, admin_login: str, admin_password: str, admin_name: str | None):
    """Set up a ledger: schema, vocabularies, divisions and the first administrator."""
    from flask_migrate import upgrade

    from hazards.services.ledger_setup import SetupError, registered_division, set_up_ledger
    from hazards.services.users import UserError

    try:
        registered_division(division_code)  # refuse a typo before touching the database
    except SetupError as exc:
        raise click.ClickException(str(exc)) from None
    upgrade()
    session = get_session()
    try:
        setup = set_up_ledger(session, division_code=division_code, admin_login=admin_login,
                              admin_password=admin_password, admin_name=admin_name)
    except (SetupError, UserError) as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(render_setup(setup))


def render_setup(setup) -> str:
    from hazards.services.ledger_setup import AdminState

    division, reference, admin = setup.division, setup.reference, setup.admin
    place = f"{division.code} {division.name} ({division.name_en})"
    lines = [
        f"Ledger ready for {place}, {division.level.value} level.",
        "  schema: up to date",
        f"  divisions: {reference.divisions.summary()}",
        f"    ({reference.divisions.edition})",
        f"  vocabularies: {reference.categories_added} categories and {reference.measures_added} measures added",
    ]
    if setup.admin_state is AdminState.CREATED:
        lines.append(f"  administrator: '{admin.login}' created in {admin.jurisdiction_code}")
    else:
        lines.append(f"  administrator: '{admin.login}' already exists in {admin.jurisdiction_code}; left as it was")
    if setup.admin_state is AdminState.KEPT_OTHER_PASSWORD:
        lines.append(f"  warning: '{admin.login}' has another password, which was NOT changed: sign in with it, "
                     "or have another administrator reset it")
    code = division.code
    lines += [
        "",
        "Next steps:",
        "  1. Serve the app (scripts/serve.sh, or the services in deploy/) and sign in as "
        f"'{admin.login}' to add units and people.",
        f"  2. Add people from the command line if you prefer: hazards create-user --login NAME --password PW "
        f"--role supervisor|inspector --jurisdiction {code}",
        "  3. Bring in your existing ledger: hazards import LEDGER.xlsx --dry-run, then without --dry-run "
        "(columns: docs/import-format.md).",
        "  4. See README.md, 'Start your own ledger', for division boundaries and roads.",
    ]
    return "\n".join(lines)
