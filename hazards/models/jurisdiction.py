"""Administrative divisions (GB/T 2260 codes) and the units that work in them."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hazards.domain.enums import JurisdictionLevel, OrganizationKind
from hazards.models.base import Base
from hazards.models.types import enum_column


class Jurisdiction(Base):
    """An administrative division (行政区划), identified by its 6-digit code, e.g. 140902 忻府区.

    The rows come from the national registry (hazards/services/division_registry.py). A division the
    registry no longer lists (merged, renamed with a new code) is kept, inactive, so the hazards, users
    and reports that name it still resolve.
    """

    __tablename__ = "jurisdictions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str | None] = mapped_column(String(64))
    level: Mapped[JurisdictionLevel] = mapped_column(enum_column(JurisdictionLevel, "jurisdiction_level"))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The full boundary answers "does this place lie in the division?"; maps draw the simplified copy
    # (geo.polygons.display_version), which is null where only the full one is known.
    boundary = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=True)
    boundary_display = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=True)

    parent: Mapped[Jurisdiction | None] = relationship(remote_side=[code], back_populates="children")
    children: Mapped[list[Jurisdiction]] = relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"<Jurisdiction {self.code} {self.name}>"


class Organization(Base):
    """A police unit, responsible unit (责任单位) or supervising body (督办单位)."""

    __tablename__ = "organizations"
    __table_args__ = (UniqueConstraint("name", "jurisdiction_code", name="uq_organizations_name_jurisdiction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[OrganizationKind] = mapped_column(enum_column(OrganizationKind, "organization_kind"))
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    # A deactivated unit is offered for no new hazard or account; the hazards naming it keep it.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    jurisdiction: Mapped[Jurisdiction] = relationship()

    def __repr__(self) -> str:
        return f"<Organization {self.name}>"
