"""Accounts of the admin's subtree: add, edit details, change role/division/organization, disable and
enable, reset a password. Each change writes its audit row.

Two rules keep a division administrable:
- nobody changes their own role or division, or disables themselves: another admin does it, so an
  admin cannot demote themselves into nothing by a slip on their own page;
- a division's last active admin is not disabled, demoted or moved away while they are its last:
  appoint another admin there first. (To shut out a person at once, reset their password: every
  session of theirs ends, and they hold the account no more.)
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hazards.domain.divisions import DivisionName, lineage
from hazards.domain.enums import AdminChangeKind, Role
from hazards.domain.errors import N_, Forbidden, InvalidInput
from hazards.models import Jurisdiction, Organization, User
from hazards.services.admin import audit
from hazards.services.admin.scope import invalid, managed_user, require_manage
from hazards.services.users import UserError, checked_details, create_user, parse_role, reset_password

DETAILS = ("name", "email", "phone", "language")


def add_user(session: Session, actor, *, login: str, password: str, role: str, jurisdiction_code: str,
             name: str | None = None, email: str | None = None, phone: str | None = None,
             language: str | None = "zh", organization_id: int | None = None,
             kind: AdminChangeKind = AdminChangeKind.USER_ADDED) -> User:
    """An account in a division the admin manages."""
    require_manage(session, actor, jurisdiction_code)
    check_organization(session, organization_id, jurisdiction_code)
    try:
        with session.begin_nested():
            user = create_user(session, login=login, password=password, role=role, jurisdiction_code=jurisdiction_code,
                               name=name, email=email, phone=phone, language=language or "zh",
                               organization_id=organization_id)
    except UserError as exc:
        raise as_invalid(exc) from None
    except IntegrityError:  # the same login added at the same moment by someone else
        raise invalid("login", N_("The login '%(login)s' is taken."), {"login": login}) from None
    audit.record(session, actor, kind, user, before=None, after=access_of(user) | details_of(user),
                 jurisdiction_code=user.jurisdiction_code)
    return user


def edit_user(session: Session, actor, user_id: int, *, name: str | None, email: str | None, phone: str | None,
              language: str | None) -> User:
    """Name, e-mail, phone and interface language of an account the admin manages."""
    user = managed_user(session, actor, user_id)
    try:
        given = checked_details(login=user.login, name=name, email=email, phone=phone, language=language)
    except UserError as exc:
        raise as_invalid(exc) from None
    before, after = audit.changed(details_of(user), {k: given[k] for k in DETAILS})
    if after:
        for field, value in after.items():
            setattr(user, field, value)
        session.flush()
        audit.record(session, actor, AdminChangeKind.USER_EDITED, user, before=before, after=after,
                     jurisdiction_code=user.jurisdiction_code)
    return user


def change_access(session: Session, actor, user_id: int, *, role: str, jurisdiction_code: str,
                  organization_id: int | None) -> User:
    """Role, division and organization of an account: within the admin's subtree, never their own
    role or division, never taking a division's last admin away."""
    user = managed_user(session, actor, user_id)
    try:
        new_role = parse_role(role)
    except UserError as exc:
        raise as_invalid(exc) from None
    division = require_manage(session, actor, jurisdiction_code, current=user.jurisdiction_code)
    if user.id == getattr(actor, "id", None) and (new_role is not user.role or division.code != user.jurisdiction_code):
        raise Forbidden(N_("You cannot change your own role or division; ask another administrator."))
    if new_role is not Role.ADMIN or division.code != user.jurisdiction_code:
        _keep_an_admin(session, user, "role")
    check_organization(session, organization_id, division.code, current=user.organization_id)
    old_code = user.jurisdiction_code
    before = access_of(user)
    user.role, user.jurisdiction_code, user.organization_id = new_role, division.code, organization_id
    session.flush()
    session.refresh(user, ["organization", "jurisdiction"])
    before, after = audit.changed(before, access_of(user))
    if after:
        audit.record(session, actor, AdminChangeKind.USER_ACCESS_CHANGED, user, before=before, after=after,
                     jurisdiction_code=user.jurisdiction_code, previous_jurisdiction_code=old_code)
    return user


def set_user_active(session: Session, actor, user_id: int, active: bool) -> User:
    """Disable an account (it cannot log in, and every session and API use of it ends) or enable it again."""
    user = managed_user(session, actor, user_id)
    if user.active == active:
        return user
    if not active:
        if user.id == getattr(actor, "id", None):
            raise Forbidden(N_("You cannot disable your own account; ask another administrator."))
        _keep_an_admin(session, user, None)
    before = {"active": user.active, "session_version": user.session_version}
    user.active = active
    if not active:
        user.end_sessions()
    session.flush()
    audit.record(session, actor, AdminChangeKind.USER_ENABLED if active else AdminChangeKind.USER_DISABLED, user,
                 before=before, after={"active": user.active, "session_version": user.session_version},
                 jurisdiction_code=user.jurisdiction_code)
    return user


def reset_user_password(session: Session, actor, user_id: int, new_password: str) -> User:
    """A new password for an account the admin manages; every session of that person ends."""
    user = managed_user(session, actor, user_id)
    before = {"session_version": user.session_version}
    try:
        reset_password(session, user, new_password)
    except UserError as exc:
        raise as_invalid(exc) from None
    audit.record(session, actor, AdminChangeKind.USER_PASSWORD_RESET, user, before=before,
                 after={"session_version": user.session_version}, jurisdiction_code=user.jurisdiction_code)
    return user


def check_organization(session: Session, organization_id: int | None, jurisdiction_code: str, *,
                       current: int | None = None, field: str = "organization_id") -> Organization | None:
    """The unit a person of this division may belong to: one of their division or a division above it,
    and still in use (a deactivated one only when it is already theirs)."""
    if organization_id is None:
        return None
    organization = session.get(Organization, organization_id) if 0 < organization_id < 2**31 else None
    if organization is None:
        raise invalid(field, N_("No organization %(id)s is known."), {"id": organization_id})
    if organization.jurisdiction_code not in lineage(jurisdiction_code):
        raise invalid(field, N_("%(unit)s is not a unit of %(division)s or of a division above it."),
                      {"unit": organization.name, "division": _division_name(session, jurisdiction_code)})
    if not organization.active and organization.id != current:
        raise invalid(field, N_("%(unit)s is no longer in use."), {"unit": organization.name})
    return organization


def details_of(user: User) -> dict:
    return {"name": user.name, "email": user.email, "phone": user.phone, "language": user.language}


def access_of(user: User) -> dict:
    return {"role": user.role.value, "jurisdiction_code": user.jurisdiction_code,
            "organization": user.organization.name if user.organization else None}


def as_invalid(exc: UserError) -> InvalidInput:
    return invalid(exc.field, exc.template, exc.params)


def _keep_an_admin(session: Session, user: User, field: str | None) -> None:
    """Refuse to take away the last active admin of the user's division."""
    if user.role is not Role.ADMIN or not user.active:
        return
    # Row locks on PostgreSQL: two admins of a division disabling each other at the same moment
    # cannot both see the other one still there.
    others = session.scalars(select(User.id).where(
        User.role == Role.ADMIN, User.active.is_(True), User.jurisdiction_code == user.jurisdiction_code,
        User.id != user.id).with_for_update()).all()
    if not others:
        raise invalid(field, N_("%(login)s is the last active administrator of %(division)s: appoint another "
                                "administrator there first."),
                      {"login": user.login, "division": _division_name(session, user.jurisdiction_code)})


def _division_name(session: Session, code: str) -> DivisionName | str:
    division = session.get(Jurisdiction, code)
    return DivisionName(division.name, division.name_en) if division else code
