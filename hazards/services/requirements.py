"""What a transition needs before it may be taken (the table's `requires`), checked against the data.

The same check answers twice: `missing` refuses a step, `checklist` shows on the hazard's page what the
step needs before anyone submits it, so the list a person reads and the refusal cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hazards.domain.enums import AttachmentPhase, FundingKind, SupervisionLevel
from hazards.models import Attachment, FundingEntry, Hazard

# requirement code -> (中文, English): how a missing requirement is named to the user
REQUIREMENT_LABELS = {
    "reason": ("说明理由", "a reason"),
    "merge_target": ("要合并到的原隐患", "the original hazard to merge into"),
    "level": ("督办级别", "a supervision level"),
    "deadline": ("整改期限", "a deadline"),
    "supervising_body": ("督办单位", "a supervising body"),
    "responsible_unit": ("责任单位", "a responsible unit"),
    "plan": ("治理方案", "a remediation plan"),
    "budget": ("预算资金", "a budget"),
    "after_photo": ("至少一张整改后照片", "at least one 'after' photo"),
    "completed_on": ("完成日期", "a completion date"),
    "acceptance_note": ("验收意见", "an acceptance note"),
}


@dataclass
class ActionInput:
    """What a person supplies with an action (form fields or API body)."""

    reason: str | None = None
    note: str | None = None
    level: SupervisionLevel | None = None
    deadline: date | None = None
    supervising_body_id: int | None = None
    document_no: str | None = None
    listed_on: date | None = None
    responsible_unit_id: int | None = None
    responsible_person: str | None = None
    responsible_contact: str | None = None
    plan_text: str | None = None
    completed_on: date | None = None
    acceptance_note: str | None = None
    merge_target_id: int | None = None
    extra: dict = field(default_factory=dict)


def missing(session: Session, hazard: Hazard, requires: tuple[str, ...], given: ActionInput) -> list[str]:
    """The requirement codes not met, in the table's order."""
    checks = {
        "reason": lambda: bool((given.reason or "").strip()),
        "merge_target": lambda: given.merge_target_id is not None,
        "level": lambda: hazard.level is not SupervisionLevel.NONE,
        "deadline": lambda: hazard.deadline is not None,
        "supervising_body": lambda: hazard.supervising_body_id is not None,
        "responsible_unit": lambda: hazard.responsible_unit_id is not None,
        "plan": lambda: bool((hazard.plan_text or "").strip()),
        "budget": lambda: _total(session, hazard.id, FundingKind.BUDGET) > 0,
        "after_photo": lambda: _after_photos(session, hazard.id) > 0,
        "completed_on": lambda: hazard.completed_on is not None,
        "acceptance_note": lambda: bool((given.acceptance_note or "").strip()),
    }
    return [code for code in requires if not checks[code]()]


@dataclass(frozen=True)
class Requirement:
    """One thing a step needs, as its form shows it."""

    code: str
    present: bool  # already true of the hazard
    asked: bool  # the step's own form supplies it

    def label(self, language: str) -> str:
        return REQUIREMENT_LABELS[self.code][1 if language == "en" else 0]


def checklist(session: Session, hazard: Hazard, transition) -> list[Requirement]:
    """What `transition` (a `hazards.domain.workflow.Transition`) needs, in the table's order: each
    requirement present on the hazard as it is, or not yet; and whether the step's form asks for it."""
    absent = set(missing(session, hazard, transition.requires, ActionInput()))
    return [Requirement(code, code not in absent, code in transition.asks) for code in transition.requires]


class MissingRequirements(tuple):
    """Requirement codes that read as their names when shown to a person (an error message's param)."""

    def text(self, language: str) -> str:
        names = [REQUIREMENT_LABELS[c][1 if language == "en" else 0] for c in self]
        return ", ".join(names) if language == "en" else "、".join(names)

    def __str__(self) -> str:
        return self.text("en")


def _total(session: Session, hazard_id: int, kind: FundingKind):
    return session.scalar(
        select(func.coalesce(func.sum(FundingEntry.amount), 0)).where(
            FundingEntry.hazard_id == hazard_id, FundingEntry.kind == kind
        )
    )


def _after_photos(session: Session, hazard_id: int) -> int:
    return session.scalar(
        select(func.count(Attachment.id)).where(
            Attachment.hazard_id == hazard_id, Attachment.phase == AttachmentPhase.AFTER
        )
    )
