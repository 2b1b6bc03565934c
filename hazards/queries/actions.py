"""The actions a user may take on a hazard now: the workflow table filtered by `hazards.permissions`,
plus the field and supervision actions, and the levels they may list or raise it to.

One answer for the hazard page and the API's transitions, so the buttons a person sees and the calls a
program may make cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from hazards import permissions
from hazards.domain.divisions import lineage
from hazards.domain.enums import Role, SupervisionLevel
from hazards.domain.workflow import Transition, actions_from


@dataclass(frozen=True)
class HazardActions:
    transitions: list[Transition]  # workflow steps open to the user from the hazard's status
    allowed: frozenset[str]  # every action name the user may take on the hazard, workflow or not
    higher_levels: list[SupervisionLevel]  # what they may raise its supervision level to
    listable_levels: list[SupervisionLevel]  # what they may list it at

    def can(self, action: str) -> bool:
        return action in self.allowed


def actions_for(user, hazard) -> HazardActions:
    transitions = [t for t in actions_from(hazard.status) if permissions.can(user, t.action, hazard)]
    others = {a for a in permissions.FIELD_ACTIONS | permissions.SUPERVISOR_ACTIONS if permissions.can(user, a, hazard)}
    settable = [lv for lv in SupervisionLevel if permissions.can_set_level(user, lv)]
    return HazardActions(
        transitions=transitions,
        allowed=frozenset({t.action for t in transitions} | others),
        higher_levels=[lv for lv in settable if lv.rank > hazard.level.rank],
        listable_levels=[lv for lv in settable if lv is not SupervisionLevel.NONE],
    )


@dataclass(frozen=True)
class Waiting:
    """Steps from the hazard's status that are someone else's: whose (the nearest division whose people
    may take them, and in what role) and which."""

    division_code: str
    role: Role
    level: SupervisionLevel  # the supervision level of a supervisor of that division
    steps: tuple[Transition, ...]  # in table order: the step forward first (验收销号 before 验收不通过)


@dataclass(frozen=True)
class _Someone:
    """A person in a role at a division, as `permissions.can` sees people: to ask who could act."""

    role: Role
    jurisdiction_code: str
    id: None = None
    active: bool = True


def waiting_for(user, hazard) -> list[Waiting]:
    """The workflow steps open from the hazard's status that `user` may not take, grouped by who may:
    for each step the nearest division in the hazard's line (its own first) where an inspector, else a
    supervisor, would be allowed by `hazards.permissions`. Empty when no step is left to anyone."""
    groups: dict[tuple[str, Role], list[Transition]] = {}
    for transition in actions_from(hazard.status):
        if permissions.can(user, transition.action, hazard):
            continue
        who = _nearest_allowed(transition, hazard)
        if who is not None:
            groups.setdefault(who, []).append(transition)
    return [Waiting(code, role, permissions.supervision_level_of(_Someone(role, code)), tuple(steps))
            for (code, role), steps in groups.items()]


def _nearest_allowed(transition: Transition, hazard) -> tuple[str, Role] | None:
    for code in lineage(hazard.jurisdiction_code):
        for role in (Role.INSPECTOR, Role.SUPERVISOR):
            if role in transition.roles and permissions.can(_Someone(role, code), transition.action, hazard):
                return code, role
    return None
