"""A hazard's priority (轻重缓急) in the API: `{"score": n, "components": [{"name", "points", "reason"}]}`,
each reason in the request's language; null for a hazard that is no longer open (hazards.domain.priority)."""

from __future__ import annotations

import json

from hazards.domain.priority import Priority
from hazards.i18n import translate_message


def priority_body(p: Priority | None) -> dict | None:
    if p is None:
        return None
    return {"score": p.score, "components": [
        {"name": c.name, "points": c.points, "reason": translate_message(c.reason, c.params)} for c in p.components]}


def with_priority(item_text: str, p: Priority | None) -> str:
    """An item's JSON text (an object) with its `priority` added as the last member."""
    return f'{item_text[:-1]},"priority":{json.dumps(priority_body(p), ensure_ascii=False, separators=(",", ":"))}}}'
