"""Loading a hazard for a user: the first step of every use case on an existing hazard, and knowing
when someone else changed it first (optimistic locking, 乐观锁)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

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


def hold(session: Session, hazard: Hazard) -> None:
    """Read the hazard's row again and hold it until this transaction ends (FOR UPDATE on PostgreSQL;
    SQLite has one writer at a time anyway): a change decided on what the row says now is then made
    by one writer at a time, and a second one at the same moment waits and decides on the fresh row."""
    session.refresh(hazard, with_for_update=True)


def check_version(session: Session, hazard: Hazard, expected_version: int | None) -> None:
    """Optimistic locking: refuse a change made on a stale copy, showing what the other person changed.

    The row is held first (`hold`): a save made at the same moment on the same version waits here, then
    finds the version moved and is shown what changed, instead of failing later at flush with nothing
    to show; a change sent without a version is judged on the fresh row (its status, its deadline)."""
    hold(session, hazard)
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


SIMULTANEOUS_CHANGE = N_("Someone else saved a change to this record at the same moment, so yours was not saved. "
                         "Open the record again to see it as it is now, then make your change once more.")


def simultaneous_change(exc: BaseException) -> Conflict | None:
    """The Conflict to answer when a save met another one inside the database; None for any other error.

    Two saves made on the same version both pass `check_version` when neither has committed yet; the
    database then refuses the later one at flush: its row version has moved (StaleDataError), or a
    unique key it writes has just been taken (IntegrityError). Either way the person's change was not
    saved and trying again on the fresh record is the answer, as for a stale version. Other integrity
    errors (a missing value, a broken check) are mistakes of ours and stay 500s.
    """
    if isinstance(exc, StaleDataError):
        return Conflict(SIMULTANEOUS_CHANGE)
    if isinstance(exc, IntegrityError) and _is_unique_violation(exc):
        return Conflict(SIMULTANEOUS_CHANGE)
    return None


def _is_unique_violation(exc: IntegrityError) -> bool:
    original = exc.orig
    if getattr(original, "sqlstate", None) == "23505":  # PostgreSQL's unique_violation
        return True
    return "UNIQUE constraint failed" in str(original)  # SQLite's wording (it has no SQLSTATE)
