"""Managing the people who use the ledger."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hazards.domain.enums import Role
from hazards.domain.errors import N_, TranslatableValueError
from hazards.models import Jurisdiction, User

MIN_PASSWORD_LENGTH = 8


class UserError(TranslatableValueError):
    """A user account that cannot be created as asked."""


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
        raise UserError(N_("A login is required."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(N_("The password must have at least %(n)s characters."), {"n": MIN_PASSWORD_LENGTH})
    try:
        role = Role(role)
    except ValueError:
        raise UserError(N_("Unknown role '%(role)s'; use one of %(choices)s."),
                        {"role": role, "choices": tuple(Role)}) from None
    if session.get(Jurisdiction, jurisdiction_code) is None:
        raise UserError(N_("No jurisdiction with code '%(code)s'."), {"code": jurisdiction_code})
    if session.scalar(select(User.id).where(User.login == login)) is not None:
        raise UserError(N_("The login '%(login)s' is taken."), {"login": login})
    user = User(
        login=login, name=name or login, email=email, phone=phone, role=role,
        jurisdiction_code=jurisdiction_code, language=language, organization_id=organization_id,
    )
    user.set_password(password)
    session.add(user)
    session.flush()
    return user
