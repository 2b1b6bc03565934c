"""The map's crash layer: the crashes a user may see in the box in view and a period, or grid clusters.

Built as the hazard map's features are (hazards.queries.map_features): the database writes the whole
FeatureCollection text in one statement, unless the box holds more crashes than the threshold; then
the answer is grid-cell clusters (the same cells as the hazards' clusters) with each cell's count,
deaths and fatal crashes. A crash known only by route and stake on a road the ledger does not hold has
no point: it cannot be drawn, and the collection says how many such crashes the period holds.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Text, case, cast, func, literal, null, select
from sqlalchemy.orm import Session

from geo import spatial
from geo.spatial import BBox
from hazards import permissions
from hazards.models import Crash, User
# The hazard map's SQL pieces: constants written into the statement, and an ordered string aggregate.
from hazards.queries.map_features import DEFAULT_CLUSTER_THRESHOLD, _ordered_concat, _text


@dataclass(frozen=True)
class CrashPeriod:
    """Days `start` to `end`, both included, counted on the crash's day in the ledger's zone."""

    start: date
    end: date

    @classmethod
    def months_ending(cls, end: date, months: int) -> CrashPeriod:
        """`months` whole months ending on `end`: 36 months ending 2026-11-30 start on 2023-12-01."""
        y, m = divmod(end.month - 1 - months, 12)
        year, month = end.year + y, m + 1
        back = date(year, month, min(end.day, calendar.monthrange(year, month)[1]))
        return cls(back + timedelta(days=1), end)


@dataclass(frozen=True)
class CrashMapQuery:
    box: BBox
    zoom: int
    period: CrashPeriod


def _in_period(user: User, period: CrashPeriod) -> list:
    return [permissions.visible_clause(user, Crash.jurisdiction_code),
            Crash.occurred_on >= period.start, Crash.occurred_on <= period.end]


def _conditions(session: Session, user: User, q: CrashMapQuery) -> list:
    dialect = session.get_bind().dialect.name
    return [spatial.bbox_clause(Crash.__table__.c.geom, q.box, dialect, id_column=Crash.id),
            *_in_period(user, q.period)]


def unplaced_count(user: User, period: CrashPeriod):
    """SELECT of how many crashes the user may see in the period have no point (not drawn)."""
    return select(func.count(Crash.id)).where(Crash.geom.is_(None), *_in_period(user, period))


def collection_statement(session: Session, user: User, q: CrashMapQuery,
                         threshold: int | None = DEFAULT_CLUSTER_THRESHOLD):
    """One statement whose value is the view's FeatureCollection text, or NULL when the box holds more
    than `threshold` crashes (then the map shows clusters). The rows in view are read once, no further
    than threshold + 1; each feature is written around the geometry string the database makes."""
    dialect = session.get_bind().dialect.name
    t = Crash.__table__
    rows = select(t.c.id, t.c.source_id, t.c.occurred_at, t.c.route_code, t.c.stake_m, t.c.deaths,
                  t.c.injuries, t.c.form, t.c.geom).where(*_conditions(session, user, q))
    rows = rows.subquery("in_view") if threshold is None else rows.limit(threshold + 1).cte("in_view")
    # The stored UTC moment as 'YYYY-MM-DD HH:MM:SS' on both backends; the page shows it in the ledger's zone.
    utc = func.substr(cast(rows.c.occurred_at, Text), 1, 19)
    if dialect == "postgresql":
        obj, fatal = func.json_build_object, rows.c.deaths > 0
    else:
        obj, fatal = func.json_object, case((rows.c.deaths > 0, func.json("true")), else_=func.json("false"))
    properties = obj(
        _text("id"), rows.c.id, _text("source_id"), rows.c.source_id, _text("occurred_utc"), utc,
        _text("route_code"), rows.c.route_code, _text("stake_m"), rows.c.stake_m, _text("deaths"), rows.c.deaths,
        _text("injuries"), rows.c.injuries, _text("form"), rows.c.form, _text("fatal"), fatal,
    )
    geometry = spatial.as_geojson(rows.c.geom, dialect, literal(6, literal_execute=True))
    feature = (_text('{"type":"Feature","id":').concat(cast(rows.c.id, Text)).concat(_text(',"geometry":'))
               .concat(geometry).concat(_text(',"properties":')).concat(cast(properties, Text)).concat(_text("}")))
    unplaced = unplaced_count(user, q.period).scalar_subquery()
    collection = (
        _text('{"type":"FeatureCollection","clustered":false,' + _period_json(q.period) + ',"unplaced":')
        .concat(cast(unplaced, Text))
        .concat(_text(',"numberReturned":')).concat(cast(func.count(), Text)).concat(_text(',"features":['))
        .concat(func.coalesce(_ordered_concat(feature, rows.c.id), _text(""))).concat(_text("]}"))
    )
    if threshold is None:
        return select(collection).select_from(rows)
    n = select(func.count()).select_from(rows).scalar_subquery()
    return select(case((n > threshold, null()), else_=select(collection).select_from(rows).scalar_subquery()))


def cluster_statement(session: Session, user: User, q: CrashMapQuery):
    """The crashes in view per grid cell (the hazard map's cells): count, deaths, fatal crashes, centre."""
    dialect = session.get_bind().dialect.name
    cell = spatial.grid_cell_degrees(q.zoom)
    x, y = _point_xy(Crash.__table__.c.geom, dialect)
    gx, gy = func.floor(x / cell), func.floor(y / cell)
    fatal = case((Crash.deaths > 0, 1), else_=0)
    return (
        select(func.count(Crash.id), func.sum(Crash.deaths), func.sum(fatal), func.avg(x), func.avg(y))
        .where(*_conditions(session, user, q))
        .group_by(gx, gy)
    )


def _point_xy(geom, dialect: str):
    """A crash's coordinates. Crashes are points: their own x and y, in floating point, where
    `spatial.bbox_center` would average a box (and on PostgreSQL halve it in NUMERIC, which costs more
    than the rest of the grouping over a province's crashes)."""
    if dialect == "postgresql":
        return func.ST_X(geom), func.ST_Y(geom)
    return func.X(geom), func.Y(geom)


def crashes_geojson(session: Session, user: User, q: CrashMapQuery,
                    threshold: int = DEFAULT_CLUSTER_THRESHOLD) -> str:
    """The GeoJSON FeatureCollection text of the crash layer: crashes, or clusters above the threshold."""
    conn = session.connection()
    text_ = conn.execute(collection_statement(session, user, q, threshold)).scalar()
    if text_ is not None:
        return text_
    parts = [_cluster(cx, cy, n, deaths, fatal) for n, deaths, fatal, cx, cy
             in conn.execute(cluster_statement(session, user, q))]
    unplaced = conn.execute(unplaced_count(user, q.period)).scalar() or 0
    return (f'{{"type":"FeatureCollection","clustered":true,{_period_json(q.period)},"unplaced":{int(unplaced)},'
            f'"numberReturned":{len(parts)},"features":[{",".join(parts)}]}}')


def _period_json(period: CrashPeriod) -> str:
    """The period the answer counts, so the page can show the default it was given."""
    return f'"period":{{"from":"{period.start.isoformat()}","to":"{period.end.isoformat()}"}}'


def _cluster(cx, cy, n, deaths, fatal) -> str:
    props = {"cluster": True, "count": int(n), "deaths": int(deaths or 0), "fatal": int(fatal or 0)}
    return (f'{{"type":"Feature","geometry":{{"type":"Point","coordinates":[{float(cx):.6f},{float(cy):.6f}]}},'
            f'"properties":{json.dumps(props)}}}')
