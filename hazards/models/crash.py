"""Crash records (交通事故记录) as the traffic police export them, and their links to hazards.

A crash is evidence, not a case file: who was involved, plate numbers and the like are never stored
(the importer drops such columns), only when and where it happened, how it happened and its toll.
Where a crash happened is a point, a route and stake, or both: exports from road-side systems often give
only 路线编号 + 桩号, phone-based ones only coordinates.
"""

from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, Computed, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hazards.domain.enums import CoordinateInput, CrashLink
from hazards.domain.roads import road_key_sql
from hazards.models.base import Base, utcnow
from hazards.models.types import enum_column


class Crash(Base):
    __tablename__ = "crashes"
    __table_args__ = (
        CheckConstraint("deaths >= 0 AND injuries >= 0", name="toll"),
        CheckConstraint("geom IS NOT NULL OR (route_code IS NOT NULL AND stake_m IS NOT NULL)", name="placed"),
        # Identification walks every road's crashes in stake order: on PostgreSQL this index hands them
        # over in that order with all it counts (an index-only scan, no sort of a province's crashes);
        # a hazard's crashes by stake are a range of it too.
        Index("ix_crashes_road_stake", "route_code", "road_key", "stake_m",
              postgresql_include=["id", "deaths", "injuries", "occurred_on", "jurisdiction_code"]),
        Index("ix_crashes_division_day", "jurisdiction_code", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[str] = mapped_column(String(64), unique=True)  # 事故编号, as the export gives it
    # The moment in UTC like every stored timestamp; `occurred_on` is its day in the ledger's zone
    # (hazards.clock), which is what periods and windows count in.
    occurred_at: Mapped[datetime] = mapped_column()
    occurred_on: Mapped[date] = mapped_column(Date)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))  # ix_crashes_division_day
    route_code: Mapped[str | None] = mapped_column(String(16))
    stake_m: Mapped[int | None] = mapped_column(Integer)  # K12+300 -> 12300
    # With the route code, the road the crash is on (hazards.domain.roads): '' for G and S routes, else
    # the division, whose X012 is its own. Computed by the database, so no writer can get it wrong
    # (stored on PostgreSQL, which indexes only stored columns; virtual on SQLite, see the migration).
    road_key: Mapped[str | None] = mapped_column(
        String(12), Computed(road_key_sql("route_code", "jurisdiction_code"), persisted=True))
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=True)
    coordinate_input: Mapped[CoordinateInput | None] = mapped_column(
        enum_column(CoordinateInput, "coordinate_input"))
    deaths: Mapped[int] = mapped_column(Integer, default=0)
    injuries: Mapped[int] = mapped_column(Integer, default=0)
    form: Mapped[str | None] = mapped_column(String(32))  # 事故形态: 追尾, 正面相撞, 刮撞行人, 翻车…

    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def fatal(self) -> bool:
        return self.deaths > 0

    def __repr__(self) -> str:
        return f"<Crash {self.source_id} {self.occurred_on}>"


class HazardCrash(Base):
    """A crash counted for a hazard: the evidence it was registered on (事故倒查), or crashes a
    supervisor found to be already covered by it. A crash linked to a hazard is a decided case and
    is not offered as a candidate place again."""

    __tablename__ = "hazard_crashes"

    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), primary_key=True)
    crash_id: Mapped[int] = mapped_column(ForeignKey("crashes.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)
    link: Mapped[CrashLink] = mapped_column(enum_column(CrashLink, "crash_link"))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    crash: Mapped[Crash] = relationship()
