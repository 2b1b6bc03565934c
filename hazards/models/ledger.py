"""Append-only records hanging off a hazard: money, history and evidence."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hazards.enums import AttachmentPhase, FundingKind, FundingSource, Status, SupervisionLevel
from hazards.models.base import Base, utcnow
from hazards.models.types import Money, enum_column


class FundingEntry(Base):
    """One line of a hazard's funding ledger, in yuan. Totals are always summed from these lines."""

    __tablename__ = "funding_entries"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), index=True)
    kind: Mapped[FundingKind] = mapped_column(enum_column(FundingKind, "funding_kind"))
    source: Mapped[FundingSource] = mapped_column(enum_column(FundingSource, "funding_source"))
    amount: Mapped[Decimal] = mapped_column(Money())
    entry_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


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


class Attachment(Base):
    """A photo or document; the file lives under the instance folder, its metadata here."""

    __tablename__ = "attachments"
    __table_args__ = (CheckConstraint("size_bytes >= 0", name="size_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), index=True)
    phase: Mapped[AttachmentPhase] = mapped_column(enum_column(AttachmentPhase, "attachment_phase"))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(255), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    caption: Mapped[str | None] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
