"""The actions a user may take on a hazard now: the workflow table filtered by `hazards.permissions`,
plus the field and supervision actions, and the levels they may list or raise it to.

One answer for the hazard page and the API's transitions, so the buttons a person sees and the calls a
program may make cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from hazards import permissions
from hazards.domain.enums import SupervisionLevel
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
