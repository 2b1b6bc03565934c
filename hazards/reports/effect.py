"""The remediation effect (治理成效) in a report: the crashes before and after the works of the hazards
completed in the period (closed within it, in the report's scope), from `hazards.queries.crash_effect`.

The totals hold only hazards whose after-window has run its full length by the report's `today`; the
others are counted apart, since a few months after the works are not a year's comparison. The section is
left out (None) when no hazard completed in the period has a crash at its place in its windows: a ledger
without crash records for those places has nothing to compare, and a table of zeros would read as "no
crashes" rather than "no crash data". The per-hazard rows are the hazards with a crash in their windows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hazards.domain.crash_effect import Toll, Totals, Windows
from hazards.domain.crash_rules import EffectRule
from hazards.models import Hazard, Jurisdiction
from hazards.queries.crash_effect import effects, totals


@dataclass
class EffectRow:
    code: str
    title: str
    jurisdiction_name: str
    closed_on: date
    windows: Windows
    before: Toll
    during: Toll
    after: Toll

    @property
    def complete(self) -> bool:
        return self.windows.complete


@dataclass
class EffectSection:
    months: int
    buffer_m: int
    closed: int  # hazards completed in the period (with and without crashes at their place)
    totals: Totals = field(default_factory=Totals)
    rows: list[EffectRow] = field(default_factory=list)


def build_effect(session: Session, scope: list, rule: EffectRule, today: date) -> EffectSection | None:
    """The section for the hazards matching `scope` (the report's scope and completed-in-period
    conditions); None when none of them has a crash at its place in its windows."""
    hazards = session.execute(
        select(Hazard.id, Hazard.code, Hazard.title, Jurisdiction.name, Hazard.closed_on)
        .join(Jurisdiction, Jurisdiction.code == Hazard.jurisdiction_code)
        .where(*scope).order_by(Hazard.closed_on, Hazard.code)).all()
    found = effects(session, [row[0] for row in hazards], rule, today)
    if not any(effect.any_crash for effect in found.values()):
        return None
    rows = [EffectRow(code, title, division, closed_on, found[hid].windows, found[hid].before, found[hid].during,
                      found[hid].after)
            for hid, code, title, division, closed_on in hazards if hid in found and found[hid].any_crash]
    return EffectSection(rule.months, rule.buffer_m, closed=len(found), totals=totals(found.values()), rows=rows)
