"""The organizations a hazard names (督办单位, 责任单位) come from its own division or those above it:
a county hazard is not supervised by another county's government, nor by 公安部 unless the Ministry
lists it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hazards.domain.divisions import DivisionName, unit_divisions
from hazards.domain.enums import SupervisionLevel
from hazards.domain.errors import N_, InvalidInput
from hazards.models import Jurisdiction, Organization


def check_unit(session: Session, organization_id: int, jurisdiction_code: str, level: SupervisionLevel,
               field: str, current: int | None = None) -> Organization:
    """The organization, if a hazard of that division and supervision level may name it; else a field error.
    A deactivated unit is refused unless it is `current`, the one the hazard names already."""
    org = session.get(Organization, organization_id)
    if org is None:
        template, params = N_("no organization %(id)s is known"), {"id": organization_id}
        raise InvalidInput(template, params, fields={field: "unknown"}, field_messages={field: (template, params)})
    if not org.active and org.id != current:
        template, params = N_("%(unit)s is no longer in use"), {"unit": org.name}
        raise InvalidInput(template, params, fields={field: "inactive"}, field_messages={field: (template, params)})
    if org.jurisdiction_code not in unit_divisions(jurisdiction_code, level):
        raise outside_division(session, org.name, org.jurisdiction_code, jurisdiction_code, field)
    return org


def outside_division(session: Session, unit_name: str, unit_code: str, jurisdiction_code: str,
                     field: str) -> InvalidInput:
    """The refusal of a unit from outside the hazard's division and those above it."""
    template = N_("%(unit)s is a unit of %(its)s; a hazard in %(division)s names a unit of its own division or "
                  "of one above it")
    params = {"unit": unit_name, "its": _name(session, unit_code), "division": _name(session, jurisdiction_code)}
    return InvalidInput(template, params, fields={field: "outside_division"}, field_messages={field: (template, params)})


def _name(session: Session, code: str) -> DivisionName | str:
    division = session.get(Jurisdiction, code)
    return DivisionName(division.name, division.name_en) if division else code
