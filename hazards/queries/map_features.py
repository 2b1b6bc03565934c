"""What the supervisor's map loads as the user pans: hazards in a bounding box, or clusters.

The page never embeds hazards: it asks for the box in view. Above a threshold of features in the
box, the answer is grid-cell clusters (counts, overdue counts, a centre) computed by the database.
GeoJSON text is assembled around the geometry strings the database writes, without parsing them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import JSON, Date, Integer, String, Text, case, cast, func, literal_column, select, type_coerce
from sqlalchemy.orm import Session

from geo import spatial
from geo.spatial import BBox
from hazards import permissions
from hazards.domain.enums import JurisdictionLevel, Status, SupervisionLevel
from hazards.models import Category, Hazard, Jurisdiction, Organization, User, hazard_categories
from hazards.queries import completion
from hazards.queries.hazard_list import OPEN_STATUSES, HazardFilters

DEFAULT_CLUSTER_THRESHOLD = 5000
# At this zoom and below, clusters are per county (a count per division, no geometry maths per
# hazard); above it, per grid cell.
DIVISION_CLUSTER_MAX_ZOOM = 9


@dataclass
class MapQuery:
    box: BBox
    zoom: int
    filters: HazardFilters = field(default_factory=HazardFilters)
    #: Show rejected (不予认定) and merged (重复合并) hazards too; without it the map leaves them out,
    #: unless the status filter asks for them by name.
    with_void: bool = False


def _conditions(session: Session, user: User, q: MapQuery, today: date) -> list:
    dialect = session.get_bind().dialect.name
    f = q.filters
    where = [
        spatial.bbox_clause(Hazard.__table__.c.geom, q.box, dialect, id_column=Hazard.id),
        permissions.visible_clause(user),
    ]
    if f.statuses:
        where.append(Hazard.status.in_(f.statuses))
    elif not q.with_void:
        where.append(completion.counted())
    if f.levels:
        where.append(Hazard.level.in_(f.levels))
    if f.batch_year:
        where.append(Hazard.batch_year == f.batch_year)
    if f.open_only:
        where.append(Hazard.status.in_(OPEN_STATUSES))
    if f.overdue:
        where.append(completion.overdue(today))
    if f.category:
        where.append(Hazard.id.in_(
            select(hazard_categories.c.hazard_id).join(Category, Category.id == hazard_categories.c.category_id)
            .where(Category.code == f.category)))
    return where


def feature_statement(session: Session, user: User, q: MapQuery, today: date, limit: int | None = None):
    """The features of a view. Enum and date columns come back as their stored text: the page needs
    the codes, and converting thousands of rows to Python enums and dates would cost more than the query."""
    dialect = session.get_bind().dialect.name
    t = Hazard.__table__
    overdue = case((completion.overdue(today), 1), else_=0)
    stmt = (
        select(t.c.id, t.c.code, t.c.title, type_coerce(t.c.status, String).label("status"),
               type_coerce(t.c.level, String).label("level"), cast(t.c.deadline, String).label("deadline"),
               overdue.label("overdue"), Organization.name.label("unit"),
               spatial.as_geojson(t.c.geom, dialect, 6).label("geometry"))
        .outerjoin(Organization, Organization.id == t.c.responsible_unit_id)
        .where(*_conditions(session, user, q, today))
        .order_by(t.c.id)
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
    overdue = case((completion.overdue(today), 1), else_=0)
    return (
        select(gx.label("gx"), gy.label("gy"), func.count(Hazard.id), func.sum(overdue), func.avg(x), func.avg(y))
        .where(*_conditions(session, user, q, today))
        .group_by(gx, gy)
    )


def division_cluster_statement(session: Session, user: User, q: MapQuery, today: date):
    """Counts per county for the counties whose boundary meets the view, with the boundary's centre."""
    dialect = session.get_bind().dialect.name
    boundary = Jurisdiction.__table__.c.boundary
    x, y = spatial.bbox_center(boundary, dialect)
    counties = (
        select(Jurisdiction.code, x.label("cx"), y.label("cy"))
        .where(Jurisdiction.level == JurisdictionLevel.COUNTY, boundary.is_not(None),
               permissions.visible_clause(user, Jurisdiction.code),
               spatial.bbox_clause(boundary, q.box, dialect, id_column=literal_column("jurisdictions.rowid")))
        .subquery()
    )
    overdue = case((completion.overdue(today), 1), else_=0)
    conditions = _conditions(session, user, q, today)[1:]  # the counties stand in for the hazards' box
    counts = (
        select(Hazard.jurisdiction_code.label("code"), func.count(Hazard.id).label("n"),
               func.sum(overdue).label("overdue"))
        .where(Hazard.jurisdiction_code.in_(select(counties.c.code)), *conditions)
        .group_by(Hazard.jurisdiction_code)
        .subquery()
    )
    return select(counts.c.code, counts.c.n, counts.c.overdue, counties.c.cx, counties.c.cy).join(
        counties, counties.c.code == counts.c.code)


def features_geojson(session: Session, user: User, q: MapQuery, today: date,
                     threshold: int = DEFAULT_CLUSTER_THRESHOLD, language: str = "zh") -> str:
    """The GeoJSON FeatureCollection text for a view: hazards, or clusters above the threshold."""
    if count_in_view(session, user, q, today, threshold) > threshold:
        if q.zoom <= DIVISION_CLUSTER_MAX_ZOOM:
            parts = [_cluster(cx, cy, n, n_overdue, jurisdiction=code) for code, n, n_overdue, cx, cy
                     in session.execute(division_cluster_statement(session, user, q, today))]
            if parts:
                return _collection(parts, clustered=True)
        parts = [_cluster(cx, cy, n, n_overdue) for _gx, _gy, n, n_overdue, cx, cy
                 in session.execute(cluster_statement(session, user, q, today))]
        return _collection(parts, clustered=True)
    parts = list(session.scalars(feature_json_statement(session, user, q, today, language)))
    return _collection(parts, clustered=False)


def feature_json_statement(session: Session, user: User, q: MapQuery, today: date, language: str = "zh"):
    """Each feature of a view as GeoJSON text, written by the database.

    Python only joins the strings: building thousands of features in Python took twice as long as the
    query itself. Labels come from the same table the pages use, as CASE expressions.
    """
    from hazards.domain.labels import label

    dialect = session.get_bind().dialect.name
    row = feature_statement(session, user, q, today).subquery()
    status_label = case({m.value: label(m, language) for m in Status}, value=row.c.status)
    level_label = case({m.value: label(m, language) for m in SupervisionLevel}, value=row.c.level)
    if dialect == "postgresql":
        days_left = cast(row.c.deadline, Date) - today
        obj, as_json = func.json_build_object, (lambda text_: cast(text_, JSON))
        overdue = row.c.overdue == 1
    else:
        days_left = cast(func.julianday(row.c.deadline) - func.julianday(today.isoformat()), Integer)
        obj, as_json = func.json_object, func.json
        overdue = case((row.c.overdue == 1, func.json("true")), else_=func.json("false"))
    properties = obj(
        "id", row.c.id, "code", row.c.code, "title", row.c.title, "status", row.c.status,
        "status_label", status_label, "level", row.c.level, "level_label", level_label,
        "deadline", row.c.deadline, "days_left", days_left, "overdue", overdue, "unit", row.c.unit,
    )
    feature = obj("type", "Feature", "id", row.c.id, "geometry", as_json(row.c.geometry), "properties", properties)
    return select(cast(feature, Text)).order_by(row.c.id)


def _cluster(cx, cy, n, n_overdue, **extra) -> str:
    props = {"cluster": True, "count": int(n), "overdue": int(n_overdue or 0), **extra}
    return (f'{{"type":"Feature","geometry":{{"type":"Point","coordinates":[{float(cx):.6f},{float(cy):.6f}]}},'
            f'"properties":{json.dumps(props)}}}')


def _collection(parts: list[str], clustered: bool) -> str:
    return (f'{{"type":"FeatureCollection","clustered":{"true" if clustered else "false"},'
            f'"numberReturned":{len(parts)},"features":[{",".join(parts)}]}}')


