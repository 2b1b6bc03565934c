"""How one demo hazard lived: its dated status trail, level and deadline history, money and events.

The year of a batch (批次) runs like this in the reports: the survey (排查) from mid-October of the
year before closes on 1 March (`list_fixed_on`); supervising bodies issue their lists in March,
ministry and province first; deadlines fall in the autumn or at year end. A hazard found after
1 March is a dynamic addition (动态新增). Each hazard is walked forward step by step with realistic
delays and stops at the stage it was meant to reach, or earlier when the next step would fall after
`today`: so any `today` gives a ledger that is consistent as of that day.
"""

from __future__ import annotations

import calendar
import random
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from hazards.demo import text
from hazards.demo.places import CITY_CODE, COUNTY_BY_CODE, PROVINCE_CODE
from hazards.domain.reminder_rules import DEFAULT_ESCALATE_AFTER_DAYS as ESCALATE_AFTER_DAYS
from hazards.domain.reminder_rules import LEVEL_ABOVE
from hazards.domain.enums import EventKind, ExtensionState, FundingKind, FundingSource, Status, SupervisionLevel

Actor = tuple[str, str]  # (role, division): resolved to a demo user when written
L = SupervisionLevel
HUNDRED = Decimal(100)

# The furthest stage a hazard may reach, in order.
STAGES = [Status.REPORTED, Status.VERIFIED, Status.LISTED, Status.PLAN_APPROVED, Status.IN_REMEDIATION,
          Status.CLOSURE_REQUESTED, Status.CLOSED]


def list_fixed_on(year: int) -> date:
    """The day a batch's list is fixed; hazards found later are dynamic additions."""
    return date(year, 3, 1)


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


@dataclass
class Step:
    action: str
    from_status: Status | None
    to_status: Status
    on: date
    actor: Actor
    note: str | None = None


@dataclass
class Change:
    """A level or deadline change: from, to, when, who, why."""

    old: object
    new: object
    on: date
    actor: Actor
    note: str | None = None


@dataclass
class Extension:
    requested_on: date
    requested_deadline: date
    reason: str
    state: ExtensionState
    decided_on: date | None  # None while pending
    requester: Actor
    decider: Actor


@dataclass
class MoneyLine:
    kind: FundingKind
    source: FundingSource
    amount: Decimal
    on: date
    actor: Actor
    note: str | None = None


@dataclass
class Event:
    kind: EventKind
    on: date
    note: str
    actor: Actor
    document_no: str | None = None


@dataclass
class Facts:
    """What was decided about a hazard before its life is walked."""

    year: int
    county: str
    found_on: date
    dynamic: bool
    fate: str  # listed | assigned | rejected | fix_on_spot | merged
    level: SupervisionLevel  # the level it is listed at (if it gets listed)
    escalate: bool  # listed at county level first, raised to city later
    target: Status  # the furthest stage it is meant to reach
    budget: Decimal  # total plan budget in yuan
    measures_text: str


@dataclass
class Lifecycle:
    status: Status = Status.REPORTED
    level: SupervisionLevel = L.NONE
    steps: list[Step] = field(default_factory=list)
    levels: list[Change] = field(default_factory=list)
    deadlines: list[Change] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    funding: list[MoneyLine] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    document_no: str | None = None
    listed_on: date | None = None
    deadline: date | None = None
    has_plan: bool = False
    planned_start: date | None = None
    planned_end: date | None = None
    completed_on: date | None = None
    closure_requested_on: date | None = None
    accepted_on: date | None = None
    closed_on: date | None = None
    acceptance_note: str | None = None
    accepted_by: Actor | None = None
    escalated_on: date | None = None  # the overdue reminders told the level above (ESCALATE_AFTER_DAYS)

    def go(self, action: str, to: Status, on: date, actor: Actor, note: str | None = None) -> None:
        self.steps.append(Step(action, self.status, to, on, actor, note))
        self.status = to


def document_number(level: SupervisionLevel, county: str, year: int, key: str) -> str:
    """A supervising body's document number, e.g. 忻安办〔2024〕15号; one per list issued."""
    # A stable number per (body, year, list): crc32 is deterministic across runs, unlike hash().
    n = 3 + zlib.crc32(f"doc:{level}:{county}:{year}:{key}".encode()) % 66
    if level is L.MINISTRY:
        return f"安委办函〔{year}〕{n}号"
    if level is L.PROVINCE:
        return f"晋安办发〔{year}〕{n}号"
    if level is L.CITY:
        return f"忻安办〔{year}〕{n}号"
    if county_by_government(county):
        return f"{COUNTY_BY_CODE[county].short}政办发〔{year}〕{n}号"
    return f"{COUNTY_BY_CODE[county].short}道安办〔{year}〕{n}号"


def county_by_government(county: str) -> bool:
    """Some counties list hazards through the county government, the others through their 道安委."""
    return int(county) % 3 == 0


def decider(level: SupervisionLevel, county: str) -> Actor:
    """Who lists, approves and accepts at a level (ministry items are entered by the province)."""
    if level in (L.MINISTRY, L.PROVINCE):
        return ("supervisor", PROVINCE_CODE)
    if level is L.CITY:
        return ("supervisor", CITY_CODE)
    return ("supervisor", county)


def _annual_listing_date(level: SupervisionLevel, county: str, year: int) -> date:
    day = {L.MINISTRY: 8, L.PROVINCE: 15, L.CITY: 22}.get(level, 25 + int(county[-2:]) % 9)
    return date(year, 3, 1) + timedelta(days=day - 1)


def _deadline(rng: random.Random, level: SupervisionLevel, listed_on: date, dynamic: bool) -> date:
    year_end = date(listed_on.year, 12, 31)
    if dynamic or level is L.COUNTY:
        d = month_end(add_months(listed_on, rng.randint(2, 5) if dynamic else rng.randint(3, 8)))
    elif level is L.CITY:
        d = month_end(date(listed_on.year, rng.choice((9, 10, 11)), 1))
    else:
        d = rng.choice((date(listed_on.year, 11, 30), year_end))
    d = min(d, year_end)
    return d if d >= listed_on + timedelta(days=30) else month_end(listed_on + timedelta(days=45))


def _days(rng: random.Random, lo: int, hi: int) -> timedelta:
    return timedelta(days=rng.randint(lo, hi))


def walk(rng: random.Random, f: Facts, today: date) -> Lifecycle:
    """Walk the hazard from its report to its target stage, never past `today`."""
    life = Lifecycle()
    county_sup, inspector = ("supervisor", f.county), ("inspector", f.county)
    reach = STAGES.index(f.target)
    if f.fate == "rejected":
        on = min(f.found_on + _days(rng, 3, 20), today)
        if rng.random() < 0.3 and on > f.found_on + timedelta(days=2):
            life.go("verify", Status.VERIFIED, f.found_on + timedelta(days=2), county_sup)
        life.go("reject", Status.REJECTED, on, county_sup, rng.choice(text.REJECT_REASONS))
        return life
    if f.fate == "fix_on_spot":
        on = min(f.found_on + _days(rng, 0, 2), today)
        note = rng.choice(text.FIX_ON_SPOT_NOTES)
        life.go("fix_on_spot", Status.CLOSED, on, inspector, note)
        life.completed_on = life.closure_requested_on = life.accepted_on = life.closed_on = on
        life.acceptance_note, life.accepted_by = note, inspector
        return life
    if f.fate == "merged":
        return life  # the merge step is added once the original's code is known

    verified = f.found_on + _days(rng, 2, 12)
    if not f.dynamic:
        verified = max(f.found_on, min(verified, list_fixed_on(f.year) - timedelta(days=1)))
    if reach < 1 or verified > today:
        return life
    life.go("verify", Status.VERIFIED, verified, county_sup)
    if reach < 2:
        return life

    if f.fate == "assigned":
        start = verified + _days(rng, 3, 15)
        if start > today:
            return life
        life.deadline = month_end(add_months(start, rng.randint(2, 4)))
        life.go("assign", Status.ASSIGNED, start, county_sup, "交责任单位限期整改")
        life.deadlines.append(Change(None, life.deadline, start, county_sup, "交办"))
        lister = county_sup
    else:
        first_level = L.COUNTY if f.escalate else f.level
        if f.dynamic:
            start = verified + _days(rng, 5, 25)
            key = f"dyn{start.month}"
        else:
            start, key = max(_annual_listing_date(first_level, f.county, f.year), verified), "annual"
        if start > today:
            return life
        lister = decider(first_level, f.county)
        life.level, life.listed_on = first_level, start
        life.document_no = document_number(first_level, f.county, f.year, key)
        life.deadline = _deadline(rng, first_level, start, f.dynamic)
        word = "动态新增" if f.dynamic else f"{f.year}年度"
        life.go("list", Status.LISTED, start, lister, f"列入{word}{text_level(first_level)}挂牌督办，{life.document_no}")
        life.levels.append(Change(L.NONE, first_level, start, lister, life.document_no))
        life.deadlines.append(Change(None, life.deadline, start, lister, life.document_no))
        if f.escalate:
            raised = start + _days(rng, 10, 30)
            if raised <= today:
                lister = decider(L.CITY, f.county)
                life.level, life.document_no = L.CITY, document_number(L.CITY, f.county, f.year, f"up{raised.month}")
                life.levels.append(Change(L.COUNTY, L.CITY, raised, lister, rng.choice(text.ESCALATION_NOTES)))
                start = raised
    if reach < 3:
        return life

    approved = start + _days(rng, 10, 35)
    if approved > today:
        return life
    life.has_plan = True
    life.planned_start = approved + _days(rng, 3, 20)
    life.planned_end = max(life.deadline - _days(rng, 0, 20), life.planned_start + timedelta(days=20))
    life.go("approve_plan", Status.PLAN_APPROVED, approved, lister, "一点一策治理方案经审定通过")
    allocations = _budget(rng, life, f, approved, lister)
    if reach < 4 or life.planned_start > today:
        return life

    works = life.planned_start
    life.go("start_works", Status.IN_REMEDIATION, works, inspector, "施工单位进场施工")
    closed, requested, completed = _closing_dates(rng, life.deadline, works)
    _maybe_extend(rng, life, f, closed, today, inspector, lister)
    if reach < 5 or requested > today:
        _progress(rng, life, f, works, today, allocations, inspector, lister)
        return life
    if rng.random() < 0.06 and requested - works > timedelta(days=40):
        first = requested - _days(rng, 15, 25)
        life.go("request_closure", Status.CLOSURE_REQUESTED, first, inspector, "工程完工，申请验收销号")
        life.go("refuse_acceptance", Status.IN_REMEDIATION, first + _days(rng, 2, 4), lister,
                rng.choice(text.REFUSE_REASONS))
    life.completed_on, life.closure_requested_on = completed, requested
    life.go("request_closure", Status.CLOSURE_REQUESTED, requested, inspector, "工程完工，申请验收销号")
    _spend(rng, life, works, min(completed, today), allocations, inspector, lister, Decimal("0.88"))
    if reach < 6 or closed > today:
        return life
    life.acceptance_note = text.acceptance_note(f.measures_text)
    life.accepted_on = life.closed_on = closed
    life.accepted_by = lister
    life.go("accept", Status.CLOSED, closed, lister, life.acceptance_note)
    if f.year < today.year and rng.random() < 0.15:
        look = closed + _days(rng, 60, 200)
        if look <= today:
            life.events.append(Event(EventKind.LOOKBACK, look, rng.choice(text.LOOKBACK_NOTES), lister))
            if rng.random() < 0.25:
                _reopen_after_lookback(rng, life, look, today, inspector, lister)
    return life


def _reopen_after_lookback(rng, life: Lifecycle, look: date, today: date, inspector: Actor, lister: Actor) -> None:
    """The look-back found the problem back (重新整改): reopened that day and closed again once mended,
    when both fall before today."""
    done = look + _days(rng, 20, 45)
    closed = done + _days(rng, 5, 15)
    if closed > today:
        return
    life.go("reopen", Status.IN_REMEDIATION, look, lister, rng.choice(text.REOPEN_REASONS))
    life.go("request_closure", Status.CLOSURE_REQUESTED, done, inspector, "重新整改完毕，申请验收销号")
    life.go("accept", Status.CLOSED, closed, lister, "重新整改经现场复验合格，同意销号")
    life.completed_on = life.closure_requested_on = done
    life.accepted_on = life.closed_on = closed


def text_level(level: SupervisionLevel) -> str:
    return {L.MINISTRY: "部级", L.PROVINCE: "省级", L.CITY: "市级", L.COUNTY: "县级"}.get(level, "")


def _closing_dates(rng: random.Random, deadline: date, works: date) -> tuple[date, date, date]:
    """(closed, closure requested, works completed): ahead of the deadline for many, late for some."""
    roll = rng.random()
    if roll < 0.45:
        closed = deadline - _days(rng, 15, 75)  # 提前完成
    elif roll < 0.8:
        closed = deadline - _days(rng, 0, 14)
    else:
        closed = deadline + _days(rng, 3, 60)
    requested = closed - _days(rng, 1, 5)  # acceptance within a few days of the request
    completed = requested - _days(rng, 0, 6)
    if completed < works + timedelta(days=12):
        completed = works + _days(rng, 12, 30)
        requested = completed + _days(rng, 0, 4)
        closed = requested + _days(rng, 1, 5)
    return closed, requested, completed


def _maybe_extend(rng, life: Lifecycle, f: Facts, closed: date, today: date, inspector: Actor, decider_: Actor):
    """延期: units that cannot finish by the deadline ask for more time; most requests are granted."""
    late = closed > life.deadline or (f.target != Status.CLOSED and life.deadline < today)
    if not late or rng.random() > 0.35:
        return
    asked_on = life.deadline - _days(rng, 5, 20)
    if asked_on > today or asked_on <= (life.listed_on or asked_on - timedelta(days=1)):
        return
    wanted = month_end(max(closed, life.deadline) + _days(rng, 30, 120))
    decided = asked_on + _days(rng, 2, 7)
    if decided > today:
        state = ExtensionState.PENDING
    else:
        state = ExtensionState.GRANTED if rng.random() < 0.75 else ExtensionState.REFUSED
    life.extensions.append(Extension(asked_on, wanted, rng.choice(text.EXTENSION_REASONS), state,
                                     decided if decided <= today else None, inspector, decider_))
    if state is ExtensionState.GRANTED:
        life.deadlines.append(Change(life.deadline, wanted, decided, decider_, "同意延期"))
        life.deadline = wanted


def _progress(rng, life: Lifecycle, f: Facts, works: date, today: date, allocations, inspector, lister) -> None:
    """An open hazard in works: a progress note, part of the money spent, notices if overdue."""
    if today > works + timedelta(days=7):
        on = works + timedelta(days=rng.randint(5, max(6, (today - works).days)))
        note = rng.choice(text.PROGRESS_NOTES).format(pct=rng.randrange(20, 90, 10))
        life.events.append(Event(EventKind.PROGRESS, min(on, today), note, inspector))
        _spend(rng, life, works, today, allocations, inspector, lister, Decimal("0.2"), Decimal("0.7"))
    if life.deadline and life.deadline < today:
        notice = life.deadline + _days(rng, 7, 20)
        if notice <= today and rng.random() < 0.6:
            number = document_number(life.level, f.county, notice.year, f"notice{notice.month}")
            life.events.append(Event(EventKind.NOTICE, notice, "逾期未完成整改，予以通报", lister, number))
            summons = notice + _days(rng, 20, 40)
            if summons <= today and rng.random() < 0.5:
                life.events.append(Event(EventKind.SUMMONS, summons, "约谈责任单位主要负责人，督促限期完成", lister))
                blamed = summons + _days(rng, 30, 60)
                if blamed <= today and rng.random() < 0.4:
                    number = document_number(life.level, f.county, blamed.year, f"blame{blamed.month}")
                    life.events.append(Event(EventKind.ACCOUNTABILITY, blamed,
                                             "约谈后仍未完成整改，对责任单位相关负责人予以问责", lister, number))
    if life.deadline and life.level in LEVEL_ABOVE and life.deadline + timedelta(days=ESCALATE_AFTER_DAYS) <= today:
        # What the overdue reminder job would have recorded: told the supervisors one level up.
        life.escalated_on = life.deadline + timedelta(days=ESCALATE_AFTER_DAYS)


def _sources(level: SupervisionLevel) -> list[tuple[FundingSource, float]]:
    if level in (L.MINISTRY, L.PROVINCE):
        return [(FundingSource.CENTRAL, 0.5), (FundingSource.PROVINCE, 0.3), (FundingSource.COUNTY, 0.2)]
    if level is L.CITY:
        return [(FundingSource.CITY, 0.5), (FundingSource.COUNTY, 0.5)]
    if level is L.COUNTY:
        return [(FundingSource.COUNTY, 0.85), (FundingSource.OTHER, 0.15)]
    return [(FundingSource.COUNTY, 1.0)]


def _round_down(amount: Decimal) -> Decimal:
    return (amount / HUNDRED).quantize(Decimal(1), rounding=ROUND_DOWN) * HUNDRED


def _budget(rng, life: Lifecycle, f: Facts, approved: date, actor: Actor) -> list[tuple[FundingSource, Decimal]]:
    """Budget lines by source at plan approval, then what was allocated of each (never more)."""
    lines, left = [], f.budget
    sources = _sources(life.level)
    for i, (source, share) in enumerate(sources):
        amount = left if i == len(sources) - 1 else _round_down(f.budget * Decimal(str(share)))
        left -= amount
        if amount > 0:
            lines.append((source, amount))
            life.funding.append(MoneyLine(FundingKind.BUDGET, source, amount, approved, actor, "治理方案预算"))
    allocated_on = approved + _days(rng, 5, 40)
    allocations = []
    for source, amount in lines:
        share = Decimal(1) if rng.random() < 0.7 else Decimal(rng.randint(60, 99)) / 100
        allocations.append((source, _round_down(amount * share), allocated_on))
    return allocations


def _spend(rng, life: Lifecycle, start: date, until: date, allocations, inspector: Actor, lister: Actor,
           low: Decimal, high: Decimal = Decimal(1)) -> None:
    """Allocation lines (once) and spending payments between `start` and `until`, within what was allocated."""
    if until < start or any(line.kind is FundingKind.SPENDING for line in life.funding):
        return
    span = max(0, (until - start).days)
    for source, allocated, on in allocations:
        if allocated <= 0:
            continue
        on = min(max(on, start - timedelta(days=10)), until)
        life.funding.append(MoneyLine(FundingKind.ALLOCATION, source, allocated, on, lister, "资金下达"))
        share = low + (high - low) * Decimal(rng.randint(0, 100)) / 100
        total = _round_down(allocated * share)
        payments = 1 if total < 50_000 else rng.randint(1, 3)
        for k in range(payments):
            amount = total if k == payments - 1 else _round_down(total / payments)
            total -= amount
            paid_on = start + timedelta(days=span * (k + 1) // payments)
            if amount > 0:
                life.funding.append(MoneyLine(FundingKind.SPENDING, source, amount, paid_on, inspector,
                                              "工程进度款" if k < payments - 1 else "工程款"))
