"""A hazard's priority (轻重缓急) in the API: `{"score": n, "components": [{"name", "points", "reason"}]}`,
each reason in the request's language; null for a hazard that is no longer open (hazards.domain.priority)."""

from __future__ import annotations

import json
from enum import Enum

from flask_babel import get_translations

from hazards.domain.labels import label
from hazards.domain.priority import Priority
from hazards.i18n import current_language


class Reasons:
    """The components' reasons in the request's language, each template translated once: a page of 50
    hazards has 350 reasons but a dozen templates, and a translation lookup per reason cost more than
    the page's query. The same wording as `hazards.i18n.translate_message` (enums by their label)."""

    def __init__(self):
        self.language = current_language()
        self.translations = get_translations()
        self.texts: dict[str, str] = {}

    def __call__(self, template: str, params: dict) -> str:
        text = self.texts.get(template)
        if text is None:
            text = self.texts[template] = self.translations.ugettext(template)
        return text % {k: label(v, self.language) if isinstance(v, Enum) else v for k, v in params.items()}


def priority_body(p: Priority | None, reasons: Reasons | None = None) -> dict | None:
    if p is None:
        return None
    reasons = reasons or Reasons()
    return {"score": p.score, "components": [
        {"name": c.name, "points": c.points, "reason": reasons(c.reason, c.params)} for c in p.components]}


def with_priority(item_text: str, p: Priority | None, reasons: Reasons) -> str:
    """An item's JSON text (an object) with its `priority` added as the last member."""
    body = json.dumps(priority_body(p, reasons), ensure_ascii=False, separators=(",", ":"))
    return f'{item_text[:-1]},"priority":{body}}}'
