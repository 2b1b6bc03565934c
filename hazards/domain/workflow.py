"""The remediation workflow as data: which action moves a hazard from which status to which.

Pure: no database, no Flask. `hazards.services.workflow.change_status` is the one function that
applies a transition; this table is what it consults, and what pages read to offer actions.
"""

from __future__ import annotations

from dataclasses import dataclass

from hazards.domain.enums import Role, Status
from hazards.domain.errors import N_, TranslatableValueError

S = Status


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[Status]
    target: Status
    # who may take it (before the jurisdiction and level checks in hazards.permissions)
    roles: frozenset[Role]
    # what must be known before it may be taken; checked by hazards.services.requirements
    requires: tuple[str, ...] = ()
    zh: str = ""
    en: str = ""
    # which of `requires` the step's own form asks for (the rest must be on the hazard beforehand)
    asks: tuple[str, ...] = ()


_SUPERVISOR = frozenset({Role.SUPERVISOR})
_FIELD = frozenset({Role.INSPECTOR, Role.SUPERVISOR})

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("verify", frozenset({S.REPORTED}), S.VERIFIED, _SUPERVISOR, (), "核实认定", "Verify"),
        Transition("reject", frozenset({S.REPORTED, S.VERIFIED}), S.REJECTED, _SUPERVISOR, ("reason",),
                   "不予认定", "Reject", ("reason",)),
        Transition("merge", frozenset({S.REPORTED, S.VERIFIED}), S.MERGED, _SUPERVISOR, ("merge_target",),
                   "合并重复", "Merge as duplicate", ("merge_target",)),
        Transition("list", frozenset({S.VERIFIED}), S.LISTED, _SUPERVISOR,
                   ("level", "deadline", "supervising_body"), "挂牌督办", "List for supervision",
                   ("level", "deadline", "supervising_body")),
        Transition("assign", frozenset({S.VERIFIED}), S.ASSIGNED, _SUPERVISOR,
                   ("responsible_unit", "deadline"), "交办整改", "Assign without listing",
                   ("responsible_unit", "deadline")),
        Transition("approve_plan", frozenset({S.LISTED, S.ASSIGNED}), S.PLAN_APPROVED, _SUPERVISOR,
                   ("plan", "budget", "responsible_unit"), "审定方案", "Approve plan",
                   ("plan", "responsible_unit")),
        Transition("start_works", frozenset({S.PLAN_APPROVED}), S.IN_REMEDIATION, _FIELD, (),
                   "开始整改", "Start works"),
        Transition("request_closure", frozenset({S.IN_REMEDIATION}), S.CLOSURE_REQUESTED, _FIELD,
                   ("after_photo", "completed_on"), "申请销号", "Request closure", ("completed_on",)),
        Transition("accept", frozenset({S.CLOSURE_REQUESTED}), S.CLOSED, _SUPERVISOR,
                   ("acceptance_note",), "验收销号", "Accept and close", ("acceptance_note",)),
        Transition("refuse_acceptance", frozenset({S.CLOSURE_REQUESTED}), S.IN_REMEDIATION, _SUPERVISOR,
                   ("reason",), "验收不通过", "Refuse acceptance", ("reason",)),
        # 立即整改: what can be fixed on the spot is fixed on the spot, with the evidence.
        Transition("fix_on_spot", frozenset({S.REPORTED}), S.CLOSED, _FIELD,
                   ("reason", "after_photo", "completed_on"), "立即整改销号", "Fixed on the spot",
                   ("reason", "completed_on")),
        # 回头看: a look-back inspection finds a relapse.
        Transition("reopen", frozenset({S.CLOSED}), S.IN_REMEDIATION, _SUPERVISOR, ("reason",),
                   "回头看重新整改", "Reopen after look-back", ("reason",)),
    ]
}


class TransitionError(TranslatableValueError):
    """The action does not exist or cannot be taken from the hazard's current status."""


#: The actions on a hazard that are not steps of the workflow (hazards.permissions), as (中文, English).
OTHER_ACTIONS: dict[str, tuple[str, str]] = {
    "view": ("查看", "view"),
    "edit": ("修改", "edit"),
    "add_progress": ("填报进展", "report progress"),
    "add_photo": ("上传照片", "add photos"),
    "add_spending": ("登记支出", "record spending"),
    "add_budget": ("登记预算", "record a budget"),
    "request_extension": ("申请延期", "request an extension"),
    "grant_extension": ("批准延期", "grant an extension"),
    "refuse_extension": ("不予延期", "refuse an extension"),
    "raise_level": ("提级督办", "raise the supervision level"),
    "log_event": ("记录通报、约谈", "record a notice or interview"),
}


class ActionName(str):
    """An action's code that reads as its label when shown to a person (an error message's param)."""

    def text(self, language: str) -> str:
        transition = TRANSITIONS.get(str(self))
        if transition is not None:
            return transition.en if language == "en" else transition.zh
        zh, en = OTHER_ACTIONS.get(str(self), (str(self), str(self)))
        return en if language == "en" else zh


def transition_for(action: str, status: Status) -> Transition:
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionError(N_("unknown action '%(action)s'"), {"action": action})
    if status not in transition.sources:
        allowed = tuple(sorted(transition.sources, key=lambda s: s.value))
        raise TransitionError(N_("'%(action)s' cannot be taken from status '%(status)s' (only from: %(allowed)s)"),
                              {"action": ActionName(action), "status": status, "allowed": allowed})
    return transition


def actions_from(status: Status) -> list[Transition]:
    """Transitions possible from a status, in table order (what a page may offer)."""
    return [t for t in TRANSITIONS.values() if status in t.sources]
