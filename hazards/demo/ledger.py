"""`seed_demo`: fill a database with the demo city's ledger (Xinzhou, 忻州市, 140900).

Order matters: the same set-up as `hazards init` for the city (reference data, the division
registry, the administrator), then the map (county and city boundaries, roads), then units and
users, then the hazards through the same `register_hazards` the import uses (every draft checked by
`check_draft` first: a generator that produces a bad row fails loudly), then their history.
Deterministic for a seed and a `today`. Only flushes: the caller commits.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from shapely.geometry import MultiLineString
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from geo.geometry import GeometryError, check_hazard_geometry
from hazards import clock
from hazards.demo.crashes import plan_crashes, write_crashes
from hazards.demo.geography import DemoGeography, build_geography, to_ewkt
from hazards.demo.history import write_history
from hazards.demo.people import (
    ADMIN_LOGIN, ADMIN_NAME, DEMO_PASSWORD, DemoLogin, actor_login, ensure_organizations, ensure_users, complete_admin,
    user_ids,
)
from hazards.demo.photos import write_photos
from hazards.demo.places import CITY_CODE, COUNTIES
from hazards.demo.scenario import HazardPlan, plan_ledger
from hazards.domain.drafts import check_draft
from hazards.domain.enums import AttachmentPhase
from hazards.models import Hazard, Jurisdiction, Road
from hazards.services.boundaries import set_boundary
from hazards.services.codes import last_sequence
from hazards.services.ledger_setup import set_up_ledger
from hazards.services.reference import ReferenceData
from hazards.services.priority_ranking import rank_hazards
from hazards.services.registration import register_hazards
from hazards.storage import Store

DEFAULT_SEED = 20241231


@dataclass
class DemoSummary:
    hazards: int  # written by this run
    ledger_total: int  # in the ledger afterwards
    by_status: dict[str, int]
    by_level: dict[str, int]
    by_year: dict[int, int]
    roads_added: int
    organizations: int
    users_created: int
    logins: list[DemoLogin]
    history_rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def seed_demo(session: Session, *, hazards: int = 400, seed: int = DEFAULT_SEED,
              today: date | None = None, store: Store | None = None) -> DemoSummary:
    """Write the demo city, its units and users, and `hazards` hazards with their history; with a file
    store, also their site photos (before / during / after, as each one's state implies)."""
    started = time.perf_counter()
    today = today or clock.today()
    set_up_ledger(session, division_code=CITY_CODE, admin_login=ADMIN_LOGIN, admin_password=DEMO_PASSWORD,
                  admin_name=ADMIN_NAME)
    geo = build_geography()
    write_boundaries(session, geo)
    roads_added = _write_roads(session, geo)
    organizations = ensure_organizations(session)
    complete_admin(session, organizations)
    logins, users_created = ensure_users(session, organizations)
    users = user_ids(session)

    years = (today.year - 1, today.year)
    sequences = {(c.code, y): last_sequence(session, c.code, y) for c in COUNTIES for y in years}
    plans = plan_ledger(geo, count=hazards, seed=seed, today=today, sequences=sequences)
    ref = ReferenceData(session)
    check_plans(plans, ref)
    ids = _register(session, plans, ref, users)
    written = write_history(session, plans, ids, users, organizations)
    rank_hazards(session, ids)  # the list sorted by priority walks their stored ranks
    written["crashes"] = write_crashes(session, plan_crashes(geo, plans, seed=seed, today=today), seed=seed)
    if store is not None:
        written["photos"] = write_photos(session, store, [
            (hazard_id, plan.draft.status, users.get(actor_login("inspector", plan.draft.jurisdiction_code)),
             {AttachmentPhase.BEFORE: plan.draft.found_on, AttachmentPhase.DURING: plan.life.planned_start,
              AttachmentPhase.AFTER: plan.life.completed_on})
            for plan, hazard_id in zip(plans, ids)
        ])

    return DemoSummary(
        hazards=len(plans),
        ledger_total=session.scalar(select(func.count(Hazard.id))),
        by_status=dict(Counter(p.draft.status.value for p in plans)),
        by_level=dict(Counter(p.draft.level.value for p in plans)),
        by_year=dict(sorted(Counter(p.draft.batch_year for p in plans).items())),
        roads_added=roads_added, organizations=len(organizations), users_created=users_created,
        logins=logins, history_rows=written, seconds=time.perf_counter() - started,
    )


def check_plans(plans: list[HazardPlan], ref: ReferenceData) -> None:
    """Every draft must pass the ledger's own rules; a generator bug stops the seeding here."""
    for plan in plans:
        problems = [str(p) for p in check_draft(plan.draft, ref)]
        try:
            check_hazard_geometry(plan.draft.geometry)
        except GeometryError as exc:
            problems.append(f"geometry: {exc}")
        if problems:
            raise AssertionError(f"demo hazard {plan.draft.code} '{plan.draft.title}' is invalid: {'; '.join(problems)}")


def _register(session: Session, plans: list[HazardPlan], ref: ReferenceData, users: dict[str, int]) -> list[int]:
    """Bulk-register the drafts, county by county so each is reported by that county's inspector."""
    ids: list[int | None] = [None] * len(plans)
    by_county: dict[str, list[int]] = {}
    for i, plan in enumerate(plans):
        by_county.setdefault(plan.draft.jurisdiction_code, []).append(i)
    for county, indexes in sorted(by_county.items()):
        inspector = users.get(actor_login("inspector", county))
        new_ids = register_hazards(session, [plans[i].draft for i in indexes], ref=ref, actor_id=inspector,
                                   action="report")
        for i, hazard_id in zip(indexes, new_ids):
            ids[i] = hazard_id
    return ids  # type: ignore[return-value]


def write_boundaries(session: Session, geo: DemoGeography) -> None:
    """Give the city and its counties their synthetic boundaries, unless they already have one
    (an installation that loaded official boundaries keeps them)."""
    shapes = {CITY_CODE: geo.city, **geo.counties}
    for jurisdiction in session.scalars(select(Jurisdiction).where(Jurisdiction.code.in_(shapes))):
        if jurisdiction.boundary is None:
            set_boundary(jurisdiction, shapes[jurisdiction.code])
    session.flush()


def _write_roads(session: Session, geo: DemoGeography) -> int:
    """Insert the demo roads not yet known (route code + numbering division), so that the app places
    a hazard typed as route and stake exactly where the demo put it."""
    have = set(session.execute(select(Road.route_code, Road.division_code)).all())
    rows = [
        {"route_code": r.route_code, "division_code": r.division_code, "name": r.name, "road_class": r.road_class,
         "start_m": r.start_m, "length_m": round(r.length_m), "geom": to_ewkt(MultiLineString([r.coords]))}
        for r in geo.roads if (r.route_code, r.division_code) not in have
    ]
    if rows:
        session.execute(insert(Road.__table__), rows)
    return len(rows)
