"""The completion rules of `hazards.domain.completion` as SQL over the hazards table, for counting many
hazards in the database: conditions for WHERE and CASE, and the aggregate columns a tally or a report
groups by. Building blocks, not queries: the callers choose the rows (and the user's visibility).

Each condition says the same as the predicate of the same name, NULLs included (a comparison with
NULL is neither true nor false in SQL, so the NULL cases are written out), and a test runs both
faces over the same hazards.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, case, func, or_

from hazards.domain.completion import OPEN_STATUSES, Counts
from hazards.domain.enums import COUNTED_STATUSES, Status
from hazards.models import Hazard


def counted() -> ColumnElement[bool]:
    return Hazard.status.in_(COUNTED_STATUSES)


def closed_by(day: date) -> ColumnElement[bool]:
    return and_(Hazard.status == Status.CLOSED, Hazard.closed_on.is_not(None), Hazard.closed_on <= day)


def open_at(day: date) -> ColumnElement[bool]:
    # Of the closed ones, exactly those `closed_by` leaves out, so no NULL drops a hazard from both.
    return or_(Hazard.status.in_(OPEN_STATUSES),
               and_(Hazard.status == Status.CLOSED, or_(Hazard.closed_on.is_(None), Hazard.closed_on > day)))


def completed_in(start: date, end: date) -> ColumnElement[bool]:
    return and_(Hazard.status == Status.CLOSED, Hazard.closed_on.between(start, end))


def on_list(first_year: int, last_year: int) -> ColumnElement[bool]:
    return Hazard.batch_year.between(first_year, last_year)


def on_time(day: date) -> ColumnElement[bool]:
    return and_(closed_by(day), Hazard.deadline.is_not(None), Hazard.closed_on <= Hazard.deadline)


def ahead(day: date) -> ColumnElement[bool]:
    return and_(closed_by(day), Hazard.deadline.is_not(None), Hazard.closed_on < Hazard.deadline)


def past_deadline(as_of: date) -> ColumnElement[bool]:
    return and_(Hazard.deadline.is_not(None), Hazard.deadline < as_of)


def overdue(as_of: date, *, open_on: date | None = None) -> ColumnElement[bool]:
    """Open (at `open_on`, by default `as_of`) and past the deadline at `as_of`."""
    return and_(open_at(open_on or as_of), past_deadline(as_of))


def count_if(condition) -> ColumnElement[int]:
    """How many rows of the group meet `condition` (0, not NULL, for none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def count_columns(judged_on: date, as_of: date | None = None, among=None) -> list[ColumnElement[int]]:
    """total, closed, on time, ahead and overdue as aggregate columns, in the order `counts_from` reads.

    Closed (and so open, on time, ahead) is judged on `judged_on`, deadlines at `as_of` (by default the
    same day); `among` narrows what is counted, e.g. to a report's list, while the query's WHERE keeps
    the other rows for columns of its own."""
    as_of = as_of or judged_on

    def among_them(condition):
        return condition if among is None else and_(among, condition)

    return [
        count_if(among) if among is not None else func.count(Hazard.id),
        count_if(among_them(closed_by(judged_on))),
        count_if(among_them(on_time(judged_on))),
        count_if(among_them(ahead(judged_on))),
        count_if(among_them(overdue(as_of, open_on=judged_on))),
    ]


def counts_from(total, closed, on_time_, ahead_, overdue_, *, completed=0) -> Counts:
    """A `Counts` from the values of `count_columns` (NULLs as 0); open is what is not closed."""
    total, closed = int(total or 0), int(closed or 0)
    return Counts(completed=int(completed or 0), total=total, closed=closed, on_time=int(on_time_ or 0),
                  ahead=int(ahead_ or 0), open=total - closed, overdue=int(overdue_ or 0))
