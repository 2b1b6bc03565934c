"""Who may do what: pure predicates over (user, action, hazard), called inside the services.

The rules:
- Nobody sees or touches anything outside their jurisdiction subtree.
- Inspectors log hazards and record progress, photos and spending.
- Supervisors do everything inspectors do, and decide: verify, list, approve plans, grant
  extensions, accept and close, for hazards supervised at their own level or below.
- Admins manage users, organizations and vocabularies; they take no workflow decisions.
- Inspectors, supervisors and admins may import ledger files, each row inside their own subtree.
"""

from __future__ import annotations

from typing import Protocol

from hazards.domain.divisions import is_within, level_of
from hazards.domain.enums import JurisdictionLevel, Role, SupervisionLevel
from hazards.domain.workflow import TRANSITIONS

# A supervisor's reach follows the level of the body they work for.
_SUPERVISOR_LEVEL = {
    JurisdictionLevel.NATIONAL: SupervisionLevel.MINISTRY,
    JurisdictionLevel.PROVINCE: SupervisionLevel.PROVINCE,
    JurisdictionLevel.CITY: SupervisionLevel.CITY,
    JurisdictionLevel.COUNTY: SupervisionLevel.COUNTY,
}

# Non-workflow actions on a hazard, by who may take them.
FIELD_ACTIONS = frozenset({"view", "edit", "add_progress", "add_photo", "add_spending", "request_extension"})
SUPERVISOR_ACTIONS = frozenset({"grant_extension", "refuse_extension", "raise_level", "log_event", "add_budget"})


class Actor(Protocol):
    role: Role
    jurisdiction_code: str
    active: bool


class Target(Protocol):
    jurisdiction_code: str
    level: SupervisionLevel


def supervision_level_of(user: Actor) -> SupervisionLevel:
    return _SUPERVISOR_LEVEL[level_of(user.jurisdiction_code)]


def can_see(user: Actor, jurisdiction_code: str) -> bool:
    return bool(user.active) and is_within(jurisdiction_code, user.jurisdiction_code)


def can_report_in(user: Actor, jurisdiction_code: str) -> bool:
    """Log a new hazard in a division."""
    return can_see(user, jurisdiction_code) and user.role in (Role.INSPECTOR, Role.SUPERVISOR)


def can_import_into(user: Actor, jurisdiction_code: str) -> bool:
    """Bring hazards into a division from a ledger file: whoever may log hazards there, and the admins
    who manage it (they load a division's existing ledger when it starts using the system). Each row
    must still lie in the user's subtree; the importer checks that row by row."""
    return can_report_in(user, jurisdiction_code) or can_manage(user, jurisdiction_code)


def can(user: Actor, action: str, hazard: Target) -> bool:
    """May `user` take `action` (a workflow action or one of the actions above) on `hazard`?"""
    if not can_see(user, hazard.jurisdiction_code):
        return False
    if action == "view":
        return True
    if user.role is Role.ADMIN:
        return False
    transition = TRANSITIONS.get(action)
    if transition is not None:
        if user.role not in transition.roles:
            return False
        return user.role is not Role.SUPERVISOR or _within_level(user, hazard.level)
    if action in FIELD_ACTIONS:
        return True
    if action in SUPERVISOR_ACTIONS:
        return user.role is Role.SUPERVISOR and _within_level(user, hazard.level)
    return False


def can_set_level(user: Actor, level: SupervisionLevel) -> bool:
    """List or raise a hazard to `level`: a supervisor decides up to their own level, not above."""
    return user.role is Role.SUPERVISOR and level.rank <= supervision_level_of(user).rank


def can_manage(user: Actor, jurisdiction_code: str) -> bool:
    """Manage users and organizations of a division."""
    return user.role is Role.ADMIN and can_see(user, jurisdiction_code)


def _within_level(user: Actor, level: SupervisionLevel) -> bool:
    return level.rank <= supervision_level_of(user).rank
