"""What the supervisor's map loads as the user pans: hazards in a bounding box, or clusters.

The page never embeds hazards: it asks for the box in view. Above a threshold of features in the
box, the answer is grid-cell clusters (counts, overdue counts, a centre) computed by the database.
GeoJSON text is assembled around the geometry strings the database writes, without parsing them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from geo import spatial
from geo.spatial import BBox
from hazards.divisions import within_clause
from hazards.listing import OPEN_STATUSES, HazardFilters
from hazards.models import Category, Hazard, Organization, User, hazard_categories

DEFAULT_CLUSTER_THRESHOLD = 3000


@dataclass
class MapQuery:
    box: BBox
    zoom: int
    filters: HazardFilters = field(default_factory=HazardFilters)


def _conditions(session: Session, user: User, q: MapQuery, today: date) -> list:
    dialect = session.get_bind().dialect.name
    f = q.filters
    where = [
        spatial.bbox_clause(Hazard.__table__.c.geom, q.box, dialect, id_column=Hazard.id),
        within_clause(Hazard.jurisdiction_code, user.jurisdiction_code),
    ]
    if f.statuses:
        where.append(Hazard.status.in_(f.statuses))
    if f.levels:
        where.append(Hazard.level.in_(f.levels))
    if f.batch_year:
        where.append(Hazard.batch_year == f.batch_year)
    if f.open_only:
        where.append(Hazard.status.in_(OPEN_STATUSES))
    if f.overdue:
        where.append(Hazard.status.in_(OPEN_STATUSES))
        where.append(Hazard.deadline < today)
    if f.category:
        where.append(Hazard.id.in_(
            select(hazard_categories.c.hazard_id).join(Category, Category.id == hazard_categories.c.category_id)
            .where(Category.code == f.category)))
    return where


def feature_statement(session: Session, user: User, q: MapQuery, today: date, limit: int | None = None):
    dialect = session.get_bind().dialect.name
    overdue = case((Hazard.status.in_(OPEN_STATUSES) & (Hazard.deadline < today), 1), else_=0)
    stmt = (
        select(Hazard.id, Hazard.code, Hazard.title, Hazard.status, Hazard.level, Hazard.deadline,
               overdue.label("overdue"), Organization.name.label("unit"),
               spatial.as_geojson(Hazard.__table__.c.geom, dialect, 6).label("geometry"))
        .outerjoin(Organization, Organization.id == Hazard.responsible_unit_id)
        .where(*_conditions(session, user, q, today))
        .order_by(Hazard.id)
    )
    return stmt.limit(limit) if limit else stmt


def count_in_view(session: Session, user: User, q: MapQuery, today: date, cap: int) -> int:
    """How many features the view holds, counting no further than `cap` (enough to decide)."""
    inner = select(Hazard.id).where(*_conditions(session, user, q, today)).limit(cap + 1).subquery()
    return session.scalar(select(func.count()).select_from(inner)) or 0


def cluster_statement(session: Session, user: User, q: MapQuery, today: date):
    dialect = session.get_bind().dialect.name
    cell = spatial.grid_cell_degrees(q.zoom)
    x, y = spatial.bbox_center(Hazard.__table__.c.geom, dialect)
    gx, gy = func.floor(x / cell), func.floor(y / cell)
    overdue = case((Hazard.status.in_(OPEN_STATUSES) & (Hazard.deadline < today), 1), else_=0)
    return (
        select(gx.label("gx"), gy.label("gy"), func.count(Hazard.id), func.sum(overdue), func.avg(x), func.avg(y))
        .where(*_conditions(session, user, q, today))
        .group_by(gx, gy)
    )


def features_geojson(session: Session, user: User, q: MapQuery, today: date,
                     threshold: int = DEFAULT_CLUSTER_THRESHOLD, language: str = "zh") -> str:
    """The GeoJSON FeatureCollection text for a view: hazards, or clusters above the threshold."""
    from hazards.labels import label

    if count_in_view(session, user, q, today, threshold) > threshold:
        parts = []
        for gx, gy, n, n_overdue, cx, cy in session.execute(cluster_statement(session, user, q, today)):
            props = {"cluster": True, "count": int(n), "overdue": int(n_overdue or 0)}
            parts.append(f'{{"type":"Feature","geometry":{{"type":"Point","coordinates":[{float(cx):.6f},'
                         f'{float(cy):.6f}]}},"properties":{json.dumps(props)}}}')
        return _collection(parts, clustered=True)
    parts = []
    for row in session.execute(feature_statement(session, user, q, today)):
        props = {
            "id": row.id, "code": row.code, "title": row.title, "status": row.status.value,
            "status_label": label(row.status, language), "level": row.level.value,
            "level_label": label(row.level, language), "deadline": row.deadline.isoformat() if row.deadline else None,
            "days_left": (row.deadline - today).days if row.deadline else None, "overdue": bool(row.overdue),
            "unit": row.unit,
        }
        parts.append(f'{{"type":"Feature","id":{row.id},"geometry":{row.geometry},'
                     f'"properties":{json.dumps(props, ensure_ascii=False)}}}')
    return _collection(parts, clustered=False)


def _collection(parts: list[str], clustered: bool) -> str:
    return (f'{{"type":"FeatureCollection","clustered":{"true" if clustered else "false"},'
            f'"numberReturned":{len(parts)},"features":[{",".join(parts)}]}}')


