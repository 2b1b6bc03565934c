"""Seeded vocabularies with Chinese and English labels: hazard categories and remediation measures."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, true
from sqlalchemy.orm import Mapped, mapped_column

from hazards.models.base import Base


class _Term:
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    sort_order: Mapped[int] = mapped_column(default=0)
    # A retired term is offered for no new hazard; the hazards that have it keep it, and ledger files
    # naming it still import and export.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    def label(self, language: str = "zh") -> str:
        return self.name_en if language == "en" else self.name_zh

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code}>"


class Category(_Term, Base):
    """Hazard category (隐患类型), e.g. 急弯 sharp curve."""

    __tablename__ = "categories"


class Measure(_Term, Base):
    """Remediation measure (治理措施), e.g. 护栏 guardrails."""

    __tablename__ = "measures"


hazard_categories = Table(
    "hazard_categories",
    Base.metadata,
    Column("hazard_id", Integer, ForeignKey("hazards.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", Integer, ForeignKey("categories.id"), primary_key=True, index=True),
)

hazard_measures = Table(
    "hazard_measures",
    Base.metadata,
    Column("hazard_id", Integer, ForeignKey("hazards.id", ondelete="CASCADE"), primary_key=True),
    Column("measure_id", Integer, ForeignKey("measures.id"), primary_key=True),
)
