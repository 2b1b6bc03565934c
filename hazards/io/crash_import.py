"""Import a crash export (CSV or XLSX): every row checked, then all of it written, or nothing.

Like the ledger import (`hazards.io.importer`), in two phases: the check reads the whole file in a
read-only transaction (no write lock on SQLite) and keeps each good row as a tuple of column values;
the write is one short transaction that inserts them through `BulkInserter` (COPY on PostgreSQL, a
prepared executemany on SpatiaLite). Any row error and nothing is written.

Each crash gets a division, a point where one can be had, and a route and stake where given:
- the division is the row's 行政区划 when given (its point, if any, must lie inside that division's
  stored boundary, as for a hazard); else the most local stored boundary holding its point; else the
  division of its road (see `RoadFinder`);
- a row with only a route and stake on a known road gets its point from the road's kilometre posts
  (coordinate_input stays empty: the point was computed, not given); on an unknown road it keeps its
  route and stake and has no point.
Rows outside the importing user's subtree, and 事故编号 repeated in the file, are row errors. A 事故编号
already in the ledger is one too, unless the import is told to skip such crashes (`skip_existing`: an
export overlapping the previous one) or to update them from the file (`update_existing`: the police
revised the export, deaths within 7 days counted, the place or form corrected). An update passes the same
row checks as a new row, and the crash as stored must lie where the importer may import (a county cannot
rewrite a crash of the next county by moving it into its own); it keeps its id, so its links to hazards
(evidence, covered) stay. Time, place and division are always the file's (each row must give them, and
the division follows from the place); deaths, injuries and form are the file's when it has that column,
else they stay as stored, so an export with fewer columns blanks nothing. A row equal to the stored crash
changes nothing.
"""

from __future__ import annotations

import time as timer
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import Point
from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from geo import linear
from geo.calibration import route_coords
from geo.coords import CHINA_EXTENT, to_wgs84, validate_lonlat
from geo.geometry import from_db
from hazards import permissions
from hazards.db import reading
from hazards.domain.divisions import is_within, subtree_prefix
from hazards.domain.enums import CoordinateInput
from hazards.domain.errors import N_, Forbidden
from hazards.io import crash_columns
from hazards.io.crash_columns import CrashHeaders, combine
from hazards.io.importer import RowError, parse_cells
from hazards.io.readers import DEFAULT_MAX_BYTES, ImportFileError, open_sheet
from hazards.models import Crash, HazardCrash, Jurisdiction, Road
from hazards.models.base import utcnow
from hazards.services.bulk_insert import BulkInserter
from hazards.services.crash_history import open_hazards_at, refresh_crash_history
from hazards.services.placement import PlacementChecker, division_at
from hazards.services.roads import roads_clause, stake_scale

CHUNK_SIZE = 2000
WRITE_CHUNK_SIZE = 10_000
#: The columns written, in the order of each kept row's tuple.
WRITTEN = ("source_id", "occurred_at", "occurred_on", "jurisdiction_code", "route_code", "stake_m", "geom",
           "coordinate_input", "deaths", "injuries", "form", "imported_at", "imported_by_id")
#: The columns a row's check gives (WRITTEN without who imported it and when).
CHECKED = WRITTEN[:11]
_DIVISION, _GEOM = CHECKED.index("jurisdiction_code"), CHECKED.index("geom")
#: Columns an update takes from the file only when the file has them (otherwise the stored value stays).
OPTIONAL_ON_UPDATE = ("deaths", "injuries", "form")
#: Degrees within which a stored point and the file's are the same point (0.1 mm: a float's round trip).
_SAME_POINT_DEG = 1e-9


class CrashRowError(RowError):
    """A row error naming crash columns (`死亡人数 (deaths)`)."""

    @property
    def column_label(self) -> str | None:
        column = crash_columns.BY_KEY.get(self.column or "")
        return column.display if column else self.column


@dataclass
class CrashImportReport:
    path: str
    dry_run: bool = False
    rows_read: int = 0
    valid_rows: int = 0
    written: int = 0  # crashes written (added and updated); 0 on a dry run or a refused file
    added: int = 0  # new crashes (to be) added
    updated: int = 0  # crashes already in the ledger (to be) changed by the file
    updated_linked: int = 0  # of those, crashes linked to a hazard (evidence or covered)
    unchanged: int = 0  # crashes already in the ledger that the file gives exactly as stored
    skipped_existing: int = 0
    placed_by_road: int = 0  # rows whose point came from their road's kilometre posts
    without_point: int = 0  # rows kept by route and stake alone (their road is not known)
    personal_columns: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def blocked(self) -> bool:
        return bool(self.errors)

    @property
    def to_write(self) -> int:
        """Crashes the import writes (or would write, on a dry run): added and updated."""
        return self.added + self.updated

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        """One line for the command line, English like the CLI's other output."""
        parts = [f"rows read: {self.rows_read}, valid: {self.valid_rows}, with errors: "
                 f"{self.rows_read - self.valid_rows - self.skipped_existing}"]
        if self.updated or self.unchanged:
            parts.append(f"new: {self.added}, updated: {self.updated}, unchanged: {self.unchanged}")
        if self.updated_linked:
            parts.append(f"updated crashes linked to hazards (their evidence changed): {self.updated_linked}")
        if self.skipped_existing:
            parts.append(f"already in the ledger, skipped: {self.skipped_existing}")
        if self.placed_by_road:
            parts.append(f"placed by route and stake: {self.placed_by_road}")
        if self.without_point:
            parts.append(f"on roads the ledger does not know, kept without a point: {self.without_point}")
        if self.personal_columns:
            parts.append(f"ignored columns (personal data, not read): {', '.join(self.personal_columns)}")
        if self.unknown_columns:
            parts.append(f"ignored columns (not recognised): {', '.join(self.unknown_columns)}")
        return "; ".join(parts)


def import_crashes(session: Session, path: str | Path, *, actor, dry_run: bool = False,
                   skip_existing: bool = False, update_existing: bool = False, default_crs: str = "wgs84",
                   max_bytes: int | None = None,
                   extent: tuple[float, float, float, float] | None = None) -> CrashImportReport:
    """Check a crash export and, unless `dry_run` or a row is wrong, write its crashes as `actor`
    (the caller commits). `default_crs` is the datum of rows with no 坐标系 of their own. A crash
    already in the ledger is a row error, or skipped (`skip_existing`), or updated from the file
    (`update_existing`); not both."""
    if skip_existing and update_existing:
        raise ValueError("skip_existing and update_existing exclude each other")
    if not permissions.can_import_crashes(actor, actor.jurisdiction_code):
        raise Forbidden(N_("You may not import crash records."))
    started = timer.perf_counter()
    report = CrashImportReport(str(path), dry_run=dry_run)
    try:
        sheet = open_sheet(path, is_header=crash_columns.looks_like_header,
                           max_bytes=max_bytes or _setting("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))
        headers = crash_columns.map_headers(sheet.headers)
        report.personal_columns, report.unknown_columns = headers.personal, headers.unknown
        if lacking := headers.missing():
            raise ImportFileError(N_("'%(file)s' lacks required columns: %(columns)s"),
                                  {"file": Path(path).name, "columns": "; ".join(lacking)})
        with reading(session):
            checker = RowChecker(session, actor, headers, default_crs,
                                 tuple(extent or _setting("COORDINATE_EXTENT", CHINA_EXTENT)))
            existing = "update" if update_existing else "skip" if skip_existing else "error"
            plan = _check_all(session, sheet.rows(), checker, report, existing)
    except ImportFileError as exc:
        report.errors.append(CrashRowError.of(None, None, None, exc))
        report.seconds = timer.perf_counter() - started
        return report
    if report.rows_read == 0:
        report.errors.append(CrashRowError(None, None, None, N_("'%(file)s' has a header but no crash rows"),
                                           {"file": Path(path).name}))
    if not dry_run and not report.errors and (plan.new or plan.updates):
        try:
            with session.begin_nested():  # a failure leaves the session as it was
                affected = _write(session, plan, utcnow(), actor.id)
            report.written = len(plan.new) + len(plan.updates)
            # The crash history behind the priority of every open hazard at a place the import changed,
            # in any division, counted now rather than at night: the list's order reflects it at once.
            refresh_crash_history(session, sorted(affected))
        except IntegrityError:  # someone imported the same crash numbers between the check and the write
            report.errors.append(CrashRowError(None, None, None, N_(
                "nothing was written: the ledger changed during the import; try again")))
    report.seconds = timer.perf_counter() - started
    return report


@dataclass
class _Plan:
    """What the check decided to write: new crashes' values (in `CHECKED` order), and for each crash to
    update its id and its new values."""

    new: list[tuple] = field(default_factory=list)
    updates: list[tuple[int, tuple]] = field(default_factory=list)


def _write(session: Session, plan: _Plan, now, by: int | None) -> set[int]:
    """Write the plan; returns the open hazards whose crash history it changed: those at the updated
    crashes' places before and after, and at the new crashes' places (`open_hazards_at`)."""
    updated = [crash_id for crash_id, _values in plan.updates]
    affected = open_hazards_at(session, updated)  # where they lay until now: a crash moved away counts less there
    last_id = session.scalar(select(func.max(Crash.id))) or 0
    if plan.new:
        inserter = BulkInserter(session)
        with inserter.large_cache():
            for start in range(0, len(plan.new), WRITE_CHUNK_SIZE):
                rows = [(*values, now, by) for values in plan.new[start:start + WRITE_CHUNK_SIZE]]
                inserter.insert_tuples(Crash.__table__, WRITTEN, _to_database(inserter, rows), geometry="geom")
    if plan.updates:
        # One executemany per chunk: the crash keeps its id (and so its links to hazards); its 事故编号
        # is what found it and stays. Who imported it and when become this import's.
        table = Crash.__table__
        statement = update(table).where(table.c.id == bindparam("crash_id"))
        changed = WRITTEN[1:]
        for start in range(0, len(plan.updates), WRITE_CHUNK_SIZE):
            session.execute(statement, [{"crash_id": crash_id, **dict(zip(changed, (*values[1:], now, by)))}
                                        for crash_id, values in plan.updates[start:start + WRITE_CHUNK_SIZE]])
        # Crash objects the session holds would otherwise show the values from before the update.
        for held in [o for o in session.identity_map.values() if isinstance(o, Crash)]:
            session.expire(held)
    # Every id above the highest before the write is one of this import's (or another's written meanwhile,
    # which only adds a count that is right anyway).
    return affected | open_hazards_at(session, updated, above_id=last_id if plan.new else None)


def _check_all(session: Session, rows: Iterator, checker: RowChecker, report: CrashImportReport,
               existing: str) -> _Plan:
    """Every row checked; then the crashes already in the ledger set apart as `existing` says: "error",
    "skip" or "update"."""
    kept: dict[str, tuple[int, tuple]] = {}  # source id -> (row number, values) of the good rows
    first_row: dict[str, int] = {}  # source id -> the first row bringing it, good or not
    for chunk in iter(lambda: list(islice(rows, CHUNK_SIZE)), []):
        for number, raw in chunk:
            report.rows_read += 1
            values, errors = checker.check(number, raw)
            source_id = checker.source_id(raw)
            if source_id is not None and first_row.setdefault(source_id, number) != number:
                errors.insert(0, CrashRowError(number, "source_id", source_id,
                                               N_("crash number '%(id)s' is already on row %(row)s of this file"),
                                               {"id": source_id, "row": first_row[source_id]}))
            elif not errors:
                kept[source_id] = (number, values)
            report.errors.extend(errors)
    plan = _Plan()
    from_file = [key for key in OPTIONAL_ON_UPDATE if key in checker.header_of]
    for stored in _stored_crashes(session, list(kept)):
        number, values = kept.pop(stored.source_id)
        if existing == "skip":
            report.skipped_existing += 1
        elif existing != "update":
            report.errors.append(CrashRowError(number, "source_id", stored.source_id,
                                               N_("crash number '%(id)s' is already in the ledger"),
                                               {"id": stored.source_id}))
        elif not checker.may_change(stored.division):
            report.errors.append(CrashRowError(number, "source_id", stored.source_id, N_(
                "crash number '%(id)s' is recorded in division %(division)s, outside your jurisdiction "
                "%(within)s: you may not change it"),
                {"id": stored.source_id, "division": stored.division, "within": checker.within}))
        else:
            values = stored.merged(values, from_file)
            if stored.same_as(values):
                report.unchanged += 1
            else:
                plan.updates.append((stored.id, values))
                report.updated_linked += stored.linked
    report.errors.sort(key=lambda e: e.row or 0)
    plan.new = [values for _number, values in kept.values()]
    report.added, report.updated = len(plan.new), len(plan.updates)
    report.valid_rows = report.added + report.updated + report.unchanged
    written = [*plan.new, *(values for _id, values in plan.updates)]
    report.placed_by_road = sum(1 for values in written if values[_GEOM] is not None and values[7] is None)
    report.without_point = sum(1 for values in written if values[_GEOM] is None)
    return plan


@dataclass
class _StoredCrash:
    """A crash of the ledger that the file brings again: its id, its values as a row's check gives
    them (the point as (lon, lat)) and whether a hazard links it."""

    id: int
    values: tuple
    linked: bool

    @property
    def source_id(self) -> str:
        return self.values[0]

    @property
    def division(self) -> str:
        return self.values[_DIVISION]

    def merged(self, values: tuple, from_file: list[str]) -> tuple:
        """The file's values, with the stored ones for the optional columns the file does not have."""
        merged = list(values)
        for key in OPTIONAL_ON_UPDATE:
            if key not in from_file:
                index = CHECKED.index(key)
                merged[index] = self.values[index]
        return tuple(merged)

    def same_as(self, values: tuple) -> bool:
        for index, (mine, theirs) in enumerate(zip(self.values, values)):
            if index == _GEOM:
                point = _point_of(theirs)
                if (mine is None) != (point is None) or (mine is not None and (
                        abs(mine[0] - point[0]) > _SAME_POINT_DEG or abs(mine[1] - point[1]) > _SAME_POINT_DEG)):
                    return False
            elif mine != theirs:
                return False
        return True


def _point_of(ewkt: str | None) -> tuple[float, float] | None:
    if ewkt is None:
        return None
    lon, lat = ewkt[ewkt.index("(") + 1:ewkt.index(")")].split()
    return float(lon), float(lat)


def _stored_crashes(session: Session, ids: list[str], chunk: int = 500) -> list[_StoredCrash]:
    linked = exists().where(HazardCrash.crash_id == Crash.id)
    columns = [getattr(Crash, name) for name in CHECKED]
    found: list[_StoredCrash] = []
    for i in range(0, len(ids), chunk):
        rows = session.execute(select(Crash.id, linked, *columns)
                               .where(Crash.source_id.in_(ids[i:i + chunk]))).all()
        for crash_id, is_linked, *values in rows:
            shape = from_db(values[_GEOM])
            values[_GEOM] = None if shape is None else (shape.x, shape.y)
            found.append(_StoredCrash(crash_id, tuple(values), bool(is_linked)))
    return found


def _to_database(inserter: BulkInserter, rows: list[tuple]) -> list[tuple]:
    """The rows in the database's own form (the columns' bind processing, as a Core insert applies it)."""
    processors = inserter._bind_processors(Crash.__table__, WRITTEN)
    columns = []
    for index, process in enumerate(processors):
        column = [row[index] for row in rows]
        columns.append(column if process is None else [None if v is None else process(v) for v in column])
    return list(zip(*columns))


def _setting(name: str, default):
    from flask import current_app, has_app_context

    return current_app.config.get(name, default) if has_app_context() else default


class RowChecker:
    """Turns one raw row into the values written, or the row's errors; what it needs from the ledger
    (division names, boundaries, roads) is loaded once per file."""

    def __init__(self, session: Session, actor, headers: CrashHeaders, default_crs: str, extent):
        self.session = session
        self.actor = actor
        self.within = actor.jurisdiction_code
        self._may_change: dict[str, bool] = {}
        self.extent = extent
        self.default_crs = crash_columns.parse_crs(default_crs)
        self.parsers = [(header, column.key, column.parser()) for header, column in headers.columns.items()]
        self._inside: dict[str, bool] = {}
        self._source_text = crash_columns.BY_KEY["source_id"].parser()
        self.header_of = {key: header for header, key, _parse in self.parsers}
        self.divisions = Divisions(session, actor)
        self.places = PlacementChecker(session)
        self.roads = RoadFinder(session, actor)

    def check(self, number: int, raw: dict) -> tuple[tuple | None, list[RowError]]:
        """(source id, occurred at, occurred on, division, route, stake, EWKT, coordinate input, deaths,
        injuries, form), or the row's errors. A row's first problem of time, place or division is its
        error: the later checks need what the earlier ones found."""
        values, errors = self._parse(number, raw)
        if errors:
            return None, errors
        try:
            moment = self._moment(values)
            point, crs, route, stake = self._place(values)
            division = self._division(values, point, route, stake)
            if point is None and route is not None and (road := self.roads.find(route, stake, division)):
                point = road.point_at(stake)  # where the road's kilometre posts put the stake
        except _RowProblem as problem:
            return None, [self._error(number, raw, problem.key, problem.template, problem.params, problem.value)]
        geom = f"SRID=4326;POINT({point[0]!r} {point[1]!r})" if point is not None else None
        given = CoordinateInput(crs) if crs is not None else None
        return (values["source_id"], *moment, division, route, stake, geom, given,
                values.get("deaths", 0), values.get("injuries", 0), values.get("form")), []

    def _moment(self, values: dict) -> tuple:
        if "occurred_at" in values:
            return values["occurred_at"]
        if "occurred_on" in values:
            return combine(values["occurred_on"], values.get("time_of_day"))
        raise _RowProblem("occurred_at", N_("a value is required"))

    def _place(self, values: dict) -> tuple:
        """(point in WGS-84 or None, the datum it was given in, route, stake)."""
        route, stake = values.get("route_code"), values.get("stake", values.get("stake_km"))
        if (route is None) != (stake is None):
            raise _RowProblem("stake" if route is not None else "route_code",
                              N_("a stake needs its route code, and a route code its stake"))
        if "lon" not in values and "lat" not in values:
            if route is None:
                raise _RowProblem("lon", N_("no place: give longitude and latitude, or a route code and a stake"))
            return None, None, route, stake
        if "lon" not in values or "lat" not in values:
            raise _RowProblem("lat" if "lon" in values else "lon", N_("give both longitude and latitude, or neither"))
        crs = values.get("crs", self.default_crs)
        try:
            return self._to_wgs84(values["lon"], values["lat"], crs), crs, route, stake
        except ValueError as exc:
            # the longitude is fine, so the latitude is what is wrong
            wrong = "lat" if self.extent[0] <= values["lon"] <= self.extent[2] and crs == "wgs84" else "lon"
            raise _RowProblem.of(wrong, exc) from None

    def _division(self, values: dict, point, route, stake) -> str:
        """The row's 行政区划, else the stored boundary holding its point (given, or put by its road's
        posts), else its road's division; inside the importer's subtree and, when a point comes with
        a 行政区划, inside that division's boundary."""
        if "division" in values:
            division, problem = self.divisions.named(values["division"])
            if problem:
                raise _RowProblem("division", *problem)
        else:
            road = self.roads.find(route, stake, None) if route is not None else None
            at = point if point is not None else road.point_at(stake) if road is not None else None
            division = self.divisions.at(at) if at is not None else None
            if division is None and road is not None:
                division = road.division if self._is_inside(road.division) else self.within
            if division is None:
                raise _RowProblem("division", N_("no division: give 行政区划, or a place inside a division whose "
                                                 "boundary the ledger holds, or a route the ledger knows"))
        if not self._is_inside(division):
            raise _RowProblem("division", N_("division %(division)s is outside your jurisdiction %(within)s"),
                              {"division": division, "within": self.within})
        if point is not None and "division" in values and not self.divisions.holds(division, point):
            misplaced = self.places.problem(division, Point(point))
            if misplaced is not None:
                raise _RowProblem("lon", misplaced.template, dict(misplaced.params))
        return division

    def source_id(self, raw: dict) -> str | None:
        """The row's 事故编号 as the file has it (trimmed), whatever else is wrong with the row."""
        cell = self._raw(raw, "source_id")
        try:
            return self._source_text(cell) or None if cell is not None else None
        except ValueError:
            return None  # too long: the row's own error says so

    def _parse(self, number: int, raw: dict) -> tuple[dict[str, Any], list[RowError]]:
        values, errors = parse_cells(self.parsers, raw, number, CrashRowError)
        if "source_id" not in values and not any(e.column == "source_id" for e in errors):
            errors.insert(0, self._error(number, raw, "source_id", N_("a value is required")))
        return values, errors

    def _to_wgs84(self, lon: float, lat: float, crs: str) -> tuple[float, float]:
        lon, lat = to_wgs84(lon, lat, crs) if crs != "wgs84" else (lon, lat)
        min_lon, min_lat, max_lon, max_lat = self.extent
        if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
            validate_lonlat(lon, lat, extent=self.extent)  # raises, naming what is wrong
        return lon, lat

    def may_change(self, division: str) -> bool:
        """The importer may change a crash recorded in this division (the import's own rule)."""
        if division not in self._may_change:
            self._may_change[division] = permissions.can_import_crashes(self.actor, division)
        return self._may_change[division]

    def _is_inside(self, division: str) -> bool:
        inside = self._inside.get(division)
        if inside is None:
            inside = self._inside[division] = is_within(division, self.within)
        return inside

    def _raw(self, raw: dict, key: str):
        header = self.header_of.get(key)
        return None if header is None else raw.get(header)

    def _error(self, number: int, raw: dict, key: str, template: str, params: dict | None = None,
               value: Any = None) -> RowError:
        return CrashRowError(number, key, self._raw(raw, key) if value is None else value, template, params or {})


class _RowProblem(Exception):
    """A row's problem found past its cells' parsing: the column it names, a template and its params."""

    def __init__(self, key: str, template: str, params: dict | None = None, value: Any = None):
        super().__init__(template)
        self.key, self.template, self.params, self.value = key, template, params or {}, value

    @classmethod
    def of(cls, key: str, exc: BaseException) -> _RowProblem:
        template = getattr(exc, "template", None)
        return cls(key, template or str(exc), dict(getattr(exc, "params", None) or {}))


class Divisions:
    """Division codes and names of the registry, and the stored boundaries of the importer's subtree
    (loaded at the first point that needs one), for telling which division a crash is in."""

    def __init__(self, session: Session, actor):
        self.session = session
        self.within = actor.jurisdiction_code
        self.codes: set[str] = set()
        self.names: dict[str, str | None] = {}  # casefolded name -> code; None: more than one
        for code, zh, en in session.execute(select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.name_en)):
            self.codes.add(code)
            for name in filter(None, (zh, en)):
                key = name.strip().casefold()
                self.names[key] = code if self.names.get(key, code) == code else None
        self._cells: dict[tuple[int, int], list[str]] | None = None
        self._areas: dict[str, Any] = {}
        self._any_boundary = False

    def named(self, text: str) -> tuple[str | None, tuple | None]:
        """The division a 行政区划 cell names, or the problem (template, params)."""
        if text.isdigit():
            if len(text) == 6 and text in self.codes:
                return text, None
            return None, (N_("'%(value)s' is not a division code the registry knows (6 digits, e.g. 140902)"),
                          {"value": text})
        code = self.names.get(text.casefold(), "")
        if code is None:
            return None, (N_("'%(value)s' names more than one jurisdiction; give its 6-digit code"), {"value": text})
        if not code:
            return None, (N_("'%(value)s' is not a 6-digit division code (e.g. 140902) or a known jurisdiction name"),
                          {"value": text})
        return code, None

    def at(self, point: tuple[float, float]) -> str | None:
        """The most local division holding the point: in memory among the importer's own boundaries,
        else (a place outside their area, so the row is refused naming where it is) in the database."""
        x, y = point
        found = [code for code in self._grid().get((int(x // _CELL), int(y // _CELL)), ())
                 if shapely.intersects_xy(self._areas[code], x, y)]
        if found:
            return max(found, key=len_prefix)
        if not self._any_boundary:
            return None
        there = division_at(self.session, *point)
        return there.code if there is not None else None

    def holds(self, code: str, point: tuple[float, float]) -> bool:
        """The division's stored boundary (of the importer's area) holds the point; False when unsure."""
        self._grid()
        area = self._areas.get(code)
        return area is not None and bool(shapely.intersects_xy(area, *point))

    def _grid(self) -> dict[tuple[int, int], list[str]]:
        """The boundaries of the importer's subtree, loaded once and filed by the grid cells their
        extents touch: a point is then tried against a few boundaries only, with no Point made."""
        if self._cells is None:
            rows = self.session.execute(select(Jurisdiction.code, Jurisdiction.boundary).where(
                Jurisdiction.boundary.is_not(None), permissions.within_clause(Jurisdiction.code, self.within))).all()
            self._cells = {}
            for code, boundary in rows:
                area = from_db(boundary)
                shapely.prepare(area)
                self._areas[code] = area
                min_x, min_y, max_x, max_y = area.bounds
                for i in range(int(min_x // _CELL), int(max_x // _CELL) + 1):
                    for j in range(int(min_y // _CELL), int(max_y // _CELL) + 1):
                        self._cells.setdefault((i, j), []).append(code)
            self._any_boundary = bool(rows) or self.session.scalar(
                select(Jurisdiction.code).where(Jurisdiction.boundary.is_not(None)).limit(1)) is not None
        return self._cells


_CELL = 0.25  # degrees: a county spans a few cells


@lru_cache(maxsize=4096)
def len_prefix(code: str) -> int:
    """How local a division is: the longer its subtree's code prefix, the more local."""
    return len(subtree_prefix(code))


@dataclass
class KnownRoad:
    division: str
    coords: list
    scale: Any

    def point_at(self, stake: int) -> tuple[float, float] | None:
        """The point at a stake by the road's kilometre posts; None for a stake off the road."""
        if not self.scale.first <= stake <= self.scale.last:
            return None
        length = self.scale.length_m
        return linear.point_at(self.coords, min(self.scale.along(stake), length))


class RoadFinder:
    """The roads the importer works with (`roads_clause`), by route code, loaded once per code."""

    def __init__(self, session: Session, actor):
        self.session = session
        self.actor = actor
        self._by_route: dict[str, list[tuple[Road, KnownRoad]]] = {}

    def find(self, route: str, stake: int, division: str | None) -> KnownRoad | None:
        """The road of this route: numbered by the row's division or one above it when the division is
        known (as a hazard's road is found), else any the importer works with; one whose stakes reach
        the stake first, then the most local."""
        roads = self._roads(route)
        if division is not None:
            roads = [(r, k) for r, k in roads if is_within(division, r.division_code)]
        if not roads:
            return None
        return max(roads, key=lambda rk: (rk[1].scale.first <= stake <= rk[1].scale.last,
                                          len_prefix(rk[0].division_code)))[1]

    def _roads(self, route: str) -> list[tuple[Road, KnownRoad]]:
        if route not in self._by_route:
            found = self.session.scalars(select(Road).where(Road.route_code == route, roads_clause(self.actor))
                                         .options(selectinload(Road.posts))).all()
            self._by_route[route] = [(road, KnownRoad(road.division_code, route_coords(from_db(road.geom)),
                                                      stake_scale(road))) for road in found]
        return self._by_route[route]
