"""Moving a hazard through the workflow: the one function that changes a hazard's status.

validate (the table allows it from here) -> authorize (hazards.permissions) -> change -> record
(StatusChange, and LevelChange / DeadlineChange / FieldChange where those move too). A hazard that
becomes open again (reopen) gets its crash history counted (hazards.services.crash_history).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from hazards import clock, permissions
from hazards.domain.enums import Status, SupervisionLevel
from hazards.domain.errors import N_, Forbidden, InvalidInput, NotFound, RequirementsMissing, TransitionNotAllowed
from hazards.domain.workflow import ActionName, TransitionError, transition_for
from hazards.models import DeadlineChange, Hazard, LevelChange, StatusChange, User
from hazards.services import notifications, requirements
from hazards.services.access import check_version, load_hazard
from hazards.services.audit import apply_changes
from hazards.services.crash_history import refresh_crash_history
from hazards.services.priority_ranking import rank_hazards
from hazards.services.requirements import ActionInput
from hazards.services.units import check_unit


def change_status(
    session: Session,
    hazard_id: int,
    action: str,
    actor: User,
    given: ActionInput | None = None,
    *,
    expected_version: int | None = None,
    today: date | None = None,
) -> Hazard:
    given = given or ActionInput()
    today = today or clock.today()
    hazard = load_hazard(session, hazard_id, actor, "view")
    check_version(session, hazard, expected_version)
    try:
        transition = transition_for(action, hazard.status)
    except TransitionError as exc:
        raise TransitionNotAllowed(exc.template, exc.params, action=action, status=hazard.status.value) from None
    if not permissions.can(actor, action, hazard):
        raise Forbidden(N_("You may not take the action '%(action)s' on hazard %(code)s."),
                        {"action": ActionName(action), "code": hazard.code}, action=action)

    changes = _fields_supplied(session, hazard, action, actor, given, today)
    # Requirements are judged on the hazard as it will be, so one form can supply what it needs.
    preview = _Preview(hazard, changes)
    missing = requirements.missing(session, preview, transition.requires, given)
    if missing:
        raise RequirementsMissing(N_("Still needed: %(missing)s."),
                                  {"missing": requirements.MissingRequirements(missing)}, missing=missing,
                                  action=action)

    old_status, old_level, old_deadline = hazard.status, hazard.level, hazard.deadline
    changes["status"] = transition.target
    apply_changes(session, hazard, actor, changes)
    note = given.reason or given.note or given.acceptance_note
    session.add(StatusChange(hazard_id=hazard.id, action=action, from_status=old_status,
                             to_status=transition.target, changed_by_id=actor.id, note=note))
    if hazard.level != old_level:
        session.add(LevelChange(hazard_id=hazard.id, from_level=old_level, to_level=hazard.level,
                                changed_by_id=actor.id, note=note))
    if hazard.deadline != old_deadline:
        session.add(DeadlineChange(hazard_id=hazard.id, from_deadline=old_deadline, to_deadline=hazard.deadline,
                                   changed_by_id=actor.id, note=note))
    session.flush()
    if hazard.status.is_open and not old_status.is_open:
        # Reopened (回头看): open hazards have a crash history for their priority; closed ones keep the
        # one from before their closure, so it is counted again now rather than at night (which ranks it too).
        refresh_crash_history(session, [hazard.id])
    else:
        rank_hazards(session, [hazard.id])  # closing gives rank 0
    notifications.status_changed(session, hazard, action, actor, note)
    return hazard


def _fields_supplied(session, hazard: Hazard, action: str, actor: User, given: ActionInput, today: date) -> dict:
    """The hazard fields this action sets from what the person supplied."""
    changes: dict = {}
    if action == "list":
        if given.level is not None:
            if given.level is SupervisionLevel.NONE:
                raise InvalidInput(N_("Listing for supervision needs a supervision level."), fields={"level": "required"})
            if not permissions.can_set_level(actor, given.level):
                raise Forbidden(N_("A supervisor at your level cannot list a hazard at the %(level)s level."),
                                {"level": given.level})
            changes["level"] = given.level
        changes["listed_on"] = given.listed_on or today
        _copy(changes, given, "deadline", "supervising_body_id", "document_no")
    elif action == "assign":
        _copy(changes, given, "deadline", "responsible_unit_id", "responsible_person", "responsible_contact")
    elif action == "approve_plan":
        _copy(changes, given, "plan_text", "responsible_unit_id", "responsible_person")
    elif action in ("request_closure", "fix_on_spot"):
        _copy(changes, given, "completed_on")
        if given.completed_on and given.completed_on > today:
            raise InvalidInput(N_("The completion date %(date)s is in the future."), {"date": given.completed_on},
                               fields={"completed_on": "future"})
        changes["closure_requested_on"] = today
        if action == "fix_on_spot":
            changes.update(accepted_on=today, accepted_by_id=actor.id, closed_on=today,
                           acceptance_note=given.reason)
    elif action == "accept":
        changes.update(accepted_on=today, accepted_by_id=actor.id, closed_on=today,
                       acceptance_note=given.acceptance_note)
    elif action == "reopen":
        changes.update(closed_on=None, accepted_on=None, accepted_by_id=None, closure_requested_on=None)
    elif action == "merge" and given.merge_target_id is not None:
        changes["merged_into_id"] = _merge_target(session, hazard, actor, given.merge_target_id).id
    for field in ("supervising_body_id", "responsible_unit_id"):
        if field in changes:
            check_unit(session, changes[field], hazard.jurisdiction_code, changes.get("level", hazard.level), field,
                       current=getattr(hazard, field))
    if "deadline" in changes and changes["deadline"] is not None and changes["deadline"] < today and action == "list":
        raise InvalidInput(N_("The deadline %(date)s is in the past."), {"date": changes["deadline"]},
                           fields={"deadline": "past"})
    return changes


def _copy(changes: dict, given: ActionInput, *names: str) -> None:
    for name in names:
        value = getattr(given, name)
        if value is not None and value != "":
            changes[name] = value


def _merge_target(session, hazard: Hazard, actor: User, target_id: int) -> Hazard:
    if target_id == hazard.id:
        raise InvalidInput(N_("A hazard cannot be merged into itself."), fields={"merge_target_id": "self"})
    try:
        target = load_hazard(session, target_id, actor, "view")
    except NotFound:
        # The same words whether it exists elsewhere or not at all, and never its id.
        raise InvalidInput(N_("The original hazard to merge into is not in your area, or does not exist."),
                           fields={"merge_target_id": "unknown"}) from None
    if target.status in (Status.MERGED, Status.REJECTED):
        raise InvalidInput(N_("Hazard %(code)s cannot take a merge: it is itself %(status)s."),
                           {"code": target.code, "status": target.status}, fields={"merge_target_id": "closed"})
    return target


class _Preview:
    """The hazard with pending changes laid over it, for the requirement checks."""

    def __init__(self, hazard: Hazard, changes: dict):
        self._hazard, self._changes = hazard, changes

    def __getattr__(self, name):
        if name in self._changes:
            return self._changes[name]
        return getattr(self._hazard, name)
