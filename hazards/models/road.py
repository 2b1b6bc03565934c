"""Roads the ledger knows, so a hazard can be placed by route code and stake (桩号)."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hazards.domain.enums import RoadClass
from hazards.models.base import Base
from hazards.models.types import enum_column


class Road(Base):
    """A route's line. X/Y/C route numbers repeat from county to county, so a road is identified by
    its route code together with the division that numbers it (national and provincial routes use
    the country or province code, or an agency's own division for its stretch of them).

    The line is a MultiLineString walked part after part (geo.calibration); its stakes run from
    `start_m` at the first vertex, to `end_m` at the last one when the road's file gave it (else
    `start_m` plus the drawn length), and follow the kilometre posts in between."""

    __tablename__ = "roads"
    __table_args__ = (UniqueConstraint("route_code", "division_code", name="uq_roads_route_division"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    route_code: Mapped[str] = mapped_column(String(16), index=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    name: Mapped[str | None] = mapped_column(String(100))
    road_class: Mapped[RoadClass] = mapped_column(enum_column(RoadClass, "road_class"))
    start_m: Mapped[int] = mapped_column(Integer, default=0)  # the stake at the line's first vertex
    end_m: Mapped[int | None] = mapped_column(Integer)  # the stake at its last vertex, when the file said
    length_m: Mapped[int] = mapped_column(Integer)  # the drawn length
    geom = mapped_column(Geometry("MULTILINESTRING", srid=4326, spatial_index=True), nullable=False)

    posts: Mapped[list[StakePost]] = relationship(back_populates="road", cascade="all, delete-orphan",
                                                  order_by="StakePost.along_m")


class StakePost(Base):
    """A kilometre post (公里桩) or other point of known stake on a road: where it stands, and how
    far along the road's line that is, so stakes between posts follow the posts."""

    __tablename__ = "road_stake_posts"
    __table_args__ = (UniqueConstraint("road_id", "stake_m", name="uq_road_stake_posts_road_stake"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    road_id: Mapped[int] = mapped_column(ForeignKey("roads.id", ondelete="CASCADE"), index=True)
    stake_m: Mapped[int] = mapped_column(Integer)
    along_m: Mapped[float] = mapped_column(Float)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)

    road: Mapped[Road] = relationship(back_populates="posts")
