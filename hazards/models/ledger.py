"""What a hazard's ledger holds besides its history: money lines and evidence files (append-only)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hazards.domain.enums import AttachmentPhase, FundingKind, FundingSource
from hazards.models.base import Base, utcnow
from hazards.models.types import Money, enum_column


# A line is never edited: a mistake is corrected by a reversing line that carries the negative of the
# amount it reverses, so every total, tally, report and export stays a plain sum of the lines. Only a
# reversal is negative, it names its reason, and a line is reversed at most once (unique reverses_id).
AMOUNT_SIGN = ("(reverses_id IS NULL AND amount >= 0)"
               " OR (reverses_id IS NOT NULL AND amount < 0 AND reversal_reason IS NOT NULL)")


class FundingEntry(Base):
    """One line of a hazard's funding ledger, in yuan. Totals are always summed from these lines."""

    __tablename__ = "funding_entries"
    __table_args__ = (CheckConstraint(AMOUNT_SIGN, name="amount_sign"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), index=True)
    kind: Mapped[FundingKind] = mapped_column(enum_column(FundingKind, "funding_kind"))
    source: Mapped[FundingSource] = mapped_column(enum_column(FundingSource, "funding_source"))
    amount: Mapped[Decimal] = mapped_column(Money())
    entry_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set on a reversing line: the line it voids, and why.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("funding_entries.id"), unique=True)
    reversal_reason: Mapped[str | None] = mapped_column(String(200))

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class Attachment(Base):
    """A photo or document; the file lives in the file store (hazards.storage) under the key `stored_path`
    (which older versions read as a path inside the instance folder: the same text), its metadata here."""

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
