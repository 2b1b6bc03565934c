"""Import a ledger file: every row checked, then all of it written, or nothing (unless skip_invalid).

Two phases. The first parses and checks every row and looks up what it needs (reference data,
boundaries, codes already in the ledger) in a read-only transaction (`hazards.db.reading`), so on
SQLite it takes no lock and everyone else keeps reading and writing; it is all a dry run does. The
rows found good are spooled to a temporary file as drafts, so no 100k-row file ever sits in memory.
The second phase is one short write transaction: it reads the drafts back, hands out codes and
inserts them through `BulkRegistration` (COPY into staging tables and one INSERT … SELECT per table on
PostgreSQL, a prepared executemany on SpatiaLite), all of them or none.
"""

from __future__ import annotations

import pickle
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geo.coords import CHINA_EXTENT, to_wgs84, validate_lonlat
from geo.geometry import check_hazard_geometry, to_ewkts
from hazards import permissions
from hazards.db import reading
from hazards.domain.codes import parse_code
from hazards.domain.divisions import DivisionCodeError, check_code, is_within
from hazards.domain.drafts import HazardDraft, check_draft
from hazards.domain.enums import CoordinateInput, RoadClass, Status
from hazards.domain.errors import N_, Forbidden, ServiceError, render_english
from hazards.domain.money import exceeds_line_limit, format_wan
from hazards.io.columns import AMOUNT_KEYS, BY_KEY, GEOMETRY_KEY, LOCATION_KEYS, REQUIRED, Vocabulary, parsers_for
from hazards.io.readers import DEFAULT_MAX_BYTES, ImportFileError, Row, SourceTable, open_table
from hazards.models import Hazard
from hazards.services.codes import given_floors, take_codes
from hazards.services.placement import PlacementChecker
from hazards.services.reference import ReferenceData
from hazards.services.bulk_insert import BulkInserter
from hazards.services.registration import BulkRegistration

CHUNK_SIZE = 2000
#: Drafts written per bulk statement: fewer, larger COPYs and executemanys than the check's chunks.
WRITE_CHUNK_SIZE = 10_000
_ROAD_CLASS_BY_LETTER = {rc.value: rc for rc in RoadClass if len(rc.value) == 1}
#: Export writes lon/lat next to the WKT of a point; they must agree to about a centimetre.
_SAME_POINT_DEGREES = 1e-7
#: Columns only a supervisor's decision fills (listing, closure): an inspector's file leaves them empty.
DECISION_KEYS = ("supervising_body", "document_no", "listed_on", "deadline", "completed_on", "closure_requested_on",
                 "accepted_on", "acceptance_note", "closed_on")
_CODE_EXAMPLE = "140902-2024-0001"


@dataclass(frozen=True)
class RowError:
    """One problem of a row (or of the file): a message template marked N_ and its params, so the
    API shows it in the reader's language (`hazards.i18n.translate_message`); `message` is English."""

    row: int | None  # None: the file as a whole
    column: str | None  # the column's English key
    value: Any
    template: str
    params: dict = field(default_factory=dict)

    @classmethod
    def of(cls, row: int | None, column: str | None, value: Any, exc: BaseException) -> RowError:
        """From a parser's or a rule's exception: typed ones keep their template, others their text."""
        template = getattr(exc, "template", None)
        if template is None:
            return cls(row, column, value, str(exc))
        return cls(row, column, value, template, dict(getattr(exc, "params", None) or {}))

    @property
    def message(self) -> str:
        return render_english(self.template, self.params)

    @property
    def column_label(self) -> str | None:
        column = BY_KEY.get(self.column or "")
        return column.display if column else self.column

    def __str__(self) -> str:
        where = "file" if self.row is None else f"row {self.row}"
        if self.column_label:
            where += f", {self.column_label}"
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    path: str
    format: str | None = None
    dry_run: bool = False
    skip_invalid: bool = False
    rows_read: int = 0
    valid_rows: int = 0
    created: list[str] = field(default_factory=list)  # codes of the hazards written
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def file_error(self) -> bool:
        return any(e.row is None for e in self.errors)

    @property
    def blocked(self) -> bool:
        """Errors stopped (or, in a dry run, would stop) the import."""
        if self.file_error:
            return True
        return bool(self.errors) and (not self.skip_invalid or self.valid_rows == 0)


def import_hazards(
    session: Session,
    path: str | Path,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    actor,
    source_name: str | None = None,
    extent: tuple[float, float, float, float] | None = None,
    fmt: str | None = None,
    max_bytes: int | None = None,
    chunk_size: int = WRITE_CHUNK_SIZE,
) -> ImportReport:
    """Check a CSV/XLSX/GeoJSON ledger and write its hazards as `actor`; the caller commits.

    Rows must lie in the actor's subtree, and may only bring statuses, levels and decisions the
    actor could have reached through the workflow (`permissions.import_reach`); a row asking for more
    is a row error. The CLI imports as `permissions.SYSTEM`, whose subtree is the whole country.
    Each hazard's first history row records it as imported by `actor` from `source_name` (the
    file's own name by default).
    """
    if not permissions.can_import_into(actor, actor.jurisdiction_code):
        raise Forbidden(N_("You may not import hazards."))
    within = check_code(actor.jurisdiction_code)
    report = ImportReport(str(path), dry_run=dry_run, skip_invalid=skip_invalid)
    try:
        table = open_table(path, fmt=fmt, max_bytes=max_bytes or _setting("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))
    except ImportFileError as exc:
        report.errors.append(RowError.of(None, None, None, exc))
        return report
    report.format = table.format
    report.warnings.extend(table.warnings)
    extent = extent or tuple(_setting("COORDINATE_EXTENT", CHINA_EXTENT))

    with tempfile.TemporaryFile(prefix="hazards-import-") as spool:
        with reading(session):
            ref = ReferenceData(session)
            builder = RowBuilder(table, Vocabulary.load(session), ref, extent, within=within,
                                 reach=permissions.import_reach(actor),
                                 line_limit_wan=_setting("FUNDING_LINE_WARN_WAN", None))
            try:
                codes, to_generate = _check_pass(session, table, builder, report, None if dry_run else spool)
            except ImportFileError as exc:  # found further down the file (a workbook's stray far cell)
                report.errors.append(RowError.of(None, None, None, exc))
                return report
        if report.rows_read == 0:
            report.errors.append(RowError(None, None, None, N_("'%(file)s' has a header but no hazard rows"),
                                          {"file": Path(path).name}))
        if dry_run or report.blocked or not report.valid_rows:
            return report

        try:
            with session.begin_nested():  # a failure leaves the caller's session as it was
                report.created = _write_pass(session, spool, ref, codes, to_generate, report, actor.id, chunk_size,
                                             note=source_name or Path(path).name)
        except ServiceError as exc:  # no code left to hand out for a division and year
            report.created = []
            report.errors.append(RowError(None, None, None, N_("nothing was written: %(reason)s"), {"reason": exc}))
        except IntegrityError:  # someone else wrote a clashing code between the check and the write
            report.created = []
            report.errors.append(RowError(None, None, None,
                                          N_("nothing was written: the ledger changed during the import; try again")))
    return report


def _write_pass(session, spool, ref, codes, to_generate, report, actor_id, chunk_size, *, note: str) -> list[str]:
    """Write the spooled drafts of the rows the check found valid, chunk by chunk.

    Every code the file needs is taken before the first row is written, one statement per division
    and year, past the codes later rows bring with them. The counters stay held until the import
    commits: someone reporting a hazard in one of its divisions meanwhile waits for it, then gets the
    code after the file's."""
    bad_rows = {e.row for e in report.errors}
    blocks = take_codes(session, to_generate, given_floors(codes))
    created: list[str] = []
    drafts = (draft for number, draft in _spooled(spool) if number not in bad_rows)
    with BulkInserter(session).large_cache():
        registration = BulkRegistration(session, ref=ref, actor_id=actor_id, action="import", note=note)
        try:
            for chunk in _chunks(drafts, chunk_size):
                for draft in chunk:
                    if not draft.code:
                        draft.code = next(blocks[(draft.jurisdiction_code, draft.batch_year)])
                registration.add(chunk)
                created.extend(d.code for d in chunk)
            registration.finish()
        except BaseException:
            registration.abandon()
            raise
    if len(created) != report.valid_rows:  # the spool is this import's own file: a bug, not bad input
        raise RuntimeError(f"spooled {len(created)} drafts for {report.valid_rows} valid rows")
    return created


def _spool(spool, drafts: list[tuple[int, HazardDraft]]) -> None:
    """Keep a chunk of checked drafts (with their row numbers) for the write phase, each geometry as
    the EWKT it is written with (made for the whole chunk at once; a shapely object pickles slowly)."""
    if drafts:
        for (_number, draft), ewkt in zip(drafts, to_ewkts([d.geometry for _n, d in drafts])):
            draft.geometry = ewkt
        pickle.dump(drafts, spool, protocol=pickle.HIGHEST_PROTOCOL)


def _spooled(spool) -> Iterator[tuple[int, HazardDraft]]:
    # Only this import wrote the file, a moment ago, in a folder of its own process: not outside input.
    spool.seek(0)
    while True:
        try:
            yield from pickle.load(spool)  # noqa: S301
        except EOFError:
            return


def _check_pass(session: Session, table: SourceTable, builder: RowBuilder, report: ImportReport,
                spool) -> tuple[dict[str, int], Counter]:
    """Parse and check every row, recording errors and spooling good drafts (unless `spool` is None);
    returns the codes the file brings, with their rows, and how many good rows per division and batch
    year need a code made for them."""
    codes: dict[str, int] = {}
    to_generate: Counter = Counter()
    bad: set[int] = set()
    places = PlacementChecker(session)
    for chunk in _chunks(table.rows(), CHUNK_SIZE):
        good: list[tuple[int, HazardDraft]] = []
        built = builder.build(chunk)
        # The same place rule as the logging form and the API: inside the division's boundary.
        placed = [(number, draft, errors) for number, draft, errors in built if draft is not None and not errors]
        for (number, _draft, errors), misplaced in zip(placed, places.problems(
                [(draft.jurisdiction_code, draft.geometry) for _n, draft, _e in placed])):
            if misplaced is not None:
                errors.append(RowError(number, "location", None, misplaced.template, dict(misplaced.params)))
        for number, draft, errors in built:
            report.rows_read += 1
            # Only a row found good so far has its code looked up: its code then lies in the user's
            # area (the row's own division), so the ledger's answer tells nothing about another one.
            if draft is not None and draft.code and not errors:
                if draft.code in codes:
                    errors.append(RowError(number, "code", draft.code,
                                           N_("code '%(code)s' is already used on row %(row)s of this file"),
                                           {"code": draft.code, "row": codes[draft.code]}))
                else:
                    codes[draft.code] = number
            if errors:
                report.errors.extend(errors)
                bad.add(number)
            else:
                good.append((number, draft))
                if not draft.code:
                    to_generate[(draft.jurisdiction_code, draft.batch_year)] += 1
        if spool is not None:
            _spool(spool, good)
    for code in _codes_in_ledger(session, list(codes)):
        report.errors.append(RowError(codes[code], "code", code, N_("code '%(code)s' is already in the ledger"),
                                      {"code": code}))
        bad.add(codes[code])
    report.errors.sort(key=lambda e: (e.row or 0))
    report.valid_rows = report.rows_read - len(bad)
    return codes, to_generate


def _codes_in_ledger(session: Session, codes: list[str], chunk: int = 500) -> list[str]:
    found: list[str] = []
    for i in range(0, len(codes), chunk):
        found.extend(session.scalars(select(Hazard.code).where(Hazard.code.in_(codes[i : i + chunk]))))
    return found


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _setting(name: str, default):
    from flask import current_app, has_app_context

    return current_app.config.get(name, default) if has_app_context() else default


def parse_cells(parsers, raw: dict, number: int, row_error=RowError) -> tuple[dict[str, Any], list[RowError]]:
    """Each present cell of a row through its column's parser ((header, key, parse) triples): the values
    by key, and a `row_error` for each cell its parser refused. Blank cells are absent, not errors."""
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for header, key, parse in parsers:
        cell = raw.get(header)
        if cell is None:
            continue
        if cell.__class__ is str:
            cell = cell.strip()
            if not cell:
                continue
        try:
            values[key] = parse(cell)
        except ValueError as exc:
            errors.append(row_error.of(number, key, cell, exc))
    return values, errors


class RowBuilder:
    """Turns raw rows into checked HazardDrafts; parsers are bound once, when the file is opened."""

    def __init__(self, table: SourceTable, vocab: Vocabulary, ref: ReferenceData, extent, *,
                 within: str | None = None, reach: permissions.ImportReach | None = None,
                 line_limit_wan=None):
        self.ref = ref
        self.line_limit_wan = line_limit_wan  # one funding line above this many 万元 is a unit slip
        self.within = within  # rows must lie in this division's subtree (None: anywhere)
        self._inside: dict[str, bool] = {}  # division code -> within `within` (a file names few divisions)
        self.reach = reach  # what rows may say of the workflow (None: anything)
        self.extent = tuple(float(v) for v in extent)
        self.parsers = parsers_for(table.mapping, vocab)
        self.header_of = {key: header for header, key, _p in self.parsers}
        # column key -> draft attribute, for the columns copied straight onto the draft
        self.simple = {c.key: c.field for c in BY_KEY.values()
                       if c.importable and c.field and c.key not in LOCATION_KEYS}
        self.required = frozenset(c.key for c in REQUIRED)

    def build(self, chunk: list[Row], check: bool = True) -> list[tuple[int, HazardDraft | None, list[RowError]]]:
        """Drafts for a chunk of rows; points are made in one vectorised call, far cheaper than one by one."""
        pending: list[tuple[int, dict, dict, list[RowError]]] = []
        point_rows: list[int] = []
        coords: list[tuple[float, float]] = []
        for number, raw in chunk:
            values, errors = self._parse(number, raw)
            if not errors:
                self._locate(number, raw, values, errors)
            if not errors:
                self._money(number, raw, values, errors)
            if not errors and isinstance(values["geometry"], tuple):
                point_rows.append(len(pending))
                coords.append(values["geometry"])
            pending.append((number, raw, values, errors))
        if coords:
            for index, point in zip(point_rows, shapely.points(coords)):
                pending[index][2]["geometry"] = point

        results = []
        for number, raw, values, errors in pending:
            draft = None
            if not errors:
                draft = self._draft(values)
                # On both passes: these decide who may write what.
                if self.within is not None:
                    self._check_within(number, raw, draft, errors)
                if not errors:  # a row outside the area is refused once, for its division
                    self._check_code(number, raw, draft, errors)
                if self.reach is not None:
                    self._check_reach(number, raw, draft, errors)
                if check:
                    errors.extend(RowError(number, p.field, self._raw(raw, p.field), p.template, dict(p.params))
                                  for p in check_draft(draft, self.ref))
            results.append((number, draft, errors))
        return results

    def _check_within(self, number: int, raw: dict, draft: HazardDraft, errors: list[RowError]) -> None:
        code = draft.jurisdiction_code
        inside = self._inside.get(code)
        if inside is None:
            try:
                inside = self._inside[code] = is_within(code, self.within)
            except DivisionCodeError:
                return  # not a division code at all: check_draft names that
        if not inside:
            errors.append(RowError(number, "jurisdiction_code", self._raw(raw, "jurisdiction_code"),
                                   N_("division %(division)s is outside your jurisdiction %(within)s"),
                                   {"division": code, "within": self.within}))

    def _check_code(self, number: int, raw: dict, draft: HazardDraft, errors: list[RowError]) -> None:
        """A code a row brings is a standard code of the row's own division, and so of the user's area.

        A code outside the user's area gets the same answer whether or not it exists, and is never
        looked up; a code of another shape could belong anywhere, so it is refused too."""
        if not draft.code:
            return
        parsed = parse_code(draft.code)
        if parsed is None:
            errors.append(RowError(number, "code", draft.code,
                                   N_("'%(code)s' is not a hazard code of the form %(example)s (division, batch year, "
                                      "a sequence of 4 to 6 digits); leave it empty and one is assigned"),
                                   {"code": draft.code, "example": _CODE_EXAMPLE}))
            return
        division = parsed[0]
        if self.within is not None and not _inside(division, self.within):
            errors.append(RowError(number, "code", draft.code, N_("code '%(code)s' is not in your area"),
                                   {"code": draft.code}))
        elif division != draft.jurisdiction_code:
            errors.append(RowError(number, "code", draft.code,
                                   N_("code '%(code)s' belongs to division %(code_division)s, not to this row's "
                                      "division %(division)s"),
                                   {"code": draft.code, "code_division": division,
                                    "division": draft.jurisdiction_code}))

    def _check_reach(self, number: int, raw: dict, draft: HazardDraft, errors: list[RowError]) -> None:
        """The row's status, level and decisions are ones the importing user could have reached."""
        reach = self.reach
        if not reach.allows_status(draft.status):
            allowed = tuple(s for s in Status if reach.allows_status(s))
            errors.append(RowError(number, "status", self._raw(raw, "status"),
                                   N_("you may not import a hazard in status %(status)s: through the workflow "
                                      "your role reaches only %(allowed)s"),
                                   {"status": draft.status, "allowed": allowed}))
        if not reach.allows_level(draft.level):
            if reach.decides:
                errors.append(RowError(number, "level", self._raw(raw, "level"),
                                       N_("you may not import a hazard at supervision level %(level)s: you list "
                                          "hazards up to level %(highest)s"),
                                       {"level": draft.level, "highest": reach.highest_level}))
            else:
                errors.append(self._decision_error(number, raw, "level"))
        if not reach.decides:
            errors.extend(self._decision_error(number, raw, key) for key in DECISION_KEYS
                          if getattr(draft, key) not in (None, ""))
            if draft.budget:  # a budget is decided by a supervisor (spending is the field's to record)
                errors.extend(self._decision_error(number, raw, key) for key in AMOUNT_KEYS["budget"]
                              if self._raw(raw, key) not in (None, ""))

    def _decision_error(self, number: int, raw: dict, key: str) -> RowError:
        return RowError(number, key, self._raw(raw, key),
                        N_("only a supervisor decides this; a file you import may only report hazards, so leave "
                           "this column empty"))

    def _raw(self, raw: dict, key: str):
        header = self.header_of.get(key)
        return None if header is None else raw.get(header)

    def _parse(self, number: int, raw: dict) -> tuple[dict[str, Any], list[RowError]]:
        values, errors = parse_cells(self.parsers, raw, number, RowError)
        if not self.required <= values.keys():
            failed = {e.column for e in errors}
            errors.extend(RowError(number, c.key, None, N_("a value is required")) for c in REQUIRED
                          if c.key not in values and c.key not in failed)
        return values, errors

    def _locate(self, number: int, raw: dict, values: dict[str, Any], errors: list[RowError]) -> None:
        """Geometry (converted to WGS-84 and checked) and stakes, from whichever columns the row has."""
        crs = values.get("crs", "wgs84")
        lonlat = (values["lon"], values["lat"]) if "lon" in values and "lat" in values else None
        if GEOMETRY_KEY in values:
            source, geometry = GEOMETRY_KEY, values[GEOMETRY_KEY]
        elif "wkt" in values:
            source, geometry = "wkt", values["wkt"]
        elif lonlat:
            source, geometry = "lon", lonlat
        else:
            missing = "lat" if "lon" in values else "lon" if "lat" in values else "wkt"
            errors.append(RowError(number, missing, None, N_("no location: give wkt, or lon and lat")))
            return
        if lonlat and source != "lon" and not _same_point(geometry, lonlat):
            errors.append(RowError(number, "lon", self._raw(raw, "lon"),
                                   N_("lon/lat do not match the geometry given; clear one of them")))
            return
        try:
            geometry = self._to_wgs84(geometry, crs)
        except ValueError as exc:
            if source == "lon" and self.extent[0] <= lonlat[0] <= self.extent[2]:
                source = "lat"  # the longitude is fine, so the latitude is what is wrong
            errors.append(RowError.of(number, source, self._raw(raw, source), exc))
            return
        values["geometry"] = geometry
        values["coordinate_input"] = (
            CoordinateInput(crs) if crs != "wgs84" else values.get("coordinate_input", CoordinateInput.WGS84)
        )
        if "stake_range" in values:
            start, end = values.pop("stake_range")
            if "start_stake" in values and (values["start_stake"], values.get("end_stake")) != (start, end):
                errors.append(RowError(number, "stake_range", self._raw(raw, "stake_range"),
                                       N_("the stake range does not match the start and end stakes; clear one")))
            values["start_stake"], values["end_stake"] = start, end

    def _money(self, number: int, raw: dict, values: dict[str, Any], errors: list[RowError]) -> None:
        """The budget and spending totals in yuan, each from its 万元 or its 元 column (both: they agree)."""
        for total, (wan_key, yuan_key) in AMOUNT_KEYS.items():
            wan, yuan = values.pop(wan_key, None), values.pop(yuan_key, None)
            if wan is not None and yuan is not None and wan != yuan:
                errors.append(RowError(number, yuan_key, self._raw(raw, yuan_key),
                                       N_("%(yuan)s yuan is not the %(wan)s (10,000 yuan) of the 万元 column; "
                                          "fill in one of the two"), {"yuan": yuan, "wan": format_wan(wan)}))
                continue
            amount, key = (wan, wan_key) if wan is not None else (yuan, yuan_key)
            if amount is not None and exceeds_line_limit(amount, self.line_limit_wan):
                errors.append(RowError(number, key, self._raw(raw, key),
                                       N_("%(amount)s (10,000 yuan) is more than %(limit)s (10,000 yuan) for one "
                                          "funding line: check the unit (an amount in yuan under a 万元 header?); "
                                          "the limit is the setting %(setting)s"),
                                       {"amount": format_wan(amount), "limit": self.line_limit_wan,
                                        "setting": "HAZARDS_FUNDING_LINE_WARN_WAN"}))
            elif amount is not None:
                values[total] = amount

    def _to_wgs84(self, geometry, crs: str):
        """Convert from the row's datum and check every vertex against the allowed area."""
        min_lon, min_lat, max_lon, max_lat = self.extent
        if isinstance(geometry, tuple):
            lon, lat = to_wgs84(*geometry, crs) if crs != "wgs84" else geometry
            if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
                validate_lonlat(lon, lat, extent=self.extent)  # raises, naming what is wrong
            return lon, lat
        if crs != "wgs84" and isinstance(geometry, BaseGeometry):
            geometry = shapely.transform(geometry, lambda xy: _convert_array(xy, crs))
        return check_hazard_geometry(geometry, self.extent)

    def _draft(self, values: dict[str, Any]) -> HazardDraft:
        simple = self.simple
        kwargs = {simple[key]: value for key, value in values.items() if key in simple}
        kwargs["geometry"] = values["geometry"]
        kwargs["coordinate_input"] = values["coordinate_input"]
        kwargs.update((total, values[total]) for total in AMOUNT_KEYS if total in values)
        kwargs.setdefault("batch_year", values["found_on"].year)
        if "road_class" not in kwargs and values.get("route_code"):
            road_class = _ROAD_CLASS_BY_LETTER.get(values["route_code"][0])
            if road_class is not None:
                kwargs["road_class"] = road_class
        return HazardDraft(**kwargs)


def _inside(code: str, ancestor: str) -> bool:
    try:
        return is_within(code, ancestor)
    except DivisionCodeError:
        return False  # not a division at all, so in nobody's area


def _same_point(geometry, lonlat: tuple[float, float]) -> bool:
    if not isinstance(geometry, tuple):
        return False  # lon/lat only describe a point
    return abs(geometry[0] - lonlat[0]) <= _SAME_POINT_DEGREES and abs(geometry[1] - lonlat[1]) <= _SAME_POINT_DEGREES


def _convert_array(xy, crs: str):
    import numpy as np

    return np.array([to_wgs84(float(x), float(y), crs) for x, y in xy])
