"""What a person reads when a change is refused: the error's message and each field's problem,
translated, with the field named as the page names it; and the refused form itself, which the page
shows again with what was typed and the refusal beside it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hazards.domain.errors import N_, InvalidInput, ServiceError
from hazards.i18n import current_language, error_text, field_texts, translate_message

# Form field -> its label on the hazard's page (the same msgids the templates use where they exist).
FIELD_LABELS = {
    "reason": N_("Reason"), "note": N_("Note"), "level": N_("Supervision level"), "deadline": N_("Deadline"),
    "requested_deadline": N_("Requested deadline"), "supervising_body_id": N_("Supervising body"),
    "document_no": N_("Document number"), "responsible_unit_id": N_("Responsible unit"),
    "responsible_person": N_("Responsible person"), "responsible_contact": N_("Contact"), "plan_text": N_("Plan"),
    "completed_on": N_("Completion date"), "acceptance_note": N_("Acceptance note"),
    "merge_target": N_("Original hazard"), "merge_target_id": N_("Original hazard"), "kind": N_("Kind"),
    "source": N_("Source"), "amount_wan": N_("Amount"), "amount": N_("Amount"), "entry_date": N_("Date"),
    "happened_on": N_("Date"), "version": N_("Version"), "title": N_("Title"), "description": N_("Description"),
    "place": N_("Place"), "road_name": N_("Road name"), "measures_text": N_("Measures"),
    "temporary_controls": N_("Temporary controls"), "photos": N_("Photos"), "listed_on": N_("Listing date"),
}


@dataclass(frozen=True)
class Refusal:
    """A form the page shows again: which one (its element id), why it was refused, what was typed.
    `confirm`: the refusal is a question the person answers by confirming (a large amount)."""

    form: str
    text: str
    values: Mapping
    confirm: bool = False

    def typed(self, form: str) -> Mapping:
        """What was typed into `form`, if it is the refused one; else nothing (the page's own values)."""
        return self.values if form == self.form else {}


def refused(form: str, exc: ServiceError, values: Mapping, confirm: bool = False) -> Refusal:
    return Refusal(form, refusal_text(exc), values, confirm)


def refusal_text(exc: ServiceError) -> str:
    """The refusal in the page's language; field problems follow the message, each after its label."""
    text = error_text(exc)
    if not isinstance(exc, InvalidInput):
        return text
    problems = field_texts(exc)
    if not problems:
        return text
    if current_language() == "zh":
        return text + "（" + "；".join(f"{_label(name)}：{problem}" for name, problem in problems.items()) + "）"
    return text + " (" + "; ".join(f"{_label(name)}: {problem}" for name, problem in problems.items()) + ")"


def _label(name: str) -> str:
    template = FIELD_LABELS.get(name)
    return translate_message(template) if template else name
