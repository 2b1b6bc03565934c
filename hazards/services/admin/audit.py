"""The one path by which an administrator's change is recorded: a row of `AdminChange` and a log line.

Every admin use case calls `record` after it has changed the record, inside the same transaction, so
a change that rolls back leaves no audit row and a committed one always has its row.
"""

from __future__ import annotations

import logging
from datetime import date
from enum import Enum

from sqlalchemy.orm import Session

from hazards.domain.enums import AdminChangeKind
from hazards.models import AdminChange, Category, Measure, Organization, User

log = logging.getLogger("hazards.admin")

_RECORD_TYPES = {User: "user", Organization: "organization", Category: "category", Measure: "measure"}


def record(session: Session, actor, kind: AdminChangeKind, target, *, before: dict | None, after: dict | None,
           jurisdiction_code: str | None = None, previous_jurisdiction_code: str | None = None) -> AdminChange:
    """One audit row: `actor` made change `kind` to `target` (a user, organization or vocabulary term).

    `before` and `after` hold the fields as people read them (codes, names, flags), only those that
    changed; `jurisdiction_code` is where the record is now (None for the shared vocabularies) and
    `previous_jurisdiction_code` where it was, when it moved.
    """
    if previous_jurisdiction_code == jurisdiction_code:
        previous_jurisdiction_code = None
    row = AdminChange(
        actor_id=getattr(actor, "id", None), actor_name=_who(actor), kind=kind.value,
        record_type=_RECORD_TYPES[type(target)], record_id=target.id, record_label=label_of(target)[:128],
        jurisdiction_code=jurisdiction_code, previous_jurisdiction_code=previous_jurisdiction_code,
        before=_plain(before), after=_plain(after),
    )
    session.add(row)
    session.flush()
    log.info("%s: %s %s %s (%s -> %s)", row.actor_name, kind.value, row.record_type, row.record_label,
             row.before, row.after)
    return row


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields whose value differs, from each side."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def label_of(target) -> str:
    if isinstance(target, User):
        return target.login
    if isinstance(target, Organization):
        return target.name
    return f"{target.name_zh} ({target.code})"


def _who(actor) -> str:
    return (getattr(actor, "login", None) or "system")[:64]


def _plain(values: dict | None) -> dict | None:
    """JSON-ready: enum members as their codes, dates as ISO text."""
    if values is None:
        return None
    return {key: _value(value) for key, value in values.items()}


def _value(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_value(v) for v in value]
    return value
