"""Each hazard's priority rank, stored so the list sorted by priority (按优先级) walks an index instead of
scoring every visible hazard on each view (hazards.services.priority_ranking keeps it, hazards.queries.
priority reads it).

`hazard_priority` holds one row per hazard: `rank` is the sort key of `hazards.queries.priority.rank`
(the score + 1 for an open hazard, 0 for any other), judged on `scored_on` with the weights in force.
`priority_ranking` is one row saying for which day and which weights the whole table was last ranked;
the list trusts the stored ranks only while that is today's ranking with today's weights.
Tables of their own: a column added to `hazards` would make SQLite rebuild it (and drop its FTS triggers).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hazards.models.base import Base, utcnow


class HazardPriority(Base):
    __tablename__ = "hazard_priority"
    # Walked backwards for ORDER BY rank DESC, id DESC (and from an API cursor on the same pair).
    __table_args__ = (Index("ix_hazard_priority_rank", "rank", "hazard_id"),
                      Index("ix_hazard_priority_scored_on", "scored_on"))

    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    rank: Mapped[int] = mapped_column(Integer)
    scored_on: Mapped[date] = mapped_column(Date)  # the day the age and overdue parts were judged on


class PriorityRanking(Base):
    """The one row (id 1) written when every hazard has been ranked (the nightly job)."""

    __tablename__ = "priority_ranking"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    scored_on: Mapped[date] = mapped_column(Date)
    weights: Mapped[str] = mapped_column(String(1000))  # the weights' JSON (hazards.queries.priority.weights_key)
    ranked_at: Mapped[datetime] = mapped_column(default=utcnow)
