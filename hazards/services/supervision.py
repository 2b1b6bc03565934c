"""Supervision outside the status flow: extensions (延期), raising the level, 通报/约谈 and notes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hazards import clock, permissions
from hazards.domain.enums import EventKind, ExtensionState, SupervisionLevel
from hazards.domain.errors import N_, Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from hazards.models import DeadlineChange, ExtensionRequest, Hazard, HazardEvent, LevelChange, User
from hazards.models.base import utcnow
from hazards.services import notifications
from hazards.services.access import check_version, hold, load_hazard
from hazards.services.audit import apply_changes
from hazards.services.priority_ranking import rank_hazards
from hazards.services.units import check_unit

# Progress notes are the field's; notices, summons and accountability are the supervisor's.
_SUPERVISOR_EVENTS = {EventKind.NOTICE, EventKind.SUMMONS, EventKind.ACCOUNTABILITY, EventKind.LOOKBACK}


def request_extension(
    session: Session, hazard_id: int, actor: User, requested_deadline: date, reason: str
) -> ExtensionRequest:
    hazard = load_hazard(session, hazard_id, actor, "request_extension")
    hold(session, hazard)  # two requests sent at once: the second then sees the first one waiting
    if not hazard.status.is_open:
        raise TransitionNotAllowed(N_("Hazard %(code)s is %(status)s: there is no deadline to extend."),
                                   {"code": hazard.code, "status": hazard.status})
    if hazard.deadline is None:
        raise InvalidInput(N_("The hazard has no deadline to extend."), fields={"requested_deadline": "no_deadline"})
    if requested_deadline <= hazard.deadline:
        raise InvalidInput(N_("An extension must ask for a date after the current deadline %(deadline)s."),
                           {"deadline": hazard.deadline},
                           fields={"requested_deadline": "not_later"})
    if not (reason or "").strip():
        raise InvalidInput(N_("An extension request needs its reasons."), fields={"reason": "required"})
    pending = session.scalar(select(ExtensionRequest.id).where(
        ExtensionRequest.hazard_id == hazard.id, ExtensionRequest.state == ExtensionState.PENDING))
    if pending:
        raise TransitionNotAllowed(N_("An extension request is already waiting for a decision."))
    request = ExtensionRequest(hazard_id=hazard.id, requested_deadline=requested_deadline, reason=reason.strip(),
                               state=ExtensionState.PENDING, requested_by_id=actor.id)
    session.add(request)
    session.flush()
    notifications.extension_requested(session, hazard, request, actor)
    return request


def decide_extension(
    session: Session, request_id: int, actor: User, *, grant: bool, note: str | None = None,
    deadline: date | None = None,
) -> ExtensionRequest:
    """Grant (optionally to a different date than asked) or refuse; a grant moves the deadline."""
    request = session.get(ExtensionRequest, request_id)
    if request is None:
        raise NotFound(N_("No extension request %(id)s is known."), {"id": request_id})
    hazard = load_hazard(session, request.hazard_id, actor, "grant_extension" if grant else "refuse_extension")
    # Two decisions at once: the second waits for the first, then finds the request decided.
    hold(session, hazard)
    session.refresh(request)
    if request.state is not ExtensionState.PENDING:
        raise TransitionNotAllowed(N_("This extension request was already %(state)s."), {"state": request.state})
    request.state = ExtensionState.GRANTED if grant else ExtensionState.REFUSED
    request.decided_by_id, request.decided_at, request.decision_note = actor.id, utcnow(), note
    if grant:
        new_deadline = deadline or request.requested_deadline
        old = hazard.deadline
        apply_changes(session, hazard, actor, {"deadline": new_deadline})
        session.add(DeadlineChange(hazard_id=hazard.id, from_deadline=old, to_deadline=new_deadline,
                                   changed_by_id=actor.id, note=note or request.reason))
    session.flush()
    if grant:
        rank_hazards(session, [hazard.id])  # a later deadline: no longer overdue
    notifications.extension_decided(session, hazard, request, actor)
    return request


def raise_level(
    session: Session, hazard_id: int, actor: User, level: SupervisionLevel, note: str,
    *, expected_version: int | None = None, supervising_body_id: int | None = None,
) -> Hazard:
    """Escalate a hazard (county -> city -> province...), keeping the history; never lowers it."""
    hazard = load_hazard(session, hazard_id, actor, "raise_level")
    check_version(session, hazard, expected_version)
    if level.rank <= hazard.level.rank:
        raise InvalidInput(N_("The hazard is already supervised at the %(level)s level; raising needs a higher level."),
                           {"level": hazard.level},
                           fields={"level": "not_higher"})
    if not permissions.can_set_level(actor, level):
        raise Forbidden(N_("A supervisor at your level cannot raise a hazard to the %(level)s level."), {"level": level})
    if not (note or "").strip():
        raise InvalidInput(N_("Raising the supervision level needs a reason."), fields={"note": "required"})
    old = hazard.level
    changes = {"level": level}
    if supervising_body_id:
        check_unit(session, supervising_body_id, hazard.jurisdiction_code, level, "supervising_body_id",
                   current=hazard.supervising_body_id)
        changes["supervising_body_id"] = supervising_body_id
    apply_changes(session, hazard, actor, changes)
    session.add(LevelChange(hazard_id=hazard.id, from_level=old, to_level=level, changed_by_id=actor.id, note=note))
    session.flush()
    rank_hazards(session, [hazard.id])
    notifications.level_raised(session, hazard, actor, note)
    return hazard


def log_event(
    session: Session, hazard_id: int, actor: User, kind: EventKind, note: str,
    *, happened_on: date | None = None, document_no: str | None = None,
) -> HazardEvent:
    action = "log_event" if kind in _SUPERVISOR_EVENTS else "add_progress"
    hazard = load_hazard(session, hazard_id, actor, action)
    if not (note or "").strip():
        raise InvalidInput(N_("The note is empty."), fields={"note": "required"})
    event = HazardEvent(hazard_id=hazard.id, kind=kind, happened_on=happened_on or clock.today(), note=note.strip(),
                        document_no=document_no, created_by_id=actor.id)
    session.add(event)
    session.flush()
    notifications.event_recorded(session, hazard, event, actor)
    return event
