"""The road network from a highway bureau's or an agency's file (`hazards roads import` / `export`).

A road file is a Shapefile, GeoPackage, GeoJSON or CSV with a WKT column, in any coordinate system
(see `geo.vector_files`), one feature per road or per section of a road. Fields, by any of the names
in `ROAD_FIELDS` (any case): route code (required), name, class (国道/G ...; by default from the
route's letter), division (the division that numbers the road: a county for its X/Y/C roads; taken
from `--division` where the file has none), start stake and end stake (`K12+300` as text, or
kilometres as a number, as highway data keeps them). The geometry is a LineString or MultiLineString.

One road is a route code within a division. Several features of one road (a network file's sections)
become one road: its parts in the order of their start stakes, each section's start and end stakes
calibration points where its line starts and ends.

Calibration points (kilometre posts, 公里桩) make stakes follow the posts rather than the drawn length:
Point features with a route code, a stake and (where the route code is not enough) a division, from
the GeoPackage layer `stake_posts` (or `--posts-layer`), a file `<name>_posts.<ext>` beside the road
file, or `--posts FILE` (a CSV may give lon and lat columns instead of WKT). A post must stand within
`POST_SNAP_M` of its road's line, and stakes must grow along the line.

All or nothing: every problem is listed with its feature number, and nothing is written unless
every feature passes. A road already known (same route code and division) is replaced whole; roads
the file does not name stay as they were. `export_roads` writes the same format back: importing an
export gives the same roads, posts included.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiLineString
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from geo import linear
from geo.calibration import CalibrationError, StakeScale, cumulative_m, locate_point, route_coords
from geo.coords import CHINA_EXTENT
from geo.geometry import from_db
from geo.messages import GeoError
from geo.stakes import format_stake, parse_stake
from geo.vector_files import VectorFileError, VectorLayer, driver_for, layer_names, read_layer, write_layer
from hazards.domain.divisions import is_within, subtree_range
from hazards.domain.enums import RoadClass
from hazards.domain.errors import N_, TranslatableValueError
from hazards.io.columns import enum_parser, parse_route_code
from hazards.io.gis import (
    FeatureError,
    FeatureProblem,
    GisImportReport,
    check_within,
    division_code,
    open_layer,
    pick_field,
)
from hazards.models import Jurisdiction, Road
from hazards.services.roads import as_multiline, write_road

#: A kilometre post stands at the roadside; one farther than this from its road's line is a mistake.
POST_SNAP_M = 100.0
POSTS_LAYER = "stake_posts"
POSTS_SUFFIX = "_posts"
_POSTS_LAYER_NAMES = (POSTS_LAYER, "posts", "公里桩", "里程桩")

ROAD_FIELDS: dict[str, tuple[str, ...]] = {
    "route": ("route_code", "ROUTE", "路线编号", "路线代码", "路线编码", "LXBM", "LXDM"),
    "name": ("name", "NAME", "路线名称", "道路名称", "LXMC"),
    "class": ("road_class", "CLASS", "行政等级", "公路等级", "道路等级", "XZDJ"),
    "division": ("division_code", "DIVISION", "区划代码", "行政区划代码", "XZQDM", "XZQHDM"),
    "start": ("start_stake", "START", "起点桩号", "QDZH"),
    "end": ("end_stake", "END", "止点桩号", "终点桩号", "ZDZH"),
}
POST_FIELDS: dict[str, tuple[str, ...]] = {
    "route": ROAD_FIELDS["route"],
    "division": ROAD_FIELDS["division"],
    "stake": ("stake", "STAKE", "桩号", "里程桩号", "ZH"),
}
_ROAD_CLASS = enum_parser(RoadClass, N_("road class"))
_CLASS_BY_LETTER = {rc.value: rc for rc in RoadClass if len(rc.value) == 1}


@dataclass
class _Section:
    """One feature of a road file, checked."""

    number: int
    route: str
    division: str
    name: str | None
    road_class: RoadClass
    start_m: int | None
    end_m: int | None
    line: MultiLineString


@dataclass
class _RoadPlan:
    """A road as it will be written: its line, stakes and posts, checked against each other."""

    route: str
    division: str
    name: str | None
    road_class: RoadClass
    start_m: int
    end_m: int | None
    line: MultiLineString
    first_feature: int
    posts: list[tuple[int, tuple[float, float]]] = field(default_factory=list)  # (stake, lon/lat)
    anchors: list[tuple[float, int]] = field(default_factory=list)  # (metres along, stake)


def read_stake(value: Any) -> int | None:
    """A stake cell: `K12+300` (or any form `geo.stakes` reads) as text; a number is kilometres."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < 0:
            raise FeatureProblem(N_("'%(value)s' is not a stake: a stake cannot be negative"), {"value": value})
        return round(value * 1000)
    return parse_stake(str(value))


def import_roads(session: Session, path: str | Path, *, layer: str | None = None, posts: str | Path | None = None,
                 posts_layer: str | None = None, division: str | None = None, encoding: str | None = None,
                 crs: str | None = None, dry_run: bool = False,
                 extent: tuple[float, float, float, float] = CHINA_EXTENT,
                 within: str | None = None) -> GisImportReport:
    """Check the road file (and its posts) whole and, when every feature passes and this is no dry
    run, write its roads; the caller commits. `report.written` lists `ROUTE@division` keys. With
    `within` (an admin's own division), a road numbered by a division outside its subtree is refused."""
    report = GisImportReport(str(path))
    try:
        layer = layer or _road_layer(path)
    except VectorFileError as exc:
        report.errors.append(FeatureError.of(None, None, exc))
        return report
    table = open_layer(report, path, layer, encoding, crs)
    if table is None:
        return report
    names = _fields(report, table, ROAD_FIELDS, required=("route",))
    if names is None:
        return report
    known = set(session.scalars(select(Jurisdiction.code)))
    default_division = None
    if division is not None:
        try:
            default_division = _known_division(division, known)
            check_within(default_division, within)
        except GeoError as exc:
            report.errors.append(FeatureError.of(None, None, exc))
            return report
    sections = [s for s in (_section(report, f, names, known, default_division, extent, within)
                            for f in table.features) if s]
    plans = _plans(report, sections)
    post_table = _posts_table(report, path, posts, posts_layer, encoding, crs)
    if post_table is not None:
        _place_posts(report, post_table, plans)
    for plan in plans.values():
        _check_stakes(report, plan)
    if report.errors or dry_run:
        return report
    existing = {(r.route_code, r.division_code): r for r in session.scalars(
        select(Road).where(Road.route_code.in_({p.route for p in plans.values()}))
        .options(selectinload(Road.posts)))}
    for key, plan in sorted(plans.items()):
        road = existing.get(key)
        if road is None:  # added unflushed, so the new roads and their posts go in a few batched INSERTs
            road = Road(route_code=plan.route, division_code=plan.division)
            session.add(road)
        write_road(road, plan.line, name=plan.name, road_class=plan.road_class, start_m=plan.start_m,
                   end_m=plan.end_m, posts=plan.posts)
    session.flush()
    report.written = [f"{route}@{div}" for route, div in sorted(plans)]
    return report


def _road_layer(path) -> str | None:
    """A GeoPackage's road layer when it holds roads and posts side by side; None: the file's only one."""
    if driver_for(path) != "GPKG":
        return None
    roads = [n for n in layer_names(path) if n not in _POSTS_LAYER_NAMES]
    return roads[0] if len(roads) == 1 else None


def _fields(report, table: VectorLayer, wanted: dict[str, tuple[str, ...]], required: tuple[str, ...],
            layer: str | None = None) -> dict[str, str | None] | None:
    names = {}
    for key, candidates in wanted.items():
        missing = N_("'%(file)s' has no field for %(what)s (looked for %(names)s; its fields are: %(fields)s)")
        found = pick_field(report, table, None, candidates, None)
        if found is None and key in required:
            report.errors.append(FeatureError(None, None, missing, {
                "file": Path(table.path).name, "what": candidates[0], "names": ", ".join(candidates),
                "fields": ", ".join(table.fields)}, layer))
        names[key] = found
    return None if any(names[k] is None for k in required) else names


def _known_division(value: Any, known: set[str]) -> str:
    code = division_code(value)
    if code not in known:
        raise FeatureProblem(N_("no division with the code %(code)s is known"), {"code": code})
    return code


def _inside(code: str, within: str | None) -> str:
    check_within(code, within)
    return code


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _section(report, feature, names, known, default_division, extent, within=None) -> _Section | None:
    """One road feature checked; None (with its problems in the report) when it has any."""
    problems_before = len(report.errors)
    values: dict[str, Any] = {}

    def read(key: str, reader) -> None:
        column = names.get(key)
        raw = feature.properties.get(column) if column else None
        try:
            values[key] = reader(raw)
        except (GeoError, TranslatableValueError) as exc:
            report.errors.append(FeatureError.of(feature.number, column, exc))

    read("route", lambda v: parse_route_code(_text(v) or ""))
    read("name", _text)
    read("start", read_stake)
    read("end", read_stake)
    read("division", lambda v: _inside(_known_division(v, known), within) if _text(v) else default_division)
    read("class", lambda v: _ROAD_CLASS(_text(v)) if _text(v) else None)
    if "division" in values and values["division"] is None:
        report.errors.append(FeatureError(feature.number, names.get("division"), N_(
            "the road's division is not given: fill the division field or name one for the whole file")))
    if "route" in values and values.get("class", 1) is None:
        values["class"] = _CLASS_BY_LETTER.get(values["route"][0])
        if values["class"] is None:
            report.errors.append(FeatureError(feature.number, names.get("class"), N_(
                "the road class is not given and route %(route)s does not start with G, S, X, Y, C or Z"),
                {"route": values["route"]}))
    start, end = values.get("start"), values.get("end")
    if start is not None and end is not None and end <= start:
        report.errors.append(FeatureError(feature.number, names.get("end"), N_(
            "the end stake %(end)s does not lie after the start stake %(start)s"),
            {"end": format_stake(end), "start": format_stake(start)}))
    try:
        line = _road_line(feature, extent)
    except GeoError as exc:
        report.errors.append(FeatureError.of(feature.number, None, exc))
        line = None
    if len(report.errors) > problems_before or line is None:
        return None
    return _Section(feature.number, values["route"], values["division"], values["name"], values["class"],
                    start, end, line)


def _road_line(feature, extent) -> MultiLineString:
    if feature.problem is not None:
        raise feature.problem
    geom = feature.geometry
    if geom is None or geom.is_empty:
        raise FeatureProblem(N_("the feature has no geometry"))
    if geom.geom_type not in ("LineString", "MultiLineString"):
        raise FeatureProblem(N_("a road is a LineString or a MultiLineString, not a %(type)s"), {"type": geom.geom_type})
    line = as_multiline(shapely.force_2d(geom))
    min_lon, min_lat, max_lon, max_lat = line.bounds
    if min_lon < extent[0] or max_lon > extent[2] or min_lat < extent[1] or max_lat > extent[3]:
        raise FeatureProblem(N_("the line reaches %(lon)s, %(lat)s, outside China: is the coordinate system right?"),
                             {"lon": f"{min_lon:.4f}..{max_lon:.4f}", "lat": f"{min_lat:.4f}..{max_lat:.4f}"})
    if any(len(part.coords) < 2 or part.length == 0 for part in line.geoms):
        raise FeatureProblem(N_("a part of the line has fewer than two distinct points"))
    return line


def _plans(report, sections: list[_Section]) -> dict[tuple[str, str], _RoadPlan]:
    """Sections of one road joined in the order of their start stakes, their stakes kept as anchors."""
    groups: dict[tuple[str, str], list[_Section]] = defaultdict(list)
    for section in sections:
        groups[(section.route, section.division)].append(section)
    plans = {}
    for key, group in groups.items():
        if len(group) > 1 and any(s.start_m is None for s in group):
            for s in group:
                if s.start_m is None:
                    report.errors.append(FeatureError(s.number, None, N_(
                        "route %(route)s has several features in %(division)s: each needs its start stake"),
                        {"route": s.route, "division": s.division}))
            continue
        group.sort(key=lambda s: (s.start_m or 0, s.number))
        parts = [part for s in group for part in s.line.geoms]
        plan = _RoadPlan(group[0].route, group[0].division, group[0].name, group[0].road_class,
                         group[0].start_m or 0, group[-1].end_m, MultiLineString(parts), group[0].number)
        walked = 0.0
        coords: list = []
        for i, s in enumerate(group):
            section_coords = route_coords(s.line)
            joint = 0.0 if not coords else linear.haversine_m(coords[-1], section_coords[0])
            start_along = walked + joint
            walked = start_along + linear.length_m(section_coords)
            coords.extend(section_coords)
            if i > 0:
                plan.anchors.append((start_along, s.start_m))
            if i < len(group) - 1 and s.end_m is not None:
                plan.anchors.append((walked, s.end_m))
        plans[key] = plan
    return plans


def _posts_table(report, path, posts, posts_layer, encoding, crs) -> VectorLayer | None:
    """The posts' layer: named, a GeoPackage's `stake_posts`, or the `<name>_posts` file beside it."""
    path = Path(path)
    source, layer = None, posts_layer
    if posts is not None:
        source = Path(posts)
    elif posts_layer is not None:
        source = path
    elif driver_for(path) == "GPKG":
        found = [n for n in _POSTS_LAYER_NAMES if n in layer_names(path)]
        source, layer = (path, found[0]) if found else (None, None)
    elif (beside := path.with_name(path.stem + POSTS_SUFFIX + path.suffix)).exists():
        source = beside
    if source is None:
        return None
    try:
        table = read_layer(source, layer, encoding=encoding, crs=crs)
    except VectorFileError as exc:
        report.errors.append(FeatureError.of(None, None, exc, layer=layer or source.name))
        return None
    report.warnings.extend(table.warnings)
    return table


def _place_posts(report, table: VectorLayer, plans: dict[tuple[str, str], _RoadPlan]) -> None:
    """Each post on its road: where along the line it stands, refused when it is far from it."""
    layer = table.layer
    names = _fields(report, table, POST_FIELDS, required=("route", "stake"), layer=layer)
    if names is None:
        return
    by_route: dict[str, list[_RoadPlan]] = defaultdict(list)
    for plan in plans.values():
        by_route[plan.route].append(plan)
    lines = {key: route_coords(plan.line) for key, plan in plans.items()}
    walked = {key: cumulative_m(coords) for key, coords in lines.items()}
    seen: set[tuple[str, str, int]] = set()
    for feature in table.features:
        try:
            route = parse_route_code(_text(feature.properties.get(names["route"])) or "")
            stake = read_stake(feature.properties.get(names["stake"]))
            if stake is None:
                raise FeatureProblem(N_("the post has no stake"))
            division_value = _text(feature.properties.get(names["division"])) if names["division"] else None
            plan = _post_road(by_route, route, division_code(division_value) if division_value else None)
            if feature.problem is not None:
                raise feature.problem
            geom = feature.geometry
            if geom is None or geom.geom_type != "Point":
                raise FeatureProblem(N_("a kilometre post is a Point, not a %(type)s"),
                                     {"type": geom.geom_type if geom is not None else "-"})
            key = (plan.route, plan.division)
            at = locate_point(lines[key], geom.x, geom.y, walked[key])
            if at.offset_m > POST_SNAP_M:
                raise FeatureProblem(N_("post %(stake)s stands %(metres)s m from the line of %(route)s, more than "
                                        "%(limit)s m"), {"stake": format_stake(stake), "metres": round(at.offset_m),
                                                         "route": route, "limit": round(POST_SNAP_M)})
            if (route, plan.division, stake) in seen:
                raise FeatureProblem(N_("post %(stake)s of %(route)s is given twice"),
                                     {"stake": format_stake(stake), "route": route})
        except (GeoError, TranslatableValueError) as exc:
            report.errors.append(FeatureError.of(feature.number, None, exc, layer=layer))
            continue
        seen.add((route, plan.division, stake))
        plan.posts.append((stake, (geom.x, geom.y)))
        plan.anchors.append((at.along_m, stake))


def _post_road(by_route, route: str, division: str | None) -> _RoadPlan:
    candidates = [p for p in by_route.get(route, []) if division is None or p.division == division]
    if not candidates:
        raise FeatureProblem(N_("the post names route %(route)s, which the road file does not have"), {"route": route})
    if len(candidates) > 1:
        raise FeatureProblem(N_("route %(route)s is in several divisions of the road file: give the post's division"),
                             {"route": route})
    return candidates[0]


def _check_stakes(report, plan: _RoadPlan) -> None:
    """The road's stakes grow along its line through every anchor (sections' stakes and posts)."""
    length = linear.length_m(route_coords(plan.line))
    # One anchor per stake: a section ending where the next starts gives the same stake twice.
    anchors = sorted({stake: along for along, stake in plan.anchors if stake not in (plan.start_m, plan.end_m)}.items(),
                     key=lambda item: item[1])
    try:
        StakeScale.build(length, plan.start_m, [(along, stake) for stake, along in anchors], plan.end_m)
    except CalibrationError as exc:
        report.errors.append(FeatureError(plan.first_feature, None, N_("route %(route)s: %(reason)s"),
                                          {"route": plan.route, "reason": exc}))
        return
    # Sections' own stakes are stored as posts where their lines start or end.
    post_stakes = {stake for stake, _ in plan.posts}
    coords = route_coords(plan.line)
    for stake, along in anchors:
        if stake not in post_stakes:
            x, y = linear.point_at(coords, min(along, length))
            plan.posts.append((stake, (x, y)))


def export_roads(session: Session, path: str | Path, *, division: str | None = None) -> tuple[int, int, str | None]:
    """Write the roads (of `division` and below it, or all) and their posts in the file's format:
    (roads written, posts written, where the posts went)."""
    path = Path(path)
    driver = driver_for(path)
    query = select(Road).options(selectinload(Road.posts)).order_by(Road.route_code, Road.division_code)
    if division is not None:
        bounds = subtree_range(division)
        if bounds is not None:
            query = query.where(Road.division_code.between(*bounds))
    roads = [r for r in session.scalars(query) if division is None or is_within(r.division_code, division)]
    fields = ["ROUTE", "NAME", "CLASS", "DIVISION", "START", "END"]
    rows = [[r.route_code, r.name, r.road_class.value, r.division_code, format_stake(r.start_m),
             format_stake(r.end_m) if r.end_m is not None else None] for r in roads]
    if path.exists():
        _remove(path)
    write_layer(path, path.stem, fields, rows, [from_db(r.geom) for r in roads], geometry_type="MultiLineString")
    posts = [(r, p) for r in roads for p in r.posts]
    if not posts:
        return len(roads), 0, None
    post_rows = [[r.route_code, r.division_code, format_stake(p.stake_m)] for r, p in posts]
    post_geoms = [from_db(p.geom) for _r, p in posts]
    if driver == "GPKG":
        write_layer(path, POSTS_LAYER, ["ROUTE", "DIVISION", "STAKE"], post_rows, post_geoms, geometry_type="Point",
                    append=True)
        return len(roads), len(posts), f"{path.name}:{POSTS_LAYER}"
    beside = path.with_name(path.stem + POSTS_SUFFIX + path.suffix)
    if beside.exists():
        _remove(beside)
    write_layer(beside, beside.stem, ["ROUTE", "DIVISION", "STAKE"], post_rows, post_geoms, geometry_type="Point")
    return len(roads), len(posts), beside.name


def _remove(path: Path) -> None:
    """A file and, for a Shapefile, its companions (.shx, .dbf, .prj, .cpg)."""
    companions = (".shp", ".shx", ".dbf", ".prj", ".cpg") if path.suffix.lower() == ".shp" else (path.suffix,)
    for suffix in companions:
        path.with_suffix(suffix).unlink(missing_ok=True)
    if path.suffix.lower() == ".csv":
        path.with_suffix(".prj").unlink(missing_ok=True)
