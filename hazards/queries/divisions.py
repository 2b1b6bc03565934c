"""The divisions, organizations and people a user may choose from: pick lists for forms and filters."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hazards import permissions
from hazards.domain.divisions import unit_divisions
from hazards.domain.enums import JurisdictionLevel, SupervisionLevel
from hazards.models import Jurisdiction, Organization


def list_jurisdictions(session: Session, user, *, level: JurisdictionLevel | None = None,
                       current_only: bool = False) -> list[Jurisdiction]:
    """The user's division and those below it (only one level of them when `level` is given), by code.

    Filters offer every division, so old hazards of a retired one can still be found; a form that
    files something new asks for `current_only`, the divisions the registry still lists."""
    stmt = select(Jurisdiction).where(permissions.visible_clause(user, Jurisdiction.code))
    if current_only:
        stmt = stmt.where(Jurisdiction.active.is_(True))
    if level is not None:
        stmt = stmt.where(Jurisdiction.level == level)
    return list(session.scalars(stmt.order_by(Jurisdiction.code)))


def list_places(session: Session, user) -> list[tuple[str, str, JurisdictionLevel]]:
    """(code, name, level) of the divisions a user may choose, without loading their boundaries."""
    return list(session.execute(
        select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.level)
        .where(permissions.visible_clause(user, Jurisdiction.code)).order_by(Jurisdiction.code)
    ).all())


def list_units_for(session: Session, jurisdiction_code: str, level: SupervisionLevel,
                   keep: tuple[int | None, ...] = ()) -> list[Organization]:
    """The organizations a hazard of this division and level may name (督办单位, 责任单位): its own
    division's first, then each division above it, by name within each. Only units in use, and those
    in `keep` (the ones the hazard names now, even if deactivated since)."""
    order = unit_divisions(jurisdiction_code, level)
    in_use = Organization.active.is_(True)
    kept = [k for k in keep if k is not None]
    found = session.scalars(select(Organization).where(
        Organization.jurisdiction_code.in_(order), in_use | Organization.id.in_(kept) if kept else in_use)).all()
    return sorted(found, key=lambda o: (order.index(o.jurisdiction_code), o.name))
