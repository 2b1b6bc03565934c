"""The hazard list as supervisors filter it: status, level, category, road, batch year, overdue,
jurisdiction; sorted and paged. Always limited to what the user may see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.orm import Session, selectinload

from hazards import clock, permissions
from hazards.domain.completion import OPEN_STATUSES
from hazards.domain.enums import Status, SupervisionLevel
from hazards.models import Category, Hazard, User, hazard_categories
from hazards.permissions import within_clause
from hazards.queries import completion, priority, text_search

SORTS = {
    "found": (Hazard.found_on.desc(), Hazard.id.desc()),
    "deadline": (Hazard.deadline.asc(), Hazard.id.asc()),
    "code": (Hazard.code.asc(),),
    "updated": (Hazard.updated_at.desc(), Hazard.id.desc()),
    # What still needs work first, then what is closed; the latest change first within each.
    "open_first": (case((Hazard.status.in_(OPEN_STATUSES), 0), else_=1), Hazard.updated_at.desc(), Hazard.id.desc()),
}
#: 按优先级: the priority score (hazards.domain.priority), judged today, highest first; closed hazards
#: after every open one. Stored or computed (`in_order`), so it is not among SORTS; the web list's default.
PRIORITY = "priority"
DEFAULT_SORT = PRIORITY


@dataclass
class HazardFilters:
    statuses: list[Status] = field(default_factory=list)
    levels: list[SupervisionLevel] = field(default_factory=list)
    category: str | None = None
    route_code: str | None = None
    batch_year: int | None = None
    overdue: bool = False
    open_only: bool = False
    jurisdiction_code: str | None = None
    text: str | None = None
    found_by_id: int | None = None
    sort: str = "found"


def filtered(user: User, f: HazardFilters, today: date) -> Select:
    stmt = select(Hazard).where(permissions.visible_clause(user))
    if f.jurisdiction_code:
        stmt = stmt.where(within_clause(Hazard.jurisdiction_code, f.jurisdiction_code))
    if f.statuses:
        stmt = stmt.where(Hazard.status.in_(f.statuses))
    if f.open_only:
        stmt = stmt.where(Hazard.status.in_(OPEN_STATUSES))
    if f.levels:
        stmt = stmt.where(Hazard.level.in_(f.levels))
    if f.category:
        stmt = stmt.where(exists().where(
            hazard_categories.c.hazard_id == Hazard.id,
            hazard_categories.c.category_id == select(Category.id).where(Category.code == f.category).scalar_subquery(),
        ))
    if f.route_code:
        stmt = stmt.where(Hazard.route_code == f.route_code.strip().upper())
    if f.batch_year:
        stmt = stmt.where(Hazard.batch_year == f.batch_year)
    if f.overdue:
        stmt = stmt.where(completion.overdue(today))  # the tally's and the report's overdue, judged today
    if f.found_by_id:
        stmt = stmt.where(Hazard.found_by_id == f.found_by_id)
    if f.text:
        stmt = stmt.where(text_search.matching(f.text.strip()))
    return stmt


@dataclass
class Page:
    items: list[Hazard]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def in_order(stmt: Select, sort: str, today: date | None = None, *, session: Session | None = None) -> Select:
    """The list in the order the page shows it (an unknown sort: newest found first). By priority, with
    a `session`, the stored ranks are walked when they are today's (`priority.stored_ranking_current`)."""
    if sort == PRIORITY:
        today = today or clock.today()
        stored = session is not None and priority.stored_ranking_current(session, today)
        return priority.ordered(stmt, today, stored=stored)
    return stmt.order_by(*SORTS.get(sort, SORTS["found"]))


def page_of(session: Session, stmt: Select, sort: str, page: int | None, size: int, today: date | None = None) -> Page:
    page = min(max(page or 1, 1), MAX_PAGE)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    loading = (selectinload(Hazard.jurisdiction), selectinload(Hazard.categories), selectinload(Hazard.responsible_unit))
    if sort == PRIORITY:
        # The page's ids first (narrow rows: live scoring sorts every visible hazard), then its hazards.
        ids = list(session.scalars(in_order(stmt.with_only_columns(Hazard.id), sort, today, session=session)
                                   .limit(size).offset((page - 1) * size)))
        found = {h.id: h for h in session.scalars(select(Hazard).where(Hazard.id.in_(ids)).options(*loading))}
        return Page([found[i] for i in ids], total, page, size)
    items = session.scalars(
        in_order(stmt.options(*loading), sort, today)
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    return Page(list(items), total, page, size)


#: Past this a page number asks for rows no ledger has; it is read as the last reachable page.
MAX_PAGE = 1_000_000


def _year(args, name: str) -> int | None:
    year = args.get(name, type=int)
    return year if year is not None and 1900 <= year <= 2200 else None


def _division(args, name: str) -> str | None:
    code = (args.get(name) or "").strip()
    return code if re.fullmatch(r"\d{6}", code) else None


def filters_from_args(args) -> HazardFilters:
    """Filters as they travel in a URL, so a filtered list or map view can be shared as a link.

    A value that cannot be a filter (a year of 20 digits, a division code that is no code) is left
    out rather than refused: the list shows, unfiltered by it, as for an empty field.
    """

    def members(enum_cls, name):
        return [enum_cls(v) for v in args.getlist(name) if v in enum_cls.values()]

    return HazardFilters(
        statuses=members(Status, "status"), levels=members(SupervisionLevel, "level"),
        category=args.get("category") or None, route_code=args.get("route") or None,
        batch_year=_year(args, "batch_year"), overdue=args.get("overdue") == "1",
        open_only=args.get("open") == "1", jurisdiction_code=_division(args, "jurisdiction"),
        text=args.get("q") or None, sort=args.get("sort") or DEFAULT_SORT,
    )
