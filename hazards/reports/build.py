"""Build a completion report: every number, from a handful of GROUP BY queries, into one dataclass.

The counting happens in the database (conditional sums over the hazards in scope, grouped by the
hazard's division, supervision level and dynamic-add flag); Python only adds those aggregate rows
up into the level buckets and along the division tree to the subordinate units. The only rows
fetched one per hazard are the overdue list (bounded by `OVERDUE_LIMIT`) and its map dots.
The definitions are in `hazards/reports/__init__.py` and docs/reports.md; the counting rules
themselves, and their SQL, are `hazards.domain.completion` and `hazards.queries.completion`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from shapely.geometry import shape
from sqlalchemy import Select, case, distinct, func, select
from sqlalchemy.orm import Session

from geo import spatial
from hazards import clock
from hazards.domain.completion import Counts, days_past_deadline
from hazards.domain.crash_rules import EffectRule
from hazards.domain.divisions import check_code
from hazards.domain.errors import N_, TranslatableValueError
from hazards.domain.enums import FundingKind, FundingSource, JurisdictionLevel, RoadClass
from hazards.domain.enums import SupervisionLevel as L
from hazards.domain.labels import label
from hazards.models import Category, FundingEntry, Hazard, Jurisdiction, Organization, hazard_categories
from hazards.permissions import within_clause
from hazards.queries import completion as rules
from hazards.queries.crash_effect import configured_rule
from hazards.queries.map_layers import display_boundary
from hazards.reports.effect import EffectSection, build_effect
from hazards.reports.period import Period, previous_period
from hazards.reports.supervision import Supervision, count_supervision
from hazards.reports.trend import TrendPoint, build_trend

OVERDUE_LIMIT = 500
CENT = Decimal("0.01")
# Level buckets in report order: (key, 中文, English). Merged and total rows are sums of the others.
BUCKETS = [
    ("ministry", "部级", "Ministry"), ("province", "省级", "Province"),
    ("ministry_province", "部省级", "Ministry + province"), ("city", "市级", "City"),
    ("county", "县级", "County"), ("none", "未挂牌", "Not listed"),
    ("annual", "年度清单合计", "Annual list"), ("dynamic", "动态新增", "Dynamic additions"),
    ("total", "合计（含动态新增）", "Total incl. dynamic additions"),
]
# A level filter may name one level or the merged 部省级 bucket.
LEVEL_FILTERS = {lv.value: (lv,) for lv in L} | {"ministry_province": (L.MINISTRY, L.PROVINCE)}


class ReportError(TranslatableValueError):
    """A report that cannot be made as asked (an unknown level, a division not in the ledger)."""


@dataclass
class Money:
    """Yuan by (funding kind, source level), summed by the database from funding entries in the period."""

    amounts: dict[tuple[FundingKind, FundingSource], Decimal] = field(default_factory=dict)

    def put(self, kind: FundingKind, source: FundingSource, yuan: Decimal) -> None:
        self.amounts[(kind, source)] = self.amounts.get((kind, source), Decimal("0.00")) + yuan

    def add(self, other: Money) -> None:
        for (kind, source), yuan in other.amounts.items():
            self.put(kind, source, yuan)

    def yuan(self, kind: FundingKind, source: FundingSource | None = None) -> Decimal:
        if source is not None:
            return self.amounts.get((kind, source), Decimal("0.00"))
        return sum((v for (k, _s), v in self.amounts.items() if k is kind), Decimal("0.00"))


@dataclass
class LevelRow:
    key: str
    label_zh: str
    label_en: str
    counts: Counts = field(default_factory=Counts)
    money: Money = field(default_factory=Money)


@dataclass
class UnitRow:
    """A subordinate division (or the report division's own 本级 hazards when `own`)."""

    code: str
    name: str
    name_en: str
    own: bool = False
    annual: Counts = field(default_factory=Counts)
    dynamic: Counts = field(default_factory=Counts)
    money: Money = field(default_factory=Money)
    rank: int | None = None

    @property
    def all(self) -> Counts:
        both = Counts()
        both.add(self.annual)
        both.add(self.dynamic)
        return both


@dataclass
class CategoryRow:
    code: str
    label_zh: str
    label_en: str
    counts: Counts


@dataclass
class RoadClassRow:
    road_class: RoadClass | None
    completed: int
    roads: int
    metres: int

    @property
    def km(self) -> Decimal:
        return (Decimal(self.metres) / 1000).quantize(Decimal("0.001"), ROUND_HALF_UP)

    def label(self, lang: str) -> str:
        if self.road_class is None:
            return "Other or unknown" if lang == "en" else "其他道路"
        return label(self.road_class, lang)


@dataclass
class OverdueItem:
    code: str
    title: str
    level: L
    jurisdiction_code: str
    jurisdiction_name: str
    responsible_unit: str
    deadline: date
    days_overdue: int
    batch_year: int
    dynamic_add: bool
    lon: float | None
    lat: float | None


@dataclass
class Boundary:
    code: str
    name: str
    name_en: str
    geometry: object  # shapely (Multi)Polygon as stored; the map simplifies it to its scale


@dataclass
class CompletionReport:
    jurisdiction_code: str
    jurisdiction_name: str
    jurisdiction_name_en: str
    jurisdiction_level: JurisdictionLevel
    period: Period
    level_filter: str | None
    today: date
    as_of: date
    min_rank: int
    levels: list[LevelRow]
    units: list[UnitRow]
    categories: list[CategoryRow]
    road_classes: list[RoadClassRow]
    overdue: list[OverdueItem]
    overdue_count: int
    overdue_limit: int = OVERDUE_LIMIT
    boundaries: list[Boundary] = field(default_factory=list)
    supervision: Supervision = field(default_factory=Supervision)
    trend: list[TrendPoint] = field(default_factory=list)  # one point a batch year; empty with fewer than two
    # The same report for the previous period (`period.previous_period`) when the ledger has data for
    # it; None otherwise, and always None for the previous report itself.
    previous: CompletionReport | None = None
    # 治理成效: crashes before and after the works of the hazards completed in the period; None when
    # none of them has a crash at its place (hazards.reports.effect).
    effect: EffectSection | None = None

    def level(self, key: str) -> LevelRow:
        return next(row for row in self.levels if row.key == key)

    @property
    def total(self) -> LevelRow:
        return self.level("total")


def resolve_level(level) -> tuple[str | None, tuple[L, ...]]:
    """A level filter given as enum, value, Chinese label or 'ministry_province'/部省级 -> (key, levels)."""
    if level in (None, ""):
        return None, ()
    key = level.value if isinstance(level, L) else str(level).strip()
    if key in ("部省级", "部省级督办"):
        key = "ministry_province"
    if key not in LEVEL_FILTERS:
        from hazards.domain.labels import fold, lookup_table

        member = lookup_table(L).get(fold(key))
        if member is None:
            raise ReportError(N_("'%(level)s' is not a supervision level."), {"level": level})
        key = member.value
    return key, LEVEL_FILTERS[key]


# ---- the SQL -----------------------------------------------------------------------------------

def _conditions(code: str, period: Period, levels: tuple[L, ...], as_of: date, category: str | None = None) -> dict:
    scope = [within_clause(Hazard.jurisdiction_code, code), rules.counted(), Hazard.found_on <= period.end]
    if levels:
        scope.append(Hazard.level.in_(levels))
    if category:  # the map's category filter: the hazards of one category, as the list filters them
        scope.append(Hazard.id.in_(select(hazard_categories.c.hazard_id)
                                   .join(Category, Category.id == hazard_categories.c.category_id)
                                   .where(Category.code == category)))
    return dict(
        scope=scope, on_list=rules.on_list(period.start.year, period.end.year),
        completed=rules.completed_in(period.start, period.end),
        # Open is judged at the period's end, deadlines at the as-of date (docs/reports.md).
        overdue=rules.overdue(as_of, open_on=period.end),
    )


def _count_columns(c: dict, period: Period, as_of: date) -> list:
    """completed, then the list's numbers (`rules.count_columns`), as `_counts` reads them."""
    return [rules.count_if(c["completed"]), *rules.count_columns(period.end, as_of, among=c["on_list"])]


def report_statements(session: Session, code: str, period: Period, levels: tuple[L, ...], as_of: date,
                      limit: int = OVERDUE_LIMIT, category: str | None = None) -> dict[str, Select]:
    """Every statement a report runs (the benchmark times them on their own)."""
    c = _conditions(code, period, levels, as_of, category)
    dialect = session.get_bind().dialect.name
    lon, lat = spatial.bbox_center(Hazard.geom, dialect)
    road_key = case(
        (Hazard.road_class.in_([RoadClass.NATIONAL, RoadClass.PROVINCIAL]), Hazard.route_code),
        # X/Y/C numbers repeat between counties: such a road is its route code within its division.
        else_=func.coalesce(Hazard.route_code, Hazard.road_name) + "@" + Hazard.jurisdiction_code,
    )
    return {
        # The last column counts overdue hazards of any batch (the overdue list's full length): one pass less.
        "counts": select(Hazard.jurisdiction_code, Hazard.level, Hazard.dynamic_add, *_count_columns(c, period, as_of),
                         rules.count_if(c["overdue"]))
        .where(*c["scope"]).group_by(Hazard.jurisdiction_code, Hazard.level, Hazard.dynamic_add),
        "money": select(Hazard.jurisdiction_code, Hazard.level, Hazard.dynamic_add, FundingEntry.kind,
                        FundingEntry.source, func.sum(FundingEntry.amount))
        .join(Hazard, Hazard.id == FundingEntry.hazard_id)
        .where(*c["scope"], FundingEntry.entry_date.between(period.start, period.end))
        .group_by(Hazard.jurisdiction_code, Hazard.level, Hazard.dynamic_add, FundingEntry.kind, FundingEntry.source),
        "categories": select(hazard_categories.c.category_id, *_count_columns(c, period, as_of))
        .join(Hazard, Hazard.id == hazard_categories.c.hazard_id)
        .where(*c["scope"]).group_by(hazard_categories.c.category_id),
        "road_classes": select(
            Hazard.road_class, func.count(Hazard.id), func.count(distinct(road_key)),
            func.coalesce(func.sum(case((Hazard.end_m.is_not(None), Hazard.end_m - Hazard.start_m), else_=0)), 0),
        ).where(*c["scope"], c["completed"]).group_by(Hazard.road_class),
        "overdue": select(Hazard.code, Hazard.title, Hazard.level, Hazard.jurisdiction_code, Jurisdiction.name,
                          Organization.name, Hazard.deadline, Hazard.batch_year, Hazard.dynamic_add, lon, lat)
        .join(Jurisdiction, Jurisdiction.code == Hazard.jurisdiction_code)
        .outerjoin(Organization, Organization.id == Hazard.responsible_unit_id)
        .where(*c["scope"], c["overdue"]).order_by(Hazard.deadline, Hazard.code).limit(limit),
    }


# ---- assembling the report ---------------------------------------------------------------------

def build_report(session: Session, jurisdiction_code: str, period: Period, level=None, today: date | None = None,
                 min_rank: int = 5, *, with_map: bool = True, category: str | None = None,
                 with_supervision: bool = True, with_trend: bool = False,
                 with_previous: bool = True, with_effect: bool = True,
                 effect_rule: EffectRule | None = None) -> CompletionReport:
    """The completion report of a division for a period, optionally for one supervision level (and, for
    the map's shading, one hazard category by its code); with the same report for the previous period
    beside it (`previous`) unless `with_previous` is false. `with_trend` adds the multi-year trend (a
    report for each batch year: for the page and the PDF)."""
    code = check_code(jurisdiction_code)
    place = session.get(Jurisdiction, code)
    if place is None:
        raise ReportError(N_("No division has the code %(code)s."), {"code": code})
    level_key, levels = resolve_level(level)
    today = today or clock.today()
    as_of = min(period.end, today)  # overdue is judged at the period end, or today while it runs
    statements = report_statements(session, code, period, levels, as_of, category=category)

    buckets = {key: LevelRow(key, zh, en) for key, zh, en in BUCKETS}
    units = _units(session, place)
    parents = dict(session.execute(select(Jurisdiction.code, Jurisdiction.parent_code)
                                   .where(within_clause(Jurisdiction.code, code))).all())
    overdue_count = 0
    for division, lv, dynamic, *numbers, overdue_any_batch in session.execute(statements["counts"]):
        overdue_count += int(overdue_any_batch or 0)
        counts = _counts(numbers)
        for key in _bucket_keys(lv, bool(dynamic)):
            buckets[key].counts.add(counts)
        unit = _unit_for(division, code, parents, units)
        (unit.dynamic if dynamic else unit.annual).add(counts)
    for division, lv, dynamic, kind, source, amount in session.execute(statements["money"]):
        yuan = Decimal(amount or 0).quantize(CENT)
        for key in _bucket_keys(lv, bool(dynamic)):
            buckets[key].money.put(kind, source, yuan)
        _unit_for(division, code, parents, units).money.put(kind, source, yuan)

    overdue = [
        OverdueItem(hcode, title, lv, jcode, jname, unit or "", deadline, days_past_deadline(deadline, as_of), batch,
                    bool(dynamic), _float(x), _float(y))
        for hcode, title, lv, jcode, jname, unit, deadline, batch, dynamic, x, y in session.execute(statements["overdue"])
    ]
    unit_rows = _ranked([u for u in units.values() if not u.own or _has_anything(u)], min_rank)
    report = CompletionReport(
        jurisdiction_code=code, jurisdiction_name=place.name, jurisdiction_name_en=place.name_en or place.name,
        jurisdiction_level=place.level, period=period, level_filter=level_key, today=today, as_of=as_of,
        min_rank=min_rank, levels=list(buckets.values()), units=unit_rows,
        categories=_categories(session, statements["categories"]),
        road_classes=[RoadClassRow(rc, int(n), int(roads), int(metres or 0))
                      for rc, n, roads, metres in session.execute(statements["road_classes"])],
        overdue=overdue, overdue_count=overdue_count,
        boundaries=_boundaries(session, place, units) if with_map else [],
    )
    _add_supervision_and_trend(session, report, with_supervision=with_supervision, with_trend=with_trend,
                               category=category)
    if with_effect:
        c = _conditions(code, period, levels, as_of, category)
        report.effect = build_effect(session, [*c["scope"], c["completed"]], effect_rule or configured_rule(), today)
    if with_previous:
        report.previous = _previous(session, report, level, category)
    return report


def _add_supervision_and_trend(session: Session, report: CompletionReport, *, with_supervision: bool,
                               with_trend: bool, category: str | None) -> None:
    """The supervision work and the multi-year trend, over the report's own scope."""
    _key, levels = resolve_level(report.level_filter)
    scope = _conditions(report.jurisdiction_code, report.period, levels, report.as_of, category)["scope"]
    if with_supervision:
        report.supervision = count_supervision(session, scope, report.period)
    if with_trend:
        report.trend = build_trend(session, report, scope, category=category)


def _previous(session: Session, report: CompletionReport, level, category: str | None) -> CompletionReport | None:
    """The same report for the previous period, built by `build_report` (one definition of every number);
    None when there is no previous period or the ledger does not hold it (see `has_data`)."""
    before = previous_period(report.period, report.today)
    if before is None:
        return None
    previous = build_report(session, report.jurisdiction_code, before, level, today=report.today,
                            min_rank=report.min_rank, with_map=False, category=category, with_supervision=False,
                            with_previous=False, with_effect=False)
    return previous if has_data(previous) else None


def has_data(report: CompletionReport) -> bool:
    """Whether the ledger holds the report's period: hazards on its list. A period whose list is empty is
    before the ledger began (or only partly imported: a few closures, some money); compared with it, this
    period would read as growth from next to nothing ("增长3875%"), so it is not compared with at all."""
    return bool(report.total.counts.total)


def _counts(numbers) -> Counts:
    completed, *list_numbers = numbers
    return rules.counts_from(*list_numbers, completed=completed)


def _bucket_keys(level: L, dynamic: bool) -> list[str]:
    if dynamic:
        return ["dynamic", "total"]
    keys = [level.value, "annual", "total"]
    if level in (L.MINISTRY, L.PROVINCE):
        keys.append("ministry_province")
    return keys


def _units(session: Session, place: Jurisdiction) -> dict[str, UnitRow]:
    rows = session.execute(select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.name_en)
                           .where(Jurisdiction.parent_code == place.code).order_by(Jurisdiction.code)).all()
    units = {c: UnitRow(c, n, en or n) for c, n, en in rows}
    units[place.code] = UnitRow(place.code, f"{place.name}本级", f"{place.name_en or place.name} (own)", own=True)
    return units


def _unit_for(division: str, code: str, parents: dict, units: dict[str, UnitRow]) -> UnitRow:
    """The subordinate unit a hazard's division rolls up to (walking the tree, as not every child's
    code follows the parent's prefix pattern); hazards filed at the report division itself are 本级."""
    node = division
    while node is not None and node != code:
        if parents.get(node) == code:
            return units[node]
        node = parents.get(node)
    return units[code]


def _has_anything(unit: UnitRow) -> bool:
    return bool(unit.all.total or unit.all.completed or unit.all.overdue or unit.money.amounts)


def _ranked(units: list[UnitRow], min_rank: int) -> list[UnitRow]:
    """Rank units on the annual list's rate; a unit with fewer than `min_rank` listed hazards is not ranked.
    Equal rates share a rank (1, 2, 2, 4)."""
    eligible = sorted((u for u in units if not u.own and u.annual.total >= max(min_rank, 1)),
                      key=lambda u: (-u.annual.rate, u.code))
    for position, unit in enumerate(eligible, start=1):
        previous = eligible[position - 2] if position > 1 else None
        unit.rank = previous.rank if previous and previous.annual.rate == unit.annual.rate else position
    others = sorted((u for u in units if u.rank is None), key=lambda u: (u.own, u.code))
    return eligible + others


def _categories(session: Session, statement: Select) -> list[CategoryRow]:
    terms = {cid: (code, zh, en) for cid, code, zh, en in session.execute(
        select(Category.id, Category.code, Category.name_zh, Category.name_en).order_by(Category.sort_order))}
    found = {cid: _counts(numbers) for cid, *numbers in session.execute(statement)}
    return [CategoryRow(code, zh, en, found[cid]) for cid, (code, zh, en) in terms.items() if cid in found]


def _boundaries(session: Session, place: Jurisdiction, units: dict[str, UnitRow]) -> list[Boundary]:
    """Subordinate boundaries for the map (the division's own outline when it has none); may be empty."""
    dialect = session.get_bind().dialect.name
    boundary = Jurisdiction.__table__.c.boundary
    codes = [c for c, u in units.items() if not u.own]

    def fetch(wanted: list[str]) -> list[Boundary]:
        rows = session.execute(select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.name_en,
                                      spatial.as_geojson(display_boundary(), dialect, 5))
                               .where(Jurisdiction.code.in_(wanted), boundary.is_not(None))
                               .order_by(Jurisdiction.code)).all()
        return [Boundary(c, n, en or n, shape(json.loads(g))) for c, n, en, g in rows]

    shapes = fetch(codes) if codes else []
    return shapes or fetch([place.code])


def _float(value) -> float | None:
    return None if value is None else float(value)
