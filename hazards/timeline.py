"""A hazard's timeline: every status, level, deadline, money, event, extension, photo and edit,
with who and when, newest first. The template words each kind of entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hazards.models import (
    Attachment,
    DeadlineChange,
    ExtensionRequest,
    FieldChange,
    FundingEntry,
    HazardEvent,
    LevelChange,
    StatusChange,
    User,
)

# Fields whose change the timeline already shows through a dedicated history row.
_SHOWN_ELSEWHERE = {"status", "level", "deadline", "closed_on", "accepted_on", "accepted_by_id",
                    "closure_requested_on", "listed_on"}


@dataclass
class Entry:
    at: datetime
    kind: str
    who: str | None
    row: object


def build_timeline(session: Session, hazard_id: int) -> list[Entry]:
    names = dict(session.execute(select(User.id, User.name)).all())
    entries: list[Entry] = []

    def add(kind: str, rows, when: str, who: str):
        for row in rows:
            entries.append(Entry(getattr(row, when), kind, names.get(getattr(row, who)), row))

    add("status", _rows(session, StatusChange, hazard_id), "changed_at", "changed_by_id")
    add("level", _rows(session, LevelChange, hazard_id), "changed_at", "changed_by_id")
    add("deadline", _rows(session, DeadlineChange, hazard_id), "changed_at", "changed_by_id")
    add("funding", _rows(session, FundingEntry, hazard_id), "created_at", "created_by_id")
    add("event", _rows(session, HazardEvent, hazard_id), "created_at", "created_by_id")
    add("extension", _rows(session, ExtensionRequest, hazard_id), "requested_at", "requested_by_id")
    add("photo", _rows(session, Attachment, hazard_id), "uploaded_at", "uploaded_by_id")
    edits = [e for e in _rows(session, FieldChange, hazard_id) if e.field not in _SHOWN_ELSEWHERE]
    add("edit", edits, "changed_at", "changed_by_id")
    entries.sort(key=lambda e: (e.at, e.kind), reverse=True)
    return entries


def _rows(session: Session, model, hazard_id: int):
    return session.scalars(select(model).where(model.hazard_id == hazard_id).order_by(model.id)).all()
