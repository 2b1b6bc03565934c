"""The column specification of ledger files: one table drives header mapping, parsing, checks and export.

Each `Column` knows its English key (CSV/XLSX English header, GeoJSON property), its Chinese header,
the spellings users type for it, how to turn a cell into a typed value and how to write one back.
Parsers and formatters are built once per file (`Column.parser(vocab)`), never per row.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.coords import normalise_crs, parse_coordinate
from geo.geometry import from_geojson, from_wkt
from geo.stakes import format_stake, parse_stake, parse_stake_range
from hazards.domain.divisions import check_code
from hazards.domain.enums import (
    CoordinateInput,
    Direction,
    FundingSource,
    RiskGrade,
    RoadClass,
    Source,
    Status,
    SupervisionLevel,
)
from hazards.domain.errors import N_, TranslatableValueError
from hazards.domain.labels import fold, label, lookup_table
from hazards.domain.money import parse_amount, to_wan_exact
from hazards.inputs.values import FIRST_DATE, LAST_DATE
from hazards.models import Category, Jurisdiction, Measure

Parser = Callable[[Any], Any]
Formatter = Callable[[Any], Any]  # built per style: "zh" / "en" (CSV, XLSX headers) or "json" (GeoJSON)
#: The header under which readers hand over a GeoJSON feature's own geometry.
GEOMETRY_KEY = "@geometry"


@dataclass
class Vocabulary:
    """The reference data parsers and formatters need, loaded once per file."""

    category_codes: dict[str, str]  # casefolded code / 中文名 / English name -> code
    measure_codes: dict[str, str]
    category_names: dict[str, tuple[str, str]]  # code -> (中文名, English name), in sort order
    measure_names: dict[str, tuple[str, str]]
    division_names: dict[str, str | None]  # casefolded name -> code; None when the name is ambiguous

    @classmethod
    def load(cls, session: Session) -> Vocabulary:
        names: dict[str, str | None] = {}
        for code, zh, en in session.execute(select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.name_en)):
            for name in filter(None, (zh, en)):
                key = name.strip().casefold()
                names[key] = code if names.get(key, code) == code else None
        category_codes, category_names = _terms(session, Category)
        measure_codes, measure_names = _terms(session, Measure)
        return cls(category_codes, measure_codes, category_names, measure_names, names)


def _terms(session: Session, model) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    codes: dict[str, str] = {}
    labels: dict[str, tuple[str, str]] = {}
    for code, zh, en in session.execute(
        select(model.code, model.name_zh, model.name_en).order_by(model.sort_order, model.id)
    ):
        labels[code] = (zh, en)
        for spelling in (code, zh, en):
            codes[spelling.strip().casefold()] = code
    return codes, labels


# ---------------------------------------------------------------- parsers (cell -> typed value)
# Cells arrive non-empty: str (stripped), or int/float/bool/datetime from XLSX and GeoJSON.
# A refused cell raises CellError: a template and params, so the row error reads in the user's language.


class CellError(TranslatableValueError):
    """A cell that is not a value of its column."""


@dataclass(frozen=True)
class Phrase:
    """A few words quoted inside a message (what a column holds), translated with it."""

    template: str

    def __str__(self) -> str:
        return self.template


def _as_text(value: Any) -> str:
    """A cell as text; an integral float from a spreadsheet (13800138000.0) loses its '.0'."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def text_parser(max_length: int | None = None) -> Parser:
    def parse(value: Any) -> str:
        text = _as_text(value).strip()
        # Undo the apostrophe the CSV export puts before =, +, - and @ so Excel does not run it.
        if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@"):
            text = text[1:]
        if max_length and len(text) > max_length:
            raise CellError(N_("'%(text)s…' is longer than %(limit)s characters"),
                            {"text": text[:40], "limit": max_length})
        return text

    return parse


_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[T\s]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = date(1899, 12, 30)


def date_parser() -> Parser:
    """parse_date with a memo: a ledger repeats a few hundred dates over thousands of rows."""
    return _memoised(parse_date)


def _memoised(parse: Parser) -> Parser:
    # Only successes are kept, so a file full of distinct bad values cannot grow it without bound
    # beyond what good values would.
    memo: dict[Any, Any] = {}

    def parse_memo(value: Any):
        if value.__class__ is str:
            found = memo.get(value)
            if found is None:
                found = memo[value] = parse(value)
            return found
        return parse(value)

    return parse_memo


def parse_date(value: Any) -> date:
    """2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日, 20240301, ISO datetimes, Excel date cells."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A date cell formatted as a number: Excel's serial day count. Only plausible years, so a
        # bare year (2024) typed into a date column is refused rather than read as 1905.
        if 20000 <= value <= 80000:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError(N_("'%(value)s' is not a date; use a form like 2024-03-01"), {"value": _as_text(value)})
    text = value if value.isascii() else unicodedata.normalize("NFKC", value)
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match:
        try:
            day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            raise CellError(N_("'%(value)s' is not a valid calendar date"), {"value": value}) from None
        if not FIRST_DATE <= day <= LAST_DATE:
            raise CellError(N_("'%(value)s' is not a date from %(first)s to %(last)s"),
                            {"value": value, "first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()})
        return day
    raise CellError(N_("'%(value)s' is not a date; use a form like 2024-03-01"), {"value": value})


_INTEGER = re.compile(r"^[+-]?\d+(?:\.0*)?$")


def integer_parser(minimum: int, maximum: int, suffixes: str = "") -> Parser:
    """Whole numbers only; `suffixes` are unit characters people append (2起, 3人, 2024年)."""

    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise CellError(N_("'%(value)s' is not a whole number"), {"value": value})
        if isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        else:
            text = _as_text(value).strip().rstrip(suffixes).strip()
            if not _INTEGER.match(text):
                raise CellError(N_("'%(value)s' is not a whole number"), {"value": value})
            number = int(text.split(".")[0])
        if number < minimum:
            if minimum == 0:
                raise CellError(N_("'%(value)s' cannot be negative"), {"value": value})
            raise CellError(N_("'%(value)s' is below %(minimum)s"), {"value": value, "minimum": minimum})
        if number > maximum:
            raise CellError(N_("'%(value)s' is above %(maximum)s"), {"value": value, "maximum": maximum})
        return number

    return parse


_TRUE = frozenset({"是", "y", "yes", "true", "t", "1", "√", "✓", "✔", "有", "对"})
_FALSE = frozenset({"否", "n", "no", "false", "f", "0", "×", "✗", "✘", "无", "不是"})


def parse_bool(value: Any) -> bool:
    """是/否, Y/N, yes/no, true/false, 1/0, √/×."""
    if isinstance(value, bool):
        return value
    text = _as_text(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(N_("'%(value)s' is not yes or no; use 是/否, Y/N, true/false or 1/0"), {"value": value})


def enum_parser(enum_cls, what: str) -> Parser:
    """`what` names the column's values in a message: a template marked N_."""
    table = lookup_table(enum_cls)
    # The labels and the codes, in no one language's sentence: the message around them is translated.
    choices = ", ".join(label(m) for m in enum_cls) + " / " + ", ".join(m.value for m in enum_cls)

    def parse(value: Any):
        member = table.get(fold(_as_text(value)))
        if member is None:
            raise CellError(N_("'%(value)s' is not a %(what)s; use one of %(choices)s"),
                            {"value": value, "what": Phrase(what), "choices": choices})
        return member

    return _memoised(parse)


_LIST_SEPARATORS = re.compile(r"[、，,;；/|\n]+")


def list_parser(table: dict[str, str], names: dict[str, tuple[str, str]], what: str) -> Parser:
    """A list of codes or Chinese/English names separated by 、，,;；/ or spaces; a GeoJSON array too."""
    choices = ", ".join(zh for zh, _en in names.values())

    def resolve(part: str) -> list[str]:
        code = table.get(part.casefold())
        if code is not None:
            return [code]
        words = part.split()
        if len(words) > 1 and all(w.casefold() in table for w in words):
            return [table[w.casefold()] for w in words]
        raise CellError(N_("'%(value)s' is not a known %(what)s; use one of %(choices)s (or their codes)"),
                        {"value": part, "what": Phrase(what), "choices": choices})

    def parse(value: Any) -> tuple[str, ...]:
        items = value if isinstance(value, (list, tuple)) else [value]
        codes: list[str] = []
        for item in items:
            text = _as_text(item).strip()
            whole = table.get(text.casefold())  # names may hold a separator themselves
            if whole is not None:
                codes.append(whole)
                continue
            for part in _LIST_SEPARATORS.split(text):
                if part.strip():
                    codes.extend(resolve(part.strip()))
        return tuple(dict.fromkeys(codes))  # a tuple, so the memo's answer cannot be changed by a caller

    memo = _memoised(parse)
    return lambda value: list(memo(value))


def amount_parser(unit: str) -> Parser:
    """An amount of money in the column's unit ("wan": 万元, "yuan": 元), as yuan. A spreadsheet's
    number cell is read by its shortest text, which holds the digits the person typed."""

    def parse(value: Any):
        if isinstance(value, bool):
            raise CellError(N_("'%(text)s' is not an amount of money"), {"text": value})
        if isinstance(value, float):
            value = repr(value)
        return parse_amount(value if isinstance(value, str) else str(value), unit)

    return _memoised(parse)


_PLAIN_STAKE = re.compile(r"^K(\d{1,4})\+(\d{3})$")


def parse_stake_cell(value: Any) -> int:
    if value.__class__ is str and (match := _PLAIN_STAKE.match(value)):
        return int(match.group(1)) * 1000 + int(match.group(2))  # K12+300, the usual spelling, fast
    return parse_stake(_as_text(value))


def parse_stake_range_cell(value: Any) -> tuple[int, int | None]:
    return parse_stake_range(_as_text(value))


def division_parser(names: dict[str, str | None]) -> Parser:
    """A 6-digit division code, or the division's name (忻府区) when that name is unique."""

    def parse(value: Any) -> str:
        text = _as_text(value).strip()
        if len(text) == 6 and text.isdigit():
            return text
        if text.isdigit():
            return check_code(text)
        key = text.casefold()
        if key in names:
            if names[key] is None:
                raise CellError(N_("'%(value)s' names more than one jurisdiction; give its 6-digit code"),
                                {"value": text})
            return names[key]
        raise CellError(N_("'%(value)s' is not a 6-digit division code (e.g. 140902) or a known jurisdiction name"),
                        {"value": text})

    return parse


_ROUTE = re.compile(r"^[A-Z0-9][A-Z0-9\-]{0,15}$")


def parse_route_code(value: Any) -> str:
    code = unicodedata.normalize("NFKC", _as_text(value)).strip().upper().replace(" ", "")
    if not _ROUTE.match(code):
        raise CellError(N_("'%(value)s' is not a route code; expected a form like G208, S311 or X012"),
                        {"value": value})
    return code


def _plain_number(value: Any) -> float | None:
    """A cell that is a plain decimal number (the usual case), without the full coordinate parser."""
    if value.__class__ is float or value.__class__ is int:
        return float(value)
    if value.__class__ is str and _DECIMAL.match(value):
        return float(value)
    return None


_DECIMAL = re.compile(r"^-?\d{1,3}(?:\.\d+)?$")


def longitude(value: Any) -> float:
    number = _plain_number(value)
    return parse_coordinate(value, "longitude") if number is None else number


def latitude(value: Any) -> float:
    number = _plain_number(value)
    return parse_coordinate(value, "latitude") if number is None else number


_CRS_EXTRA = {"国家2000": "cgcs2000", "2000": "cgcs2000", "火星": "gcj02", "wgs84(gps)": "wgs84"}


def parse_crs(value: Any) -> str:
    """The datum of this row's coordinates: 'wgs84' (also CGCS2000), 'gcj02' or 'bd09'."""
    text = unicodedata.normalize("NFKC", _as_text(value)).strip().lower().replace(" ", "")
    for suffix in ("坐标系", "坐标", "地图"):
        text = text.removesuffix(suffix)
    try:
        kind = normalise_crs(_CRS_EXTRA.get(text, text))
        return "wgs84" if kind == "cgcs2000" else kind  # CGCS2000 agrees with WGS-84 to under a metre
    except ValueError:
        raise CellError(N_("'%(value)s' is not a coordinate system; use %(choices)s"),
                        {"value": value, "choices": "WGS84, CGCS2000, GCJ02 (高德/腾讯), BD09 (百度)"}) from None


_WKT_POINT = re.compile(r"^POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)$", re.IGNORECASE)
_EWKT_SRID = re.compile(r"^SRID=(\d+);", re.IGNORECASE)


def parse_wkt(value: Any):
    """A WKT geometry; a plain point comes back as an (x, y) tuple, built without shapely."""
    text = _as_text(value).strip()
    if srid := _EWKT_SRID.match(text):
        if srid.group(1) not in ("4326", "4490"):
            raise CellError(N_("SRID %(srid)s is not supported; give WGS-84 (4326) or CGCS2000 (4490)"),
                            {"srid": srid.group(1)})
        text = text[srid.end():]
    if match := _WKT_POINT.match(text):
        try:
            return float(match.group(1)), float(match.group(2))
        except ValueError:
            pass  # let the full parser word the error
    return from_wkt(text)


def parse_geojson_geometry(value: Any):
    if isinstance(value, dict) and value.get("type") == "Point":
        coords = value.get("coordinates")
        if isinstance(coords, list) and len(coords) >= 2 and all(
            isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords[:2]
        ):
            return float(coords[0]), float(coords[1])
    return from_geojson(value)


# ---------------------------------------------------------------- formatters (typed value -> cell)


def _same(value: Any) -> Any:
    return value


def _date_cell(style: str) -> Formatter:
    if style == "json":
        return lambda d: None if d is None else d.isoformat()
    return _same  # CSV writes ISO text, XLSX a real date cell


def _bool_cell(style: str) -> Formatter:
    if style == "json":
        return _same
    yes, no = ("是", "否") if style == "zh" else ("yes", "no")
    return lambda b: None if b is None else (yes if b else no)


def _enum_cell(style: str) -> Formatter:
    if style == "zh":
        return lambda m: None if m is None else label(m, "zh")
    return lambda m: None if m is None else m.value


def _list_cell(names: dict[str, tuple[str, str]], style: str) -> Formatter:
    if style == "json":
        return lambda codes: list(codes or [])
    if style == "zh":
        return lambda codes: "、".join(names[c][0] for c in codes) or None
    return lambda codes: ";".join(codes) or None


def _stake_cell(metres: int | None) -> str | None:
    return None if metres is None else format_stake(metres)


def _wan_cell(style: str) -> Formatter:
    # Exact, not rounded to the 0.01 万元 reports print: the file must give back every fen.
    if style == "json":
        return lambda yuan: str(to_wan_exact(yuan))  # JSON numbers would be floats: money stays exact text
    return to_wan_exact


# ---------------------------------------------------------------- the specification


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    aliases: tuple[str, ...] = ()
    #: vocab -> parser; None for export-only columns
    make_parser: Callable[[Vocabulary], Parser] | None = None
    #: (vocab, style) -> formatter; None for import-only columns
    make_formatter: Callable[[Vocabulary, str], Formatter] | None = None
    #: the HazardDraft attribute it fills; None when the importer combines it with others
    field: str | None = None
    required: bool = False
    values: str = ""  # what it accepts, for the documentation

    @property
    def importable(self) -> bool:
        return self.make_parser is not None

    @property
    def exportable(self) -> bool:
        return self.make_formatter is not None

    def parser(self, vocab: Vocabulary) -> Parser:
        return self.make_parser(vocab)

    def formatter(self, vocab: Vocabulary, style: str) -> Formatter:
        return self.make_formatter(vocab, style)

    def header(self, headers: str) -> str:
        return self.zh if headers == "zh" else self.key

    @property
    def display(self) -> str:
        """How errors name the column: `督办级别 (level)`."""
        return f"{self.zh} ({self.key})"


def _p(parse: Parser) -> Callable[[Vocabulary], Parser]:
    return lambda _vocab: parse


def _f(make: Callable[[str], Formatter]) -> Callable[[Vocabulary, str], Formatter]:
    return lambda _vocab, style: make(style)


def _effect_cell(style: str) -> Formatter:
    """A closed hazard's effect (hazards.queries.crash_effect.HazardEffect) as the list shows it."""
    def cell(effect):
        if effect is None or not effect.any_crash:
            return None
        zh = style == "zh"
        text = f"{'事故' if zh else 'crashes'} {effect.before.crashes}→{effect.after.crashes}"
        if not effect.complete:
            n = effect.windows.months_after
            text += f" 治理后仅满{n}个月" if zh else f" (only {n} months after)"
        return text
    return cell


_TEXT_OUT = _f(lambda style: _same)
_DATE_OUT = _f(_date_cell)
_BOOL_OUT = _f(_bool_cell)
_ENUM_OUT = _f(_enum_cell)
_DATE_VALUES = "2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日, Excel date"
_BOOL_VALUES = "是/否, Y/N, yes/no, true/false, 1/0, √/×"


def _text(key, zh, aliases=(), max_length=None, required=False, note="") -> Column:
    values = f"text, up to {max_length} characters" if max_length else "text"
    return Column(key, zh, aliases, _p(text_parser(max_length)), _TEXT_OUT, key, required,
                  values + (f"; {note}" if note else ""))


def _date(key, zh, aliases=(), required=False) -> Column:
    return Column(key, zh, aliases, lambda _vocab: date_parser(), _DATE_OUT, key, required, _DATE_VALUES)


def _bool(key, zh, aliases=()) -> Column:
    return Column(key, zh, aliases, _p(parse_bool), _BOOL_OUT, key, values=_BOOL_VALUES)


def _enum(key, zh, aliases, enum_cls, what, note="") -> Column:
    values = "; ".join(f"{label(m)} ({m.value})" for m in enum_cls) + note
    return Column(key, zh, aliases, _p(enum_parser(enum_cls, what)), _ENUM_OUT, key, values=values)


def _count(key, zh, aliases) -> Column:
    return Column(key, zh, aliases, _p(integer_parser(0, 1_000_000, "起人次处")), _TEXT_OUT, key,
                  values="whole number ≥ 0")


COLUMNS: tuple[Column, ...] = (
    # identity
    _text("code", "隐患编号", ("编号", "隐患代码", "台账编号"), 32,
          note="empty = a new code {division}-{year}-{sequence} is assigned; a code given has that form, the "
               "row's own division and a sequence of 4 to 6 digits"),
    _text("title", "隐患名称", ("名称", "隐患点段名称", "隐患点名称", "隐患点段", "标题"), 200, required=True),
    _text("description", "隐患描述", ("存在问题", "隐患情况", "问题描述", "主要问题")),
    _enum("source", "隐患来源", ("来源", "发现方式", "排查方式"), Source, N_("hazard source")),
    Column("batch_year", "批次年度", ("年度", "批次", "批次年份"), _p(integer_parser(2000, 2100, "年")), _TEXT_OUT,
           "batch_year", values="year 2000-2100; empty = the year of found_on"),
    _bool("dynamic_add", "动态新增", ("是否动态新增",)),
    _date("found_on", "发现日期", ("排查日期", "发现时间", "排查时间"), required=True),
    # location
    Column("jurisdiction_code", "辖区代码", ("所属辖区", "行政区划代码", "辖区", "区划代码", "行政区划"),
           lambda vocab: _memoised(division_parser(vocab.division_names)), _TEXT_OUT, "jurisdiction_code", True,
           "6-digit division code (140902) or a unique division name (忻府区)"),
    Column("jurisdiction_name", "辖区名称", (), None, _TEXT_OUT, values="export only"),
    Column("route_code", "路线编号", ("路线代码", "路线号", "线路编号"), _p(parse_route_code), _TEXT_OUT, "route_code",
           values="G208, S311, X012, Y105, C001, Z..."),
    _text("road_name", "道路名称", ("路名", "道路", "路线名称"), 100),
    _enum("road_class", "公路等级", ("道路等级", "行政等级", "路线等级"), RoadClass, N_("road class"),
          "; empty = from the route code's letter"),
    _enum("direction", "方向", ("行车方向", "上下行"), Direction, N_("direction")),
    Column("start_stake", "起点桩号", ("起始桩号", "桩号起点"), _p(parse_stake_cell), _f(lambda s: _stake_cell),
           "start_m", values="K12+300 (also k12+5, 12.3 km, 12300m)"),
    Column("end_stake", "止点桩号", ("终点桩号", "桩号止点", "结束桩号"), _p(parse_stake_cell),
           _f(lambda s: _stake_cell), "end_m", values="K13+050; empty for a point"),
    Column("stake_range", "桩号", ("起止桩号", "桩号范围"), _p(parse_stake_range_cell), None,
           values="import only: K12+300 or K12+300~K13+050, instead of the two stake columns"),
    _text("place", "地点描述", ("具体位置", "地点", "位置", "详细位置"), 200),
    Column("wkt", "几何(WKT)", ("几何", "WKT", "geometry", "空间位置"), _p(parse_wkt), _TEXT_OUT,
           values="POINT (lon lat) or LINESTRING (lon lat, lon lat, ...)"),
    Column("lon", "经度", ("longitude", "lng"), _p(longitude), _TEXT_OUT,
           values="decimal degrees (112.734) or 112°44′2″E; with lat, a point"),
    Column("lat", "纬度", ("latitude",), _p(latitude), _TEXT_OUT, values="decimal degrees (38.417) or 38°25′1″N"),
    Column("crs", "坐标系", ("坐标系统", "坐标类型"), _p(parse_crs), None,
           values="import only: WGS84 (default), CGCS2000, GCJ02/高德/腾讯, BD09/百度; GCJ-02 and BD-09 are "
                  "converted to WGS-84"),
    _enum("coordinate_input", "原始坐标系", ("坐标来源",), CoordinateInput, N_("coordinate input")),
    # classification
    Column("categories", "隐患类型", ("隐患类别", "隐患分类", "类型"),
           lambda vocab: list_parser(vocab.category_codes, vocab.category_names, N_("hazard category")),
           lambda vocab, style: _list_cell(vocab.category_names, style), "category_codes",
           values="list of categories (code, 中文 or English name) separated by 、，,;；/ or spaces"),
    _bool("crash_prone", "事故多发", ("事故多发点段", "是否事故多发")),
    _count("crash_count", "事故起数", ("事故数", "事故数量")),
    _count("death_count", "死亡人数", ("死亡数",)),
    _enum("risk_grade", "风险等级", ("风险级别",), RiskGrade, N_("risk grade")),
    _bool("school_zone", "学校周边", ("涉校", "是否涉校", "一校一策")),
    # supervision
    _enum("level", "督办级别", ("挂牌级别", "督办层级", "督办等级"), SupervisionLevel, N_("supervision level")),
    _text("supervising_body", "督办单位", ("挂牌督办单位",), 128),
    _text("document_no", "督办文号", ("文号", "督办通知书文号"), 100),
    _date("listed_on", "挂牌日期", ("挂牌时间", "督办日期")),
    _date("deadline", "整改期限", ("整改时限", "完成时限", "整改截止日期")),
    Column("days_overdue", "逾期天数", (), None, _TEXT_OUT,
           values="export only: days an open hazard is past its deadline on the day of the export; empty when "
                  "it is not overdue (the reports' definition)"),
    # responsibility
    _text("responsible_unit", "责任单位", ("整改责任单位",), 128),
    _text("responsible_person", "责任人", ("整改责任人",), 64),
    _text("responsible_contact", "联系电话", ("联系方式", "电话"), 64),
    # plan
    Column("measures", "措施类别", ("措施类型", "治理措施类别"),
           lambda vocab: list_parser(vocab.measure_codes, vocab.measure_names, N_("remediation measure")),
           lambda vocab, style: _list_cell(vocab.measure_names, style), "measure_codes",
           values="list of measures (code, 中文 or English name), separated like categories"),
    _text("measures_text", "整改措施", ("治理措施", "措施")),
    _text("plan_text", "治理方案", ("整改方案", "一点一策")),
    _text("temporary_controls", "临时管控措施", ("临时措施", "管控措施")),
    _date("planned_start", "计划开工日期", ("计划开始日期",)),
    _date("planned_end", "计划完工日期", ("计划完成日期",)),
    # workflow and closure
    _enum("status", "治理状态", ("状态", "整改状态", "当前状态"), Status, N_("status")),
    _date("completed_on", "完成日期", ("整改完成日期", "完工日期")),
    _date("closure_requested_on", "申请销号日期", ("销号申请日期",)),
    _date("accepted_on", "验收日期", ()),
    _text("acceptance_note", "验收意见", ("验收结论",)),
    _date("closed_on", "销号日期", ("摘牌日期",)),
    Column("effect", "治理成效", (), None, _f(lambda style: _effect_cell(style)),
           values="export only: for a closed hazard, crashes at its place in the months before its works and after "
                  "them (事故 5→1), with 治理后仅满N个月 while the months after are still running; empty for open "
                  "hazards and where no crash is recorded near (docs/crashes.md)"),
    # money: the funding ledger's totals; a new hazard's first funding lines
    Column("budget_wan", "预算资金(万元)", ("预算(万元)", "预算金额(万元)"), _p(amount_parser("wan")), _f(_wan_cell),
           values="budget total in 万元, e.g. 12.5 (= 125,000 yuan); written as a budget line"),
    Column("budget_yuan", "预算资金(元)", ("预算(元)", "预算金额(元)"), _p(amount_parser("yuan")), None,
           values="import only: the budget in yuan, instead of 万元"),
    Column("spent_wan", "已投入资金(万元)", ("投入资金(万元)", "已投入(万元)", "完成投资(万元)"), _p(amount_parser("wan")),
           _f(_wan_cell), values="spending total in 万元; written as a spending line"),
    Column("spent_yuan", "已投入资金(元)", ("投入资金(元)", "已投入(元)", "完成投资(元)"), _p(amount_parser("yuan")), None,
           values="import only: the spending in yuan, instead of 万元"),
    Column("funding_source", "资金来源", ("资金渠道",), _p(enum_parser(FundingSource, N_("funding source"))), _ENUM_OUT,
           "funding_source", values="; ".join(f"{label(m)} ({m.value})" for m in FundingSource)
           + "; empty = 其他. Export: the source of most of the money"),
    Column("funding_date", "资金日期", ("资金到位日期",), lambda _vocab: date_parser(), _DATE_OUT, "funding_date",
           values=_DATE_VALUES + "; empty = the closing date, else the found date. Export: the last line's date"),
    Column("updated_at", "最后更新", ("更新时间",), None, _TEXT_OUT,
           values="export only: when the record last changed, in the ledger's time zone (YYYY-MM-DD HH:MM)"),
)

BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
REQUIRED: tuple[Column, ...] = tuple(c for c in COLUMNS if c.required)
#: Columns combined by the importer rather than copied to one draft attribute.
LOCATION_KEYS = frozenset({"wkt", "lon", "lat", "crs", "stake_range", "coordinate_input"})
#: Amounts by the draft total they fill, each given in 万元 or in 元.
AMOUNT_KEYS = {"budget": ("budget_wan", "budget_yuan"), "spent": ("spent_wan", "spent_yuan")}
#: Geometry travels in the feature itself in GeoJSON, so these are not properties there.
GEOMETRY_COLUMNS = frozenset({"wkt", "lon", "lat"})


def fold_header(text: Any) -> str:
    """Headers compare ignoring width, case, spaces, _ and -, and a trailing required mark (*, (必填))."""
    folded = unicodedata.normalize("NFKC", str(text)).strip().casefold()
    for mark in ("*", "(必填)", "(选填)"):
        folded = folded.removesuffix(mark).removeprefix(mark).strip()
    return re.sub(r"[\s_\-]", "", folded)


#: A GeoJSON feature's geometry, handed over by the reader under GEOMETRY_KEY; never a real header.
GEOMETRY_COLUMN = Column(GEOMETRY_KEY, "几何", (), _p(parse_geojson_geometry))


def _header_index() -> dict[str, Column]:
    index: dict[str, Column] = {}
    for column in COLUMNS:
        for spelling in (column.key, column.zh, *column.aliases):
            key = fold_header(spelling)
            if index.get(key, column) is not column:
                raise AssertionError(f"header {spelling!r} means both {index[key].key} and {column.key}")
            index[key] = column
    index[fold_header(GEOMETRY_KEY)] = GEOMETRY_COLUMN
    return index


HEADER_INDEX = _header_index()


@dataclass
class HeaderMap:
    """Which file header feeds which column, and what could not be placed."""

    columns: dict[str, Column] = field(default_factory=dict)  # file header -> column
    unknown: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)  # second headers for a column already mapped

    @property
    def keys(self) -> set[str]:
        return {c.key for c in self.columns.values()}


def map_headers(headers: Iterable[str]) -> HeaderMap:
    """Resolve a file's headers; export-only columns are recognised (so not 'unknown') but not read."""
    result = HeaderMap()
    seen: set[str] = set()
    for header in headers:
        column = HEADER_INDEX.get(fold_header(header))
        if column is None:
            result.unknown.append(header)
        elif column.key in seen:
            result.repeated.append(header)
        else:
            seen.add(column.key)
            if column.importable:
                result.columns[header] = column
    return result


def looks_like_header(cells: Iterable[Any]) -> bool:
    """A row naming at least two known columns: tells a header from the title rows above it."""
    return sum(1 for c in cells if c is not None and fold_header(c) in HEADER_INDEX) >= 2


def missing_columns(mapping: HeaderMap, geojson: bool = False) -> list[str]:
    """Required columns absent from a file, each named by its key and Chinese header."""
    have = mapping.keys
    missing = [c.display for c in REQUIRED if c.key not in have]
    if not geojson and "wkt" not in have and not {"lon", "lat"} <= have:
        missing.append("a location: 几何(WKT) (wkt), or 经度 (lon) and 纬度 (lat)")
    return missing


def export_columns(fmt: str) -> list[Column]:
    """The columns an export writes, in order; GeoJSON carries its geometry in the feature."""
    return [c for c in COLUMNS if c.exportable and not (fmt == "geojson" and c.key in GEOMETRY_COLUMNS)]


def markdown_table() -> str:
    """The column reference of docs/import-format.md, generated from this specification."""
    lines = ["| key | 中文表头 | also accepted | values |", "|---|---|---|---|"]
    for c in COLUMNS:
        key = f"**{c.key}**" if c.required else c.key
        lines.append(f"| {key} | {c.zh} | {'、'.join(c.aliases)} | {c.values} |")
    return "\n".join(lines)


def parsers_for(mapping: HeaderMap, vocab: Vocabulary) -> list[tuple[str, str, Parser]]:
    """(file header, column key, parser) for every importable column present: built once per file."""
    return [(header, column.key, column.parser(vocab)) for header, column in mapping.columns.items()]
