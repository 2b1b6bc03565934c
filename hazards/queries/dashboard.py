"""The supervisor's morning numbers for their jurisdiction, each one a single aggregate query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from hazards import clock, permissions
from hazards.domain.completion import completion_rate
from hazards.domain.enums import Status, SupervisionLevel
from hazards.models import Hazard, User
from hazards.queries import completion
from hazards.reports import build_report
from hazards.reports.build import CompletionReport
from hazards.reports.formats import Table, tables
from hazards.reports.period import year


#: The columns of the report's units table the dashboard shows (by their English titles).
RANKING_COLUMNS = ("Rank", "Unit", "Code", "On the annual list", "Closed", "Completion rate", "Overdue")


@dataclass
class LevelRow:
    level: SupervisionLevel
    total: int
    open: int
    overdue: int
    closed_this_year: int


@dataclass
class Dashboard:
    open: int
    overdue: int
    due_soon: int
    closed_this_year: int
    awaiting_decision: int
    by_level: list[LevelRow]
    #: This year's completion report of the user's division, whose units (the divisions one level
    #: down) the dashboard shows in the report's own ranking.
    ranking: CompletionReport | None = None

    def ranking_table(self, lang: str = "zh") -> Table | None:
        """The report's table of subordinate units, rows in its ranking, narrowed to the columns a
        dashboard has room for; None when the division has no parts."""
        if self.ranking is None:
            return None
        units = next(t for t in tables(self.ranking, lang) if t.key == "units")
        keep = [i for i, c in enumerate(units.columns) if c.en in RANKING_COLUMNS]
        if not units.rows:
            return None
        return Table(units.key, units.zh, units.en, [units.columns[i] for i in keep],
                     [[row[i] for i in keep] for row in units.rows])


def unit_ranking(session: Session, user: User, today: date, min_rank: int = 5) -> CompletionReport:
    """The completion report of the user's division for this year: the dashboard ranks its subordinate
    units with the report's ranking (`hazards.reports.build`), so the two cannot disagree."""
    return build_report(session, user.jurisdiction_code, year(today.year), today=today, min_rank=min_rank,
                        with_map=False, with_supervision=False, with_previous=False, with_effect=False)


def build_dashboard(session: Session, user: User, today: date, min_rank: int = 5) -> Dashboard:
    # Open, overdue and closed are the tally's and the reports' numbers, judged today.
    is_open = completion.open_at(today)
    overdue = completion.overdue(today)
    due_soon = and_(is_open, Hazard.deadline >= today, Hazard.deadline <= today + timedelta(days=7))
    closed_year = completion.completed_in(date(today.year, 1, 1), date(today.year, 12, 31))
    awaiting = Hazard.status.in_([Status.REPORTED, Status.CLOSURE_REQUESTED])
    count_if = completion.count_if

    rows = session.execute(
        select(Hazard.level, func.count(Hazard.id), count_if(is_open), count_if(overdue), count_if(closed_year),
               count_if(due_soon), count_if(awaiting))
        .where(permissions.visible_clause(user), completion.counted())
        .group_by(Hazard.level)
    ).all()
    by_level = {level: LevelRow(level, 0, 0, 0, 0) for level in SupervisionLevel}
    due, waiting = 0, 0
    for level, total, n_open, n_overdue, n_closed, n_due, n_waiting in rows:
        by_level[level] = LevelRow(level, total, n_open or 0, n_overdue or 0, n_closed or 0)
        due += n_due or 0
        waiting += n_waiting or 0
    levels = list(by_level.values())
    return Dashboard(
        open=sum(r.open for r in levels), overdue=sum(r.overdue for r in levels), due_soon=due,
        closed_this_year=sum(r.closed_this_year for r in levels), awaiting_decision=waiting, by_level=levels,
        ranking=unit_ranking(session, user, today, min_rank),
    )


@dataclass
class Trend:
    level: SupervisionLevel
    points: list[tuple[date, float]]  # (snapshot date, completion rate 0..1)

    def svg_points(self, width: int = 160, height: int = 36) -> str:
        """Polyline points for a sparkline: dates spread evenly left to right, rate 0..100 % bottom to top."""
        if len(self.points) < 2:
            return ""
        step = width / (len(self.points) - 1)
        return " ".join(f"{i * step:.1f},{height - rate * height:.1f}" for i, (_, rate) in enumerate(self.points))


def completion_trends(session: Session, user: User, days: int = 60) -> list[Trend]:
    """Completion rate per supervision level from the stored nightly tallies of the user's division."""
    from hazards.models import TallySnapshot

    rows = session.execute(
        select(TallySnapshot.level, TallySnapshot.as_of, func.sum(TallySnapshot.closed), func.sum(TallySnapshot.total))
        .where(TallySnapshot.jurisdiction_code == user.jurisdiction_code,
               TallySnapshot.as_of >= clock.today() - timedelta(days=days))
        .group_by(TallySnapshot.level, TallySnapshot.as_of)
        .order_by(TallySnapshot.level, TallySnapshot.as_of)
    ).all()
    by_level: dict[SupervisionLevel, list] = {}
    for level, as_of, closed, total in rows:
        rate = completion_rate(closed, total)
        if rate is not None:
            by_level.setdefault(level, []).append((as_of, float(rate)))
    order = list(SupervisionLevel)  # ministry first, as the ledger is read, not alphabetically
    return [Trend(level, by_level[level]) for level in sorted(by_level, key=order.index)]
