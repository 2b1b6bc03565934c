"""The hazard point or section (隐患点段): the ledger's central record."""

from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hazards.domain import completion
from hazards.domain.enums import (
    CoordinateInput,
    Direction,
    RiskGrade,
    RoadClass,
    Source,
    Status,
    SupervisionLevel,
)
from hazards.models.base import Base, utcnow
from hazards.models.jurisdiction import Jurisdiction, Organization
from hazards.models.taxonomy import Category, Measure, hazard_categories, hazard_measures
from hazards.models.types import enum_column


class Hazard(Base):
    __tablename__ = "hazards"
    __table_args__ = (
        CheckConstraint("end_m IS NULL OR end_m >= start_m", name="stake_order"),
        CheckConstraint("batch_year BETWEEN 2000 AND 2100", name="batch_year_range"),
        CheckConstraint("crash_count >= 0 AND death_count >= 0", name="crash_counts"),
        # The list's sort orders (listing.SORTS), so a page of 50 is an index walk, not a sort of the ledger.
        Index("ix_hazards_found_on_id", "found_on", "id"),
        Index("ix_hazards_deadline_id", "deadline", "id"),
        Index("ix_hazards_updated_at_id", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)

    # identity
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[Source] = mapped_column(enum_column(Source, "hazard_source"), default=Source.PATROL)
    batch_year: Mapped[int] = mapped_column(Integer, index=True)
    dynamic_add: Mapped[bool] = mapped_column(Boolean, default=False)  # 动态新增
    found_on: Mapped[date] = mapped_column(Date)
    found_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    found_by_unit_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))

    # location
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    route_code: Mapped[str | None] = mapped_column(String(16), index=True)
    road_name: Mapped[str | None] = mapped_column(String(100))
    road_class: Mapped[RoadClass | None] = mapped_column(enum_column(RoadClass, "road_class"))
    direction: Mapped[Direction | None] = mapped_column(enum_column(Direction, "road_direction"))
    start_m: Mapped[int | None] = mapped_column(Integer)  # stake in metres: K12+300 -> 12300
    end_m: Mapped[int | None] = mapped_column(Integer)
    geom = mapped_column(Geometry("GEOMETRY", srid=4326, spatial_index=True), nullable=False)
    coordinate_input: Mapped[CoordinateInput] = mapped_column(
        enum_column(CoordinateInput, "coordinate_input"), default=CoordinateInput.WGS84
    )
    place: Mapped[str | None] = mapped_column(String(200))

    # classification
    crash_prone: Mapped[bool] = mapped_column(Boolean, default=False)
    crash_count: Mapped[int] = mapped_column(Integer, default=0)
    death_count: Mapped[int] = mapped_column(Integer, default=0)
    risk_grade: Mapped[RiskGrade | None] = mapped_column(enum_column(RiskGrade, "risk_grade"))
    school_zone: Mapped[bool] = mapped_column(Boolean, default=False)

    # supervision
    level: Mapped[SupervisionLevel] = mapped_column(
        enum_column(SupervisionLevel, "supervision_level"), default=SupervisionLevel.NONE, index=True
    )
    supervising_body_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    document_no: Mapped[str | None] = mapped_column(String(100))
    listed_on: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date, index=True)

    # responsibility
    responsible_unit_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    responsible_person: Mapped[str | None] = mapped_column(String(64))
    responsible_contact: Mapped[str | None] = mapped_column(String(64))

    # plan
    plan_text: Mapped[str | None] = mapped_column(Text)
    measures_text: Mapped[str | None] = mapped_column(Text)
    temporary_controls: Mapped[str | None] = mapped_column(Text)
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)

    # workflow and closure
    status: Mapped[Status] = mapped_column(enum_column(Status, "hazard_status"), default=Status.REPORTED, index=True)
    completed_on: Mapped[date | None] = mapped_column(Date)
    closure_requested_on: Mapped[date | None] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acceptance_note: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("hazards.id"))

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    jurisdiction: Mapped[Jurisdiction] = relationship()
    categories: Mapped[list[Category]] = relationship(secondary=hazard_categories, order_by=Category.sort_order)
    measures: Mapped[list[Measure]] = relationship(secondary=hazard_measures, order_by=Measure.sort_order)
    supervising_body: Mapped[Organization | None] = relationship(foreign_keys=[supervising_body_id])
    responsible_unit: Mapped[Organization | None] = relationship(foreign_keys=[responsible_unit_id])
    found_by_unit: Mapped[Organization | None] = relationship(foreign_keys=[found_by_unit_id])

    @property
    def is_section(self) -> bool:
        return self.end_m is not None

    def is_overdue(self, today: date) -> bool:
        """Overdue (逾期) is derived: a deadline has passed and the hazard is still open."""
        return completion.is_overdue(self, today)

    def days_overdue(self, today: date) -> int | None:
        """逾期天数: days past the deadline while overdue, else None (the list, its download, the page)."""
        return completion.days_overdue(self, today)

    def __repr__(self) -> str:
        return f"<Hazard {self.code} {self.status}>"


class CodeSequence(Base):
    """The last sequence handed out in hazard codes per division and batch year (隐患编号计数).

    A new code takes the next number by one atomic UPDATE of this row, which also holds the row until
    commit: hazards reported in one county at the same moment wait their turn instead of both
    taking "max + 1", and a rolled-back report gives its number back, so codes have no gaps.
    """

    __tablename__ = "code_sequences"

    jurisdiction_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    batch_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, nullable=False)
