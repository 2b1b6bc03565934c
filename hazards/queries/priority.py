"""The priority score (hazards.domain.priority) as SQL, to sort the list by, and the score of given
hazards as its components, for the pages and the API.

The score reads the hazard's own columns and its stored crash history (`hazard_crash_history`, an outer
join on the primary key): no spatial work when a page is viewed. The date-dependent parts (age, overdue)
are CASEs over dates computed here, so the same SQL runs on both backends.

Scoring every visible hazard on each view costs most of a page at 100,000 hazards, so the ranks are
also stored (`hazard_priority`, kept by hazards.services.priority_ranking) and the list walks their
index while `stored_ranking_current` holds: every hazard ranked, for today, with the weights in force.
Otherwise (before the nightly job has run on a new day, after a change of weights) it scores live. Either
way each hazard's shown priority is computed from its facts for today, as the stored rank was.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, fields
from datetime import date, timedelta
from functools import lru_cache

from flask import current_app, has_app_context
from sqlalchemy import ColumnElement, Select, case, func, literal, select
from sqlalchemy.orm import Session

from hazards import clock
from hazards.domain.completion import OPEN_STATUSES
from hazards.domain.enums import RiskGrade, SupervisionLevel
from hazards.domain.priority import AGE_MONTH_DAYS, Priority, PriorityFacts, PriorityWeights, priority
from hazards.models import Hazard, HazardCrashHistory, HazardPriority, PriorityRanking
from hazards.queries import completion

History = HazardCrashHistory


def current_weights() -> PriorityWeights:
    if not has_app_context():
        return PriorityWeights()
    given = current_app.config.get("PRIORITY_WEIGHTS") or {}
    try:
        return _weights(tuple(sorted(given.items())))
    except TypeError:  # a value that cannot be a key cannot be a weight either: say so as the setting's check does
        return PriorityWeights.from_config(current_app.config)


@lru_cache(maxsize=16)
def _weights(given: tuple) -> PriorityWeights:
    """Checked and built once for each setting (every list page asks); the setting as items, so a
    changed setting is a new key."""
    return PriorityWeights.from_config({"PRIORITY_WEIGHTS": dict(given)})


def _greater(a, b):
    return case((a >= b, a), else_=b)


def _capped(count, each: int, cap: int):
    return case((count * each >= cap, cap), else_=count * each)


def score(weights: PriorityWeights, today: date) -> ColumnElement[int]:
    """The score of an open hazard (needs `History` outer-joined); NULL for any other."""
    w = weights
    crashes = _greater(func.coalesce(History.crashes, 0), Hazard.crash_count)
    deaths = _greater(func.coalesce(History.deaths, 0), Hazard.death_count)
    risk = case({RiskGrade.MAJOR.value: w.risk_major, RiskGrade.HIGH.value: w.risk_high,
                 RiskGrade.GENERAL.value: w.risk_general}, value=Hazard.risk_grade, else_=0)
    level = case({SupervisionLevel.MINISTRY.value: w.level_ministry, SupervisionLevel.PROVINCE.value: w.level_province,
                  SupervisionLevel.CITY.value: w.level_city, SupervisionLevel.COUNTY.value: w.level_county},
                 value=Hazard.level, else_=0)
    school = case((Hazard.school_zone, w.school_zone), else_=0)
    # Full months since found, as dates: found on or before today - 30·m days is at least m months old.
    months = w.age_months_to_cap
    age = case(*[(Hazard.found_on <= today - timedelta(days=AGE_MONTH_DAYS * m), min(w.age_cap, m * w.age_month))
                 for m in range(months, 0, -1)], else_=0) if months else literal(0)
    overdue = case((completion.past_deadline(today), w.overdue), else_=0)
    total = (_capped(crashes, w.crash, w.crash_cap) + _capped(deaths, w.death, w.death_cap)
             + risk + level + school + age + overdue)
    return case((Hazard.status.in_(OPEN_STATUSES), total), else_=None)


def rank(weights: PriorityWeights, today: date) -> ColumnElement[int]:
    """The sort key: score + 1 for open hazards, 0 for the rest, so they come after every open one and
    the key stays a whole number from 0 up (what an API cursor holds)."""
    return func.coalesce(score(weights, today) + 1, 0)


def with_history(stmt: Select) -> Select:
    return stmt.outerjoin(History, History.hazard_id == Hazard.id)


def ordered(stmt: Select, today: date, weights: PriorityWeights | None = None, *, stored: bool = False) -> Select:
    """`stmt` (a select from Hazard) highest priority first, then the newest hazard (id) first.

    `stored` (when `stored_ranking_current`): by the stored ranks, walking their index backwards.
    Else every visible row is scored and sorted: select only ids here and load the page's rows after,
    by id, so the sort carries no wide rows."""
    if stored:
        return with_stored_rank(stmt).order_by(*STORED_ORDER)
    key = rank(weights or current_weights(), today)
    return with_history(stmt).order_by(key.desc(), Hazard.id.desc())


#: The stored order: the index on (rank, hazard_id) read backwards.
STORED_ORDER = (HazardPriority.rank.desc(), HazardPriority.hazard_id.desc())


def with_stored_rank(stmt: Select) -> Select:
    return stmt.join(HazardPriority, HazardPriority.hazard_id == Hazard.id)


def weights_key(weights: PriorityWeights) -> str:
    """The weights as the ranking records them (`priority_ranking.weights`)."""
    return json.dumps(asdict(weights), sort_keys=True, separators=(",", ":"))


def stored_ranking_current(session_or_conn, today: date, weights: PriorityWeights | None = None) -> bool:
    """Whether the stored ranks may order the list: the last full ranking was for `today` with these
    weights, no rank is older than today (a change ranked just before midnight, written after the
    night's ranking), and the newest hazard has its rank (a hazard written past the ranking services
    would otherwise be missing from the list). Index lookups only: a few tenths of a millisecond."""
    def one(column, *where):
        return select(column).where(*where).scalar_subquery()

    state = session_or_conn.execute(select(
        one(PriorityRanking.scored_on, PriorityRanking.id == 1),
        one(PriorityRanking.weights, PriorityRanking.id == 1),
        one(func.min(HazardPriority.scored_on)),
        one(func.max(HazardPriority.hazard_id)),
        one(func.max(Hazard.id)),
    )).one()
    ranked_on, ranked_with, oldest, last_ranked, last_hazard = state
    return (ranked_on == today and ranked_with == weights_key(weights or current_weights())
            and oldest in (None, today) and last_ranked == last_hazard)


def facts_of(hazard: Hazard, history: HazardCrashHistory | None) -> PriorityFacts:
    return PriorityFacts(
        status=hazard.status, risk_grade=hazard.risk_grade, level=hazard.level, school_zone=bool(hazard.school_zone),
        found_on=hazard.found_on, deadline=hazard.deadline, crash_count=hazard.crash_count or 0,
        death_count=hazard.death_count or 0,
        recorded_crashes=history.crashes if history else None, recorded_deaths=history.deaths if history else None,
        counted_from=history.counted_from if history else None,
    )


def priorities(session: Session, hazards: Iterable[Hazard], today: date | None = None,
               weights: PriorityWeights | None = None) -> dict[int, Priority | None]:
    """hazard id -> its priority (None when it is not open), with one query for the crash histories."""
    hazards = list(hazards)
    today = today or clock.today()
    weights = weights or current_weights()
    ids = [h.id for h in hazards]
    stored = {h.hazard_id: h for h in session.scalars(select(History).where(History.hazard_id.in_(ids)))} if ids else {}
    return {h.id: priority(facts_of(h, stored.get(h.id)), weights, today) for h in hazards}


_STORED = HazardCrashHistory.__table__.alias("stored_history")  # apart from a joined History


def _stored(name: str):
    """One column of the hazard's stored crash history, correlated (a primary-key lookup per row)."""
    return select(_STORED.c[name]).where(_STORED.c.hazard_id == Hazard.id).scalar_subquery()


#: The facts the score reads, as columns a page of API items carries beside each item's JSON
#: (labelled `priority_*`), so its priority is computed without loading the hazards again.
_FACT_COLUMNS = {
    "status": Hazard.status, "risk_grade": Hazard.risk_grade, "level": Hazard.level,
    "school_zone": Hazard.school_zone, "found_on": Hazard.found_on, "deadline": Hazard.deadline,
    "crash_count": Hazard.crash_count, "death_count": Hazard.death_count,
}
_STORED_COLUMNS = {"recorded_crashes": "crashes", "recorded_deaths": "deaths", "counted_from": "counted_from"}


def fact_columns() -> list:
    return ([column.label(f"priority_{name}") for name, column in _FACT_COLUMNS.items()]
            + [_stored(column).label(f"priority_{name}") for name, column in _STORED_COLUMNS.items()])


def rank_of(p: Priority | None) -> int:
    """`rank` for a priority computed in Python (the two faces agree: tests/crashes/test_priority.py)."""
    return 0 if p is None else p.score + 1


_FACT_NAMES = (*_FACT_COLUMNS, *_STORED_COLUMNS)
assert _FACT_NAMES == tuple(f.name for f in fields(PriorityFacts)), "built by position below"
_SCHOOL_ZONE = _FACT_NAMES.index("school_zone")


def facts_from_rows(rows) -> list[PriorityFacts]:
    """The facts of each row of a page carrying `fact_columns()`, the columns found by position once
    for the page (looked up by name on every row they cost more than scoring it)."""
    if not rows:
        return []
    names = rows[0]._fields
    at = [names.index(f"priority_{name}") for name in _FACT_NAMES]
    facts = []
    for row in rows:
        values = [row[i] for i in at]
        values[_SCHOOL_ZONE] = bool(values[_SCHOOL_ZONE])
        facts.append(PriorityFacts(*values))
    return facts
