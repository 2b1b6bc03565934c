"""The feature collections OGC API – Features serves, as queries that know nothing of HTTP.

Two collections: `hazards` (points and sections) and `jurisdictions` (division boundaries). Both
are limited to what the caller may see (their jurisdiction subtree), exactly like the web UI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.orm import Session, selectinload

from geo import spatial
from geo.spatial import BBox
from hazards import permissions
from hazards.api.representations import geometry
from hazards.domain.enums import JurisdictionLevel, Status, SupervisionLevel
from hazards.inputs.values import INT_MAX, whole_number
from hazards.models import Category, Hazard, Jurisdiction, User, hazard_categories


@dataclass(frozen=True)
class CollectionInfo:
    id: str
    title: str
    description: str
    # simple property filters: name -> allowed values (None = any text)
    filters: dict[str, tuple[str, ...] | None]
    temporal: bool  # whether `datetime` applies (on found_on)


COLLECTIONS: dict[str, CollectionInfo] = {
    "hazards": CollectionInfo(
        "hazards", "Road traffic-safety hazards (道路交通安全隐患点段)",
        "Hazard points and road sections of the remediation ledger, with their status and supervision level. "
        "`datetime` filters on the day the hazard was found.",
        {"status": tuple(Status.values()), "level": tuple(SupervisionLevel.values()), "category": None},
        temporal=True,
    ),
    "jurisdictions": CollectionInfo(
        "jurisdictions", "Administrative divisions (行政区划)",
        "Divisions by GB/T 2260 code, with their boundary where one is known.",
        {"level": tuple(JurisdictionLevel.values())},
        temporal=False,
    ),
}


@dataclass
class ItemQuery:
    bbox: BBox | None = None
    start: date | None = None  # inclusive; None = open
    end: date | None = None
    properties: dict[str, list[str]] = field(default_factory=dict)
    limit: int = 100
    offset: int = 0


@dataclass
class Feature:
    id: int | str
    geometry: dict | None
    properties: dict


def items(session: Session, user: User, collection: str, q: ItemQuery, today: date) -> tuple[list[Feature], int]:
    """One page of features, in a stable order, and how many match in all."""
    stmt = _hazards(session, user, q) if collection == "hazards" else _jurisdictions(session, user, q)
    matched = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    if collection == "hazards":
        rows = session.scalars(stmt.options(selectinload(Hazard.categories), selectinload(Hazard.responsible_unit))
                               .order_by(Hazard.id).limit(q.limit).offset(q.offset))
        return [hazard_feature(h, today) for h in rows], matched
    rows = session.scalars(stmt.order_by(Jurisdiction.code).limit(q.limit).offset(q.offset))
    return [jurisdiction_feature(j) for j in rows], matched


def item(session: Session, user: User, collection: str, feature_id: str, today: date) -> Feature | None:
    """One feature by id, or None when it does not exist for this user."""
    if collection == "hazards":
        hazard_id = whole_number(feature_id)
        if hazard_id is None or hazard_id > INT_MAX:
            return None
        h = session.scalar(select(Hazard).where(Hazard.id == hazard_id, permissions.visible_clause(user)))
        return hazard_feature(h, today) if h else None
    j = session.scalar(select(Jurisdiction).where(Jurisdiction.code == feature_id,
                                                  permissions.visible_clause(user, Jurisdiction.code)))
    return jurisdiction_feature(j) if j else None


def found_on_range(session: Session, user: User) -> tuple[date | None, date | None]:
    """The temporal extent of the hazards the user sees."""
    first, last = session.execute(select(func.min(Hazard.found_on), func.max(Hazard.found_on))
                                  .where(permissions.visible_clause(user))).one()
    return first, last


def _hazards(session: Session, user: User, q: ItemQuery) -> Select:
    stmt = select(Hazard).where(permissions.visible_clause(user))
    if q.bbox is not None:
        dialect = session.get_bind().dialect.name
        stmt = stmt.where(spatial.bbox_clause(Hazard.__table__.c.geom, q.bbox, dialect, id_column=Hazard.id))
    if q.start is not None:
        stmt = stmt.where(Hazard.found_on >= q.start)
    if q.end is not None:
        stmt = stmt.where(Hazard.found_on <= q.end)
    if "status" in q.properties:
        stmt = stmt.where(Hazard.status.in_([Status(v) for v in q.properties["status"]]))
    if "level" in q.properties:
        stmt = stmt.where(Hazard.level.in_([SupervisionLevel(v) for v in q.properties["level"]]))
    if "category" in q.properties:
        stmt = stmt.where(Hazard.id.in_(
            select(hazard_categories.c.hazard_id).join(Category, Category.id == hazard_categories.c.category_id)
            .where(Category.code.in_(q.properties["category"]))))
    return stmt


def _jurisdictions(session: Session, user: User, q: ItemQuery) -> Select:
    stmt = select(Jurisdiction).where(permissions.visible_clause(user, Jurisdiction.code))
    if q.bbox is not None:
        dialect = session.get_bind().dialect.name
        boundary = Jurisdiction.__table__.c.boundary
        stmt = stmt.where(spatial.bbox_clause(boundary, q.bbox, dialect,
                                              id_column=literal_column("jurisdictions.rowid")))
    if "level" in q.properties:
        stmt = stmt.where(Jurisdiction.level.in_([JurisdictionLevel(v) for v in q.properties["level"]]))
    return stmt


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def hazard_feature(h: Hazard, today: date) -> Feature:
    # Flat properties (no arrays or objects) so GIS tools map each to a plain column.
    return Feature(h.id, geometry(h.geom), {
        "code": h.code, "title": h.title, "status": h.status.value, "level": h.level.value,
        "jurisdiction_code": h.jurisdiction_code, "route_code": h.route_code, "road_name": h.road_name,
        "road_class": h.road_class.value if h.road_class else None, "start_m": h.start_m, "end_m": h.end_m,
        "categories": ",".join(c.code for c in h.categories), "batch_year": h.batch_year,
        "found_on": _iso(h.found_on), "deadline": _iso(h.deadline), "closed_on": _iso(h.closed_on),
        "overdue": h.is_overdue(today),
        "responsible_unit": h.responsible_unit.name if h.responsible_unit else None, "version": h.version,
    })


def jurisdiction_feature(j: Jurisdiction) -> Feature:
    return Feature(j.code, geometry(j.boundary), {
        "code": j.code, "name": j.name, "name_en": j.name_en, "level": j.level.value, "parent_code": j.parent_code,
    })
