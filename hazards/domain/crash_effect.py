"""The remediation effect (治理成效) as pure rules: which days a closed hazard's crashes are counted on,
before its works and after them, and the change between the two. No database, no Flask.

The works run from `works_start` to `works_end` (both days inside the works). The windows are the same
number of calendar months on each side (`EffectRule.months`):

* before: from `works_start - months` (that day included) up to the day before `works_start`;
* during works (施工期间): `works_start` to `works_end`, both days included; counted in neither window;
* after: from the day after `works_end` to `works_end + months` (that day included).

A crash on the day works started is a crash during the works, as is one on the day they ended: the
place was a building site then, neither the old road nor the new one.

Months are calendar months: the same day N months later, the last day of the month when that month is
shorter (31 January + 1 month = 28 or 29 February). The after-window is complete once its last day is
today or earlier; until then it is shown as 治理后仅满N个月 and not compared in a report's totals.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

BEFORE, DURING, AFTER = "before", "during", "after"


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (earlier when negative), clamped to the month's end."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def whole_months(start: date, end: date) -> int:
    """How many whole calendar months have passed from `start` to `end` (0 when `end` is before `start`)."""
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return months


def works_dates(first_works_day: date | None, planned_start: date | None, listed_on: date | None,
                completed_on: date | None, closed_on: date | None) -> tuple[date, date] | None:
    """(works started, works ended) from the ledger's own record, or None when it holds no end.

    Started: the first day the hazard entered 整改中 (its status history), else the plan's start, else the
    day it was listed. Ended: the day works were completed (completed_on), else the day it was closed.
    A start recorded after the end (a status change entered late) is taken as the end: no works period.
    Without any start the works are taken to be the end day alone.
    """
    end = completed_on or closed_on
    if end is None:
        return None
    start = first_works_day or planned_start or listed_on or end
    return min(start, end), end


@dataclass(frozen=True)
class Windows:
    """The days a closed hazard's crashes are counted on (module docstring)."""

    works_start: date
    works_end: date
    months: int
    today: date

    @property
    def before_from(self) -> date:
        return add_months(self.works_start, -self.months)

    @property
    def before_to(self) -> date:
        """The before-window's last day: the day before works started."""
        return date.fromordinal(self.works_start.toordinal() - 1)

    @property
    def after_from(self) -> date:
        """The after-window's first day: the day after works ended."""
        return date.fromordinal(self.works_end.toordinal() + 1)

    @property
    def after_to(self) -> date:
        return add_months(self.works_end, self.months)

    @property
    def complete(self) -> bool:
        """The after-window has run its full length by today."""
        return self.after_to <= self.today

    @property
    def months_after(self) -> int:
        """Whole months of the after-window passed by today (the full length once complete)."""
        return self.months if self.complete else whole_months(self.works_end, self.today)

    def phase(self, day: date) -> str | None:
        """BEFORE, DURING or AFTER for a crash's day; None outside the windows."""
        if self.before_from <= day < self.works_start:
            return BEFORE
        if self.works_start <= day <= self.works_end:
            return DURING
        if self.works_end < day <= self.after_to:
            return AFTER
        return None


@dataclass
class Toll:
    """Crashes, deaths and injuries counted in one window."""

    crashes: int = 0
    deaths: int = 0
    injuries: int = 0

    def add(self, other: Toll) -> None:
        self.crashes += other.crashes
        self.deaths += other.deaths
        self.injuries += other.injuries


MEASURES = ("crashes", "deaths", "injuries")


@dataclass(frozen=True)
class Change:
    """After minus before, and that as a percentage of before (None from zero: no % of nothing)."""

    before: int
    after: int

    @property
    def diff(self) -> int:
        return self.after - self.before

    @property
    def percent(self) -> Decimal | None:
        """The change in percent to one decimal, rounded half up; negative for a fall."""
        if not self.before:
            return None
        return (Decimal(self.diff) * 100 / Decimal(self.before)).quantize(Decimal("0.1"), ROUND_HALF_UP)


    @property
    def text(self) -> str:
        """The change as a table cell: -3 (-60%), +2 (+50%), +1 from none, 0."""
        if not self.diff:
            return "0"
        if self.percent is None:
            return f"{self.diff:+d}"
        percent = f"{self.percent:+f}"
        return f"{self.diff:+d} ({percent[:-2] if percent.endswith('.0') else percent}%)"


def changes(before: Toll, after: Toll) -> dict[str, Change]:
    return {m: Change(getattr(before, m), getattr(after, m)) for m in MEASURES}


@dataclass
class Totals:
    """A set of hazards' before and after tolls, over those whose after-window is complete."""

    before: Toll = field(default_factory=Toll)
    during: Toll = field(default_factory=Toll)
    after: Toll = field(default_factory=Toll)
    complete: int = 0  # hazards in the totals
    incomplete: int = 0  # hazards left out: their after-window has not run its length

    def change(self, measure: str) -> Change:
        return Change(getattr(self.before, measure), getattr(self.after, measure))
