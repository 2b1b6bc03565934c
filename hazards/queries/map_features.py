"""What the supervisor's map loads as the user pans: hazards in a bounding box, or clusters.

The page never embeds hazards: it asks for the box in view. Above a threshold of features in the
box, the answer is grid-cell clusters (counts, overdue counts, a centre) computed by the database.
Below it, the database writes the whole FeatureCollection text in one statement, around the geometry
strings it makes (never parsed back), and the text goes out as it comes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from sqlalchemy import Date, Integer, String, Text, case, cast, func, literal, literal_column, null, select, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

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
# From this zoom in, a view is expected to hold fewer hazards than the threshold: its collection is
# written in a single pass that counts as it goes (a view that turns out too full wastes that pass);
# further out, the rows are counted before any text is written.
FEATURES_FIRST_MIN_ZOOM = 11


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
    t, org = Hazard.__table__, Organization.__table__
    overdue = case((completion.overdue(today), 1), else_=0)
    stmt = (
        select(t.c.id, t.c.code, t.c.title, type_coerce(t.c.status, String).label("status"),
               type_coerce(t.c.level, String).label("level"), cast(t.c.deadline, String).label("deadline"),
               overdue.label("overdue"), org.c.name.label("unit"),
               spatial.as_geojson(t.c.geom, dialect, 6).label("geometry"))
        .outerjoin(org, org.c.id == t.c.responsible_unit_id)
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
    """The GeoJSON FeatureCollection text for a view: hazards, or clusters above the threshold.

    Below the threshold the database writes the whole collection in one statement (which also tells
    that the view holds too many); Python passes the text on untouched."""
    conn = session.connection()  # Core rows: the ORM adds nothing to text and numbers
    text_ = conn.execute(collection_statement(session, user, q, today, threshold, language,
                                              single_pass=q.zoom >= FEATURES_FIRST_MIN_ZOOM)).scalar()
    if text_ is not None:
        return text_
    if q.zoom <= DIVISION_CLUSTER_MAX_ZOOM:
        parts = [_cluster(cx, cy, n, n_overdue, jurisdiction=code) for code, n, n_overdue, cx, cy
                 in conn.execute(division_cluster_statement(session, user, q, today))]
        if parts:
            return _collection(parts, clustered=True)
    parts = [_cluster(cx, cy, n, n_overdue) for _gx, _gy, n, n_overdue, cx, cy
             in conn.execute(cluster_statement(session, user, q, today))]
    return _collection(parts, clustered=True)


def feature_rows(session: Session, user: User, q: MapQuery, today: date) -> list[tuple]:
    """The rows of `feature_statement` as the driver's tuples (what the bbox benchmark measures).

    Every column is already text or a number, so no result processing applies; wrapping 100,000 rows
    in Row objects doubled the objects the garbage collector walks and cost half the query again."""
    result = session.connection().execute(feature_statement(session, user, q, today))
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


class _ordered_concat(FunctionElement):
    """The strings of a group joined by commas in the order of `key`: string_agg / group_concat with
    an ORDER BY inside the aggregate (SQLite 3.44+)."""

    type = Text()
    inherit_cache = True
    name = "ordered_concat"


@compiles(_ordered_concat, "postgresql")
def _ordered_concat_pg(element, compiler, **kw):
    value, key = element.clauses
    return f"string_agg({compiler.process(value, **kw)}, ',' ORDER BY {compiler.process(key, **kw)})"


@compiles(_ordered_concat)
def _ordered_concat_sqlite(element, compiler, **kw):
    value, key = element.clauses
    return f"group_concat({compiler.process(value, **kw)}, ',' ORDER BY {compiler.process(key, **kw)})"


@lru_cache(maxsize=512)
def _text(value: str):
    """A constant of the statement's own (JSON punctuation, keys, labels), written into the SQL rather
    than sent as a parameter: PostgreSQL then treats it as a constant for every row. Made once (a
    request builds the statement anew, and these are most of its parts)."""
    return literal(value, Text, literal_execute=True)


def collection_statement(session: Session, user: User, q: MapQuery, today: date,
                         threshold: int | None = DEFAULT_CLUSTER_THRESHOLD, language: str = "zh",
                         single_pass: bool = False):
    """One statement whose value is the view's FeatureCollection text, or NULL when the view holds
    more than `threshold` hazards (then the map shows clusters). With no threshold, the text of all
    the view's hazards (the benchmark's bare SQL).

    The rows in view are read once, no further than threshold + 1: a common table expression the
    count and the text both read; the text is only built when the count allows it. With
    `single_pass`, the text is built as the rows are counted, and dropped if they are too many. Each feature is
    written around the geometry string the database makes (never parsed back into JSON), and the
    properties as a JSON object (the database escapes the titles). Labels are CASE expressions on the
    same table the pages use.
    """
    from hazards.domain.labels import label

    dialect = session.get_bind().dialect.name
    t = Hazard.__table__
    org = Organization.__table__
    overdue = case((completion.overdue(today), 1), else_=0)
    rows = (
        select(t.c.id, t.c.code, t.c.title, type_coerce(t.c.status, String).label("status"),
               type_coerce(t.c.level, String).label("level"), cast(t.c.deadline, String).label("deadline"),
               overdue.label("overdue"), org.c.name.label("unit"), t.c.geom)
        .outerjoin(org, org.c.id == t.c.responsible_unit_id)
        .where(*_conditions(session, user, q, today))
    )
    if threshold is None:
        rows = rows.subquery("in_view")
    elif single_pass:
        rows = rows.limit(threshold + 1).subquery("in_view")
    else:  # no ORDER BY: the count stops early; the text is ordered below
        rows = rows.limit(threshold + 1).cte("in_view")
    status_label = case({_text(m.value): _text(label(m, language)) for m in Status}, value=rows.c.status)
    level_label = case({_text(m.value): _text(label(m, language)) for m in SupervisionLevel}, value=rows.c.level)
    if dialect == "postgresql":
        days_left = cast(rows.c.deadline, Date) - today
        obj = func.json_build_object
        flag = rows.c.overdue == 1
    else:
        days_left = cast(func.julianday(rows.c.deadline) - func.julianday(today.isoformat()), Integer)
        obj = func.json_object
        flag = case((rows.c.overdue == 1, func.json("true")), else_=func.json("false"))
    properties = obj(
        _text("id"), rows.c.id, _text("code"), rows.c.code, _text("title"), rows.c.title, _text("status"),
        rows.c.status, _text("status_label"), status_label, _text("level"), rows.c.level, _text("level_label"),
        level_label, _text("deadline"), rows.c.deadline, _text("days_left"), days_left, _text("overdue"), flag,
        _text("unit"), rows.c.unit,
    )
    geometry = func.coalesce(spatial.as_geojson(rows.c.geom, dialect, literal(6, literal_execute=True)), _text("null"))
    feature = (_text('{"type":"Feature","id":').concat(cast(rows.c.id, Text)).concat(_text(',"geometry":'))
               .concat(geometry).concat(_text(',"properties":')).concat(cast(properties, Text)).concat(_text("}")))
    collection = (
        _text('{"type":"FeatureCollection","clustered":false,"numberReturned":')
        .concat(cast(func.count(), Text)).concat(_text(',"features":['))
        .concat(func.coalesce(_ordered_concat(feature, rows.c.id), _text(""))).concat(_text("]}"))
    )
    if threshold is None:
        return select(collection).select_from(rows)
    if single_pass:
        return select(case((func.count() > threshold, null()), else_=collection)).select_from(rows)
    n = select(func.count()).select_from(rows).scalar_subquery()
    return select(case((n > threshold, null()), else_=select(collection).select_from(rows).scalar_subquery()))


def _cluster(cx, cy, n, n_overdue, **extra) -> str:
    props = {"cluster": True, "count": int(n), "overdue": int(n_overdue or 0), **extra}
    return (f'{{"type":"Feature","geometry":{{"type":"Point","coordinates":[{float(cx):.6f},{float(cy):.6f}]}},'
            f'"properties":{json.dumps(props)}}}')


def _collection(parts: list[str], clustered: bool) -> str:
    return (f'{{"type":"FeatureCollection","clustered":{"true" if clustered else "false"},'
            f'"numberReturned":{len(parts)},"features":[{",".join(parts)}]}}')


