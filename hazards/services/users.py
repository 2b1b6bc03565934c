"""Managing the people who use the ledger."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hazards.domain.enums import Role
from hazards.models import Jurisdiction, User

MIN_PASSWORD_LENGTH = 8


class UserError(ValueError):
    pass


def create_user(
    session: Session,
    *,
    login: str,
    password: str,
    role: str | Role,
    jurisdiction_code: str,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    language: str = "zh",
    organization_id: int | None = None,
) -> User:
    login = login.strip()
    if not login:
        raise UserError("a login is required")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    try:
        role = Role(role)
    except ValueError:
        raise UserError(f"unknown role '{role}'; use one of {', '.join(Role.values())}") from None
    if session.get(Jurisdiction, jurisdiction_code) is None:
        raise UserError(f"no jurisdiction with code '{jurisdiction_code}'")
    if session.scalar(select(User.id).where(User.login == login)) is not None:
        raise UserError(f"the login '{login}' is taken")
    user = User(
        login=login, name=name or login, email=email, phone=phone, role=role,
        jurisdiction_code=jurisdiction_code, language=language, organization_id=organization_id,
    )
    user.set_password(password)
    session.add(user)
    session.flush()
    return user
