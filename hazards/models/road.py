"""Roads the ledger knows, so a hazard can be placed by route code and stake (桩号)."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hazards.domain.enums import RoadClass
from hazards.models.base import Base
from hazards.models.types import enum_column


class Road(Base):
    """A route's line. X/Y/C route numbers repeat from county to county, so a road is identified by
    its route code together with the division that numbers it (national and provincial routes use
    the country or province code)."""

    __tablename__ = "roads"
    __table_args__ = (UniqueConstraint("route_code", "division_code", name="uq_roads_route_division"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    route_code: Mapped[str] = mapped_column(String(16), index=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    name: Mapped[str | None] = mapped_column(String(100))
    road_class: Mapped[RoadClass] = mapped_column(enum_column(RoadClass, "road_class"))
    start_m: Mapped[int] = mapped_column(Integer, default=0)  # the stake at the line's first vertex
    length_m: Mapped[int] = mapped_column(Integer)
    geom = mapped_column(Geometry("LINESTRING", srid=4326, spatial_index=True), nullable=False)
