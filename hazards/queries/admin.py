"""What the administration pages list: the people and units of the admin's subtree, the units a person
may be given, and the admin audit, each limited by `hazards.permissions` with the acting admin."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from hazards import permissions
from hazards.domain.divisions import lineage
from hazards.domain.enums import AdminChangeKind
from hazards.models import AdminChange, Jurisdiction, Organization, User


def divisions(session: Session, actor, keep: str | None = None) -> list[Jurisdiction]:
    """The divisions in the national registry the admin may place people and units in: their own and
    those below it, by code; `keep` (a record's current division) even if it has left the registry."""
    in_use = Jurisdiction.active.is_(True)
    return list(session.scalars(
        select(Jurisdiction).where(permissions.visible_clause(actor, Jurisdiction.code),
                                   in_use | (Jurisdiction.code == keep) if keep else in_use)
        .order_by(Jurisdiction.code)))


def people(session: Session, actor) -> list[User]:
    """The accounts of the admin's subtree, by division and login, disabled ones included."""
    return list(session.scalars(
        select(User).where(permissions.visible_clause(actor, User.jurisdiction_code))
        .options(selectinload(User.jurisdiction), selectinload(User.organization))
        .order_by(User.jurisdiction_code, User.login)))


def organizations(session: Session, actor) -> list[Organization]:
    """The units of the admin's subtree, by division and name, deactivated ones included."""
    return list(session.scalars(
        select(Organization).where(permissions.visible_clause(actor, Organization.jurisdiction_code))
        .options(selectinload(Organization.jurisdiction))
        .order_by(Organization.jurisdiction_code, Organization.name)))


def units_for_people(session: Session, actor) -> list[Organization]:
    """Units in use that a person of the admin's subtree may belong to: those of the subtree and of the
    divisions above the admin's own (the service checks each against the person's own division)."""
    return list(session.scalars(
        select(Organization).where(Organization.active.is_(True), or_(
            permissions.visible_clause(actor, Organization.jurisdiction_code),
            Organization.jurisdiction_code.in_(lineage(actor.jurisdiction_code))))
        .options(selectinload(Organization.jurisdiction))
        .order_by(Organization.jurisdiction_code, Organization.name)))


def merge_targets(session: Session, actor, source: Organization) -> list[Organization]:
    """Units in use the admin manages that `source` could be merged into: of its kind, in its division
    or one above it."""
    return [o for o in session.scalars(
        select(Organization).where(Organization.active.is_(True), Organization.id != source.id,
                                   Organization.kind == source.kind,
                                   Organization.jurisdiction_code.in_(lineage(source.jurisdiction_code)),
                                   permissions.visible_clause(actor, Organization.jurisdiction_code))
        .options(selectinload(Organization.jurisdiction)).order_by(Organization.jurisdiction_code, Organization.name))]


@dataclass
class AuditPage:
    rows: list[AdminChange]
    page: int
    has_more: bool


def audit_page(session: Session, actor, *, kind: AdminChangeKind | None, page: int, size: int = 50) -> AuditPage:
    """The admin audit the admin may read, newest first: rows about their subtree (a record that moved
    counts where it was and where it went) and about the shared vocabularies."""
    stmt = select(AdminChange).where(or_(
        AdminChange.jurisdiction_code.is_(None) & AdminChange.previous_jurisdiction_code.is_(None),
        permissions.visible_clause(actor, AdminChange.jurisdiction_code),
        permissions.visible_clause(actor, AdminChange.previous_jurisdiction_code)))
    if kind is not None:
        stmt = stmt.where(AdminChange.kind == kind.value)
    page = max(1, page)
    rows = list(session.scalars(stmt.order_by(AdminChange.changed_at.desc(), AdminChange.id.desc())
                                .offset((page - 1) * size).limit(size + 1)))
    return AuditPage(rows[:size], page, len(rows) > size)

