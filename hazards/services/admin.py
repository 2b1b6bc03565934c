"""Administration use cases: accounts, organizations and hazard categories.

Each authorizes with `hazards.permissions` (an admin manages their own subtree; the category
vocabulary is shared, so any admin may extend it), changes, flushes, and leaves a line in the log
naming who did it; the caller commits.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from hazards import permissions
from hazards.domain.divisions import DivisionCodeError, check_code
from hazards.domain.enums import OrganizationKind
from hazards.domain.errors import N_, Forbidden, InvalidInput, NotFound
from hazards.models import Category, Jurisdiction, Organization, User
from hazards.services.users import create_user, reset_password

log = logging.getLogger(__name__)


def add_user(session: Session, actor, *, jurisdiction_code: str, **fields) -> User:
    """An account in a division the admin manages (fields as `services.users.create_user` takes them)."""
    _require_manage(actor, jurisdiction_code)
    user = create_user(session, jurisdiction_code=jurisdiction_code, **fields)
    log.info("%s added user %s (%s) in %s", _who(actor), user.login, user.role.value, jurisdiction_code)
    return user


def reset_user_password(session: Session, actor, user_id: int, new_password: str) -> User:
    """The admin sets a new password for a user of a division they manage; the user's sessions end.

    A user outside those divisions is as unknown as a missing one, so the id tells nothing.
    """
    user = session.get(User, user_id)
    if user is None or not permissions.can_manage(actor, user.jurisdiction_code):
        raise NotFound(N_("No user %(id)s is known."), {"id": user_id})
    reset_password(session, user, new_password)
    log.info("%s reset the password of user %s", _who(actor), user.login)
    return user


def add_organization(session: Session, actor, *, name: str, kind: OrganizationKind,
                     jurisdiction_code: str) -> Organization:
    _require_manage(actor, jurisdiction_code)
    # Checked here so the admin reads a marked form, not the database's refusal as a server error.
    if session.get(Jurisdiction, jurisdiction_code) is None:
        raise InvalidInput(N_("No division has the code %(code)s."), {"code": jurisdiction_code},
                           fields={"jurisdiction_code": "unknown"})
    if session.scalar(select(Organization.id).where(Organization.name == name,
                                                    Organization.jurisdiction_code == jurisdiction_code)):
        raise InvalidInput(N_("%(name)s is already an organization of this division."), {"name": name},
                           fields={"name": "taken"})
    organization = Organization(name=name, kind=kind, jurisdiction_code=jurisdiction_code)
    session.add(organization)
    session.flush()
    log.info("%s added organization %r in %s", _who(actor), name, jurisdiction_code)
    return organization


def add_category(session: Session, actor, *, code: str, name_zh: str, name_en: str) -> Category:
    """A new hazard category, listed after the existing ones."""
    if not permissions.can_administer(actor):
        raise Forbidden(N_("Only administrators may extend the category list."))
    if session.scalar(select(Category.id).where(Category.code == code)) is not None:
        raise InvalidInput(N_("The category code %(code)s is taken."), {"code": code}, fields={"code": "taken"})
    last = session.scalar(select(Category.sort_order).order_by(Category.sort_order.desc()).limit(1)) or 0
    category = Category(code=code, name_zh=name_zh, name_en=name_en, sort_order=last + 1)
    session.add(category)
    session.flush()
    log.info("%s added category %s", _who(actor), code)
    return category


def _require_manage(actor, jurisdiction_code: str) -> None:
    try:
        check_code(jurisdiction_code)
    except DivisionCodeError as exc:
        raise InvalidInput(exc.template, exc.params, fields={"jurisdiction_code": "invalid"}) from None
    if not permissions.can_manage(actor, jurisdiction_code):
        raise Forbidden(N_("You may not manage %(division)s."), {"division": jurisdiction_code})


def _who(actor) -> str:
    return getattr(actor, "login", None) or repr(actor)
