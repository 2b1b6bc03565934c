"""Each open hazard's crash history: the crashes at its place within the identification period, counted
ahead of time (hazards.services.crash_history) so the list sorts by priority without a spatial join
per page view. A table of its own, beside `hazards`: adding columns there would make SQLite rebuild
that table (and lose its text-search triggers)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from hazards.models.base import Base, utcnow


class HazardCrashHistory(Base):
    __tablename__ = "hazard_crash_history"

    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    crashes: Mapped[int] = mapped_column(Integer, default=0)
    deaths: Mapped[int] = mapped_column(Integer, default=0)
    fatal: Mapped[int] = mapped_column(Integer, default=0)  # crashes with at least one death
    counted_from: Mapped[date] = mapped_column(Date)  # the period counted, both days included
    counted_to: Mapped[date] = mapped_column(Date)
    counted_at: Mapped[datetime] = mapped_column(default=utcnow)
