"""Spatial look-ups on the ledger: hazards in a box, hazards near a point (nothing here changes data)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo import spatial
from geo.spatial import BBox
from hazards.models import Hazard


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def in_bbox(session: Session, box: BBox):
    """Condition: the hazard's geometry meets the box, through the spatial index on either backend."""
    return spatial.bbox_clause(Hazard.__table__.c.geom, box, _dialect(session), id_column=Hazard.id)


def list_hazard_ids_in_bbox(session: Session, box: BBox) -> list[int]:
    return list(session.scalars(select(Hazard.id).where(in_bbox(session, box)).order_by(Hazard.id)))


def list_hazards_near(session: Session, lon: float, lat: float, metres: float) -> list[tuple[int, float]]:
    """(id, distance in metres) of hazards within `metres` of a point, nearest first."""
    dialect = _dialect(session)
    geom = Hazard.__table__.c.geom
    distance = spatial.distance_m(geom, lon, lat, dialect)
    stmt = (
        select(Hazard.id, distance.label("distance"))
        .where(spatial.within_distance_clause(geom, lon, lat, metres, dialect, id_column=Hazard.id))
        .order_by(distance, Hazard.id)
    )
    return [(hid, float(d)) for hid, d in session.execute(stmt)]
