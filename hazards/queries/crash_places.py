"""The SQL of crash-prone place identification (事故多发点段): the sliding stake window along each road,
and the crashes placed by a point only, clustered by distance.

Along a road the database does the work, so a province's million crashes never leave it: every crash
opens a window of `window_m` metres ahead of its stake (`COUNT(*) OVER (... RANGE BETWEEN CURRENT ROW
AND L FOLLOWING)`, on PostgreSQL and SQLite >= 3.28 alike); the windows that reach a threshold are
kept; windows that overlap (each starts within L of the previous one) join into one run; the run's
crashes are counted once each, with their ids. One statement of window functions and a GROUP BY;
`road_windows_sql` is its first step alone, which the benchmark times as the floor.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (ColumnElement, FrameClause, FrameClauseType, Integer, String, and_, case, cast, exists, func,
                        literal, or_, select, text, union_all)
from sqlalchemy.orm import Session, aliased

from hazards.domain.crash_rules import IdentificationRule
from hazards.domain.enums import Status
from hazards.models import Crash, Hazard, HazardCrash
from hazards.queries.crash_place import at_hazard_place_parts

@dataclass(frozen=True)
class RoadRun:
    """One run of overlapping qualifying windows on one road, with the crashes it holds."""

    route_code: str
    road_key: str  # the division for county-numbered routes, '' for G and S (hazards.domain.roads)
    start_m: int  # first and last crash stake in the run
    end_m: int
    crashes: int
    deaths: int
    injuries: int
    fatal: int
    first_on: date
    last_on: date
    linked: int  # crashes already linked to a hazard (as evidence or covered)
    division: str  # where most of its crashes were recorded (the lowest code of a tie)
    crash_ids: tuple[int, ...]


@dataclass(frozen=True)
class PointCrash:
    id: int
    lon: float
    lat: float
    deaths: int
    injuries: int
    occurred_on: date
    jurisdiction_code: str
    linked: bool
    cluster: int | None = None  # the database's cluster number (PostGIS), else None


def crash_filter(where: ColumnElement[bool], start: date, end: date):
    """The crashes counted: those `where` admits (visibility and the division's subtree) in the period."""
    return and_(where, Crash.occurred_on >= start, Crash.occurred_on <= end)


def acted_on(dialect: str, rule: IdentificationRule):
    """The ids of crashes a closed hazard has already answered: at its place (within `cover_m`) and no
    later than its works ended (else its closure). They led to the hazard and its remediation, so they
    make no new case; crashes there after the works count again, and a place they make names the
    closed hazard. Driven from the closed hazards, one index-backed join per half of the place test."""
    closed = aliased(Hazard)
    answered = and_(closed.status == Status.CLOSED,
                    Crash.occurred_on <= func.coalesce(closed.completed_on, closed.closed_on))
    halves = at_hazard_place_parts(Crash, closed, rule.cover_m, dialect)
    return union_all(*(select(Crash.id).select_from(closed).join(Crash, and_(half, answered)) for half in halves))


def _qualifies(rule: IdentificationRule, n, d, f) -> ColumnElement[bool]:
    # The SQL face of IdentificationRule.qualifies: any one threshold reached.
    return or_(n >= rule.min_crashes, d >= rule.min_deaths, f >= rule.min_fatal)


def _base(where):
    return (select(Crash.id, Crash.route_code, Crash.road_key, Crash.stake_m, Crash.deaths,
                   Crash.injuries, case((Crash.deaths > 0, 1), else_=0).label("fatal"), Crash.occurred_on,
                   Crash.jurisdiction_code)
            .where(where, Crash.route_code.is_not(None), Crash.stake_m.is_not(None))
            .cte("base"))


def _ahead(window_m: float) -> FrameClause:
    """RANGE BETWEEN CURRENT ROW AND `window_m` FOLLOWING, the length written into the SQL. As a bound
    parameter each window function gets a frame PostgreSQL cannot tell is the same as the others', and
    it makes one pass over a province's crashes per function (three) instead of one for all."""
    return FrameClause(None, literal(int(window_m), Integer, literal_execute=True),
                       FrameClauseType.CURRENT, FrameClauseType.FOLLOWING)


def _windows(base, rule: IdentificationRule):
    frame = dict(partition_by=(base.c.route_code, base.c.road_key), order_by=base.c.stake_m,
                 range_=_ahead(rule.window_m))
    return select(base.c.route_code, base.c.road_key, base.c.stake_m,
                  func.count().over(**frame).label("n"), func.sum(base.c.deaths).over(**frame).label("d"),
                  func.sum(base.c.fatal).over(**frame).label("f"))


def road_windows_sql(where, rule: IdentificationRule):
    """The qualifying windows alone (the floor the identification rests on): one row per crash whose
    window reaches a threshold."""
    windows = _windows(_base(where), rule).subquery("windows")
    return select(windows).where(_qualifies(rule, windows.c.n, windows.c.d, windows.c.f))


#: Sort memory for when the planner sorts the crashes by road and stake rather than walking the index
#: (PostgreSQL): a province's million crashes take about 120 MB; with the default 4 MB the sort spills
#: to disk and takes twice as long.
SORT_MEMORY = "256MB"


def prepare(session: Session) -> None:
    """Give this transaction's sorts room (SET LOCAL: gone at its end). JIT is off for every connection
    (geo.engine)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL work_mem = '{SORT_MEMORY}'"))


def road_runs(session: Session, where, rule: IdentificationRule) -> list[RoadRun]:
    """The runs of overlapping qualifying windows on every road, each with its crashes counted once.

    Window functions only, no join, so the database reads the crashes once in road and stake order
    (walking ix_crashes_road_stake; sorting them where the planner judges that cheaper); every later
    step keeps that order: (1) each crash's window ahead and whether it
    qualifies; (2) the latest qualifying window start at or before each crash, whose reach ends L
    further on: only the crashes within reach go on (a few per cent); (3) on those, whether a
    qualifying window opens a new run (the previous one starts more than L behind it), and (4) the
    run number, a running count of openings; then the crashes grouped by run."""
    base = _base(where)
    part = (base.c.route_code, base.c.road_key)
    frame = dict(partition_by=part, order_by=base.c.stake_m, range_=_ahead(rule.window_m))
    windows = select(base, _qualifies(rule, func.count().over(**frame), func.sum(base.c.deaths).over(**frame),
                                      func.sum(base.c.fatal).over(**frame)).label("q")).subquery("windows")
    w = windows.c
    reach = select(windows, func.max(case((w.q, w.stake_m))).over(
        partition_by=(w.route_code, w.road_key), order_by=w.stake_m, range_=(None, 0)).label("reach_from")
    ).subquery("reach")
    r = reach.c
    members = select(reach).where(r.reach_from.is_not(None), r.stake_m <= r.reach_from + rule.window_m) \
        .subquery("members")
    m = members.c
    before = func.max(case((m.q, m.stake_m))).over(partition_by=(m.route_code, m.road_key), order_by=m.stake_m,
                                                   range_=(None, -1))
    marked = select(members, case((and_(m.q, or_(before.is_(None), m.stake_m - before > rule.window_m)), 1),
                                  else_=0).label("opens")).subquery("marked")
    k = marked.c
    numbered = select(marked, func.sum(k.opens).over(partition_by=(k.route_code, k.road_key), order_by=k.stake_m,
                                                     range_=(None, 0)).label("run")).subquery("numbered")
    n = numbered.c
    dialect = session.get_bind().dialect.name
    # Each crash as "id:division", so the division most of a run's crashes lie in is counted from the
    # same row (a national road crossing a county line) without asking again.
    member = cast(n.id, String) + literal(":") + n.jurisdiction_code
    ids = func.string_agg(member, ",") if dialect == "postgresql" else func.group_concat(member, ",")
    linked = case((exists().where(HazardCrash.crash_id == n.id), 1), else_=0)
    statement = (
        select(n.route_code, n.road_key, func.min(n.stake_m), func.max(n.stake_m), func.count(), func.sum(n.deaths),
               func.sum(n.injuries), func.sum(n.fatal), func.min(n.occurred_on), func.max(n.occurred_on),
               func.sum(linked), ids)
        .group_by(n.route_code, n.road_key, n.run)
    )
    prepare(session)
    found = []
    for row in session.execute(statement):
        (route, key, low, high, count, d, i, f, first, last, link, members_text) = row
        pairs = [item.split(":") for item in members_text.split(",")]
        divisions = Counter(code for _, code in pairs)
        found.append(RoadRun(route, key, low, high, count, int(d), int(i), int(f), _day(first), _day(last),
                             int(link), min(divisions, key=lambda c: (-divisions[c], c)),
                             tuple(sorted(int(crash_id) for crash_id, _ in pairs))))
    return found


def point_crashes(session: Session, where, rule: IdentificationRule) -> list[PointCrash]:
    """Crashes placed by a point only (no route and stake). On PostGIS with their cluster, and only
    those of clusters that reach the rule: crashes within `radius_m` of one another, chained (DBSCAN
    with one point enough), with distances taken in the UTM zone of the crashes' mean longitude, true
    to well under 1% across a province. On SpatiaLite every such crash (the caller clusters them)."""
    dialect = session.get_bind().dialect.name
    off_road = and_(where, Crash.geom.is_not(None), or_(Crash.route_code.is_(None), Crash.stake_m.is_(None)))
    linked = exists().where(HazardCrash.crash_id == Crash.id)
    columns = [Crash.id, func.ST_X(Crash.geom).label("x"), func.ST_Y(Crash.geom).label("y"), Crash.deaths,
               Crash.injuries, Crash.occurred_on, Crash.jurisdiction_code, linked.label("linked")]
    if dialect != "postgresql":
        rows = session.execute(select(*columns).where(off_road).order_by(Crash.id)).all()
        return [PointCrash(r[0], float(r[1]), float(r[2]), r[3], r[4], _day(r[5]), r[6], bool(r[7])) for r in rows]
    mean_lon = session.scalar(select(func.avg(func.ST_X(Crash.geom))).where(off_road))
    if mean_lon is None:
        return []
    zone = min(60, max(1, int((float(mean_lon) + 180) // 6) + 1))
    clustered = select(*columns, func.ST_ClusterDBSCAN(func.ST_Transform(Crash.geom, 32600 + zone), rule.radius_m, 1)
                       .over().label("cluster")).where(off_road).subquery("clustered")
    c = clustered.c
    whole = dict(partition_by=c.cluster)
    weighed = select(clustered, func.count().over(**whole).label("n"), func.sum(c.deaths).over(**whole).label("d"),
                     func.sum(case((c.deaths > 0, 1), else_=0)).over(**whole).label("f")).subquery("weighed")
    v = weighed.c
    rows = session.execute(select(v.id, v.x, v.y, v.deaths, v.injuries, v.occurred_on, v.jurisdiction_code, v.linked,
                                  v.cluster).where(_qualifies(rule, v.n, v.d, v.f)).order_by(v.id)).all()
    return [PointCrash(r[0], float(r[1]), float(r[2]), r[3], r[4], _day(r[5]), r[6], bool(r[7]), r[8]) for r in rows]


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
