"""Setting up a ledger for an agency (`hazards init`): reference data, the registry and the first admin.

The schema comes first (the command runs the migrations); then this brings an empty or existing
database to a usable ledger for the agency at one division. Running it again changes nothing that
is already right: the registry is reloaded (new editions rename, add and retire divisions), missing
vocabulary rows are added, and an existing administrator is kept as is, password included, so a
second run can never take over an account. The demo ledger is set up the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from hazards.domain.divisions import DivisionCodeError, check_code
from hazards.domain.enums import Role
from hazards.domain.errors import N_, TranslatableValueError
from hazards.models import Jurisdiction, User
from hazards.services.division_registry import RegisteredDivision, read_registry
from hazards.services.reference import ReferenceLoad, ensure_reference_data
from hazards.services.users import create_user


class SetupError(TranslatableValueError):
    """The ledger cannot be set up as asked (an unknown division, a login held by someone else)."""


class AdminState(Enum):
    CREATED = "created"
    KEPT = "kept"  # the administrator existed; the password given is theirs
    KEPT_OTHER_PASSWORD = "kept_other_password"  # existed with another password, which was NOT changed


@dataclass(frozen=True)
class LedgerSetup:
    division: Jurisdiction
    reference: ReferenceLoad
    admin: User
    admin_state: AdminState


def registered_division(code: str) -> RegisteredDivision:
    """The registry's division with this code, or a SetupError naming the registry's edition.

    Checked against the shipped file, so a typo is refused before the database is touched."""
    try:
        code = check_code(code)
    except DivisionCodeError as exc:
        raise SetupError(exc.template, exc.params) from None
    registry = read_registry()
    division = registry.get(code)
    if division is None:
        raise SetupError(N_("No division has the code '%(code)s' in the national registry (%(edition)s)."),
                         {"code": code, "edition": registry.edition})
    return division


def set_up_ledger(session: Session, *, division_code: str, admin_login: str, admin_password: str,
                  admin_name: str | None = None) -> LedgerSetup:
    """Load the reference data and the registry, and make sure the agency's administrator exists at
    `division_code`; only flushes, the caller commits."""
    registered = registered_division(division_code)
    login = admin_login.strip()
    existing = session.scalar(select(User).where(User.login == login))
    if existing is not None and existing.role is not Role.ADMIN:
        raise SetupError(N_("The login '%(login)s' is taken by a user with the role %(role)s in %(division)s; "
                            "choose another login for the administrator."),
                         {"login": login, "role": existing.role, "division": existing.jurisdiction_code})
    reference = ensure_reference_data(session)
    division = session.get(Jurisdiction, registered.code)
    if existing is None:
        admin = create_user(session, login=login, password=admin_password, role=Role.ADMIN,
                            jurisdiction_code=registered.code, name=admin_name)
        state = AdminState.CREATED
    else:
        admin = existing
        same = check_password_hash(existing.password_hash, admin_password)
        state = AdminState.KEPT if same else AdminState.KEPT_OTHER_PASSWORD
    return LedgerSetup(division, reference, admin, state)
