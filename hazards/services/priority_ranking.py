"""Keeping the stored priority ranks (`hazard_priority`) true, so the list sorted by priority can walk
an index and still agree with the priority each hazard shows.

The rank is the score's SQL (`hazards.queries.priority.rank`) judged on a day with the weights in
force, written by one INSERT … SELECT with an upsert:

- `rank_all`: every hazard, and the `priority_ranking` row naming the day and the weights. The nightly
  job runs it after counting the crash histories (age and lateness move each day, and a change of
  `PRIORITY_WEIGHTS`, which takes a restart, is ranked in by it: until then the list scores live).
- `rank_hazards`: the named hazards, today, in the transaction of the change that moved their score:
  registering (report, file import), an edit of a field the score reads, every status transition
  (closing gives rank 0, reopening a score again), a level raised, a deadline extended, a crash
  history counted again.

The list uses the stored ranks only while they are today's (`hazards.queries.priority.stored_ranking_current`);
otherwise it scores live, as before, so what it shows never disagrees with its order.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from hazards import clock
from hazards.db import insert_replacing_duplicates
from hazards.domain.priority import PriorityWeights
from hazards.models import Hazard, HazardPriority, PriorityRanking
from hazards.models.base import utcnow
from hazards.queries import priority

#: The hazard fields the score reads: a change of any of them ranks the hazard again.
SCORED_FIELDS = frozenset({"status", "risk_grade", "level", "school_zone", "found_on", "deadline",
                           "crash_count", "death_count"})

#: Ids per statement when ranking named hazards.
_CHUNK = 5000


def _ranking(day: date, weights: PriorityWeights, ids: list[int] | None):
    stmt = priority.with_history(select(Hazard.id, priority.rank(weights, day), literal(day)).select_from(Hazard))
    return stmt if ids is None else stmt.where(Hazard.id.in_(ids))


def _write(session: Session, day: date, weights: PriorityWeights, ids: list[int] | None) -> None:
    upsert = insert_replacing_duplicates(session, HazardPriority.__table__, ["hazard_id"])
    session.execute(upsert.from_select(["hazard_id", "rank", "scored_on"], _ranking(day, weights, ids)))


def rank_hazards(session: Session, hazard_ids, *, today: date | None = None) -> None:
    """Rank the named hazards again (their changes flushed first), judged today."""
    ids = sorted(set(hazard_ids))
    if not ids:
        return
    session.flush()
    day, weights = today or clock.today(), priority.current_weights()
    for i in range(0, len(ids), _CHUNK):
        _write(session, day, weights, ids[i:i + _CHUNK])
    session.flush()


def ranking_statement(session: Session, hazard_ids, *, today: date | None = None):
    """The statement `rank_hazards` runs, for the hazards whose ids a SELECT gives (a file's new
    hazards, which a bulk write sends to the server along with its own statements)."""
    upsert = insert_replacing_duplicates(session, HazardPriority.__table__, ["hazard_id"])
    ranking = _ranking(today or clock.today(), priority.current_weights(), None).where(Hazard.id.in_(hazard_ids))
    return upsert.from_select(["hazard_id", "rank", "scored_on"], ranking)


def rank_if_scored(session: Session, hazard: Hazard, changed) -> None:
    """`rank_hazards` for one hazard when `changed` (field names) includes one the score reads."""
    if SCORED_FIELDS.intersection(changed):
        rank_hazards(session, [hazard.id])


def rank_all(session: Session, *, as_of: date | None = None) -> None:
    """Rank every hazard for `as_of` (today) and record that day and the weights: the nightly job."""
    session.flush()
    day, weights = as_of or clock.today(), priority.current_weights()
    _write(session, day, weights, None)
    state = session.get(PriorityRanking, 1)
    if state is None:
        state = PriorityRanking(id=1)
        session.add(state)
    state.scored_on, state.weights, state.ranked_at = day, priority.weights_key(weights), utcnow()
    session.flush()
