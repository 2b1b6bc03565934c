"""Writing new hazards into the ledger (登记建档): one at a time from a form, or thousands from a file.

Both go through `register_hazards`, so a hazard gets its code, categories, measures, the money it
arrives with and its first history row the same way whatever brought it in.
"""

from __future__ import annotations

from dataclasses import fields

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from geo.geometry import to_ewkt
from hazards import permissions
from hazards.domain.divisions import is_within, subtree_prefix, unit_divisions
from hazards.domain.drafts import DraftRejected, FieldProblem, HazardDraft, check_draft
from hazards.domain.enums import OrganizationKind
from hazards.domain.errors import N_, Forbidden
from hazards.models import Hazard, Organization, StatusChange, User, hazard_categories, hazard_measures
from hazards.models.base import utcnow
from hazards.services import notifications
from hazards.services.codes import allocate_codes
from hazards.services.funding import record_opening_funding
from hazards.services.placement import placement_problem
from hazards.services.units import outside_division
from hazards.services.reference import ReferenceData

_NOT_COLUMNS = {"geometry", "category_codes", "measure_codes", "supervising_body", "responsible_unit",
                "budget", "spent", "funding_source", "funding_date"}  # money: the funding ledger's lines
_COLUMN_FIELDS = [f.name for f in fields(HazardDraft) if f.name not in _NOT_COLUMNS]


def report_hazard(session: Session, draft: HazardDraft, *, actor: User | permissions.SystemActor) -> Hazard:
    """Register one hazard (上报), refusing it with every problem named if any rule fails.

    The hazard must lie where `actor` may report; jobs and commands pass `permissions.SYSTEM`.
    """
    if not permissions.can_report_in(actor, draft.jurisdiction_code):
        raise Forbidden(N_("You may not report hazards in %(division)s."), {"division": draft.jurisdiction_code})
    ref = ReferenceData(session)
    problems = check_draft(draft, ref)
    misplaced = placement_problem(session, draft.jurisdiction_code, draft.geometry)
    if misplaced:
        problems.append(misplaced)
    if draft.jurisdiction_code in ref.retired_jurisdictions:
        # A historic ledger may still name it (the import); a new report goes to the division that took over.
        problems.append(FieldProblem("jurisdiction_code", N_(
            "division %(code)s is no longer in the division registry; report the hazard in the division that "
            "took its place"), {"code": draft.jurisdiction_code}))
    if problems:
        raise DraftRejected(problems)
    (hazard_id,) = register_hazards(session, [draft], ref=ref, actor_id=actor.id, action="report")
    hazard = session.get(Hazard, hazard_id)
    notifications.hazard_reported(session, hazard, actor)
    return hazard


def register_hazards(
    session: Session,
    drafts: list[HazardDraft],
    *,
    ref: ReferenceData,
    actor_id: int | None = None,
    action: str = "import",
    note: str | None = None,
) -> list[int]:
    """Insert checked drafts in bulk (a handful of statements, not one per hazard); returns their ids."""
    if not drafts:
        return []
    codes = allocate_codes(session, [d.code for d in drafts], [(d.jurisdiction_code, d.batch_year) for d in drafts])
    now = utcnow()
    rows = []
    for draft, code in zip(drafts, codes):
        # A shallow copy: asdict() would deep-copy every shapely geometry.
        values = {name: getattr(draft, name) for name in _COLUMN_FIELDS}
        values["code"] = code
        values["geom"] = to_ewkt(draft.geometry)
        values["found_by_id"] = actor_id if action == "report" else None
        values["supervising_body_id"] = _organization_id(
            session, ref, draft.supervising_body, draft, OrganizationKind.SUPERVISING, "supervising_body"
        )
        values["responsible_unit_id"] = _organization_id(
            session, ref, draft.responsible_unit, draft, OrganizationKind.RESPONSIBLE, "responsible_unit"
        )
        values.update(version=1, created_at=now, updated_at=now)
        rows.append(values)

    # Core executemany, then the ids by code: RETURNING in parameter order makes SQLite fall back
    # to one statement per row, which is ten times slower.
    session.execute(insert(Hazard.__table__), rows)
    ids_by_code = _ids_by_code(session, [r["code"] for r in rows])
    ids = [ids_by_code[r["code"]] for r in rows]

    category_rows = [
        {"hazard_id": hid, "category_id": ref.category_ids[c]}
        for hid, d in zip(ids, drafts) for c in dict.fromkeys(d.category_codes)
    ]
    measure_rows = [
        {"hazard_id": hid, "measure_id": ref.measure_ids[m]}
        for hid, d in zip(ids, drafts) for m in dict.fromkeys(d.measure_codes)
    ]
    if category_rows:
        session.execute(insert(hazard_categories), category_rows)
    if measure_rows:
        session.execute(insert(hazard_measures), measure_rows)
    session.execute(
        insert(StatusChange),
        [
            {"hazard_id": hid, "action": action, "from_status": None, "to_status": d.status,
             "changed_by_id": actor_id, "changed_at": now, "note": note}
            for hid, d in zip(ids, drafts)
        ],
    )
    record_opening_funding(session, list(zip(ids, drafts)), actor_id=actor_id, note=note)
    session.flush()
    return ids


def _ids_by_code(session: Session, codes: list[str], chunk: int = 900) -> dict[str, int]:
    found: dict[str, int] = {}
    for i in range(0, len(codes), chunk):
        part = codes[i : i + chunk]
        found.update(session.execute(select(Hazard.code, Hazard.id).where(Hazard.code.in_(part))).all())
    return found


def _organization_id(session, ref: ReferenceData, name, draft: HazardDraft, kind, field: str) -> int | None:
    """Units are named in ledgers, not numbered: the nearest unit of that name in the hazard's division or
    one above it (a county hazard may name the city's 公路中心), added the first time it appears. A
    name known only above what the hazard may name (公安部 on a county-supervised hazard) is refused."""
    if not name:
        return None
    allowed = unit_divisions(draft.jurisdiction_code, draft.level)
    key = (name, tuple(allowed))
    if key not in ref.organization_cache:
        above = [
            (len(subtree_prefix(code)), code, oid)
            for (known, code), oid in ref.organizations.items()
            if known == name and is_within(draft.jurisdiction_code, code)
        ]
        usable = [entry for entry in above if entry[1] in allowed]
        if usable:
            ref.organization_cache[key] = max(usable)[2]
        elif above:
            raise outside_division(session, name, max(above)[1], draft.jurisdiction_code, field)
        else:
            org = Organization(name=name, kind=kind, jurisdiction_code=draft.jurisdiction_code)
            session.add(org)
            session.flush()
            ref.organizations[(name, draft.jurisdiction_code)] = org.id
            ref.organization_cache[key] = org.id
    return ref.organization_cache[key]
