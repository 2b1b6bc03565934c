"""A hazard before it is written: typed values, and the cross-field rules every entry path obeys.

Forms, the import and the demo all build `HazardDraft`s; `check_draft` is the one place the
rules that span fields or need reference data are enforced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from shapely.geometry.base import BaseGeometry

from hazards.domain.enums import (
    CoordinateInput,
    Direction,
    FundingKind,
    FundingSource,
    RiskGrade,
    RoadClass,
    Source,
    Status,
    SupervisionLevel,
)
from hazards.domain.errors import N_, InvalidInput, render_english

# The batch years the ledger holds (the hazards table's ck_hazards_batch_year_range); a draft whose
# year defaults to an old discovery date must be refused here, not by the constraint at commit.
BATCH_YEARS = range(2000, 2101)
# Statuses that only make sense once a hazard is listed for supervision.
_NEEDS_DEADLINE = {Status.LISTED}


@dataclass
class HazardDraft:
    title: str
    jurisdiction_code: str
    batch_year: int
    found_on: date
    geometry: BaseGeometry
    code: str | None = None
    description: str | None = None
    source: Source = Source.PATROL
    dynamic_add: bool = False
    route_code: str | None = None
    road_name: str | None = None
    road_class: RoadClass | None = None
    direction: Direction | None = None
    start_m: int | None = None
    end_m: int | None = None
    coordinate_input: CoordinateInput = CoordinateInput.WGS84
    place: str | None = None
    category_codes: list[str] = field(default_factory=list)
    crash_prone: bool = False
    crash_count: int = 0
    death_count: int = 0
    risk_grade: RiskGrade | None = None
    school_zone: bool = False
    level: SupervisionLevel = SupervisionLevel.NONE
    supervising_body: str | None = None
    document_no: str | None = None
    listed_on: date | None = None
    deadline: date | None = None
    responsible_unit: str | None = None
    responsible_person: str | None = None
    responsible_contact: str | None = None
    plan_text: str | None = None
    measure_codes: list[str] = field(default_factory=list)
    measures_text: str | None = None
    temporary_controls: str | None = None
    planned_start: date | None = None
    planned_end: date | None = None
    status: Status = Status.REPORTED
    completed_on: date | None = None
    closure_requested_on: date | None = None
    accepted_on: date | None = None
    acceptance_note: str | None = None
    closed_on: date | None = None
    # The money a hazard arrives with (a historic ledger's totals), in yuan: written as its first
    # funding lines, from one source and dated `funding_date`, else the closing or the found date.
    budget: Decimal | None = None
    spent: Decimal | None = None
    funding_source: FundingSource | None = None
    funding_date: date | None = None


@dataclass(frozen=True)
class OpeningLine:
    """A funding line a new hazard is registered with."""

    kind: FundingKind
    source: FundingSource
    amount: Decimal
    entry_date: date


def opening_funding(draft: HazardDraft) -> list[OpeningLine]:
    """The budget and spending lines a draft brings (none for an empty or zero amount); money whose
    source is not given is counted as 其他 (other)."""
    source = draft.funding_source or FundingSource.OTHER
    on = draft.funding_date or draft.closed_on or draft.found_on
    return [OpeningLine(kind, source, amount, on)
            for kind, amount in ((FundingKind.BUDGET, draft.budget), (FundingKind.SPENDING, draft.spent))
            if amount]


def section_in_order(start_m: int | None, end_m: int | None,
                     direction: Direction | None) -> tuple[int | None, int | None, Direction | None]:
    """A section given high stake first is the down carriageway (下行): kept low stake first, with that
    direction unless another was given."""
    if start_m is not None and end_m is not None and end_m < start_m:
        return end_m, start_m, direction or Direction.DOWN
    return start_m, end_m, direction


@dataclass(frozen=True)
class FieldProblem:
    """One rule a field breaks: the field's name and a message template (N_) with its params."""

    field: str
    template: str
    params: Mapping = field(default_factory=dict)

    @property
    def message(self) -> str:
        return render_english(self.template, self.params)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class DraftRejected(InvalidInput):
    """A draft that breaks rules; `problems` lists them, and each field's message is translatable."""

    def __init__(self, problems: list[FieldProblem]):
        self.problems = problems
        super().__init__(N_("Please correct: %(problems)s"), {"problems": tuple(problems)},
                         fields={p.field: p.message for p in problems},
                         field_messages={p.field: (p.template, p.params) for p in problems})


class KnownValues(Protocol):
    """What the rules need to know of the ledger's reference data (loaded by services.reference)."""

    jurisdictions: set[str]
    category_ids: dict[str, int]
    measure_ids: dict[str, int]


def check_draft(draft: HazardDraft, ref: KnownValues) -> list[FieldProblem]:
    """Every rule a single field cannot check alone. Empty list = the draft may be written."""
    problems: list[FieldProblem] = []

    def problem(name: str, template: str, params: Mapping | None = None) -> None:
        problems.append(FieldProblem(name, template, dict(params or {})))

    if not draft.title or not draft.title.strip():
        problem("title", N_("a title is required"))
    if draft.batch_year not in BATCH_YEARS:
        problem("batch_year", N_("the batch year must be from %(first)s to %(last)s"),
                {"first": BATCH_YEARS[0], "last": BATCH_YEARS[-1]})
    if draft.jurisdiction_code not in ref.jurisdictions:
        problem("jurisdiction_code", N_("no jurisdiction with code '%(code)s'"), {"code": draft.jurisdiction_code})
    for code in draft.category_codes:
        if code not in ref.category_ids:
            problem("categories", N_("unknown category '%(code)s'"), {"code": code})
    for code in draft.measure_codes:
        if code not in ref.measure_ids:
            problem("measures", N_("unknown measure '%(code)s'"), {"code": code})
    if draft.end_m is not None and draft.start_m is None:
        problem("start_stake", N_("a section's end stake needs a start stake"))
    if draft.start_m is not None and draft.end_m is not None and draft.end_m < draft.start_m:
        problem("end_stake", N_("the end stake is before the start stake"))
    if draft.geometry.geom_type == "LineString" and draft.end_m is None and draft.start_m is not None:
        problem("end_stake", N_("a road section (line geometry) needs an end stake"))
    if draft.crash_count < 0 or draft.death_count < 0:
        problem("crash_count", N_("crash and death counts cannot be negative"))
    if draft.death_count and not draft.crash_count:
        problem("crash_count", N_("deaths are recorded but no crash"))
    if draft.level is SupervisionLevel.NONE and (draft.document_no or draft.listed_on):
        problem("level", N_("a document number or listing date needs a supervision level"))
    if draft.status in _NEEDS_DEADLINE and draft.deadline is None:
        problem("deadline", N_("a hazard listed for supervision needs a deadline"))
    if draft.listed_on and draft.deadline and draft.deadline < draft.listed_on:
        problem("deadline", N_("the deadline is before the listing date"))
    if draft.found_on and draft.listed_on and draft.listed_on < draft.found_on:
        problem("listed_on", N_("listed before it was found"))
    if draft.status is Status.CLOSED and draft.closed_on is None:
        problem("closed_on", N_("a closed hazard needs its closing date"))
    if draft.closed_on and draft.status is not Status.CLOSED:
        problem("closed_on", N_("a closing date is given but the status is not closed"))
    if draft.closed_on and draft.found_on and draft.closed_on < draft.found_on:
        problem("closed_on", N_("closed before it was found"))
    if draft.planned_start and draft.planned_end and draft.planned_end < draft.planned_start:
        problem("planned_end", N_("the planned end is before the planned start"))
    for name in ("budget", "spent"):
        amount = getattr(draft, name)
        if amount is not None and (not isinstance(amount, Decimal) or amount < 0):
            problem(name, N_("an amount of money is a Decimal of at least zero"))
    return problems
