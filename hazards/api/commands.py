"""`hazards create-token --login NAME`: a personal API token for a user, printed once."""

from __future__ import annotations

import click
from sqlalchemy import select

from hazards.db import get_session


@click.command("create-token")
@click.option("--login", required=True, help="The user the token acts as.")
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
def create_token_command(login: str, name: str) -> None:
    """Create a personal API token and print it (only its hash is stored: it cannot be shown again)."""
    from hazards.domain.errors import InvalidInput
    from hazards.models import User
    from hazards.services.tokens import issue_token

    session = get_session()
    user = session.scalar(select(User).where(User.login == login))
    if user is None:
        raise click.ClickException(f"no user '{login}'")
    try:
        _token, secret = issue_token(session, user, name)
    except InvalidInput as exc:
        raise click.ClickException(exc.message) from None
    session.commit()
    click.echo(secret)
