"""Loading a hazard for a user: the first step of every use case on an existing hazard."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hazards import clock, permissions
from hazards.domain.errors import N_, Conflict, Forbidden, NotFound
from hazards.domain.workflow import ActionName
from hazards.models import FieldChange, Hazard, User


def load_hazard(session: Session, hazard_id: int, actor: User, action: str = "view") -> Hazard:
    """The hazard, if `actor` may take `action` on it.

    Outside the actor's jurisdiction it does not exist (404, so guessed ids disclose nothing);
    inside it but not allowed is a 403.
    """
    hazard = session.get(Hazard, hazard_id)
    if hazard is None or not permissions.can_see(actor, hazard.jurisdiction_code):
        raise NotFound(N_("No hazard %(id)s is known."), {"id": hazard_id})
    if not permissions.can(actor, action, hazard):
        raise Forbidden(N_("You may not take the action '%(action)s' on hazard %(code)s."),
                        {"action": ActionName(action), "code": hazard.code}, action=action)
    return hazard


def check_version(session: Session, hazard: Hazard, expected_version: int | None) -> None:
    """Optimistic locking: refuse a change made on a stale copy, showing what the other person changed."""
    if expected_version is None or expected_version == hazard.version:
        return
    changes = session.scalars(
        select(FieldChange)
        .where(FieldChange.hazard_id == hazard.id, FieldChange.version > expected_version)
        .order_by(FieldChange.id)
    ).all()
    raise Conflict(
        N_("Hazard %(code)s was changed by someone else (version %(version)s, you had %(expected)s)."),
        {"code": hazard.code, "version": hazard.version, "expected": expected_version},
        version=hazard.version,
        changes=[
            {"field": c.field, "old": c.old_value, "new": c.new_value,
             "by": c.changed_by.name if c.changed_by else None,
             "at": clock.local(c.changed_at).isoformat(timespec="minutes")}
            for c in changes
        ],
    )
