"""Changing a hazard's fields: the one place edits happen, so each is audited and versioned alike."""

from __future__ import annotations

from datetime import date
from enum import Enum

from sqlalchemy.orm import Session

from hazards.models import FieldChange, Hazard, User


def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def apply_changes(session: Session, hazard: Hazard, actor: User | None, changes: dict) -> dict:
    """Set the fields that really change and write one audit row each; returns {field: (old, new)}.

    The audit rows carry the version the hazard will have after this flush, so a later conflict
    can show exactly what was changed since the version someone else was editing.
    """
    changed = {}
    for field, new in changes.items():
        old = getattr(hazard, field)
        if old == new:
            continue
        setattr(hazard, field, new)
        changed[field] = (old, new)
    for field, (old, new) in changed.items():
        record_field_change(session, hazard, actor, field, old, new)
    return changed


def record_field_change(session: Session, hazard: Hazard, actor: User | None, field: str, old, new) -> None:
    """One audit row, stamped with the version the hazard will have after the coming flush."""
    session.add(FieldChange(
        hazard_id=hazard.id, version=hazard.version + 1, field=field,
        old_value=_as_text(old), new_value=_as_text(new), changed_by_id=actor.id if actor else None,
    ))
