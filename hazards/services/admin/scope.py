"""How far an admin reaches: the accounts and units of their own subtree, nothing beyond.

A record outside the subtree is answered exactly like a missing one (NotFound), so its id tells the
admin nothing; a division outside it, asked for by name, is Forbidden.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hazards import permissions
from hazards.domain.divisions import DivisionCodeError, check_code
from hazards.domain.errors import N_, Forbidden, InvalidInput, NotFound
from hazards.models import Jurisdiction, Organization, User


def require_administrator(actor) -> None:
    if not permissions.can_administer(actor):
        raise Forbidden(N_("Only administrators may do this."))


def require_manage(session: Session, actor, jurisdiction_code: str | None, field: str = "jurisdiction_code",
                   current: str | None = None) -> Jurisdiction:
    """The division, if it exists, the admin manages it, and it is in the national registry (one that left
    it is kept only where it is already `current`: nobody new is placed there)."""
    try:
        code = check_code(jurisdiction_code or "")
    except DivisionCodeError as exc:
        raise invalid(field, exc.template, exc.params) from None
    if not permissions.can_manage(actor, code):
        raise Forbidden(N_("You may not manage %(division)s."), {"division": code})
    division = session.get(Jurisdiction, code)
    if division is None:
        raise invalid(field, N_("No division has the code %(code)s."), {"code": code})
    if not division.active and division.code != current:
        raise invalid(field, N_("Division %(code)s (%(name)s) is no longer in the national registry; give the "
                                "division that took its place."), {"code": division.code, "name": division.name})
    return division


def managed_user(session: Session, actor, user_id: int) -> User:
    user = session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None or not permissions.can_manage(actor, user.jurisdiction_code):
        raise NotFound(N_("No user %(id)s is known."), {"id": user_id})
    return user


def managed_organization(session: Session, actor, organization_id: int) -> Organization:
    organization = session.get(Organization, organization_id) if 0 < organization_id < 2**31 else None
    if organization is None or not permissions.can_manage(actor, organization.jurisdiction_code):
        raise NotFound(N_("No organization %(id)s is known."), {"id": organization_id})
    return organization


def invalid(field: str | None, template: str, params: dict | None = None) -> InvalidInput:
    """A refusal the form shows beside `field` (or at the top, with no field)."""
    if field is None:
        return InvalidInput(template, params)
    return InvalidInput(template, params, fields={field: "invalid"}, field_messages={field: (template, params or {})})
