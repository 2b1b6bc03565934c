"""Read side: the queries pages, exports and reports run. Nothing here changes data."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from geo import spatial
from geo.spatial import BBox
from hazards.models import Hazard


def list_hazards(session: Session, limit: int = 50, offset: int = 0) -> list[Hazard]:
    stmt = (
        select(Hazard)
        .options(selectinload(Hazard.jurisdiction), selectinload(Hazard.categories), selectinload(Hazard.responsible_unit))
        .order_by(Hazard.found_on.desc(), Hazard.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt))


def count_hazards(session: Session) -> int:
    return session.scalar(select(func.count(Hazard.id))) or 0


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


def map_features_statement(session: Session, box: BBox, limit: int | None = None):
    """What a map needs of each hazard in a view; the geometry arrives as GeoJSON built by the database."""
    dialect = _dialect(session)
    geom = Hazard.__table__.c.geom
    stmt = (
        select(
            Hazard.id, Hazard.code, Hazard.title, Hazard.status, Hazard.level, Hazard.deadline,
            spatial.as_geojson(geom, dialect).label("geometry"),
        )
        .where(in_bbox(session, box))
        .order_by(Hazard.id)
    )
    return stmt.limit(limit) if limit else stmt


def list_map_features(session: Session, box: BBox, limit: int | None = None) -> list:
    return list(session.execute(map_features_statement(session, box, limit)))
