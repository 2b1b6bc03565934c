"""Dated completion tallies (治理率), so pages and reports can show the trend."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hazards.domain.completion import completion_rate
from hazards.domain.enums import SupervisionLevel
from hazards.models.base import Base, utcnow
from hazards.models.types import Money, enum_column


class TallySnapshot(Base):
    __tablename__ = "tally_snapshots"
    __table_args__ = (
        UniqueConstraint("as_of", "jurisdiction_code", "level", "batch_year", name="uq_tally_snapshots_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    level: Mapped[SupervisionLevel] = mapped_column(enum_column(SupervisionLevel, "tally_level"))
    batch_year: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    closed: Mapped[int] = mapped_column(Integer)
    closed_on_time: Mapped[int] = mapped_column(Integer)
    closed_early: Mapped[int] = mapped_column(Integer)
    open: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[int] = mapped_column(Integer)
    budget: Mapped[Decimal] = mapped_column(Money())
    spent: Mapped[Decimal] = mapped_column(Money())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def completion_rate(self) -> Decimal | None:
        """Closed over all counted items: overdue open items stay in the denominator."""
        return completion_rate(self.closed, self.total)
