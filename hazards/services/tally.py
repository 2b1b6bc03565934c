"""Completion tallies (治理率) per jurisdiction, supervision level and batch year, stored as dated snapshots.

The counting is one GROUP BY in the database over the counties' hazards; the roll-up to cities,
provinces and the country adds those few aggregate rows along the division tree. As of a date:
a hazard found later does not count yet, one closed later still counts as open, and an open one
past its deadline on that date is overdue. Overdue open items stay in the denominator. The rules
are `hazards.domain.completion`, the same the reports and the list count with.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session

from hazards.db import insert_replacing_duplicates
from hazards.domain.completion import Counts
from hazards.domain.enums import FundingKind
from hazards.models import FundingEntry, Hazard, Jurisdiction, TallySnapshot
from hazards.queries import completion as rules


@dataclass
class TallyCounts(Counts):
    """A tally row's completion numbers (`completed` stays 0: a tally has no period) and its money."""

    budget: Decimal = Decimal("0.00")
    spent: Decimal = Decimal("0.00")


# The snapshot table's columns keep their first names: they are a stored, public format.
_STORED_AS = {"total": "total", "closed": "closed", "on_time": "closed_on_time", "ahead": "closed_early",
              "open": "open", "overdue": "overdue", "budget": "budget", "spent": "spent"}
_SNAPSHOT_KEY = ["as_of", "jurisdiction_code", "level", "batch_year"]  # uq_tally_snapshots_key


def tally_statement(as_of: date):
    """The single GROUP BY the tally rests on (also what the benchmark times on its own)."""
    money = (
        select(
            FundingEntry.hazard_id,
            func.sum(case((FundingEntry.kind == FundingKind.BUDGET, FundingEntry.amount), else_=0)).label("budget"),
            func.sum(case((FundingEntry.kind == FundingKind.SPENDING, FundingEntry.amount), else_=0)).label("spent"),
        )
        .where(FundingEntry.entry_date <= as_of)
        .group_by(FundingEntry.hazard_id)
        .subquery()
    )
    return (
        select(
            Hazard.jurisdiction_code, Hazard.level, Hazard.batch_year,
            *rules.count_columns(as_of),
            func.coalesce(func.sum(money.c.budget), 0),
            func.coalesce(func.sum(money.c.spent), 0),
        )
        .outerjoin(money, money.c.hazard_id == Hazard.id)
        .where(rules.counted(), Hazard.found_on <= as_of)
        .group_by(Hazard.jurisdiction_code, Hazard.level, Hazard.batch_year)
    )


def compute_tally(session: Session, as_of: date) -> dict[tuple[str, object, int], TallyCounts]:
    """(jurisdiction, level, batch year) -> counts, for every division that has hazards below it."""
    parents = dict(session.execute(select(Jurisdiction.code, Jurisdiction.parent_code)).all())
    totals: dict[tuple, TallyCounts] = defaultdict(TallyCounts)
    for code, level, year, *numbers, budget, spent in session.execute(tally_statement(as_of)):
        row = TallyCounts(**vars(rules.counts_from(*numbers)), budget=_money(budget), spent=_money(spent))
        node = code
        while node is not None:
            totals[(node, level, year)].add(row)
            node = parents.get(node)
    return dict(totals)


def _money(value) -> Decimal:
    # Summed over the Money column the value is already yuan; a SUM of CASE loses the column type
    # on SQLite, where amounts are stored as fen.
    return Decimal(value or 0).quantize(Decimal("0.01"))


def store_tally(session: Session, as_of: date) -> int:
    """Compute and store the snapshot for `as_of`, replacing an earlier one of the same day.

    Two runs of the same day at once (a beat and a manual run, two beats) both succeed and leave one
    row per key: the rows are upserted, so the later run's insert of a key the earlier one has just
    written replaces that row instead of failing on the unique key."""
    totals = compute_tally(session, as_of)
    session.execute(delete(TallySnapshot).where(TallySnapshot.as_of == as_of))
    rows = [
        {"as_of": as_of, "jurisdiction_code": code, "level": level, "batch_year": year,
         **{column: getattr(c, name) for name, column in _STORED_AS.items()}}
        for (code, level, year), c in sorted(totals.items(), key=lambda kv: (kv[0][0], kv[0][1].value, kv[0][2]))
    ]
    if rows:
        session.execute(insert_replacing_duplicates(session, TallySnapshot.__table__, _SNAPSHOT_KEY), rows)
    session.flush()
    return len(rows)
