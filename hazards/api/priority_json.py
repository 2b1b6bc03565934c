"""A hazard's priority (轻重缓急) in the API: `{"score": n, "components": [{"name", "points", "reason"}]}`,
each reason in the request's language; null for a hazard that is no longer open (hazards.domain.priority)."""

from __future__ import annotations

import json
from enum import Enum

from flask_babel import get_translations

from hazards.domain.labels import label
from hazards.domain.priority import Component, Priority
from hazards.i18n import current_language


class Reasons:
    """The components' reasons in the request's language, each template translated once: a page of 50
    hazards has 350 reasons but a dozen templates, and a translation lookup per reason cost more than
    the page's query. The same wording as `hazards.i18n.translate_message` (enums by their label)."""

    def __init__(self):
        self.language = current_language()
        self.texts: dict[str, str] = {}

    def __call__(self, template: str, params: dict) -> str:
        text = self.texts.get(template)
        if text is None:  # the catalogue is fetched only when a text is not written yet (_component_text)
            text = self.texts[template] = get_translations().ugettext(template)
        return text % {k: label(v, self.language) if isinstance(v, Enum) else v for k, v in params.items()}


def priority_body(p: Priority | None, reasons: Reasons | None = None) -> dict | None:
    if p is None:
        return None
    reasons = reasons or Reasons()
    return {"score": p.score, "components": [
        {"name": c.name, "points": c.points, "reason": reasons(c.reason, c.params)} for c in p.components]}


#: (language, id of a component) -> (the component, its JSON text). A page of 50 hazards has 350
#: components, nearly all of them objects the domain's cached builders handed out before
#: (hazards.domain.priority): written once per process, then joined. Keyed by identity, which costs no
#: hashing of params; the entry holds the component, so its id cannot pass to another object while
#: the entry lives. Bounded: emptied when full.
_COMPONENT_TEXTS: dict[tuple[str, int], tuple[Component, str]] = {}
_COMPONENT_TEXTS_KEPT = 20_000


def _component_text(component: Component, reasons: Reasons) -> str:
    key = (reasons.language, id(component))
    kept = _COMPONENT_TEXTS.get(key)
    if kept is not None and kept[0] is component:
        return kept[1]
    if len(_COMPONENT_TEXTS) >= _COMPONENT_TEXTS_KEPT:
        _COMPONENT_TEXTS.clear()
    text = json.dumps({"name": component.name, "points": component.points,
                       "reason": reasons(component.reason, component.params)},
                      ensure_ascii=False, separators=(",", ":"))
    _COMPONENT_TEXTS[key] = (component, text)
    return text


def with_priority(item_text: str, p: Priority | None, reasons: Reasons) -> str:
    """An item's JSON text (an object) with its `priority` added as the last member: the same text as
    `priority_body` written by json.dumps (tests/api compare the two)."""
    if p is None:
        return f'{item_text[:-1]},"priority":null}}'
    components = ",".join(_component_text(c, reasons) for c in p.components)
    return f'{item_text[:-1]},"priority":{{"score":{p.score},"components":[{components}]}}}}'
