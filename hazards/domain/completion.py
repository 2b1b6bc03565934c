"""The completion numbers (治理完成情况), defined once: completed, on the list, closed, on time, ahead,
open, overdue and the completion rate (治理率).

The predicates judge one hazard (anything with `status`, `closed_on`, `deadline` and, for the list,
`batch_year`); `hazards.queries.completion` states the same rules as SQL for many, and a test holds
the two faces together. The tally, the reports, the list's overdue filter, the dashboard and the map
all count with these, so their numbers cannot drift apart. docs/reports.md explains them to people.

Every rule is judged as of a date, because a tally or a report looks back: a hazard closed after
that date was still open then. A counted hazard is, on any date, either closed by it or open at it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from hazards.domain.enums import COUNTED_STATUSES, Status

#: Statuses still waiting for remediation; closed, rejected and merged hazards are done with.
OPEN_STATUSES: tuple[Status, ...] = tuple(s for s in Status if s.is_open)
#: Rates are fractions to four places (so 92.71 % in percent with two decimals), rounded half up.
RATE_STEP = Decimal("0.0001")


class HazardFacts(Protocol):
    """The fields of a hazard the completion rules read (the model and a draft both have them)."""

    status: Status
    closed_on: date | None
    deadline: date | None


def is_counted(hazard: HazardFacts) -> bool:
    """A real hazard: rejected (不予认定) and merged (重复) ones never count."""
    return hazard.status in COUNTED_STATUSES


def is_closed_by(hazard: HazardFacts, day: date) -> bool:
    """Closed (销号) on or before `day`."""
    return hazard.status == Status.CLOSED and hazard.closed_on is not None and hazard.closed_on <= day


def is_open_at(hazard: HazardFacts, day: date) -> bool:
    """Counted and not closed by `day`: a hazard closed later was still open then."""
    return hazard.status in OPEN_STATUSES or (hazard.status == Status.CLOSED and not is_closed_by(hazard, day))


def is_completed_in(hazard: HazardFacts, start: date, end: date) -> bool:
    """Completed in a period (完成治理): closed with its closing date inside it, whatever its batch."""
    return hazard.status == Status.CLOSED and hazard.closed_on is not None and start <= hazard.closed_on <= end


def is_on_list(hazard, first_year: int, last_year: int) -> bool:
    """On the list (清单内) of the batch years a period covers."""
    return first_year <= hazard.batch_year <= last_year


def is_on_time(hazard: HazardFacts, day: date) -> bool:
    """On time (按期完成): closed by `day`, on or before its deadline. No deadline, never on time."""
    return is_closed_by(hazard, day) and hazard.deadline is not None and hazard.closed_on <= hazard.deadline


def is_ahead(hazard: HazardFacts, day: date) -> bool:
    """Ahead (提前完成): closed by `day`, before its deadline day, so always also on time."""
    return is_closed_by(hazard, day) and hazard.deadline is not None and hazard.closed_on < hazard.deadline


def is_past_deadline(hazard: HazardFacts, as_of: date) -> bool:
    """The deadline lies before `as_of`: on the deadline day itself there is still time."""
    return hazard.deadline is not None and hazard.deadline < as_of


def is_overdue(hazard: HazardFacts, as_of: date, *, open_on: date | None = None) -> bool:
    """Overdue (逾期), derived, never a status: open and past its deadline at `as_of`.

    A report counts open at its period's end but judges deadlines at `as_of` (the end, or today while
    the period runs), so `open_on` lets its overdue stay a part of its open; it defaults to `as_of`."""
    return is_open_at(hazard, open_on or as_of) and is_past_deadline(hazard, as_of)


def days_past_deadline(deadline: date, as_of: date) -> int:
    """Whole days from the deadline to `as_of`: 1 on the day after the deadline."""
    return (as_of - deadline).days


def days_overdue(hazard: HazardFacts, as_of: date) -> int | None:
    """逾期天数: how many days an overdue hazard is past its deadline at `as_of`; None when not overdue."""
    return days_past_deadline(hazard.deadline, as_of) if is_overdue(hazard, as_of) else None


def completion_rate(closed: int, total: int) -> Decimal | None:
    """closed ÷ total to four places, half up; open overdue items stay in the denominator.
    None when nothing is counted: there is no rate, not a rate of zero."""
    if not total:
        return None
    return (Decimal(closed) / Decimal(total)).quantize(RATE_STEP, ROUND_HALF_UP)


@dataclass
class Counts:
    """The completion numbers of a set of hazards, named as the reports' JSON keys name them.

    `completed` is about a period (closed within it, any batch), so only reports fill it; the rest
    are about the hazards counted (a report's list, a tally's batch): `open` is `total - closed`, and
    `ahead` is a part of `on_time`, `overdue` a part of `open`."""

    completed: int = 0
    total: int = 0
    closed: int = 0
    on_time: int = 0
    ahead: int = 0
    open: int = 0
    overdue: int = 0

    def add(self, other: Counts) -> None:
        """Add another row's numbers in (only the fields this type has, so a subtype adds into it)."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def rate(self) -> Decimal | None:
        return completion_rate(self.closed, self.total)
