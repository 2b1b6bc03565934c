"""The multi-year trend of a report: each batch year's completion rate on its own list and the money
spent in that year, for a division whose ledger holds several batch years.

Each year's figures are that year's own report (`build_report` for the year, same division, level and
category), so the trend and the yearly reports cannot disagree. At most `TREND_YEARS` years, the
latest up to the report's last year, are built (a few GROUP BY queries each).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hazards.domain.completion import Counts
from hazards.domain.enums import FundingKind
from hazards.models import Hazard

TREND_YEARS = 6


@dataclass
class TrendPoint:
    year: int
    annual: Counts  # that year's annual list, as of that year's end (or today while it runs)
    spent: Decimal  # yuan spent within that year


def build_trend(session: Session, report, scope: list, *, category: str | None = None) -> list[TrendPoint]:
    """The trend points of `report`; empty when its scope holds fewer than two batch years."""
    from hazards.reports.build import build_report
    from hazards.reports.period import year as year_period

    last = report.period.end.year
    years = sorted(session.scalars(select(Hazard.batch_year).where(*scope, Hazard.batch_year <= last)
                                   .distinct()))[-TREND_YEARS:]
    if len(years) < 2:
        return []
    points = []
    for y in years:
        same = report.period.kind == "year" and report.period.start.year == y
        yearly = report if same else build_report(
            session, report.jurisdiction_code, year_period(y), report.level_filter, today=report.today,
            min_rank=report.min_rank, with_map=False, category=category,
            with_supervision=False, with_previous=False, with_effect=False)
        points.append(TrendPoint(y, yearly.level("annual").counts, yearly.total.money.yuan(FundingKind.SPENDING)))
    return points
