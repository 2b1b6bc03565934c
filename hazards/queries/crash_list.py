"""The crash list (`/crashes`, `GET /api/v1/crashes`): crash records a user may see, filtered and paged.

Visibility is the hazards' rule on the crash's division (`visible_clause(user, Crash.jurisdiction_code)`);
a filter narrows it and never widens it. Newest first; the division-and-day index serves the usual
"one county, one period" view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from geo.stakes import format_stake
from hazards import permissions
from hazards.models import Crash, Jurisdiction

MAX_PAGE = 1_000_000
_ROUTE = re.compile(r"^[A-Z0-9][A-Z0-9\-]{0,15}$")


@dataclass(frozen=True)
class CrashFilters:
    jurisdiction_code: str | None = None  # this division and those below it
    date_from: date | None = None  # the day in the ledger's zone (occurred_on), inclusive
    date_to: date | None = None
    route_code: str | None = None
    fatal_only: bool = False


def filters_from_args(args) -> CrashFilters:
    """Filters as they travel in a URL; a value that cannot be one is left out, as for an empty field."""

    def day(name: str) -> date | None:
        try:
            return date.fromisoformat((args.get(name) or "").strip()) or None
        except ValueError:
            return None

    code = (args.get("jurisdiction") or "").strip()
    route = (args.get("route") or "").strip().upper()
    return CrashFilters(jurisdiction_code=code if re.fullmatch(r"\d{6}", code) else None,
                        date_from=day("from"), date_to=day("to"),
                        route_code=route if _ROUTE.match(route) else None,
                        fatal_only=(args.get("fatal") or "") in ("1", "true"))


def filtered(user, filters: CrashFilters) -> Select:
    stmt = select(Crash).where(permissions.visible_clause(user, Crash.jurisdiction_code))
    if filters.jurisdiction_code:
        stmt = stmt.where(permissions.within_clause(Crash.jurisdiction_code, filters.jurisdiction_code))
    if filters.date_from:
        stmt = stmt.where(Crash.occurred_on >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(Crash.occurred_on <= filters.date_to)
    if filters.route_code:
        stmt = stmt.where(Crash.route_code == filters.route_code)
    if filters.fatal_only:
        stmt = stmt.where(Crash.deaths > 0)
    return stmt


@dataclass
class CrashRow:
    crash: Crash
    division_name: str

    @property
    def stake(self) -> str:
        return format_stake(self.crash.stake_m) if self.crash.stake_m is not None else ""


@dataclass
class CrashPage:
    items: list[CrashRow]
    total: int
    page: int
    size: int
    deaths: int
    injuries: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def page_of(session: Session, stmt: Select, page: int | None, size: int) -> CrashPage:
    page = min(max(page or 1, 1), MAX_PAGE)
    counted = stmt.order_by(None).subquery()
    total, deaths, injuries = session.execute(
        select(func.count(), func.coalesce(func.sum(counted.c.deaths), 0),
               func.coalesce(func.sum(counted.c.injuries), 0)).select_from(counted)).one()
    rows = session.execute(
        stmt.add_columns(Jurisdiction.name).join(Jurisdiction, Jurisdiction.code == Crash.jurisdiction_code)
        .order_by(Crash.occurred_at.desc(), Crash.id.desc()).limit(size).offset((page - 1) * size)
    ).all()
    return CrashPage([CrashRow(crash, name) for crash, name in rows], total, page, size, int(deaths), int(injuries))
