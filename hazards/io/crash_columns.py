"""The columns of a crash export (事故数据导出), as the traffic police's crash systems name them.

One table drives header mapping and parsing, like `hazards.io.columns` for the ledger; the cell
parsers are the ledger's own (dates, whole numbers, route codes, coordinates, coordinate systems),
plus the two a crash needs: a moment (事故时间, a date and a time of day) and a stake that may come as
metres or kilometres.

Columns holding personal data (names, ID numbers, plates, phone numbers, addresses) are recognised
so the import can say it left them alone: their cells are never parsed nor stored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from hazards import clock
from hazards.domain.errors import N_
from hazards.inputs.values import FIRST_DATE
from hazards.io.columns import (
    CellError,
    Parser,
    _as_text,
    fold_header,
    integer_parser,
    latitude,
    longitude,
    parse_crs,
    parse_date,
    parse_route_code,
    parse_stake_cell,
    text_parser,
)


@dataclass(frozen=True)
class CrashColumn:
    key: str
    zh: str
    aliases: tuple[str, ...]
    parse: Parser
    values: str  # what it accepts, for docs/crashes.md
    per_file: bool = False  # `parse` makes the parser, once per file (it holds the zone and the time now)

    def parser(self) -> Parser:
        return self.parse() if self.per_file else self.parse

    @property
    def display(self) -> str:
        """How errors name the column: `死亡人数 (deaths)`."""
        return f"{self.zh} ({self.key})"


_TIME = re.compile(r"^(\d{1,2})\s*[:时點点]\s*(\d{1,2})\s*(?:分)?\s*(?:[:]?\s*(\d{1,2})(?:\.\d+)?\s*秒?)?$")
_DATE_AND_TIME = re.compile(r"^(?P<date>.+?)(?:[T\s]+|(?<=日))(?P<time>\d{1,2}\s*[:时点]\s*\d{1,2}.*?)"
                            r"(?P<zone>Z|[+-]\d{2}:?\d{2})?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$")
_ZONE = re.compile(r"^(?:Z|([+-])(\d{2}):?(\d{2}))$")
_EXCEL_EPOCH = datetime(1899, 12, 30)


def parse_time_of_day(value: Any) -> time:
    """14:30, 14:30:05, 14时30分, 14点30分, an Excel time cell, or a fraction of a day (0.6042)."""
    if isinstance(value, time):
        return value.replace(microsecond=0, tzinfo=None)
    if isinstance(value, datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1:
        seconds = round(value * 86400)
        return time(min(seconds // 3600, 23), seconds % 3600 // 60, seconds % 60)
    text = unicodedata.normalize("NFKC", _as_text(value)).strip()
    match = _TIME.match(text)
    if match:
        hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
        if hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second)
    raise CellError(N_("'%(value)s' is not a time of day; use a form like 14:30"), {"value": value})


_PLAIN_MOMENT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$")


def moment_parser() -> Parser:
    """When a crash happened: (the moment as stored, naive UTC; its day in the ledger's zone). A time
    given without a zone is read in the ledger's zone (北京时间 by default): 2024-03-01 14:30,
    2024/3/1 14:30:05, 2024年3月1日14时30分, ISO with a zone (2024-03-01T06:30:00Z), 20240301143000,
    an Excel date-time cell or serial number. A date alone is the start of that day. The zone and
    the time now are taken once per file."""
    zone = clock.zone()
    latest = clock.now().astimezone(timezone.utc).replace(tzinfo=None) + timedelta(minutes=5)

    def parse(value: Any) -> tuple[datetime, date]:
        match = _PLAIN_MOMENT.match(value) if value.__class__ is str else None
        if match:  # the usual spelling, without the general parser
            try:
                moment = datetime(*(int(p) for p in match.groups(default="0")))
            except ValueError:
                raise CellError(N_("'%(value)s' is not a valid calendar date"), {"value": value}) from None
        else:
            moment = _moment(value)
        if moment.tzinfo is None:
            day = moment.date()
            moment = moment.replace(tzinfo=zone)
        else:
            day = moment.astimezone(zone).date()
        stored = moment.astimezone(timezone.utc).replace(tzinfo=None)
        if day < FIRST_DATE:
            raise CellError(N_("'%(value)s' is before %(first)s"), {"value": _as_text(value), "first": FIRST_DATE})
        if stored > latest:
            raise CellError(N_("'%(value)s' is in the future"), {"value": _as_text(value)})
        return stored, day

    return parse


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 20000 <= value <= 80000:  # Excel's serial days, plausible years only
            raise CellError(N_("'%(value)s' is not a date and time; use a form like 2024-03-01 14:30"),
                            {"value": _as_text(value)})
        return _EXCEL_EPOCH + timedelta(seconds=round(value * 86400))
    return _parse_moment_text(value)


def _parse_moment_text(value: Any) -> datetime:
    text = unicodedata.normalize("NFKC", _as_text(value)).strip()
    if match := _COMPACT.match(text):
        parts = [int(p) for p in match.groups(default="0")]
        try:
            return datetime(*parts)
        except ValueError:
            raise CellError(N_("'%(value)s' is not a valid calendar date"), {"value": value}) from None
    match = _DATE_AND_TIME.match(text)
    day_text, time_text, zone_text = (match.group("date"), match.group("time"), match.group("zone")) if match \
        else (text, None, None)
    try:
        day = parse_date(day_text.strip())
    except CellError as exc:
        if "%(first)s" in exc.template or "calendar" in exc.template:  # a date, but not a possible one
            raise CellError(exc.template, {**exc.params, "value": value}) from None
        raise CellError(N_("'%(value)s' is not a date and time; use a form like 2024-03-01 14:30"),
                        {"value": value}) from None
    moment = datetime.combine(day, parse_time_of_day(time_text) if time_text else time())
    if zone_text:
        zone = _ZONE.match(zone_text)
        offset = timedelta(0) if zone.group(1) is None else \
            (1 if zone.group(1) == "+" else -1) * timedelta(hours=int(zone.group(2)), minutes=int(zone.group(3)))
        moment = moment.replace(tzinfo=timezone(offset))
    return moment


def combine(day: date, at: time | None) -> tuple[datetime, date]:
    """A 事故日期 + 时间 pair: (the moment as stored, naive UTC, the time read in the ledger's zone; the day)."""
    return clock.as_stored(datetime.combine(day, at or time())), day


def stake_parser(bare_numbers: str) -> Parser:
    """A stake (K12+300, 12300m, 12.3 km); a bare number in the column's unit: 'm' for 桩号 columns,
    'km' for 公里数 columns (12 -> K12+000)."""

    def parse(value: Any) -> int:
        if isinstance(value, (int, float)) and not isinstance(value, bool) or \
                isinstance(value, str) and re.fullmatch(r"\d+(?:\.\d+)?", value.strip()):
            number = float(_as_text(value).strip())
            if number < 0:
                raise CellError(N_("'%(value)s' cannot be negative"), {"value": _as_text(value)})
            if bare_numbers == "km":
                return round(number * 1000)
            if number.is_integer():
                return int(number)
            return round(number * 1000)  # 12.3 in a stake column: kilometres, as the ledger reads it
        if isinstance(value, str) and value.strip().startswith("-"):
            raise CellError(N_("'%(value)s' cannot be negative"), {"value": value})
        return parse_stake_cell(_as_text(value).strip())

    return parse


_COUNT_VALUES = "whole number ≥ 0 (2, 2人)"
COLUMNS: tuple[CrashColumn, ...] = (
    CrashColumn("source_id", "事故编号", ("事故编码", "事故ID", "事故序号", "案件编号", "crash_id", "id"),
                text_parser(64), "text, up to 64 characters; required, unique in the ledger"),
    CrashColumn("occurred_at", "事故时间", ("事故发生时间", "发生时间", "事故发生时刻", "time_of_crash", "datetime"),
                moment_parser, "date and time: 2024-03-01 14:30, 2024/3/1 14:30:05, 2024年3月1日14时30分, "
                              "ISO with a zone, Excel date-time; no zone = the ledger's zone (北京时间)", per_file=True),
    CrashColumn("occurred_on", "事故日期", ("发生日期", "事故发生日期", "date"), parse_date,
                "instead of 事故时间: the date, with the time in 时间"),
    CrashColumn("time_of_day", "时间", ("发生时刻", "事故时刻", "time"), parse_time_of_day,
                "with 事故日期: 14:30, 14时30分, an Excel time cell; empty = 00:00"),
    CrashColumn("lon", "经度", ("longitude", "lng", "lon"), longitude, "decimal degrees (112.734) or 112°44′2″E"),
    CrashColumn("lat", "纬度", ("latitude", "lat"), latitude, "decimal degrees (38.417) or 38°25′1″N"),
    CrashColumn("crs", "坐标系", ("坐标系统", "坐标类型", "crs"), parse_crs,
                "WGS84 (default, also CGCS2000), GCJ02/高德/腾讯, BD09/百度; converted to WGS-84"),
    CrashColumn("route_code", "路线编号", ("路线代码", "道路编号", "路线号", "route", "route_code"), parse_route_code,
                "G208, S311, X012 …"),
    CrashColumn("stake", "桩号", ("里程桩号", "事故桩号", "stake"), stake_parser("m"),
                "K12+300, 12300m, 12.3 (km); a bare whole number is metres"),
    CrashColumn("stake_km", "公里数", ("公里", "里程", "km"), stake_parser("km"),
                "instead of 桩号: kilometres (12.3), or K12+300"),
    CrashColumn("division", "行政区划", ("行政区划代码", "辖区", "辖区代码", "区划代码", "所属辖区", "division",
                                     "jurisdiction_code"), text_parser(40),
                "6-digit code (140902) or a unique name (忻府区); empty = from the point, else from the road"),
    CrashColumn("deaths", "死亡人数", ("死亡", "死亡数", "deaths"), integer_parser(0, 10_000, "人"), _COUNT_VALUES),
    CrashColumn("injuries", "受伤人数", ("受伤", "受伤数", "injuries"), integer_parser(0, 10_000, "人"),
                _COUNT_VALUES),
    CrashColumn("form", "事故形态", ("形态", "碰撞形态", "form", "crash_form"), text_parser(32),
                "text, up to 32 characters: 追尾, 正面相撞, 刮撞行人, 翻车 …"),
)
BY_KEY = {c.key: c for c in COLUMNS}
_INDEX = {fold_header(spelling): column for column in COLUMNS for spelling in (column.key, column.zh, *column.aliases)}

#: Words that mark a column as a person's data (names, ID numbers, plates, phones, addresses).
PERSONAL_MARKS = ("姓名", "名字", "当事人", "驾驶人", "驾驶员", "司机", "身份证", "身份号码", "证件号", "驾驶证",
                  "号牌", "车牌", "牌照", "电话", "手机", "联系方式", "住址", "家庭地址", "户籍", "出生",
                  "driver", "plate", "phone", "mobile", "idcard", "idnumber", "address", "birth")
#: English headers that are a person's name (a road's or a place's name is not).
PERSONAL_NAMES = frozenset({"name", "fullname", "personname", "partyname", "drivername", "party", "parties"})


def is_personal(header: str) -> bool:
    folded = fold_header(header)
    return folded not in _INDEX and (folded in PERSONAL_NAMES or any(mark in folded for mark in PERSONAL_MARKS))


@dataclass
class CrashHeaders:
    """Which file header feeds which column; the personal and unknown columns left unread."""

    columns: dict[str, CrashColumn] = field(default_factory=dict)  # file header -> column
    personal: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)

    @property
    def keys(self) -> set[str]:
        return {c.key for c in self.columns.values()}

    def missing(self) -> list[str]:
        """What the file lacks to be a crash export at all, each in a few words."""
        keys = self.keys
        lacking = []
        if "source_id" not in keys:
            lacking.append(BY_KEY["source_id"].display)
        if "occurred_at" not in keys and "occurred_on" not in keys:
            lacking.append(f"{BY_KEY['occurred_at'].display} / {BY_KEY['occurred_on'].display}")
        if not {"lon", "lat"} <= keys and not ("route_code" in keys and keys & {"stake", "stake_km"}):
            lacking.append("经度 + 纬度 (lon, lat) / 路线编号 + 桩号 (route_code, stake)")
        return lacking


def map_headers(headers: Iterable[str]) -> CrashHeaders:
    result = CrashHeaders()
    seen: set[str] = set()
    for header in headers:
        column = _INDEX.get(fold_header(header))
        if column is None:
            (result.personal if is_personal(header) else result.unknown).append(header)
        elif column.key in seen:
            result.repeated.append(header)
        else:
            seen.add(column.key)
            result.columns[header] = column
    return result


def looks_like_header(cells: list) -> bool:
    """A row naming at least two crash columns: tells the header from title rows above it."""
    return sum(1 for c in cells if c is not None and fold_header(c) in _INDEX) >= 2


def markdown_table() -> str:
    """The column reference of docs/crashes.md, from this specification."""
    lines = ["| key | 中文表头 | also accepted | values |", "|---|---|---|---|"]
    lines += [f"| {c.key} | {c.zh} | {'、'.join(c.aliases)} | {c.values} |" for c in COLUMNS]
    return "\n".join(lines)
