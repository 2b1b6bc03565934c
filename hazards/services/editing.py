"""Editing a hazard's description, location details, classification and plan (not its status,
level or deadline: those move only through the workflow and supervision services). An edit of its route
or stakes counts its crash history again at once (hazards.services.crash_history).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from hazards.domain.drafts import DraftRejected, HazardDraft, check_draft, section_in_order
from hazards.domain.errors import N_, InvalidInput
from hazards.models import Category, Hazard, User
from hazards.models.base import utcnow
from hazards.services.access import check_version, load_hazard
from hazards.services.audit import apply_changes, record_field_change
from hazards.services.crash_history import PLACE_FIELDS, refresh_crash_history
from hazards.services.priority_ranking import rank_if_scored
from hazards.services.reference import ReferenceData

EDITABLE = (
    "title", "description", "route_code", "road_name", "road_class", "direction", "start_m", "end_m", "place",
    "crash_prone", "crash_count", "death_count", "risk_grade", "school_zone", "responsible_person",
    "responsible_contact", "plan_text", "measures_text", "temporary_controls", "planned_start", "planned_end",
    "document_no",
)


def update_hazard(
    session: Session, hazard_id: int, actor: User, changes: dict, *, expected_version: int,
    category_codes: list[str] | None = None,
) -> Hazard:
    """Apply an edit made on version `expected_version`; a stale version is a Conflict showing the
    other person's changes, so nothing is silently overwritten."""
    hazard = load_hazard(session, hazard_id, actor, "edit")
    check_version(session, hazard, expected_version)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(N_("These fields cannot be edited here: %(fields)s."), {"fields": tuple(sorted(unknown))},
                           fields={k: "not_editable" for k in unknown})
    changes = _section_in_order(hazard, changes)
    problems = check_draft(_as_draft(hazard, changes, category_codes), ReferenceData(session))
    if problems:
        raise DraftRejected(problems)
    changed = apply_changes(session, hazard, actor, changes)
    old_codes = [c.code for c in hazard.categories]
    if category_codes is not None and sorted(old_codes) != sorted(category_codes):
        hazard.categories = list(session.scalars(select(Category).where(Category.code.in_(category_codes))))
        # A change of categories alone touches no column; touching one makes the row's version move.
        hazard.updated_at = utcnow()
        record_field_change(session, hazard, actor, "categories", "、".join(old_codes), "、".join(category_codes))
    session.flush()
    if PLACE_FIELDS & changed.keys():
        # Its place moved: the crashes at it (and so its priority, rank included) are counted now, not at night.
        refresh_crash_history(session, [hazard.id])
    else:
        rank_if_scored(session, hazard, changed)  # a risk grade raised moves it up the list at once
    return hazard


def _section_in_order(hazard: Hazard, changes: dict) -> dict:
    """Stakes edited high stake first are the down carriageway (下行), kept low stake first, as when the
    hazard is logged (`domain.drafts.section_in_order`)."""
    if "start_m" not in changes and "end_m" not in changes:
        return changes
    start = changes.get("start_m", hazard.start_m)
    end = changes.get("end_m", hazard.end_m)
    low, high, direction = section_in_order(start, end, changes.get("direction"))
    if (low, high) == (start, end):
        return changes
    return {**changes, "start_m": low, "end_m": high, **({"direction": direction} if direction else {})}


def _as_draft(hazard: Hazard, changes: dict, category_codes: list[str] | None) -> HazardDraft:
    from geo.geometry import from_db

    base = HazardDraft(
        title=hazard.title, jurisdiction_code=hazard.jurisdiction_code, batch_year=hazard.batch_year,
        found_on=hazard.found_on, geometry=from_db(hazard.geom), status=hazard.status, level=hazard.level,
        deadline=hazard.deadline, listed_on=hazard.listed_on, closed_on=hazard.closed_on,
        start_m=hazard.start_m, end_m=hazard.end_m, crash_count=hazard.crash_count,
        death_count=hazard.death_count, document_no=hazard.document_no,
        planned_start=hazard.planned_start, planned_end=hazard.planned_end,
        category_codes=category_codes if category_codes is not None else [c.code for c in hazard.categories],
    )
    known = {k: v for k, v in changes.items() if k in HazardDraft.__dataclass_fields__}
    return replace(base, **known)
