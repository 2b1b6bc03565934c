"""Read a ledger file (CSV, XLSX, GeoJSON) into rows of header -> raw cell, numbered as the user sees them.

`open_table` checks the file (format, size, encoding, header) up front and returns a `SourceTable`
whose `rows()` can be iterated more than once: the importer validates everything in a first pass
and reads again only to write, so a 100k-row file never has to sit in memory as drafts.
"""

from __future__ import annotations

import codecs
import csv
import json
import zipfile
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.geometry import GeometryError, declared_crs, is_lonlat_crs
from hazards.domain.errors import N_, TranslatableValueError
from hazards.inputs.values import UnreadableJson, strict_json
from hazards.io.columns import GEOMETRY_KEY, HeaderMap, looks_like_header, map_headers, missing_columns

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".geojson": "geojson", ".json": "geojson"}
#: Title rows above the header ("2024年忻州市道路交通安全隐患台账") are skipped up to this depth.
HEADER_SEARCH_ROWS = 20

Row = tuple[int, dict[str, Any]]


class ImportFileError(TranslatableValueError):
    """The file as a whole cannot be imported: wrong format, empty, too large, columns missing."""


@dataclass
class SourceTable:
    path: Path
    format: str
    headers: list[str]
    mapping: HeaderMap
    warnings: list[str] = field(default_factory=list)
    _rows: Callable[[], Iterator[Row]] | None = None

    def rows(self) -> Iterator[Row]:
        """(row number as shown in the file, {header: raw cell}); fully empty rows are skipped."""
        return self._rows()


def detect_format(path: Path, fmt: str | None = None) -> str:
    if fmt:
        fmt = fmt.lower().lstrip(".")
        if fmt in ("csv", "xlsx", "geojson"):
            return fmt
        if fmt == "json":
            return "geojson"
        raise ImportFileError(N_("unknown format '%(format)s'; use csv, xlsx or geojson"), {"format": fmt})
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ImportFileError(N_("'%(file)s' is an old Excel .xls file; save it as .xlsx or CSV and import that"),
                              {"file": path.name})
    if suffix not in FORMATS:
        raise ImportFileError(N_("'%(file)s': unknown file type '%(suffix)s'; use .csv, .xlsx or .geojson"),
                              {"file": path.name, "suffix": suffix})
    return FORMATS[suffix]


def open_table(path: str | Path, *, fmt: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceTable:
    """Open and check a ledger file; raises ImportFileError with a message meant for the user."""
    path = Path(path)
    fmt = detect_format(path, fmt)
    magic = _checked_start(path, max_bytes)
    table = {"csv": _csv_table, "xlsx": _xlsx_table, "geojson": _geojson_table}[fmt](path, magic)
    _check_headers(table)
    return table


@dataclass
class Sheet:
    """A CSV or XLSX sheet that is not a ledger (a list of people, say): its header and raw rows."""

    path: Path
    headers: list[str]
    _rows: Callable[[], Iterator[Row]]

    def rows(self) -> Iterator[Row]:
        """(row number as shown in the file, {header: raw cell}); fully empty rows are skipped."""
        return self._rows()


def open_sheet(path: str | Path, *, is_header: Callable[[list], bool], max_bytes: int = DEFAULT_MAX_BYTES) -> Sheet:
    """Open a CSV or XLSX sheet with the same checks as a ledger (size, encoding, stray cells), its header
    being the first row `is_header` accepts (title rows above it are skipped) or else the first row."""
    path = Path(path)
    suffix = path.suffix.lower()
    fmt = detect_format(path) if suffix == ".xls" else FORMATS.get(suffix)  # .xls: its own advice
    if fmt not in ("csv", "xlsx"):
        raise ImportFileError(N_("'%(file)s': unknown file type '%(suffix)s'; use .csv or .xlsx"),
                              {"file": path.name, "suffix": suffix})
    magic = _checked_start(path, max_bytes)
    records = _csv_records(path, magic) if fmt == "csv" else _xlsx_records(path, magic)
    with closing(records()) as first_rows:
        _number, headers = _find_header(first_rows, path, is_header)
    return Sheet(path, [h for h in headers if h], lambda: _data_rows(records(), path, is_header))


def _checked_start(path: Path, max_bytes: int) -> bytes:
    """The file's first bytes, once it is known to exist, not be empty and not be too large."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFileError(N_("cannot read '%(file)s': %(reason)s"), {"file": str(path), "reason": exc.strerror}) from None
    if size == 0:
        raise ImportFileError(N_("'%(file)s' is empty"), {"file": path.name})
    if size > max_bytes:
        raise ImportFileError(N_("'%(file)s' is %(size)s MB, larger than the %(limit)s MB allowed; split it"),
                              {"file": path.name, "size": f"{size / 1048576:.0f}", "limit": f"{max_bytes / 1048576:.0f}"})
    with open(path, "rb") as fh:
        return fh.read(8)


def _check_headers(table: SourceTable) -> None:
    mapping = table.mapping
    missing = missing_columns(mapping, geojson=table.format == "geojson")
    if missing:
        raise ImportFileError(N_("'%(file)s' lacks required columns: %(columns)s"),
                              {"file": table.path.name, "columns": "; ".join(missing)})
    if mapping.unknown:
        table.warnings.append(f"columns not recognised, ignored: {', '.join(mapping.unknown)}")
    if mapping.repeated:
        table.warnings.append(f"columns given twice, only the first is read: {', '.join(mapping.repeated)}")


def _unique_headers(cells: list[Any]) -> list[str | None]:
    """Header texts; a blank header cell gets None (its column is not read), repeats get '#2', '#3'."""
    seen: dict[str, int] = {}
    result: list[str | None] = []
    for cell in cells:
        text = "" if cell is None else str(cell).strip()
        if not text:
            result.append(None)
            continue
        seen[text] = seen.get(text, 0) + 1
        result.append(text if seen[text] == 1 else f"{text}#{seen[text]}")
    return result


def _is_blank(cells) -> bool:
    for cell in cells:  # returns at the first filled cell, which is nearly always the first
        if cell is not None and (cell.__class__ is not str or cell.strip()):
            return False
    return True


def _find_header(records: Iterator[tuple[int, list]], path: Path,
                 is_header: Callable[[list], bool] = looks_like_header) -> tuple[int, list[str | None]]:
    """The header: the first row naming known columns, else the first non-empty row."""
    first: tuple[int, list] | None = None
    for depth, (number, cells) in enumerate(records):
        if _is_blank(cells):
            continue
        if is_header(cells):
            return number, _unique_headers(cells)
        first = first or (number, cells)
        if depth >= HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise ImportFileError(N_("'%(file)s' has no rows"), {"file": path.name})
    return first[0], _unique_headers(first[1])


def _data_rows(records: Iterator[tuple[int, list]], path: Path,
               is_header: Callable[[list], bool] = looks_like_header) -> Iterator[Row]:
    _number, headers = _find_header(records, path, is_header)
    named = [(i, h) for i, h in enumerate(headers) if h is not None]
    width = len(headers)
    for number, cells in records:
        if _is_blank(cells):
            continue
        if len(cells) < width:
            cells = list(cells) + [None] * (width - len(cells))
        yield number, {h: cells[i] for i, h in named}


# ---------------------------------------------------------------- CSV


def _csv_table(path: Path, magic: bytes) -> SourceTable:
    records = _csv_records(path, magic)
    with closing(records()) as first_rows:
        _number, headers = _find_header(first_rows, path)
    return SourceTable(path, "csv", [h for h in headers if h], map_headers(h for h in headers if h),
                       _rows=lambda: _data_rows(records(), path))


def _csv_records(path: Path, magic: bytes) -> Callable[[], Iterator[tuple[int, list]]]:
    if magic.startswith(b"PK\x03\x04"):
        raise ImportFileError(N_("'%(file)s' is an Excel workbook, not CSV; name it .xlsx"), {"file": path.name})
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(N_("'%(file)s' is an old Excel .xls file, not CSV; save it as .xlsx or CSV"),
                              {"file": path.name})
    encoding = _detect_encoding(path)
    with open(path, encoding=encoding, newline="") as fh:
        sample = fh.read(65536)
    if "\x00" in sample:
        raise ImportFileError(N_("'%(file)s' is not a text (CSV) file"), {"file": path.name})
    delimiter = _sniff_delimiter(sample)

    def records() -> Iterator[tuple[int, list]]:
        with open(path, encoding=encoding, newline="") as fh:
            # csv counts records, not physical lines: a cell with a line break stays one row, as in Excel
            reader = csv.reader(_without_nul(fh, path), delimiter=delimiter)
            number = 0
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error:
                    # The csv module's one refusal past the sample: a cell over its field limit
                    # (128 KB, far above any column's length), usually a quote never closed.
                    raise ImportFileError(
                        N_("'%(file)s' line %(line)s: a cell is longer than %(n)s characters (is a quote "
                           "left open?)"), {"file": path.name, "line": reader.line_num, "n": csv.field_size_limit()},
                    ) from None
                number += 1
                yield number, cells

    return records


def _without_nul(lines, path: Path) -> Iterator[str]:
    """The file's lines, refusing one with a NUL past the sniffed sample (PostgreSQL text cannot hold
    it). Checked per physical line, which costs one scan in C, not one per cell."""
    for number, line in enumerate(lines, 1):
        if "\x00" in line:
            raise ImportFileError(N_("'%(file)s' line %(line)s contains a NUL character"),
                                  {"file": path.name, "line": number})
        yield line


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030, which Chinese Excel saves as 'CSV'."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        if _decodes(path, encoding):
            return encoding
    raise ImportFileError(N_("'%(file)s' is neither UTF-8 nor GBK/GB18030 text; save it as CSV UTF-8"),
                          {"file": path.name})


def _decodes(path: Path, encoding: str) -> bool:
    # the whole file, in blocks: a GBK character may first appear on row 90,000
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _sniff_delimiter(sample: str) -> str:
    first_line = sample.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


# ---------------------------------------------------------------- XLSX


#: A ledger has a few dozen columns; a cell far to the right is a broken or hostile workbook.
XLSX_MAX_COLUMNS = 500
#: The first sheet's XML, unzipped: a small file that inflates beyond this is refused before parsing.
XLSX_MAX_SHEET_BYTES = 1024 * 1024 * 1024


def _xlsx_table(path: Path, magic: bytes) -> SourceTable:
    records = _xlsx_records(path, magic)
    with closing(records()) as first_rows:
        _number, headers = _find_header(first_rows, path)
    return SourceTable(path, "xlsx", [h for h in headers if h], map_headers(h for h in headers if h),
                       _rows=lambda: _data_rows(records(), path))


def _xlsx_records(path: Path, magic: bytes) -> Callable[[], Iterator[tuple[int, list]]]:
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(N_("'%(file)s' is an old Excel .xls file; save it as .xlsx and import that"),
                              {"file": path.name})
    if not magic.startswith(b"PK\x03\x04") or not zipfile.is_zipfile(path):
        raise ImportFileError(N_("'%(file)s' is not an Excel .xlsx workbook"), {"file": path.name})
    _check_unzipped_size(path)

    def records() -> Iterator[tuple[int, list]]:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a broken workbook
            raise ImportFileError(N_("'%(file)s' is not a readable .xlsx workbook (%(reason)s)"),
                                  {"file": path.name, "reason": str(exc)}) from None
        try:
            if not workbook.worksheets:
                raise ImportFileError(N_("'%(file)s' has no worksheet"), {"file": path.name})
            yield from _present_rows(workbook.worksheets[0], path)
        finally:
            workbook.close()

    return records


def _check_unzipped_size(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        sheets = [i for i in archive.infolist() if i.filename.startswith("xl/worksheets/")]
    if any(info.file_size > XLSX_MAX_SHEET_BYTES for info in sheets):
        raise ImportFileError(N_("'%(file)s' unpacks to a worksheet over %(mb)s MB; split the ledger into "
                                 "several files"), {"file": path.name, "mb": XLSX_MAX_SHEET_BYTES // 2**20})


def _present_rows(sheet, path: Path) -> Iterator[tuple[int, list]]:
    """(Excel row number, cell values) of the rows the sheet stores, skipping the ones it does not.

    openpyxl's own iter_rows pads every missing row and column up to the sheet's extent, so a 5 KB
    workbook with one cell at row 1,048,576 or column XFD would make a million rows of 16,384
    cells. Reading the sheet's XML row by row costs only what the file holds.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    workbook = sheet.parent
    with sheet._get_source() as source:
        parser = WorkSheetParser(source, sheet._shared_strings, data_only=workbook.data_only,
                                 epoch=workbook.epoch, date_formats=workbook._date_formats,
                                 timedelta_formats=workbook._timedelta_formats)
        for number, cells in parser.parse():
            if not cells:
                continue
            width = max(cell["column"] for cell in cells)
            if width > XLSX_MAX_COLUMNS:
                raise ImportFileError(N_("'%(file)s' has a cell in column %(column)s of row %(row)s; a ledger has "
                                         "at most %(limit)s columns (delete the stray cell and save again)"),
                                      {"file": path.name, "column": width, "row": number, "limit": XLSX_MAX_COLUMNS})
            values: list[Any] = [None] * width
            for cell in cells:
                values[cell["column"] - 1] = cell["value"]
            yield number, values


# ---------------------------------------------------------------- GeoJSON


def _geojson_table(path: Path, magic: bytes) -> SourceTable:
    try:
        data = strict_json(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportFileError(N_("'%(file)s' is not UTF-8 text, as GeoJSON must be"), {"file": path.name}) from None
    except json.JSONDecodeError as exc:
        raise ImportFileError(N_("'%(file)s' is not JSON (line %(line)s: %(reason)s)"),
                              {"file": path.name, "line": exc.lineno, "reason": exc.msg}) from None
    except UnreadableJson as exc:
        raise ImportFileError(N_("'%(file)s' cannot be read: %(reason)s"), {"file": path.name, "reason": exc}) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ImportFileError(N_("'%(file)s' is not a GeoJSON FeatureCollection"), {"file": path.name})
    features = data.get("features")
    if not isinstance(features, list):
        raise ImportFileError(N_("'%(file)s': a FeatureCollection needs a 'features' list"), {"file": path.name})
    try:
        crs_name = declared_crs(data)
    except GeometryError as exc:
        raise ImportFileError(N_("'%(file)s' cannot be read: %(reason)s"), {"file": path.name, "reason": exc}) from None
    if not is_lonlat_crs(crs_name):
        raise ImportFileError(N_("'%(file)s' declares CRS '%(crs)s'; give lon/lat in WGS-84 or CGCS2000"),
                              {"file": path.name, "crs": crs_name})
    if not features:
        raise ImportFileError(N_("'%(file)s' has no features"), {"file": path.name})
    headers: dict[str, None] = {}
    for feature in features:
        if isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
            headers.update(dict.fromkeys(feature["properties"]))

    def rows() -> Iterator[Row]:
        for number, feature in enumerate(features, 1):
            if not isinstance(feature, dict):
                yield number, {}
                continue
            properties = feature.get("properties")
            row = dict(properties) if isinstance(properties, dict) else {}
            row[GEOMETRY_KEY] = feature.get("geometry")
            yield number, row

    names = list(headers)
    return SourceTable(path, "geojson", names, map_headers([*names, GEOMETRY_KEY]), _rows=rows)
