"""Keeping each open hazard's crash history (`hazard_crash_history`) current: the crashes at its place
(`hazards.queries.crash_place.at_hazard_place`, within `CRASH_EFFECT_BUFFER_M`) on the days of the
identification period (`CRASH_PERIOD_MONTHS` up to today), their deaths and the fatal ones among them.

One INSERT … SELECT with an upsert, whatever the number of hazards: the nightly job refreshes every open
hazard (the period moves on each day), a crash import refreshes the hazards at the places of the crashes
it added or changed, in any division (`open_hazards_at`), and registering a hazard, editing its place
(`PLACE_FIELDS`) or reopening it counts its own. The priority score (hazards.domain.priority) reads the stored rows, and the stored priority
ranks are written again after each count.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask import current_app, has_app_context
from sqlalchemy import Integer, Select, and_, case, func, literal, select, true, union_all
from sqlalchemy.orm import Session, aliased

from hazards import clock
from hazards.db import insert_replacing_duplicates
from hazards.domain.completion import OPEN_STATUSES
from hazards.domain.crash_rules import EffectRule, IdentificationRule
from hazards.domain.priority import months_before
from hazards.models import Crash, Hazard, HazardCrashHistory
from hazards.models.base import utcnow
from hazards.queries.crash_place import HAZARD_BOXES, at_hazard_place_parts, hazards_at_crash_parts
from hazards.services.priority_ranking import rank_all, rank_hazards

#: The hazard's columns the place test (`at_hazard_place_parts`) reads: a change to any of them moves the
#: crashes counted, so the editing service counts the hazard again at once.
PLACE_FIELDS = frozenset({"geom", "route_code", "start_m", "end_m", "jurisdiction_code"})

#: Ids per statement when refreshing named hazards (SQLite's bound-parameter limit is far above it).
_CHUNK = 5000


def history_settings() -> tuple[int, int]:
    """(period in months, buffer in metres) of the running app; the rules' defaults outside one."""
    if has_app_context():
        config = current_app.config
        return IdentificationRule.from_config(config).period_months, EffectRule.from_config(config).buffer_m
    return IdentificationRule().period_months, EffectRule().buffer_m


def counting_statement(dialect: str, counted_from: date, counted_to: date, buffer_m: int,
                       hazard_ids: list[int] | None = None) -> Select:
    """hazard id, crashes, deaths, fatal crashes, the period and now: one row per open hazard.

    The crashes at each place are joined once per half of the place test (by point, by stake) and the
    halves put together (UNION ALL: no crash meets both), so each join is an index lookup; with the two
    halves in one OR, PostgreSQL scanned every crash for every hazard (81 s for 75,000 hazards and 20,000
    crashes)."""
    crash = aliased(Crash, name="crash")
    period = and_(crash.occurred_on >= counted_from, crash.occurred_on <= counted_to)
    which = [Hazard.status.in_(OPEN_STATUSES)]
    if hazard_ids is not None:
        which.append(Hazard.id.in_(hazard_ids))
    by_point, by_stake = at_hazard_place_parts(crash, Hazard, buffer_m, dialect)
    at_point = (select(Hazard.id.label("hazard_id"), crash.deaths.label("deaths"))
                .select_from(Hazard).join(crash, and_(by_point, period)).where(*which))
    if dialect == "postgresql":
        # Each hazard's crashes by stake as a LATERAL probe of the crashes' (route, road, stake) index; the
        # OFFSET keeps PostgreSQL from folding it back into a join, which it hashed by road, comparing every
        # crash of a road with every hazard of it (136 s for 74,000 hazards and 100,000 crashes on four
        # densely set roads; 13–17 s probed, the same counts).
        deaths = select(crash.deaths.label("deaths")).where(by_stake, period).offset(0).lateral("at_stake")
        at_stake = select(Hazard.id.label("hazard_id"), deaths.c.deaths).select_from(Hazard).join(deaths, true())
    else:
        at_stake = select(Hazard.id.label("hazard_id"), crash.deaths.label("deaths")).select_from(Hazard).join(
            crash, and_(by_stake, period))
    found = union_all(at_point, at_stake.where(*which)).subquery("found")
    stmt = (
        select(
            Hazard.id,
            func.count(found.c.hazard_id),
            func.coalesce(func.sum(found.c.deaths), 0),
            func.coalesce(func.sum(case((found.c.deaths > 0, 1), else_=0)), 0).cast(Integer),
            literal(counted_from), literal(counted_to), literal(utcnow()),
        )
        .select_from(Hazard)
        .outerjoin(found, found.c.hazard_id == Hazard.id)
        .where(*which)
        .group_by(Hazard.id)
    )
    return stmt


def open_hazards_at(session: Session, crash_ids: Sequence[int] = (), *, above_id: int | None = None) -> set[int]:
    """The open hazards at the place of any of these crashes (`crash_ids`, and with `above_id` every crash
    whose id is higher: an import's new rows), in whatever division: the hazards whose count a change to
    those crashes moves. A crash recorded in one county may lie at a hazard of the next (a point near the
    border, a stake on a national road), so the crash importer asks this rather than which divisions it
    touched.

    Each half of the place test drives from the crashes: by point, each crash's box looks its hazards up
    in their spatial index (the crashes named by id, a chunk at a time: given a range of ids, SQLite
    walked every hazard and, for each, the whole range); by stake, each hazard on a road probes the
    crashes' (route, road, stake) index once."""
    _months, buffer_m = history_settings()
    dialect = session.get_bind().dialect.name
    crash = aliased(Crash, name="crash")
    by_point, by_stake = hazards_at_crash_parts(crash, Hazard, buffer_m, dialect)

    def chunks(ids: Sequence[int]) -> list:
        return [crash.id.in_(ids[start:start + _CHUNK]) for start in range(0, len(ids), _CHUNK)]

    with_point, by_road = chunks(crash_ids), [(named, False) for named in chunks(crash_ids)]
    if above_id is not None:
        with_point += chunks(session.scalars(select(Crash.id).where(Crash.id > above_id, Crash.geom.is_not(None))
                                             .order_by(Crash.id)).all())
        by_road.append((crash.id > above_id, dialect == "postgresql"))
    point = select(Hazard.id).select_from(crash)
    if dialect == "postgresql":
        point = point.join(Hazard, by_point)
    else:  # crash -> the hazards' R*Tree -> the hazard: each box lookup bounded by the crash's point
        point = point.join(HAZARD_BOXES, true()).join(Hazard, by_point)
    found: set[int] = set()
    for crashes in with_point:
        found.update(session.scalars(point.where(crashes, Hazard.status.in_(OPEN_STATUSES)).distinct()))
    for crashes, probe in by_road:
        found.update(session.scalars(_hazards_by_stake(crash, by_stake, crashes, probe=probe)))
    return found


def _hazards_by_stake(crash, by_stake, crashes, *, probe: bool) -> Select:
    """The open hazards with one of `crashes` on their road within their stakes. SQLite's plan probes the
    crashes' (route, road, stake) index for each hazard. PostgreSQL hashes the crashes by road, which
    suits a list of them; for a range of ids (`probe`) it hashed every crash of a road against every
    hazard of it, 126 s for 100,000 crashes on four roads densely set with hazards, so there each hazard
    looks up one crash LATERAL, a probe of that index (5 s)."""
    if not probe:
        return (select(Hazard.id).select_from(crash).join(Hazard, by_stake)
                .where(crashes, Hazard.status.in_(OPEN_STATUSES)).distinct())
    one = select(literal(1)).select_from(crash).where(by_stake, crashes).limit(1).lateral("one_crash")
    return select(Hazard.id).join(one, true()).where(Hazard.status.in_(OPEN_STATUSES), Hazard.start_m.is_not(None))


def refresh_crash_history(session: Session, hazard_ids: list[int] | None = None, *, as_of: date | None = None) -> None:
    """Count again the crash history of the open hazards among `hazard_ids` (all open hazards: None).

    The crash importer calls this after an import with the hazards near what it brought (or None);
    closed hazards are left as they are: they have no priority. The hazards' priority ranks follow
    (hazards.services.priority_ranking): every hazard's, with None, which is how the nightly job ranks."""
    if hazard_ids is not None and not hazard_ids:
        return
    months, buffer_m = history_settings()
    counted_to = as_of or clock.today()
    counted_from = months_before(counted_to, months)
    dialect = session.get_bind().dialect.name
    table = HazardCrashHistory.__table__
    columns = ["hazard_id", "crashes", "deaths", "fatal", "counted_from", "counted_to", "counted_at"]
    chunks = [None] if hazard_ids is None else [hazard_ids[i:i + _CHUNK] for i in range(0, len(hazard_ids), _CHUNK)]
    for ids in chunks:
        counting = counting_statement(dialect, counted_from, counted_to, buffer_m, ids)
        session.execute(insert_replacing_duplicates(session, table, ["hazard_id"]).from_select(columns, counting))
    session.flush()
    # The counts move the score: rank the same hazards again (all of them: the nightly job's ranking).
    if hazard_ids is None:
        rank_all(session, as_of=counted_to)
    else:
        rank_hazards(session, hazard_ids, today=counted_to)
