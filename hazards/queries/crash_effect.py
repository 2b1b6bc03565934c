"""The remediation effect (治理成效) of closed hazards: their crashes before the works and after them.

Two statements for any set of hazards: one reads each closed hazard's works dates from the ledger
(its status history and its own dates: `hazards.domain.crash_effect.works_dates`), and one counts the
crashes at each hazard's place (`hazards.queries.crash_place.at_hazard_place`, the one definition)
in its before-window, during its works and in its after-window, summed by the database per hazard.
The windows are calendar months, reckoned in Python (SQLite and PostgreSQL date arithmetic disagree at
month ends) and handed to the count as a small derived table of each hazard's bounds, joined to the
crashes at its place by the place alone, so the spatial and stake indexes drive the join
(`hazards.domain.crash_effect` says which day falls where).

Whose crashes: all crashes at the place, whatever division recorded them. Whoever may see the hazard
sees its effect (the hazard's visibility governs, as for its page); a crash across a county line from
a hazard on the boundary counts for it, as it happened at its place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask import current_app, has_app_context
from sqlalchemy import Date, Integer, Select, and_, case, column, func, literal, select, union_all, values
from sqlalchemy.orm import Session

from hazards import clock
from hazards.domain.crash_effect import (AFTER, BEFORE, DURING, MEASURES, Change, Toll, Totals, Windows,
                                         works_dates)
from hazards.domain.crash_rules import EffectRule
from hazards.domain.enums import Status
from hazards.models import Crash, Hazard, StatusChange
from hazards.queries.crash_place import at_hazard_place

#: Hazards per counting statement: one SELECT each in a UNION ALL, under SQLite's 500 (SQLITE_MAX_COMPOUND_SELECT).
CHUNK = 400
#: Hazards per dates statement (two lists of their ids): far under every backend's bound-value limit.
DATES_CHUNK = 5000
#: The hazard page lists the crashes themselves up to this many; beyond it, the counts alone.
LISTED_CRASHES = 20


@dataclass
class HazardEffect:
    hazard_id: int
    windows: Windows
    before: Toll = field(default_factory=Toll)
    during: Toll = field(default_factory=Toll)
    after: Toll = field(default_factory=Toll)

    @property
    def complete(self) -> bool:
        return self.windows.complete

    @property
    def any_crash(self) -> bool:
        return bool(self.before.crashes or self.during.crashes or self.after.crashes)

    def change(self, measure: str) -> Change:
        return Change(getattr(self.before, measure), getattr(self.after, measure))


@dataclass
class CrashRow:
    source_id: str
    occurred_on: date
    deaths: int
    injuries: int
    form: str | None
    phase: str  # BEFORE, DURING or AFTER


def configured_rule() -> EffectRule:
    """The app's rule (CRASH_EFFECT_MONTHS, CRASH_EFFECT_BUFFER_M); the defaults outside an app."""
    return EffectRule.from_config(current_app.config) if has_app_context() else EffectRule()


def windows_of(session: Session, hazard_ids: Iterable[int], rule: EffectRule, today: date) -> dict[int, Windows]:
    """Each closed hazard's windows, by id; open ones (and closed ones with no end date) are left out."""
    ids = list(hazard_ids)
    rows = []
    for offset in range(0, len(ids), DATES_CHUNK):
        part = ids[offset:offset + DATES_CHUNK]
        # The first move into 整改中 is the start of works (a reopening moves it there again, later).
        first_works = (select(StatusChange.hazard_id, func.min(StatusChange.changed_at).label("at"))
                       .where(StatusChange.to_status == Status.IN_REMEDIATION, StatusChange.hazard_id.in_(part))
                       .group_by(StatusChange.hazard_id).subquery())
        rows += session.execute(
            select(Hazard.id, first_works.c.at, Hazard.planned_start, Hazard.listed_on, Hazard.completed_on,
                   Hazard.closed_on)
            .outerjoin(first_works, first_works.c.hazard_id == Hazard.id)
            .where(Hazard.id.in_(part), Hazard.status == Status.CLOSED)).all()
    found = {}
    for hazard_id, started_at, planned, listed, completed, closed in rows:
        # A stored moment is UTC: its day is the day in the ledger's zone, as crash days are.
        first_day = clock.local(started_at).date() if started_at is not None else None
        dates = works_dates(first_day, planned, listed, completed, closed)
        if dates is not None:
            found[hazard_id] = Windows(dates[0], dates[1], rule.months, today)
    return found


def bounds_table(windows: dict[int, Windows], dialect: str):
    """Each hazard's four window bounds as rows of a derived table, so the count reads them by a join
    instead of looking them up per crash: a VALUES list on PostgreSQL; on SQLite, which cannot name a
    VALUES list's columns, one SELECT of literals a hazard put together with UNION ALL."""
    names = ("hazard_id", "first", "start", "end", "last")
    rows = [(hazard_id, w.before_from, w.works_start, w.works_end, w.after_to) for hazard_id, w in windows.items()]
    if dialect == "postgresql":
        return values(column("hazard_id", Integer), *(column(n, Date) for n in names[1:]),
                      name="bounds").data(rows).alias("bounds")
    # Typed binds, not CASTs: SQLite would turn CAST(… AS DATE) into a number.
    selects = [select(literal(row[0], Integer).label(names[0]),
                      *(literal(day, Date).label(name) for name, day in zip(names[1:], row[1:]))) for row in rows]
    return (union_all(*selects) if len(selects) > 1 else selects[0]).subquery("bounds")


def count_statement(windows: dict[int, Windows], rule: EffectRule, dialect: str) -> Select:
    """Per hazard: crashes, deaths and injuries before, during and after its works (nine sums)."""
    bounds = bounds_table(windows, dialect)
    day = Crash.occurred_on
    # The days are tested in the sums, not in the join: a date range the planner cannot see through would
    # drive the join by date (every crash of the years) instead of by place (the spatial and stake indexes).
    phases = {BEFORE: and_(day >= bounds.c.first, day < bounds.c.start),
              DURING: and_(day >= bounds.c.start, day <= bounds.c.end),
              AFTER: and_(day > bounds.c.end, day <= bounds.c.last)}
    amounts = {"crashes": 1, "deaths": Crash.deaths, "injuries": Crash.injuries}
    sums = [func.coalesce(func.sum(case((phases[p], amounts[m]), else_=0)), 0).label(f"{p}_{m}")
            for p in (BEFORE, DURING, AFTER) for m in MEASURES]
    return (select(Hazard.id, *sums)
            .select_from(bounds)
            .join(Hazard, Hazard.id == bounds.c.hazard_id)
            .join(Crash, at_hazard_place(Crash, Hazard, rule.buffer_m, dialect))
            .group_by(Hazard.id))


def effects(session: Session, hazard_ids: Iterable[int], rule: EffectRule | None = None,
            today: date | None = None) -> dict[int, HazardEffect]:
    """The effect of each closed hazard among `hazard_ids`, by id (open hazards are not in it)."""
    rule = rule or configured_rule()
    windows = windows_of(session, hazard_ids, rule, today or clock.today())
    found = {hazard_id: HazardEffect(hazard_id, w) for hazard_id, w in windows.items()}
    dialect = session.get_bind().dialect.name
    chunks = list(windows.items())
    for offset in range(0, len(chunks), CHUNK):
        part = dict(chunks[offset:offset + CHUNK])
        for hazard_id, *numbers in session.execute(count_statement(part, rule, dialect)):
            effect = found[hazard_id]
            for index, phase in enumerate((BEFORE, DURING, AFTER)):
                b, d, i = (int(n or 0) for n in numbers[index * 3:index * 3 + 3])
                getattr(effect, phase).add(Toll(b, d, i))
    return found


def totals(found: Iterable[HazardEffect]) -> Totals:
    """Before and after summed over the hazards whose after-window is complete; the others are counted
    apart (`incomplete`), as half a year after works is not a year's comparison."""
    result = Totals()
    for effect in found:
        if not effect.complete:
            result.incomplete += 1
            continue
        result.complete += 1
        result.before.add(effect.before)
        result.during.add(effect.during)
        result.after.add(effect.after)
    return result


def crashes_of(session: Session, hazard: Hazard, windows: Windows, rule: EffectRule | None = None,
               limit: int = LISTED_CRASHES + 1) -> list[CrashRow]:
    """The crashes at one hazard's place within its windows, oldest first (at most `limit`)."""
    rule = rule or configured_rule()
    rows = session.execute(
        select(Crash.source_id, Crash.occurred_on, Crash.deaths, Crash.injuries, Crash.form)
        .select_from(Hazard)
        .join(Crash, at_hazard_place(Crash, Hazard, rule.buffer_m, session.get_bind().dialect.name))
        .where(Hazard.id == hazard.id, Crash.occurred_on >= windows.before_from,
               Crash.occurred_on <= windows.after_to)
        .order_by(Crash.occurred_on, Crash.source_id).limit(limit))
    return [CrashRow(s, day, deaths, injuries, form, windows.phase(day)) for s, day, deaths, injuries, form in rows]
