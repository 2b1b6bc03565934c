"""Priority (轻重缓急): an open hazard's score for planning, as points per component, each with its reason,
so a supervisor can say why one hazard comes before another.

The components (each capped or fixed, so no single one drowns the rest):

- crashes (事故) and deaths (死亡) at the place: from the crash records within the identification
  period (`CRASH_PERIOD_MONTHS`, counted by `hazards.services.crash_history`), or the counts typed on
  the hazard when it was registered (`crash_count`, `death_count`), whichever is larger. The two are
  not added: the typed counts are usually the same crashes the records hold, so adding would count
  them twice; the larger never ignores crashes either source knows of.
- risk grade (风险等级: 重大/较大/一般), supervision level (督办级别: 部/省/市/县), school zone (学校周边);
- age (发现至今): points per full 30 days since the hazard was found, capped;
- overdue (逾期): past its deadline.

Closed, rejected and merged hazards get no score: there is nothing left to plan for them.
`hazards.queries.priority` states the same score as SQL for sorting; a test holds the two faces together.
docs/crashes.md ("Priority") explains it with a worked example.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache

from hazards.domain.completion import is_past_deadline
from hazards.domain.enums import RiskGrade, Status, SupervisionLevel
from hazards.domain.errors import N_

#: Days in a "month" of age: a fixed length, so the score is the same whichever month it is.
AGE_MONTH_DAYS = 30


@dataclass(frozen=True)
class PriorityWeights:
    """Points per component; this product's defaults (`PRIORITY_WEIGHTS` overrides any of them)."""

    crash: int = 2  # per crash at the place
    crash_cap: int = 20
    death: int = 8  # per death
    death_cap: int = 40
    risk_major: int = 30  # 重大
    risk_high: int = 15  # 较大
    risk_general: int = 5  # 一般
    level_ministry: int = 25
    level_province: int = 20
    level_city: int = 15
    level_county: int = 10
    school_zone: int = 15
    age_month: int = 1  # per full 30 days since found
    age_cap: int = 12
    overdue: int = 10

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"PRIORITY_WEIGHTS[{f.name!r}] must be a whole number of points, 0 or more")

    @classmethod
    def from_config(cls, config: Mapping) -> PriorityWeights:
        given = dict(config.get("PRIORITY_WEIGHTS") or {})
        unknown = sorted(set(given) - {f.name for f in fields(cls)})
        if unknown:
            raise ValueError(f"PRIORITY_WEIGHTS has unknown keys: {', '.join(unknown)}")
        return cls(**given)

    def risk(self, grade: RiskGrade | None) -> int:
        return (self.risk_major if grade == RiskGrade.MAJOR else self.risk_high if grade == RiskGrade.HIGH
                else self.risk_general if grade == RiskGrade.GENERAL else 0)

    def level(self, level: SupervisionLevel) -> int:
        return {SupervisionLevel.MINISTRY: self.level_ministry, SupervisionLevel.PROVINCE: self.level_province,
                SupervisionLevel.CITY: self.level_city, SupervisionLevel.COUNTY: self.level_county}.get(level, 0)

    def age_points(self, days: int) -> int:
        return min(self.age_cap, max(days, 0) // AGE_MONTH_DAYS * self.age_month)

    @property
    def age_months_to_cap(self) -> int:
        """Full months after which the age points stop growing (0 when age gives no points)."""
        return -(-self.age_cap // self.age_month) if self.age_month else 0


@dataclass(frozen=True)
class PriorityFacts:
    """What the score reads of a hazard (the model has these) and of its crash history (None: not counted yet)."""

    status: Status
    risk_grade: RiskGrade | None
    level: SupervisionLevel
    school_zone: bool
    found_on: date
    deadline: date | None
    crash_count: int  # typed when registered
    death_count: int
    recorded_crashes: int | None = None  # from the crash records, within the period
    recorded_deaths: int | None = None
    counted_from: date | None = None


@dataclass(frozen=True)
class Component:
    name: str  # crashes, deaths, risk_grade, level, school_zone, age, overdue
    points: int
    reason: str  # an N_ message template: translate, then fill with `params`
    params: dict


@dataclass(frozen=True)
class Priority:
    score: int
    components: tuple[Component, ...]


#: The components' names, in the order they are shown (the API's `priority.components[].name`).
COMPONENTS = ("crashes", "deaths", "risk_grade", "level", "school_zone", "age", "overdue")


#: Where a toll came from -> its reason, for crashes and for deaths (one whole sentence each, to translate).
_TOLL_REASONS = {
    ("crashes", "records"): N_("%(n)s crashes in the crash records since %(since)s (%(each)s points each, at most %(cap)s)"),
    ("crashes", "typed"): N_("%(n)s crashes as recorded on the hazard (%(each)s points each, at most %(cap)s)"),
    ("crashes", "none"): N_("no crashes recorded at the place"),
    ("deaths", "records"): N_("%(n)s deaths in the crash records since %(since)s (%(each)s points each, at most %(cap)s)"),
    ("deaths", "typed"): N_("%(n)s deaths as recorded on the hazard (%(each)s points each, at most %(cap)s)"),
    ("deaths", "none"): N_("no deaths recorded at the place"),
}


# The component builders are cached: their inputs take few values (a few levels and grades, crash
# counts, ages and days overdue in days), so a page of 50 hazards reuses objects built for earlier
# pages instead of building 350 new ones. A cached Component is shared: never modify its params.


@lru_cache(maxsize=4096)
def _toll(name: str, recorded: int, typed: int, each: int, cap: int, since: date | None) -> Component:
    """Crashes or deaths: the larger of the records' count and the typed one (module docstring)."""
    source = "records" if recorded and recorded >= typed else "typed" if typed else "none"
    n = recorded if source == "records" else typed
    return Component(name, min(cap, n * each), _TOLL_REASONS[(name, source)],
                     {"n": n, "each": each, "cap": cap, "since": since})


@lru_cache(maxsize=256)
def _risk(points: int, grade: RiskGrade | None) -> Component:
    return Component("risk_grade", points, N_("risk grade: %(grade)s") if grade else N_("no risk grade given"),
                     {"grade": grade})


@lru_cache(maxsize=256)
def _level(points: int, level: SupervisionLevel) -> Component:
    return Component("level", points, N_("supervision level: %(level)s"), {"level": level})


@lru_cache(maxsize=256)
def _school_zone(points: int, in_zone: bool) -> Component:
    return Component("school_zone", points, N_("in a school zone") if in_zone else N_("not in a school zone"), {})


@lru_cache(maxsize=8192)
def _age(points: int, days: int, each: int, cap: int) -> Component:
    return Component("age", points, N_("found %(days)s days ago (%(each)s points per 30 days, at most %(cap)s)"),
                     {"days": days, "each": each, "cap": cap})


@lru_cache(maxsize=8192)
def _overdue(points: int, days_past: int, deadline: date | None, overdue: bool) -> Component:
    return Component("overdue", points,
                     N_("%(days)s days past the deadline") if overdue
                     else N_("deadline %(deadline)s") if deadline else N_("no deadline set"),
                     {"days": days_past, "deadline": deadline})


def priority(facts: PriorityFacts, weights: PriorityWeights, today: date) -> Priority | None:
    """The score and its components, or None for a hazard that is no longer open."""
    if not facts.status.is_open:
        return None
    w = weights
    days = max((today - facts.found_on).days, 0)
    overdue = is_past_deadline(facts, today)
    parts = (
        _toll("crashes", facts.recorded_crashes or 0, facts.crash_count, w.crash, w.crash_cap, facts.counted_from),
        _toll("deaths", facts.recorded_deaths or 0, facts.death_count, w.death, w.death_cap, facts.counted_from),
        _risk(w.risk(facts.risk_grade), facts.risk_grade),
        _level(w.level(facts.level), facts.level),
        _school_zone(w.school_zone if facts.school_zone else 0, bool(facts.school_zone)),
        _age(w.age_points(days), days, w.age_month, w.age_cap),
        _overdue(w.overdue if overdue else 0, (today - facts.deadline).days if overdue else 0, facts.deadline, overdue),
    )
    return Priority(sum(p.points for p in parts), parts)


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day when it has no such day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
