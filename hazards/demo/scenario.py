"""The demo ledger as data, before anything is written: one `HazardPlan` per hazard.

Pure and deterministic: the same (count, seed, today, sequences) always gives the same plans, so
the tests can compare two runs without a database. Proportions follow the reports in the seeds: a
handful of ministry/province (部省级) items on trunk roads, more city, most county; the previous
year's batch mostly closed, the current year's mixed; about one in ten a dynamic addition.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from shapely.geometry import LineString, Point

from geo.stakes import format_stake
from hazards.demo import people, text
from hazards.demo.geography import DemoGeography, DemoRoad, point_at, section
from hazards.demo.lifecycle import Facts, Lifecycle, county_by_government, list_fixed_on, walk
from hazards.demo.places import COUNTY_BY_CODE, short_town
from hazards.domain.codes import format_code
from hazards.domain.drafts import HazardDraft
from hazards.domain.enums import Direction, FundingKind, RiskGrade, RoadClass, Source, Status, SupervisionLevel

L = SupervisionLevel
S = Status

# Which roads hazards are found on (share of all hazards), then by length within each group.
_POOL_WEIGHTS = {"trunk": 40, "expressway": 5, "X": 35, "Y": 12, "C": 8}
_LEVELS = {  # supervision level of a listed hazard, by the road it is on
    "trunk": [(L.MINISTRY, 6), (L.PROVINCE, 14), (L.CITY, 30), (L.COUNTY, 50)],
    "expressway": [(L.MINISTRY, 6), (L.PROVINCE, 14), (L.CITY, 30), (L.COUNTY, 50)],
    "X": [(L.MINISTRY, 1), (L.PROVINCE, 4), (L.CITY, 15), (L.COUNTY, 80)],
    "Y": [(L.CITY, 5), (L.COUNTY, 95)],
    "C": [(L.CITY, 5), (L.COUNTY, 95)],
}
# How far a hazard would get, by batch. Most are meant to be closed: where the current batch stands
# then follows from `today` (a step not yet due is not taken). The rest stall, and once their
# deadline passes they are the overdue items (逾期) every report lists; the newest reports have
# not been verified yet.
_TARGETS = {
    "previous": [(S.CLOSED, 90), (S.CLOSURE_REQUESTED, 3), (S.IN_REMEDIATION, 5), (S.PLAN_APPROVED, 1), (S.LISTED, 1)],
    "current": [(S.CLOSED, 76), (S.CLOSURE_REQUESTED, 3), (S.IN_REMEDIATION, 5), (S.PLAN_APPROVED, 3),
                (S.LISTED, 3), (S.VERIFIED, 5), (S.REPORTED, 5)],
}
_FATES = [("listed", 79), ("assigned", 13), ("rejected", 5), ("fix_on_spot", 3)]
# The first hazards (of the previous batch) cover every level and the rarer outcomes whatever the
# count, so a small demo still shows them all: (fate, level, furthest stage).
_FORCED = [("listed", L.MINISTRY, S.CLOSED), ("listed", L.PROVINCE, S.IN_REMEDIATION), ("listed", L.CITY, S.CLOSED),
           ("listed", L.COUNTY, S.CLOSED), ("assigned", L.NONE, S.LISTED), ("listed", L.COUNTY, S.CLOSURE_REQUESTED)]
_CRASH_PRONE = {L.MINISTRY: 0.85, L.PROVINCE: 0.75, L.CITY: 0.4, L.COUNTY: 0.12, L.NONE: 0.04}
_DEATHS = {L.MINISTRY: (3, 8), L.PROVINCE: (2, 5), L.CITY: (1, 3), L.COUNTY: (0, 2), L.NONE: (0, 1)}
# Cost of a measure in yuan (low, high); guardrails are priced by the metre instead.
_MEASURE_COST = {
    "signs_markings": (20_000, 100_000), "warning_devices": (20_000, 120_000), "five_small": (15_000, 50_000),
    "alignment": (600_000, 2_600_000), "slope_roadside": (150_000, 800_000), "junction_works": (100_000, 600_000),
    "speed_camera": (180_000, 450_000), "signal_timing": (5_000, 30_000), "lighting": (60_000, 400_000),
    "other": (30_000, 300_000),
}
MIN_BUDGET, MAX_BUDGET = 20_000, 3_000_000  # 2万 to 300万 yuan per hazard
POINT_SHARE = 0.7
DYNAMIC_SHARE = 0.05  # of listed and assigned hazards, on top of recent reports found after the list


@dataclass
class HazardPlan:
    draft: HazardDraft
    life: Lifecycle
    road: DemoRoad
    merged_into: int | None = None  # index of the original hazard in the plan list
    merge_on: date | None = None


def _weighted(rng: random.Random, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _pool_of(road: DemoRoad) -> str:
    if road.expressway:
        return "expressway"
    return "trunk" if road.road_class in (RoadClass.NATIONAL, RoadClass.PROVINCIAL) else road.route_code[0]


def _pick_road(rng: random.Random, geo: DemoGeography, pool: str | None = None) -> DemoRoad:
    pool = pool or _weighted(rng, list(_POOL_WEIGHTS.items()))
    roads, weights = _pools(geo)[pool]
    return rng.choices(roads, cum_weights=weights)[0]


_POOL_CACHE: dict[int, dict] = {}


def _pools(geo: DemoGeography) -> dict[str, tuple[list[DemoRoad], list[float]]]:
    """Roads of each pool with cumulative length weights, computed once per geography."""
    if id(geo) not in _POOL_CACHE:
        pools = {}
        for pool in _POOL_WEIGHTS:
            roads = [r for r in geo.roads if _pool_of(r) == pool] or geo.roads
            weights, total = [], 0.0
            for r in roads:
                total += r.length_m
                weights.append(total)
            pools[pool] = (roads, weights)
        _POOL_CACHE[id(geo)] = pools
    return _POOL_CACHE[id(geo)]


def _pick_kind(rng: random.Random, road: DemoRoad) -> text.HazardKind:
    """A kind of hazard that occurs on this road: spots (点) about 70%, sections (段) about 30%."""
    letter = "E" if road.expressway else road.route_code[0]
    kinds = [k for k in text.KINDS if letter in k.roads]
    shape = "point" if rng.random() < POINT_SHARE else "section"
    kinds = [k for k in kinds if k.shape == shape] or kinds
    return rng.choices(kinds, weights=[k.weight for k in kinds])[0]


def _section_length(rng: random.Random, road: DemoRoad) -> int:
    low, high = {"trunk": (300, 4000), "expressway": (500, 5000), "X": (200, 2500)}.get(_pool_of(road), (150, 1200))
    return min(rng.randrange(low, high, 10), int(road.length_m) - 100)


def _place(rng, geo: DemoGeography, road: DemoRoad, kind: text.HazardKind, occupied: set, spacing: int):
    """Stakes and geometry on the road, well inside one county; None if nothing fits.

    Two hazards rarely start within `spacing` metres of each other on one road (a few tries, then
    anywhere: a ledger of thousands has to share the network)."""
    for attempt in range(10):
        length = _section_length(rng, road) if kind.shape == "section" else 0
        lo, hi = road.start_m + 30, road.end_m - length - 30
        if hi <= lo:
            return None
        start = rng.randrange(lo, hi, 10) if rng.random() < 0.85 else rng.randint(lo, hi)
        if length:
            end = start + length
            geometry = LineString([(round(x, 7), round(y, 7)) for x, y in section(road, start, end)])
        else:
            end = None
            geometry = Point(*(round(v, 7) for v in point_at(road, start)))
        stretch = road.stretch_at(start)
        county = geo.county_of(geometry, stretch.division_code if stretch else None)
        key = (road.route_code, road.division_code, start // spacing)
        if county is None or (key in occupied and attempt < 8):
            continue
        occupied.add(key)
        return county, start, end, geometry
    return None


def _budget(rng: random.Random, kind: text.HazardKind, quantities: dict, length: int, level: L) -> Decimal:
    yuan = 0
    for measure in kind.measures:
        if measure == "guardrail":
            metres = quantities["guard"] if kind.shape == "section" else quantities["small_guard"]
            yuan += metres * rng.randint(450, 700)
        else:
            yuan += rng.randint(*_MEASURE_COST[measure])
        if measure == "signs_markings" and length:
            yuan += length * rng.randint(30, 60)  # 3-6万 per kilometre of markings
    if level in (L.MINISTRY, L.PROVINCE):
        yuan = yuan * 13 // 10
    yuan = min(max(yuan, MIN_BUDGET), MAX_BUDGET)
    return Decimal(yuan // 100 * 100)


def _school_name(rng: random.Random, town: str, county: str) -> str:
    if town.endswith(("镇", "乡", "村")):
        return short_town(town) + rng.choice(("中心小学", "中学", "九年制学校", "小学"))
    return COUNTY_BY_CODE[county].short + rng.choice(("第二中学", "实验小学", "第三小学"))


def _responsible_unit(rng: random.Random, road: DemoRoad, county: str, town: str) -> str:
    """Who does the works (道路交通安全法 art. 29): the road's owner or maintainer."""
    c = COUNTY_BY_CODE[county]
    if road.expressway:
        return people.EXPRESSWAY_OPERATOR
    if road.road_class in (RoadClass.NATIONAL, RoadClass.PROVINCIAL):
        return people.highway_section(c) if rng.random() < 0.75 else people.transport_bureau(c)
    if road.road_class is RoadClass.COUNTY:
        return people.transport_bureau(c)
    return people.township_government(town if town in c.towns else rng.choice(c.towns))


def supervising_body(level: SupervisionLevel, county: str) -> str | None:
    c = COUNTY_BY_CODE[county]
    return {
        L.MINISTRY: people.MINISTRY, L.PROVINCE: people.PROVINCE_BODY, L.CITY: people.CITY_BODY,
        L.COUNTY: people.county_government(c) if county_by_government(county) else people.county_safety_committee(c),
    }.get(level)


def _found_on(rng: random.Random, year: int, today: date, target: Status, fate: str, current: bool):
    """(found on, dynamic addition?) within the batch's survey window or after its list was fixed."""
    fixed = list_fixed_on(year)
    survey_start = date(year - 1, 10, 15)
    if current and target in (S.REPORTED, S.VERIFIED) and fate in ("listed", "assigned"):
        found = max(survey_start, today - timedelta(days=rng.randint(1, 40)))
        return found, found >= fixed
    dynamic_end = min(date(year, 12, 10), today - timedelta(days=1))
    if fate in ("listed", "assigned") and rng.random() < DYNAMIC_SHARE and dynamic_end > fixed + timedelta(days=10):
        return fixed + timedelta(days=rng.randint(10, (dynamic_end - fixed).days)), True
    survey_end = min(fixed - timedelta(days=10), today - timedelta(days=1))
    return survey_start + timedelta(days=rng.randint(0, max(0, (survey_end - survey_start).days))), False


def _original(i: int, seed: int, geo: DemoGeography, today: date, occupied: set, spacing: int) -> HazardPlan:
    rng = random.Random(f"demo:{seed}:{i}")
    previous, current = today.year - 1, today.year
    forced = _FORCED[i] if i < len(_FORCED) else None
    year = previous if forced or rng.random() < 0.45 else current
    fate, level, target = forced if forced else (_weighted(rng, _FATES), None, None)
    while True:
        road = _pick_road(rng, geo, "trunk" if level in (L.MINISTRY, L.PROVINCE) else None)
        kind = _pick_kind(rng, road)
        spot = _place(rng, geo, road, kind, occupied, spacing)
        if spot:
            break
    county, start, end, geometry = spot
    level = level or (_weighted(rng, _LEVELS[_pool_of(road)]) if fate == "listed" else L.NONE)
    target = target or _weighted(rng, _TARGETS["previous" if year == previous else "current"])
    found, dynamic = _found_on(rng, year, today, target, fate, year == current)
    length = (end - start) if end else 0
    measures_text, quantities = text.render_measures(kind, rng, length or None)
    facts = Facts(year=year, county=county, found_on=found, dynamic=dynamic, fate=fate, level=level,
                  escalate=level is L.CITY and rng.random() < 0.2, target=target,
                  budget=_budget(rng, kind, quantities, length, level), measures_text=measures_text)
    life = walk(rng, facts, today)
    return HazardPlan(_draft(rng, geo, road, kind, facts, life, start, end, geometry, measures_text), life, road)


def _draft(rng, geo, road, kind, facts: Facts, life: Lifecycle, start, end, geometry, measures_text) -> HazardDraft:
    county = facts.county
    mid = geometry.interpolate(0.5, normalized=True) if end else geometry
    nearest = geo.nearest_place(county, mid.x, mid.y)
    place, town = geo.describe(county, mid.x, mid.y, nearest), nearest.name
    school = _school_name(rng, town, county) if kind.school else None
    crash_prone = rng.random() < _CRASH_PRONE[facts.level]
    crashes = deaths = 0
    categories = list(kind.categories)
    where = f"{road.route_code}线{format_stake(start)}~{format_stake(end)}段" if end else \
        f"{road.route_code}线{format_stake(start)}处"
    title = where + kind.phrase.format(school=school or "")
    if crash_prone:
        low, high = _DEATHS[facts.level]
        deaths = rng.randint(low, high)
        crashes = max(deaths, rng.randint(2, 9 if facts.level.rank >= 3 else 6))
        categories.append("crash_prone")
        title += "（事故多发路段）" if end else "（事故多发点）"
    description = f"该处位于{COUNTY_BY_CODE[county].name}{place}，{text.situation(kind, rng, end and end - start, school)}。"
    if crashes:
        description += f"近三年发生交通事故{crashes}起" + (f"，造成{deaths}人死亡。" if deaths else "。")
    if crash_prone and rng.random() < 0.7:
        source = Source.CRASH_REVIEW
    elif facts.level in (L.MINISTRY, L.PROVINCE) and rng.random() < 0.4:
        source = Source.ASSIGNED
    else:
        source = _weighted(rng, [(Source.PATROL, 50), (Source.THIRD_PARTY, 25), (Source.PUBLIC, 15), (Source.OTHER, 10)])
    settled = life.status not in (S.REPORTED, S.REJECTED, S.MERGED) or rng.random() < 0.5
    listed = life.level is not L.NONE
    trunk = road.road_class in (RoadClass.NATIONAL, RoadClass.PROVINCIAL)
    if end and trunk:
        direction = _weighted(rng, [(Direction.UP, 3), (Direction.DOWN, 3), (Direction.BOTH, 4)])
    else:
        direction = Direction.BOTH if trunk and rng.random() < 0.5 else None
    unit = _responsible_unit(rng, road, county, town)
    return HazardDraft(
        title=title, jurisdiction_code=county, batch_year=facts.year, found_on=facts.found_on, geometry=geometry,
        description=description, source=source, dynamic_add=facts.dynamic, route_code=road.route_code,
        road_name=road.road_name, road_class=road.road_class, direction=direction, start_m=start, end_m=end,
        place=place, category_codes=categories, crash_prone=crash_prone, crash_count=crashes, death_count=deaths,
        risk_grade=_risk(rng, life.level if listed else facts.level, life.status, crash_prone), school_zone=kind.school,
        level=life.level, supervising_body=supervising_body(life.level, county) if listed else None,
        document_no=life.document_no, listed_on=life.listed_on, deadline=life.deadline,
        responsible_unit=unit if settled else None,
        responsible_person=text.person_name(rng) if settled else None,
        responsible_contact=text.office_phone(rng) if settled else None,
        plan_text=_plan_text(life, measures_text) if life.has_plan else None,
        measure_codes=list(kind.measures) if life.status not in (S.REJECTED, S.MERGED) else [],
        measures_text=measures_text if life.status not in (S.REJECTED, S.MERGED) else None,
        temporary_controls=text.temporary_controls(rng, kind.school) if (listed or life.deadline) else None,
        planned_start=life.planned_start, planned_end=life.planned_end, status=life.status,
        completed_on=life.completed_on, closure_requested_on=life.closure_requested_on,
        accepted_on=life.accepted_on, acceptance_note=life.acceptance_note, closed_on=life.closed_on,
    )


def _risk(rng: random.Random, level: SupervisionLevel, status: Status, crash_prone: bool) -> RiskGrade | None:
    if level in (L.MINISTRY, L.PROVINCE):
        return RiskGrade.MAJOR
    if level is L.CITY:
        return RiskGrade.HIGH if rng.random() < 0.7 else RiskGrade.MAJOR
    if crash_prone:  # deaths on record: never graded general
        return RiskGrade.HIGH
    if level is L.COUNTY:
        return RiskGrade.GENERAL if rng.random() < 0.6 else RiskGrade.HIGH
    if status is S.REPORTED and rng.random() < 0.5:
        return None  # not assessed yet
    return RiskGrade.GENERAL


def _plan_text(life: Lifecycle, measures_text: str) -> str:
    budget = sum(line.amount for line in life.funding if line.kind is FundingKind.BUDGET)
    return (f"一点一策：{measures_text}。预算资金{budget / 10000:.2f}万元。"
            f"计划{text.cn_date(life.planned_start)}开工，{text.cn_date(life.planned_end)}前完工。")


def _duplicate(k: int, seed: int, plans: list[HazardPlan], candidates: list[int], today: date) -> HazardPlan | None:
    """A second report of an existing hazard (群众重复反映), merged into the original."""
    rng = random.Random(f"demo-dup:{seed}:{k}")
    if not candidates:
        return None
    i = rng.choice(candidates)
    original = plans[i].draft
    latest = min(today - timedelta(days=5), date(original.batch_year, 12, 31))
    found = original.found_on + timedelta(days=rng.randint(5, max(5, min(90, (latest - original.found_on).days))))
    merge_on = min(found + timedelta(days=rng.randint(2, 10)), today)
    draft = HazardDraft(
        title=original.title.split("（")[0] + "（群众反映）", jurisdiction_code=original.jurisdiction_code,
        batch_year=original.batch_year, found_on=found, geometry=original.geometry,
        description="群众通过12122热线反映：" + (original.description or ""), source=Source.PUBLIC,
        dynamic_add=found >= list_fixed_on(original.batch_year), route_code=original.route_code,
        road_name=original.road_name, road_class=original.road_class, start_m=original.start_m, end_m=original.end_m,
        place=original.place, category_codes=[c for c in original.category_codes if c != "crash_prone"],
        school_zone=original.school_zone, direction=original.direction,
        status=Status.REPORTED,
    )
    return HazardPlan(draft, Lifecycle(), plans[i].road, merged_into=i, merge_on=merge_on)


def plan_ledger(geo: DemoGeography, *, count: int, seed: int, today: date,
                sequences: dict[tuple[str, int], int] | None = None) -> list[HazardPlan]:
    """Every demo hazard with its life, codes given after `sequences` ((division, year) -> last used)."""
    duplicates = count // 33 if count >= 20 else 0
    occupied: set = set()
    network = sum(r.length_m for r in geo.roads)
    spacing = int(min(200, max(20, network / max(1, count) / 3)))
    plans = [_original(i, seed, geo, today, occupied, spacing) for i in range(count - duplicates)]
    # Originals a duplicate report may point at: real hazards, not closed on the spot, found a while ago.
    candidates = [i for i, p in enumerate(plans) if p.life.status not in (S.REJECTED, S.MERGED)
                  and p.life.steps and p.life.steps[0].action != "fix_on_spot"
                  and p.draft.found_on <= today - timedelta(days=12)]
    for k in range(duplicates):
        plan = _duplicate(k, seed, plans, candidates, today)
        if plan is None:
            plan = _original(count - duplicates + k, seed, geo, today, occupied, spacing)
        plans.append(plan)
    _assign_codes(plans, sequences or {})
    for plan in plans:
        if plan.merged_into is not None:
            target = plans[plan.merged_into].draft.code
            plan.life.go("merge", Status.MERGED, plan.merge_on, ("supervisor", plan.draft.jurisdiction_code),
                         f"经核查与{target}为同一隐患，合并处理")
            plan.draft.status = Status.MERGED
    return plans


def _assign_codes(plans: list[HazardPlan], sequences: dict[tuple[str, int], int]) -> None:
    """Codes run in the order hazards were found, per division and batch year: 140922-2024-0001 ..."""
    last = dict(sequences)
    order = sorted(range(len(plans)), key=lambda i: (plans[i].draft.jurisdiction_code, plans[i].draft.batch_year,
                                                      plans[i].draft.found_on, i))
    for i in order:
        d = plans[i].draft
        key = (d.jurisdiction_code, d.batch_year)
        last[key] = last.get(key, 0) + 1
        d.code = format_code(d.jurisdiction_code, d.batch_year, last[key])
