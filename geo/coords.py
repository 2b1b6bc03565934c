"""Coordinates in China: validation, and conversion of GCJ-02 (AMap, Tencent) and BD-09 (Baidu) to WGS-84.

Always (lon, lat). WGS-84 is what the ledger stores; CGCS2000 agrees with it to well under a metre.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal

# Mainland China and Hainan, with a margin: a point outside is a typing error, not a hazard.
CHINA_EXTENT = (73.4, 18.0, 135.1, 53.6)
CRS_CHOICES = ("wgs84", "cgcs2000", "gcj02", "bd09")

_A = 6378245.0  # Krasovsky 1940 semi-major axis, which the GCJ-02 algorithm uses
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
_ALIASES = {
    "wgs84": "wgs84", "wgs-84": "wgs84", "epsg:4326": "wgs84", "4326": "wgs84", "gps": "wgs84",
    "cgcs2000": "wgs84", "epsg:4490": "wgs84", "4490": "wgs84",
    "gcj02": "gcj02", "gcj-02": "gcj02", "amap": "gcj02", "tencent": "gcj02", "高德": "gcj02", "腾讯": "gcj02",
    "bd09": "bd09", "bd-09": "bd09", "baidu": "bd09", "百度": "bd09",
}


class CoordinateError(ValueError):
    pass


def _outside_offset_area(lon: float, lat: float) -> bool:
    # GCJ-02 offsets apply only inside this coarse rectangle.
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift_lat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _shift_lon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def _gcj_offset(lon: float, lat: float) -> tuple[float, float]:
    dlat = _shift_lat(lon - 105.0, lat - 35.0)
    dlon = _shift_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if _outside_offset_area(lon, lat):
        return lon, lat
    dlon, dlat = _gcj_offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Inverse by fixed-point iteration: centimetre accuracy, where the one-step inverse is off by metres."""
    if _outside_offset_area(lon, lat):
        return lon, lat
    dlon, dlat = _gcj_offset(lon, lat)
    wlon, wlat = lon - dlon, lat - dlat
    for _ in range(30):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = glon - lon, glat - lat
        if abs(elon) < 1e-9 and abs(elat) < 1e-9:
            break
        wlon, wlat = wlon - elon, wlat - elat
    return wlon, wlat


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def normalise_crs(crs: str) -> str:
    key = str(crs or "wgs84").strip().lower()
    if key not in _ALIASES:
        raise CoordinateError(f"unknown coordinate system '{crs}'; use one of {', '.join(CRS_CHOICES)}")
    return _ALIASES[key]


def to_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """Convert a coordinate typed in `crs` (wgs84, cgcs2000, gcj02, bd09 or an alias) to WGS-84."""
    kind = normalise_crs(crs)
    if kind == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if kind == "bd09":
        return bd09_to_wgs84(lon, lat)
    return lon, lat


_DMS = re.compile(r"^(\d+(?:\.\d+)?)°(?:(\d+(?:\.\d+)?)['′])?(?:(\d+(?:\.\d+)?)(?:\"|″|''|′′))?$")


def parse_coordinate(value, axis: str) -> float:
    """A longitude or latitude as people type it: 112.73, '112.73°', '112°43′30.5″E', '东经112.73'."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = float(value)
    else:
        number = _parse_text(value, axis)
    if not math.isfinite(number):
        raise CoordinateError(f"{axis} '{value}' is not a number")
    return number


def _parse_text(value, axis: str) -> float:
    raw = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    sign = 1.0
    for prefix, s in (("东经", 1), ("北纬", 1), ("西经", -1), ("南纬", -1)):
        if raw.startswith(prefix):
            raw, sign = raw[len(prefix):], float(s)
    if raw[-1:].upper() in ("E", "N", "W", "S"):
        sign = -1.0 if raw[-1].upper() in ("W", "S") else sign
        raw = raw[:-1]
    try:
        return sign * float(raw.rstrip("°"))
    except ValueError:
        pass
    match = _DMS.match(raw)
    if not match:
        raise CoordinateError(f"{axis} '{value}' is not a number or degrees-minutes-seconds")
    degrees, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return sign * (degrees + minutes / 60 + seconds / 3600)


def validate_lonlat(lon, lat, extent=CHINA_EXTENT) -> tuple[float, float]:
    """Parse and check a point; a point outside `extent` is refused, and a swapped pair is named as such."""
    x, y = parse_coordinate(lon, "longitude"), parse_coordinate(lat, "latitude")
    min_lon, min_lat, max_lon, max_lat = extent

    def inside(a: float, b: float) -> bool:
        return min_lon <= a <= max_lon and min_lat <= b <= max_lat

    if -180 <= x <= 180 and -90 <= y <= 90 and inside(x, y):
        return x, y
    if inside(y, x):
        raise CoordinateError(f"({x}, {y}) lies outside the allowed area; longitude and latitude look swapped")
    if not -180 <= x <= 180:
        raise CoordinateError(f"longitude {x} is outside -180..180")
    if not -90 <= y <= 90:
        raise CoordinateError(f"latitude {y} is outside -90..90")
    raise CoordinateError(
        f"({x}, {y}) lies outside the allowed area (lon {min_lon}..{max_lon}, lat {min_lat}..{max_lat})"
    )
