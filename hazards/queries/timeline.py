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
    Organization,
    StatusChange,
    User,
)

# Fields whose change the timeline already shows through a dedicated history row.
_SHOWN_ELSEWHERE = {"status", "level", "deadline", "closed_on", "accepted_on", "accepted_by_id",
                    "closure_requested_on", "listed_on"}


# How an audited field is named on the page: field -> (中文, English)
FIELD_LABELS = {
    "title": ("隐患名称", "title"), "description": ("隐患描述", "description"), "place": ("具体位置", "place"),
    "road_name": ("道路名称", "road name"), "route_code": ("路线编号", "route code"),
    "responsible_unit_id": ("责任单位", "responsible unit"), "responsible_person": ("责任人", "responsible person"),
    "responsible_contact": ("联系电话", "contact"), "supervising_body_id": ("督办单位", "supervising body"),
    "document_no": ("督办文号", "document number"), "plan_text": ("治理方案", "plan"),
    "measures_text": ("整改措施", "measures"), "temporary_controls": ("临时管控措施", "temporary controls"),
    "completed_on": ("完工日期", "works completed on"), "acceptance_note": ("验收意见", "acceptance note"),
    "categories": ("隐患类型", "categories"), "merged_into_id": ("合并至", "merged into"),
    "crash_prone": ("事故多发", "crash-prone"), "school_zone": ("学校周边", "school zone"),
    "found_by_unit_id": ("发现单位", "unit that found it"),
    "start_m": ("起点桩号", "start stake"), "end_m": ("止点桩号", "end stake"), "risk_grade": ("风险等级", "risk grade"),
}
_ORGANIZATION_FIELDS = {"responsible_unit_id", "supervising_body_id", "found_by_unit_id"}


def field_label(field: str, language: str = "zh") -> str:
    names = FIELD_LABELS.get(field)
    return field if names is None else names[1 if language == "en" else 0]


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
    org_names = {str(k): v for k, v in session.execute(select(Organization.id, Organization.name)).all()}
    for edit in edits:
        if edit.field in _ORGANIZATION_FIELDS:
            # Show units by name; the audit row keeps the id. Detached copies, so nothing is written back.
            session.expunge(edit)
            edit.old_value = org_names.get(edit.old_value or "", edit.old_value)
            edit.new_value = org_names.get(edit.new_value or "", edit.new_value)
    add("edit", edits, "changed_at", "changed_by_id")
    entries.sort(key=lambda e: (e.at, e.kind), reverse=True)
    return entries


def _rows(session: Session, model, hazard_id: int):
    return session.scalars(select(model).where(model.hazard_id == hazard_id).order_by(model.id)).all()
