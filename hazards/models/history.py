"""A hazard's history, append-only: status, level and deadline changes, field edits, extension
requests and recorded events. The timeline reads these; each is written by the one service that
makes the change it records.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hazards.domain.enums import EventKind, ExtensionState, Status, SupervisionLevel
from hazards.models.base import Base, utcnow
from hazards.models.types import enum_column


class StatusChange(Base):
    """History of the workflow: who moved a hazard from which status to which, and why."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[Status | None] = mapped_column(enum_column(Status, "status_from"))
    to_status: Mapped[Status] = mapped_column(enum_column(Status, "status_to"))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)

    changed_by = relationship("User")


class LevelChange(Base):
    """History of the supervision level: set on listing, raised when a hazard is escalated."""

    __tablename__ = "level_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), index=True)
    from_level: Mapped[SupervisionLevel | None] = mapped_column(enum_column(SupervisionLevel, "level_from"))
    to_level: Mapped[SupervisionLevel] = mapped_column(enum_column(SupervisionLevel, "level_to"))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)

    changed_by = relationship("User")


class DeadlineChange(Base):
    """History of the deadline (整改期限): first set on listing, moved by granted extensions."""

    __tablename__ = "deadline_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), index=True)
    from_deadline: Mapped[date | None] = mapped_column(Date)
    to_deadline: Mapped[date] = mapped_column(Date)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)

    changed_by = relationship("User")


class FieldChange(Base):
    """Audit of an edit: which field went from what to what, in which version, by whom.

    It is also what a user whose save lost a race is shown: the other person's changes.
    """

    __tablename__ = "field_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column()
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    changed_by = relationship("User")


class ExtensionRequest(Base):
    """延期申请: a unit that cannot finish in time asks for a later deadline, with reasons."""

    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), index=True)
    requested_deadline: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[ExtensionState] = mapped_column(enum_column(ExtensionState, "extension_state"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_note: Mapped[str | None] = mapped_column(Text)

    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])


class HazardEvent(Base):
    """Something recorded on a hazard: a progress note, 通报, 约谈, 问责, a look-back inspection."""

    __tablename__ = "hazard_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, "event_kind"))
    happened_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    document_no: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by = relationship("User")
