"""Possible duplicates: an open hazard of a shared category within a few tens of metres."""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo import spatial
from hazards import permissions
from hazards.models import Category, Hazard, hazard_categories
from hazards.queries.hazard_list import OPEN_STATUSES


@dataclass
class PossibleDuplicate:
    hazard: Hazard
    distance_m: float


def find_possible_duplicates(
    session: Session, user, geometry: BaseGeometry, category_codes: list[str], radius_m: float,
) -> list[PossibleDuplicate]:
    """The nearest open hazards sharing a category, among those `user` may see: a duplicate warning
    must not disclose a neighbouring county's ledger."""
    if not category_codes:
        return []
    dialect = session.get_bind().dialect.name
    anchor = geometry.representative_point() if geometry.geom_type != "Point" else geometry
    geom = Hazard.__table__.c.geom
    distance = spatial.distance_m(geom, anchor.x, anchor.y, dialect)
    shares_category = (
        select(hazard_categories.c.hazard_id)
        .join(Category, Category.id == hazard_categories.c.category_id)
        .where(Category.code.in_(category_codes))
    )
    stmt = (
        select(Hazard, distance.label("distance"))
        .where(
            spatial.within_distance_clause(geom, anchor.x, anchor.y, radius_m, dialect, id_column=Hazard.id),
            permissions.visible_clause(user),
            Hazard.status.in_(OPEN_STATUSES),
            Hazard.id.in_(shares_category),
        )
        .order_by(distance)
        .limit(10)
    )
    return [PossibleDuplicate(h, float(d)) for h, d in session.execute(stmt)]
