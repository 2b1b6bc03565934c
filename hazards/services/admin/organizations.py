"""Organizations (单位: 督办单位, 责任单位, 交警队) of the admin's subtree: add, edit, deactivate, merge.

A unit stays where hazards and people may name it: a hazard names units of its own division or one
above it (`hazards.domain.divisions.unit_divisions`), a person belongs to a unit of their division or
one above. So a unit moves to another division, or is merged into another unit, only when everything
naming it could name the new place too; otherwise the refusal says how many would be left stranded.

Merging A into B (the same unit entered twice, 交通局 and 交通运输局) moves every hazard and person of
A to B in one transaction: each hazard's change is written to its own history like any edit, A is
deactivated and keeps its name, and one audit row lists what moved.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hazards.domain.divisions import DivisionName, lineage, unit_divisions
from hazards.domain.enums import AdminChangeKind, OrganizationKind
from hazards.domain.errors import N_, InvalidInput
from hazards.models import Hazard, Jurisdiction, Organization, User
from hazards.services.admin import audit
from hazards.services.admin.scope import invalid, managed_organization, require_manage
from hazards.services.audit import apply_changes

NAME_MAX = 128
#: The hazard fields that name a unit.
UNIT_FIELDS = ("supervising_body_id", "responsible_unit_id", "found_by_unit_id")


def add_organization(session: Session, actor, *, name: str, kind: OrganizationKind,
                     jurisdiction_code: str) -> Organization:
    division = require_manage(session, actor, jurisdiction_code)
    name = _checked_name(name)
    _require_free_name(session, name, division, None)
    organization = Organization(name=name, kind=kind, jurisdiction_code=division.code)
    session.add(organization)
    _flush_named(session, name, division)
    audit.record(session, actor, AdminChangeKind.ORGANIZATION_ADDED, organization, before=None,
                 after=_fields(organization), jurisdiction_code=division.code)
    return organization


def edit_organization(session: Session, actor, organization_id: int, *, name: str, kind: OrganizationKind,
                      jurisdiction_code: str) -> Organization:
    """Name, kind and division of a unit the admin manages; to another division of theirs only when every
    hazard and person naming the unit could name it there."""
    organization = managed_organization(session, actor, organization_id)
    division = require_manage(session, actor, jurisdiction_code, current=organization.jurisdiction_code)
    name = _checked_name(name)
    _require_free_name(session, name, division, organization.id)
    if division.code != organization.jurisdiction_code:
        _require_reachable(session, organization, division, "jurisdiction_code")
    old_code = organization.jurisdiction_code
    before = _fields(organization)
    organization.name, organization.kind, organization.jurisdiction_code = name, kind, division.code
    _flush_named(session, name, division)
    before, after = audit.changed(before, _fields(organization))
    if after:
        audit.record(session, actor, AdminChangeKind.ORGANIZATION_EDITED, organization, before=before, after=after,
                     jurisdiction_code=division.code, previous_jurisdiction_code=old_code)
    return organization


def set_organization_active(session: Session, actor, organization_id: int, active: bool) -> Organization:
    """Deactivate a unit (offered for no new hazard or person; those naming it keep it) or use it again."""
    organization = managed_organization(session, actor, organization_id)
    if organization.active == active:
        return organization
    organization.active = active
    session.flush()
    kind = AdminChangeKind.ORGANIZATION_REACTIVATED if active else AdminChangeKind.ORGANIZATION_DEACTIVATED
    audit.record(session, actor, kind, organization, before={"active": not active}, after={"active": active},
                 jurisdiction_code=organization.jurisdiction_code)
    return organization


def merge_organizations(session: Session, actor, source_id: int, target_id: int | None) -> Organization:
    """Merge unit `source_id` into `target_id`: its hazards and people move to the target, it is deactivated."""
    source = managed_organization(session, actor, source_id)
    if target_id is None:
        raise invalid("target_id", N_("Choose the organization to merge into."))
    target = managed_organization(session, actor, target_id)
    if target.id == source.id:
        raise invalid("target_id", N_("An organization cannot be merged into itself."))
    if not target.active:
        raise invalid("target_id", N_("%(unit)s is no longer in use; merge into a unit in use."), {"unit": target.name})
    if target.kind is not source.kind:
        raise invalid("target_id", N_("%(unit)s (%(kind)s) and %(other)s (%(other_kind)s) are of different kinds: "
                                      "only units of one kind are merged."),
                      {"unit": source.name, "kind": source.kind, "other": target.name, "other_kind": target.kind})
    _require_reachable(session, source, session.get(Jurisdiction, target.jurisdiction_code), "target_id")
    hazards = session.scalars(select(Hazard).where(or_(*(getattr(Hazard, f) == source.id for f in UNIT_FIELDS)))
                              .order_by(Hazard.id)).all()
    for hazard in hazards:
        apply_changes(session, hazard, actor, {f: target.id for f in UNIT_FIELDS if getattr(hazard, f) == source.id})
    people = session.scalars(select(User).where(User.organization_id == source.id).order_by(User.login)).all()
    for person in people:
        person.organization_id = target.id
    source.active = False
    session.flush()
    audit.record(session, actor, AdminChangeKind.ORGANIZATION_MERGED, source,
                 before={"active": True},
                 after={"active": False, "merged_into": target.name, "merged_into_id": target.id,
                        "hazards": [h.code for h in hazards], "users": [p.login for p in people]},
                 jurisdiction_code=source.jurisdiction_code, previous_jurisdiction_code=target.jurisdiction_code)
    return target


def _checked_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise invalid("name", N_("required"))
    if len(name) > NAME_MAX:
        raise invalid("name", N_("at most %(n)s characters"), {"n": NAME_MAX})
    return name


def _require_free_name(session: Session, name: str, division: Jurisdiction, own_id: int | None) -> None:
    taken = session.scalar(select(Organization.id).where(Organization.name == name,
                                                         Organization.jurisdiction_code == division.code))
    if taken is not None and taken != own_id:
        raise _name_taken(name, division)


def _flush_named(session: Session, name: str, division: Jurisdiction) -> None:
    """Flush, turning the database's unique refusal (the same name saved at the same moment elsewhere)
    into the form's own message."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise _name_taken(name, division) from None


def _name_taken(name: str, division: Jurisdiction) -> InvalidInput:
    return invalid("name", N_("%(name)s is already an organization of %(division)s."),
                   {"name": name, "division": DivisionName(division.name, division.name_en)})


def _require_reachable(session: Session, organization: Organization, division: Jurisdiction, field: str) -> None:
    """Every hazard and person naming `organization` could name a unit of `division`."""
    naming = select(Hazard.jurisdiction_code, Hazard.level).where(
        or_(*(getattr(Hazard, f) == organization.id for f in UNIT_FIELDS)))
    hazards = sum(1 for code, level in session.execute(naming) if division.code not in unit_divisions(code, level))
    people = sum(1 for (code,) in session.execute(select(User.jurisdiction_code).where(
        User.organization_id == organization.id)) if division.code not in lineage(code))
    if hazards or people:
        raise invalid(field, N_("%(hazards)s hazards and %(people)s people naming %(unit)s lie outside %(division)s, "
                                "and could no longer name it there."),
                      {"hazards": hazards, "people": people, "unit": organization.name,
                       "division": DivisionName(division.name, division.name_en)})


def _fields(organization: Organization) -> dict:
    return {"name": organization.name, "kind": organization.kind.value,
            "jurisdiction_code": organization.jurisdiction_code}
