"""The people who use the ledger: accounts, their passwords, and checking a password at login.

Every way a password is set (a new account, the person's own change, an admin's reset, the command
line) goes through `_set_password`, so the rules of `hazards.domain.passwords` hold on all of them,
and a new password ends every session opened with the old one.
"""

from __future__ import annotations

import secrets
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from hazards.domain.accounts import (
    AccountFieldError,
    check_email,
    check_language,
    check_login,
    check_name,
    check_phone,
)
from hazards.domain.enums import Role
from hazards.domain.errors import N_, TranslatableValueError
from hazards.domain.passwords import WeakPassword, check_new_password
from hazards.models import Jurisdiction, User
from hazards.models.user import password_hash_method


class UserError(TranslatableValueError):
    """A user account that cannot be created or changed as asked; `field` names the form field at fault."""

    def __init__(self, template: str, params=None, *, field: str | None = None):
        self.field = field
        super().__init__(template, params)


def checked_details(*, login: str, name: str | None, email: str | None, phone: str | None,
                    language: str | None) -> dict:
    """An account's own details, cleaned by the rules of `hazards.domain.accounts`, or a UserError."""
    try:
        login = check_login(login)
        return {"login": login, "name": check_name(name, login), "email": check_email(email),
                "phone": check_phone(phone), "language": check_language(language)}
    except AccountFieldError as exc:
        raise UserError(exc.template, exc.params, field=exc.field) from None


def parse_role(role: str | Role) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise UserError(N_("Unknown role '%(role)s'; use one of %(choices)s."),
                        {"role": role, "choices": tuple(Role)}, field="role") from None


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
    details = checked_details(login=login, name=name, email=email, phone=phone, language=language)
    _require_acceptable(password)
    role = parse_role(role)
    division = session.get(Jurisdiction, jurisdiction_code)
    if division is None:
        raise UserError(N_("No jurisdiction with code '%(code)s'."), {"code": jurisdiction_code},
                        field="jurisdiction_code")
    if not division.active:  # abolished or merged: its old hazards stay, nobody new works there
        raise UserError(N_("Division %(code)s (%(name)s) is no longer in the national registry; give the division "
                           "that took its place."), {"code": division.code, "name": division.name},
                        field="jurisdiction_code")
    if login_taken(session, details["login"]):
        raise UserError(N_("The login '%(login)s' is taken."), {"login": details["login"]}, field="login")
    user = User(**details, role=role, jurisdiction_code=jurisdiction_code, organization_id=organization_id)
    _set_password(user, password)
    session.add(user)
    session.flush()
    return user


def login_taken(session: Session, login: str) -> bool:
    return session.scalar(select(User.id).where(User.login == login)) is not None


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The active user with this login and password, or None.

    An unknown or inactive login is checked against a stand-in hash of the same method, so that both
    refusals cost the same hashing time as a wrong password: the answer's delay tells nothing about
    which logins exist.
    """
    user = session.scalar(select(User).where(User.login == login))
    known = user is not None and user.active
    stored = user.password_hash if known else _stand_in_hash(password_hash_method())
    matches = check_password_hash(stored, password)
    return user if known and matches else None


def change_own_password(session: Session, user: User, *, current: str, new: str, repeated: str) -> None:
    """A signed-in person replaces their password; the current one proves it is them at the keyboard."""
    if not check_password_hash(user.password_hash, current):
        raise UserError(N_("The current password is wrong."))
    if new != repeated:
        raise UserError(N_("The new password and its repetition differ."))
    _require_acceptable(new)
    _set_password(user, new)
    session.flush()


def reset_password(session: Session, user: User, new: str) -> None:
    """Set a password without knowing the old one; authorizing it is the caller's business (services.admin)."""
    _require_acceptable(new)
    _set_password(user, new)
    session.flush()


def _require_acceptable(password: str) -> None:
    try:
        check_new_password(password)
    except WeakPassword as exc:
        raise UserError(exc.template, exc.params, field="password") from None


def _set_password(user: User, password: str) -> None:
    user.set_password(password)
    user.end_sessions()  # whoever knew the old password and kept a cookie is out


@cache
def _stand_in_hash(method: str) -> str:
    # Made once per hash method from a random password nobody knows, so nothing ever matches it.
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def set_notification_preferences(session: Session, user: User, *, by_email: bool, by_webhook: bool) -> None:
    """The person's own choice of channels for event notices, besides the inbox (the caller commits).
    E-mail needs an address on the account, which the administrators keep."""
    if by_email and not user.email:
        raise UserError(N_("Your account has no e-mail address; ask an administrator to add one."), field="email")
    user.notify_by_email, user.notify_by_webhook = bool(by_email), bool(by_webhook)
    session.flush()
