"""What the admin's place pages list: the divisions of their subtree as a tree, and its roads."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo import spatial
from geo.stakes import format_stake
from hazards import permissions
from hazards.domain.divisions import is_within
from hazards.models import Hazard, Jurisdiction, Road, StakePost
from hazards.queries.map_layers import display_boundary


@dataclass
class DivisionRow:
    code: str
    name: str
    level: object
    active: bool
    has_boundary: bool
    hazards: int
    depth: int = 0
    children: list[DivisionRow] = field(default_factory=list)


def division_tree(session: Session, user) -> list[DivisionRow]:
    """The user's division and everything below it, in tree order (parents before their children,
    `depth` for the indent), each with its hazard count."""
    boundary = Jurisdiction.__table__.c.boundary
    rows = session.execute(
        select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.level, Jurisdiction.active,
               Jurisdiction.parent_code, boundary.is_not(None))
        .where(permissions.visible_clause(user, Jurisdiction.code)).order_by(Jurisdiction.code)
    ).all()
    counts = dict(session.execute(
        select(Hazard.jurisdiction_code, func.count()).where(permissions.visible_clause(user))
        .group_by(Hazard.jurisdiction_code)).all())
    nodes = {code: DivisionRow(code, name, level, bool(active), bool(has), counts.get(code, 0))
             for code, name, level, active, _parent, has in rows}
    roots = []
    for code, _name, _level, _active, parent, _has in rows:
        if parent in nodes and parent != code:
            nodes[parent].children.append(nodes[code])
        else:
            roots.append(nodes[code])
    ordered: list[DivisionRow] = []

    def walk(node: DivisionRow, depth: int) -> None:
        node.depth = depth
        ordered.append(node)
        for child in node.children:
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return ordered


def division_boundary_geojson(session: Session, code: str) -> dict | None:
    """The simplified (display) boundary of one division as a GeoJSON Feature, or None."""
    dialect = session.get_bind().dialect.name
    row = session.execute(
        select(Jurisdiction.name, spatial.as_geojson(display_boundary(), dialect, 6))
        .where(Jurisdiction.code == code, Jurisdiction.__table__.c.boundary.is_not(None))).first()
    if row is None or row[1] is None:
        return None
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": code, "geometry": json.loads(row[1]), "properties": {"code": code, "name": row[0]}}]}


@dataclass(frozen=True)
class RoadRow:
    id: int
    route_code: str
    name: str | None
    road_class: object
    division_code: str
    start_m: int
    end_m: int | None
    length_m: int
    posts: int

    @property
    def start_stake(self) -> str:
        return format_stake(self.start_m)

    @property
    def end_stake(self) -> str | None:
        return format_stake(self.end_m) if self.end_m is not None else None


def roads_of(session: Session, user, division: str | None = None) -> list[RoadRow]:
    """The roads numbered in the user's subtree (or in `division`'s, inside it), with their post counts."""
    posts = (select(StakePost.road_id, func.count().label("n")).group_by(StakePost.road_id).subquery())
    query = (select(Road.id, Road.route_code, Road.name, Road.road_class, Road.division_code, Road.start_m,
                    Road.end_m, Road.length_m, func.coalesce(posts.c.n, 0))
             .outerjoin(posts, posts.c.road_id == Road.id)
             .where(permissions.visible_clause(user, Road.division_code))
             .order_by(Road.route_code, Road.division_code))
    if division is not None:
        query = query.where(permissions.within_clause(Road.division_code, division))
    return [RoadRow(*row) for row in session.execute(query).all()
            if division is None or is_within(row[4], division)]


def roads_geojson(session: Session, user, division: str | None = None) -> dict:
    """The same roads' lines, for the map beside the list."""
    dialect = session.get_bind().dialect.name
    query = (select(Road.route_code, Road.name, Road.road_class, Road.division_code,
                    spatial.as_geojson(Road.__table__.c.geom, dialect, 5))
             .where(permissions.visible_clause(user, Road.division_code)).order_by(Road.route_code))
    if division is not None:
        query = query.where(permissions.within_clause(Road.division_code, division))
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(g),
         "properties": {"route": route, "name": name or route, "class": road_class.value, "division": div}}
        for route, name, road_class, div, g in session.execute(query).all()
        if division is None or is_within(div, division)]}
