"""Export the ledger (or one jurisdiction's subtree) as CSV, XLSX or GeoJSON, streamed in chunks.

Every file this writes imports back unchanged: the geometry goes out as full-precision WKT (plus
lon/lat for points, for people and spreadsheets), the coordinate datum it was typed in goes out as
`coordinate_input`, and enum values as the Chinese label or the English code, both of which parse.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import shapely
from shapely.geometry import mapping
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import True_

from hazards import clock, permissions
from hazards.domain.completion import days_overdue
from hazards.domain.divisions import check_code
from hazards.domain.enums import FundingKind, FundingSource, Status
from hazards.domain.errors import N_, TranslatableValueError
from hazards.io.columns import Column, Vocabulary, export_columns
from hazards.io.spreadsheet_text import defused, is_formula_like, xlsx_value
from hazards.models import (
    Category,
    FundingEntry,
    Hazard,
    Jurisdiction,
    Measure,
    Organization,
    hazard_categories,
    hazard_measures,
)
from hazards.permissions import within_clause
from hazards.queries.crash_effect import effects

CHUNK_SIZE = 2000
#: Hazards fetched at once by id when the export follows a given order (each chunk is an IN list).
ORDERED_CHUNK_SIZE = 500
EXTENSIONS = {".csv": "csv", ".xlsx": "xlsx", ".geojson": "geojson", ".json": "geojson"}


class ExportError(TranslatableValueError):
    pass


def export_hazards(
    session: Session,
    path: str | Path,
    *,
    fmt: str | None = None,
    actor,
    headers: str = "zh",
    jurisdiction: str | None = None,
    only=None,
    order: list[int] | None = None,
    today: date | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> int:
    """Write the hazards `actor` may see to `path`; returns how many. GeoJSON always uses English keys
    and codes. The CLI exports as `permissions.SYSTEM`.

    `only` is an SQL condition on the hazards table that narrows the export further, and `order` the
    hazards' ids in the order the rows are written (else by id): the web list passes its filters and
    its sort this way, so the file holds exactly what the page lists, in the same order. 逾期天数 is
    judged on `today` (the ledger's today by default).
    """
    path = Path(path)
    fmt = _format(path, fmt)
    if headers not in ("zh", "en"):
        raise ExportError(N_("headers must be 'zh' or 'en', not '%(headers)s'"), {"headers": headers})
    if jurisdiction is not None:
        jurisdiction = check_code(jurisdiction)
        if session.get(Jurisdiction, jurisdiction) is None:
            raise ExportError(N_("no jurisdiction with code '%(code)s'"), {"code": jurisdiction})
    style = "json" if fmt == "geojson" else headers
    columns = export_columns(fmt)
    vocab = Vocabulary.load(session)
    formatters = [(c.key, c.formatter(vocab, style)) for c in columns]
    records = _records(session, actor, jurisdiction, only, chunk_size, order, today or clock.today())
    rows = ((r, [fmt_(r[key]) for key, fmt_ in formatters]) for r in records)
    # Written beside the target and renamed at the end: a failed export leaves no half file.
    partial = path.with_name(path.name + ".part")
    try:
        writer = {"csv": _write_csv, "xlsx": _write_xlsx, "geojson": _write_geojson}[fmt]
        count = writer(partial, columns, headers, rows)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return count


def _format(path: Path, fmt: str | None) -> str:
    if fmt:
        fmt = fmt.lower().lstrip(".")
        fmt = "geojson" if fmt == "json" else fmt
        if fmt not in ("csv", "xlsx", "geojson"):
            raise ExportError(N_("unknown format '%(format)s'; use csv, xlsx or geojson"), {"format": fmt})
        return fmt
    if path.suffix.lower() not in EXTENSIONS:
        raise ExportError(N_("cannot tell the format from '%(file)s'; use .csv, .xlsx or .geojson, or give a format"),
                          {"file": path.name})
    return EXTENSIONS[path.suffix.lower()]


# ---------------------------------------------------------------- reading the ledger


def _records(session: Session, actor, jurisdiction: str | None, only, chunk_size: int, order: list[int] | None,
             today: date) -> Iterator[dict[str, Any]]:
    """One dict per hazard keyed by column key, in id order (keyset pages) or in `order` (chunks of
    ids); either way memory stays flat."""
    h = Hazard.__table__
    supervising = Organization.__table__.alias("supervising")
    responsible = Organization.__table__.alias("responsible")
    division = Jurisdiction.__table__
    conditions = [c for c in (permissions.visible_clause(actor, h.c.jurisdiction_code),
                              within_clause(h.c.jurisdiction_code, jurisdiction) if jurisdiction else None, only)
                  if c is not None and not isinstance(c, True_)]  # the whole country: spare the totals a join
    where = and_(*conditions) if conditions else None
    stmt = (
        select(h, division.c.name.label("jurisdiction_name"), supervising.c.name.label("supervising_body"),
               responsible.c.name.label("responsible_unit"))
        .select_from(
            h.join(division, division.c.code == h.c.jurisdiction_code)
            .outerjoin(supervising, supervising.c.id == h.c.supervising_body_id)
            .outerjoin(responsible, responsible.c.id == h.c.responsible_unit_id)
        )
    )
    if where is not None:
        stmt = stmt.where(where)
    totals = _funding_totals(session, where)
    for rows in _chunks(session, stmt, h, chunk_size, order):
        ids = [r["id"] for r in rows]
        categories = _terms_by_hazard(session, hazard_categories.c.hazard_id, hazard_categories.c.category_id,
                                      Category, ids)
        measures = _terms_by_hazard(session, hazard_measures.c.hazard_id, hazard_measures.c.measure_id,
                                    Measure, ids)
        # 治理成效 of the chunk's closed hazards, counted together (hazards.queries.crash_effect).
        found = effects(session, [r["id"] for r in rows if r["status"] is Status.CLOSED], today=today)
        geometries = shapely.from_wkb([_wkb(r["geom"]) for r in rows])
        wkts = shapely.to_wkt(geometries, rounding_precision=-1)  # shortest text that reads back the same
        for row, geometry, wkt in zip(rows, geometries, wkts):
            yield {**_record(row, geometry, wkt, categories.get(row["id"], []), measures.get(row["id"], []),
                             totals.get(row["id"], {}), today), "effect": found.get(row["id"])}


def _chunks(session: Session, stmt, h, chunk_size: int, order: list[int] | None) -> Iterator[list]:
    """The rows a page at a time: keyset pages by id, or the ids of `order` a chunk at a time, in that order
    (an id no longer there, or outside the export's conditions, is skipped)."""
    if order is None:
        last_id = 0
        while rows := session.execute(stmt.where(h.c.id > last_id).order_by(h.c.id).limit(chunk_size)).mappings().all():
            last_id = rows[-1]["id"]
            yield rows
        return
    size = min(chunk_size, ORDERED_CHUNK_SIZE)
    for start in range(0, len(order), size):
        wanted = order[start:start + size]
        found = {r["id"]: r for r in session.execute(stmt.where(h.c.id.in_(wanted))).mappings().all()}
        rows = [found[i] for i in wanted if i in found]
        if rows:
            yield rows


def _wkb(element):
    data = element.data
    return bytes(data) if isinstance(data, memoryview) else data


def _record(row, geometry, wkt: str, categories, measures, totals, today: date) -> dict[str, Any]:
    record = dict(row)
    is_point = geometry.geom_type == "Point"
    facts = SimpleNamespace(status=row["status"], closed_on=row["closed_on"], deadline=row["deadline"])
    record.update(
        start_stake=row["start_m"], end_stake=row["end_m"], categories=categories, measures=measures,
        wkt=wkt, lon=geometry.x if is_point else None, lat=geometry.y if is_point else None,
        geometry=geometry, budget_wan=totals.get(FundingKind.BUDGET), spent_wan=totals.get(FundingKind.SPENDING),
        funding_source=totals.get("source"), funding_date=totals.get("date"),
        days_overdue=days_overdue(facts, today),
        updated_at=clock.local(row["updated_at"]).strftime("%Y-%m-%d %H:%M") if row["updated_at"] else None,
    )
    return record


def _terms_by_hazard(session, hazard_col, term_col, model, ids: list[int]) -> dict[int, list[str]]:
    """Codes per hazard for one page, in the vocabulary's order: a range of ids when the page is in id
    order, else the page's ids."""
    ascending = all(a < b for a, b in zip(ids, ids[1:]))
    which = and_(hazard_col >= ids[0], hazard_col <= ids[-1]) if ascending else hazard_col.in_(ids)
    stmt = (
        select(hazard_col, model.code)
        .join(model, model.id == term_col)
        .where(which)
        .order_by(hazard_col, model.sort_order, model.id)
    )
    result: dict[int, list[str]] = {}
    for hazard_id, code in session.execute(stmt):
        result.setdefault(hazard_id, []).append(code)
    return result


def _funding_totals(session: Session, where) -> dict[int, dict]:
    """Per hazard, in one GROUP BY over the funding ledger for the whole export: the budget and
    spending totals in yuan, the source of most of that money and the date of the last line that
    counts (a reversed line's money is gone, and so is its date)."""
    stmt = (
        select(FundingEntry.hazard_id, FundingEntry.kind, FundingEntry.source, func.sum(FundingEntry.amount),
               func.max(FundingEntry.entry_date))
        .where(FundingEntry.kind.in_([FundingKind.BUDGET, FundingKind.SPENDING]))
        .group_by(FundingEntry.hazard_id, FundingEntry.kind, FundingEntry.source)
    )
    if where is not None:
        stmt = stmt.join(Hazard, Hazard.id == FundingEntry.hazard_id).where(where)
    totals: dict[int, dict] = {}
    by_source: dict[int, dict[FundingSource, Decimal]] = {}
    for hazard_id, kind, source, amount, last_date in session.execute(stmt):
        amount = Decimal(amount or 0)
        money = totals.setdefault(hazard_id, {})
        money[kind] = money.get(kind, Decimal("0.00")) + amount
        if amount:
            shares = by_source.setdefault(hazard_id, {})
            shares[source] = shares.get(source, Decimal("0.00")) + amount
            money["date"] = max(filter(None, (money.get("date"), last_date)))
    order = list(FundingSource)
    for hazard_id, shares in by_source.items():  # the largest share; a tie goes to the higher level of funds
        totals[hazard_id]["source"] = max(shares, key=lambda source: (shares[source], -order.index(source)))
    return totals


# ---------------------------------------------------------------- writers


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return defused(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)  # int, Decimal; float repr is the shortest text that reads back the same


def _write_csv(path: Path, columns: list[Column], headers: str, rows) -> int:
    count = 0
    # utf-8-sig: the BOM is what makes Excel on Chinese Windows read UTF-8 instead of GBK
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([c.header(headers) for c in columns])
        for _record, cells in rows:
            writer.writerow([_csv_text(v) for v in cells])
            count += 1
    return count


def _write_xlsx(path: Path, columns: list[Column], headers: str, rows) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("隐患台账" if headers == "zh" else "hazards")
    sheet.freeze_panes = "A2"
    sheet.append([c.header(headers) for c in columns])
    count = 0

    def as_text(value: str):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"  # text that starts with '=' stays text, not a formula
        return cell

    for _record, cells in rows:
        cells = [xlsx_value(v) for v in cells]
        sheet.append([as_text(v) if is_formula_like(v) else v for v in cells])
        count += 1
    workbook.save(path)
    return count


def _write_geojson(path: Path, columns: list[Column], headers: str, rows) -> int:
    keys = [c.key for c in columns]
    count = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{"type": "FeatureCollection", "features": [\n')
        for record, cells in rows:
            feature = {
                "type": "Feature",
                "id": record["code"],
                "geometry": mapping(record["geometry"]),  # [lon, lat], full float precision
                "properties": dict(zip(keys, cells)),
            }
            fh.write((",\n" if count else "") + json.dumps(feature, ensure_ascii=False))
            count += 1
        fh.write("\n]}\n")
    return count
