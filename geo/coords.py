"""Coordinates in China: reading what people type, checking it, and converting GCJ-02 and BD-09 to WGS-84.

Conventions: always (lon, lat) in code. WGS-84 (EPSG:4326) is what the ledger stores. CGCS2000
(EPSG:4490) is taken as WGS-84: the two agree to well under a metre, far below a hazard's own
accuracy. GCJ-02 (AMap, Tencent) is WGS-84 shifted by a deliberate, position-dependent 100-700 m,
and BD-09 (Baidu) shifts GCJ-02 further; both must be converted back on input.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal

from geo.messages import N_, GeoError

# (min_lon, min_lat, max_lon, max_lat): mainland China and Hainan. Westmost is the Pamirs (~73.5°E),
# eastmost the Heilongjiang-Ussuri confluence (~135.08°E), northmost Mohe (~53.56°N), southmost the
# tip of Hainan Island (~18.16°N). A road hazard outside this box is a typing error, not a hazard.
CHINA_EXTENT = (73.4, 18.0, 135.1, 53.6)
CRS_CHOICES = ("wgs84", "cgcs2000", "gcj02", "bd09")

# Ellipsoid the GCJ-02 algorithm is defined on (Krasovsky 1940), not WGS-84's.
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323
# The coarse rectangle inside which GCJ-02 applies its offset; outside it GCJ-02 equals WGS-84.
_OFFSET_AREA = (72.004, 0.8293, 137.8347, 55.8271)
# Stop an inverse once a correction step is below ~1 cm; the step after it would be far smaller still.
_INVERSE_TOLERANCE_DEG = 1e-7
_INVERSE_MAX_STEPS = 30
_BD_X_PI = math.pi * 3000.0 / 180.0

# Every spelling of a coordinate system a form or an import file may carry, after `_crs_key`.
_CRS_ALIASES = {
    "wgs84": "wgs84", "epsg:4326": "wgs84", "4326": "wgs84", "gps": "wgs84",
    "cgcs2000": "cgcs2000", "epsg:4490": "cgcs2000", "4490": "cgcs2000",
    "gcj02": "gcj02", "amap": "gcj02", "gaode": "gcj02", "tencent": "gcj02", "高德": "gcj02", "腾讯": "gcj02",
    "bd09": "bd09", "bd09ll": "bd09", "baidu": "bd09", "百度": "bd09",
}


class CoordinateError(GeoError):
    """A coordinate that cannot be read or lies where no hazard can be; the message quotes the values."""


# --- GCJ-02 -----------------------------------------------------------------------------------------


def _in_offset_area(lon: float, lat: float) -> bool:
    """Whether GCJ-02 shifts this point at all."""
    min_lon, min_lat, max_lon, max_lat = _OFFSET_AREA
    return min_lon <= lon <= max_lon and min_lat <= lat <= max_lat


def _ripple(x: float) -> float:
    """The high-frequency term both GCJ-02 shift polynomials share."""
    return (20.0 * math.sin(6.0 * math.pi * x) + 20.0 * math.sin(2.0 * math.pi * x)) * 2.0 / 3.0


def _north_shift(x: float, y: float) -> float:
    """GCJ-02's northward shift in (Krasovsky) metres, for x, y degrees east and north of (105°E, 35°N)."""
    polynomial = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    waves = (20.0 * math.sin(math.pi * y) + 40.0 * math.sin(math.pi * y / 3.0)) * 2.0 / 3.0
    waves += (160.0 * math.sin(math.pi * y / 12.0) + 320.0 * math.sin(math.pi * y / 30.0)) * 2.0 / 3.0
    return polynomial + _ripple(x) + waves


def _east_shift(x: float, y: float) -> float:
    """GCJ-02's eastward shift in (Krasovsky) metres, for x, y degrees east and north of (105°E, 35°N)."""
    polynomial = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    waves = (20.0 * math.sin(math.pi * x) + 40.0 * math.sin(math.pi * x / 3.0)) * 2.0 / 3.0
    waves += (150.0 * math.sin(math.pi * x / 12.0) + 300.0 * math.sin(math.pi * x / 30.0)) * 2.0 / 3.0
    return polynomial + _ripple(x) + waves


def _gcj02_shift_deg(lon: float, lat: float) -> tuple[float, float]:
    """The (dlon, dlat) in degrees that GCJ-02 adds to a WGS-84 point."""
    x, y = lon - 105.0, lat - 35.0
    phi = math.radians(lat)
    w = 1.0 - _KRASOVSKY_EE * math.sin(phi) ** 2
    meridian_radius = _KRASOVSKY_A * (1.0 - _KRASOVSKY_EE) / (w * math.sqrt(w))
    parallel_radius = _KRASOVSKY_A / math.sqrt(w) * math.cos(phi)
    return math.degrees(_east_shift(x, y) / parallel_radius), math.degrees(_north_shift(x, y) / meridian_radius)


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Shift a WGS-84 point to GCJ-02 as AMap and Tencent show it; unchanged outside China."""
    lon, lat = float(lon), float(lat)
    if not _in_offset_area(lon, lat):
        return lon, lat
    dlon, dlat = _gcj02_shift_deg(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Undo GCJ-02 to centimetres, by iterating the forward shift (one step alone misses by up to a few metres)."""
    lon, lat = float(lon), float(lat)
    if not _in_offset_area(lon, lat):
        return lon, lat
    # First guess: the shift at the GCJ-02 point is close to the shift at the unknown WGS-84 point.
    dlon, dlat = _gcj02_shift_deg(lon, lat)
    return _invert(wgs84_to_gcj02, (lon, lat), (lon - dlon, lat - dlat))


def _invert(
    forward: Callable[[float, float], tuple[float, float]],
    target: tuple[float, float],
    guess: tuple[float, float],
) -> tuple[float, float]:
    """Solve forward(p) == target by fixed-point steps from `guess`.

    The shifts are small and vary slowly, so each step shrinks the error a few hundredfold or more.
    """
    (lon, lat), (guess_lon, guess_lat) = target, guess
    for _ in range(_INVERSE_MAX_STEPS):
        fwd_lon, fwd_lat = forward(guess_lon, guess_lat)
        miss_lon, miss_lat = fwd_lon - lon, fwd_lat - lat
        guess_lon, guess_lat = guess_lon - miss_lon, guess_lat - miss_lat
        if max(abs(miss_lon), abs(miss_lat)) < _INVERSE_TOLERANCE_DEG:
            break
    return guess_lon, guess_lat


# --- BD-09 ------------------------------------------------------------------------------------------


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """Shift a GCJ-02 point to BD-09 as Baidu Maps shows it."""
    x, y = float(lon), float(lat)
    radius = math.hypot(x, y) + 0.00002 * math.sin(y * _BD_X_PI)
    angle = math.atan2(y, x) + 0.000003 * math.cos(x * _BD_X_PI)
    return radius * math.cos(angle) + 0.0065, radius * math.sin(angle) + 0.006


def _bd09_to_gcj02_closed_form(lon: float, lat: float) -> tuple[float, float]:
    """The usual closed-form inverse of `gcj02_to_bd09`; it misses by up to ~2e-6 degrees (~0.2 m)."""
    x, y = lon - 0.0065, lat - 0.006
    radius = math.hypot(x, y) - 0.00002 * math.sin(y * _BD_X_PI)
    angle = math.atan2(y, x) - 0.000003 * math.cos(x * _BD_X_PI)
    return radius * math.cos(angle), radius * math.sin(angle)


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Undo Baidu's shift, giving the GCJ-02 point; refined so that going back to BD-09 is exact."""
    lon, lat = float(lon), float(lat)
    # Baidu defines BD-09 by the forward formula, so its exact inverse is what the data means.
    return _invert(gcj02_to_bd09, (lon, lat), _bd09_to_gcj02_closed_form(lon, lat))


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """A Baidu (BD-09) point as WGS-84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """A WGS-84 point as Baidu (BD-09) shows it."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


# --- Choosing the coordinate system -----------------------------------------------------------------


def _crs_key(crs: str) -> str:
    """Fold case, full-width forms and the spaces, hyphens and underscores people put in names."""
    return re.sub(r"[\s_-]+", "", unicodedata.normalize("NFKC", str(crs)).lower())


def _accepted_crs() -> str:
    """The accepted names, each system with its aliases, for error messages."""
    groups = {choice: [a for a, target in _CRS_ALIASES.items() if target == choice and a != choice]
              for choice in CRS_CHOICES}
    return "; ".join(f"{choice} ({', '.join(aliases)})" for choice, aliases in groups.items())


def normalise_crs(crs: str) -> str:
    """The CRS_CHOICES name for any accepted spelling: `EPSG:4490` -> `cgcs2000`, `AMap` -> `gcj02`."""
    key = _crs_key(crs) if crs is not None else ""
    if key not in _CRS_ALIASES:
        raise CoordinateError(N_("unknown coordinate system '%(crs)s'; accepted: %(accepted)s"),
                              {"crs": crs, "accepted": _accepted_crs()})
    return _CRS_ALIASES[key]


def to_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """Convert a point typed in `crs` (a CRS_CHOICES name or an alias) to WGS-84."""
    kind = normalise_crs(crs)
    if kind == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if kind == "bd09":
        return bd09_to_wgs84(lon, lat)
    return float(lon), float(lat)  # wgs84, and cgcs2000 which agrees with it to well under a metre


# --- Reading typed coordinates ----------------------------------------------------------------------

_AXES = {"lon": "longitude", "longitude": "longitude", "lat": "latitude", "latitude": "latitude"}
# Hemisphere marks: (mark, axis it belongs to, sign).
_HEMISPHERES = (
    ("东经", "longitude", 1.0), ("西经", "longitude", -1.0), ("北纬", "latitude", 1.0), ("南纬", "latitude", -1.0),
    ("E", "longitude", 1.0), ("W", "longitude", -1.0), ("N", "latitude", 1.0), ("S", "latitude", -1.0),
)
_DECIMAL = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(?:°|度)?")
# Whole degrees, then minutes, then optionally seconds. NFKC turns ″ into ′′, hence the doubled marks.
_DMS = re.compile(
    r"(?P<deg>\d+)(?:°|度)(?P<min>\d+(?:\.\d+)?)(?:'|′|’|分)"
    r"(?:(?P<sec>\d+(?:\.\d+)?)(?:\"|″|′′|''|”|秒))?"
)
# Minus signs people paste from word processors and IMEs; NFKC leaves these alone.
_MINUS_SIGNS = str.maketrans({"−": "-", "–": "-", "—": "-"})


# One whole template per axis, so each reads as a sentence in every language.
_NOT_A_NUMBER = {"longitude": N_("longitude %(value)s is not a number"),
                 "latitude": N_("latitude %(value)s is not a number")}
_NOT_FINITE = {"longitude": N_("longitude '%(value)s' is not a finite number"),
               "latitude": N_("latitude '%(value)s' is not a finite number")}
_EMPTY = {"longitude": N_("longitude is empty"), "latitude": N_("latitude is empty")}
_SIGN_AND_MARK = {
    "longitude": N_("longitude '%(value)s' has both a sign and a hemisphere mark; give one of them"),
    "latitude": N_("latitude '%(value)s' has both a sign and a hemisphere mark; give one of them"),
}
_UNREADABLE = {
    "longitude": N_("longitude '%(value)s' is not a number; expected decimal degrees like 112.73 "
                    "or degrees-minutes-seconds like 112°43'30.5\""),
    "latitude": N_("latitude '%(value)s' is not a number; expected decimal degrees like 112.73 "
                   "or degrees-minutes-seconds like 112°43'30.5\""),
}
# An east/west mark on a latitude (or north/south on a longitude) means the two were mixed up.
_MARKED_AS_OTHER_AXIS = {
    "longitude": N_("longitude '%(value)s' is marked as a latitude; longitude and latitude look swapped"),
    "latitude": N_("latitude '%(value)s' is marked as a longitude; longitude and latitude look swapped"),
}
_FRACTIONAL_MINUTES = {"longitude": N_("longitude '%(value)s' has fractional minutes followed by seconds"),
                       "latitude": N_("latitude '%(value)s' has fractional minutes followed by seconds")}
_SIXTY_OR_MORE = {"longitude": N_("longitude '%(value)s' has minutes or seconds of 60 or more"),
                  "latitude": N_("latitude '%(value)s' has minutes or seconds of 60 or more")}


def parse_coordinate(value, axis: str) -> float:
    """Read a longitude or latitude as typed: 112.73, '１１２．７３', '112°43′30.5″E', '东经112.73'."""
    name = _AXES.get(str(axis).lower())
    if name is None:
        raise CoordinateError(N_("axis must be 'lon' or 'lat', not %(axis)r"), {"axis": axis})
    if isinstance(value, (numbers.Real, Decimal)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        number = _parse_text(value, name)
    else:
        raise CoordinateError(_NOT_A_NUMBER[name], {"value": repr(value)})
    if not math.isfinite(number):
        raise CoordinateError(_NOT_FINITE[name], {"value": value})
    return number


def _parse_text(value: str, name: str) -> float:
    """Decimal degrees or degrees-minutes-seconds, with an optional sign or hemisphere mark."""
    # º (ordinal indicator) is a common stand-in for °, and NFKC would turn it into the letter o.
    raw = unicodedata.normalize("NFKC", value.replace("º", "°")).translate(_MINUS_SIGNS)
    raw = re.sub(r"\s+", "", raw).upper()
    if not raw:
        raise CoordinateError(_EMPTY[name])
    raw, sign, marked = _strip_hemisphere(raw, value, name)
    if raw[:1] in ("+", "-"):
        if marked:
            raise CoordinateError(_SIGN_AND_MARK[name], {"value": value})
        sign, raw = (-1.0 if raw[0] == "-" else 1.0), raw[1:]
    if match := _DECIMAL.fullmatch(raw):
        return sign * float(match.group(1))
    if match := _DMS.fullmatch(raw):
        return sign * _dms_degrees(match, value, name)
    raise CoordinateError(_UNREADABLE[name], {"value": value})


def _strip_hemisphere(raw: str, value: str, name: str) -> tuple[str, float, bool]:
    """Remove one hemisphere mark (prefix or suffix), refusing one that belongs to the other axis."""
    for mark, axis, sign in _HEMISPHERES:
        if raw.startswith(mark):
            rest = raw[len(mark):]
        elif raw.endswith(mark):
            rest = raw[: -len(mark)]
        else:
            continue
        if axis != name:
            raise CoordinateError(_MARKED_AS_OTHER_AXIS[name], {"value": value})
        return rest, sign, True
    return raw, 1.0, False


def _dms_degrees(match: re.Match, value: str, name: str) -> float:
    """Decimal degrees from a degrees-minutes-seconds match, refusing minutes or seconds of 60 or more."""
    minutes, seconds = match.group("min"), match.group("sec")
    if seconds is not None and "." in minutes:
        raise CoordinateError(_FRACTIONAL_MINUTES[name], {"value": value})
    m, s = float(minutes), float(seconds or 0)
    if m >= 60 or s >= 60:
        raise CoordinateError(_SIXTY_OR_MORE[name], {"value": value})
    return int(match.group("deg")) + m / 60.0 + s / 3600.0


# --- Checking a point -------------------------------------------------------------------------------


def _inside(lon: float, lat: float, extent: tuple[float, float, float, float]) -> bool:
    """Whether the point lies in the (min_lon, min_lat, max_lon, max_lat) box, edges included."""
    min_lon, min_lat, max_lon, max_lat = extent
    return min_lon <= lon <= max_lon and min_lat <= lat <= max_lat


def validate_lonlat(lon, lat, extent=CHINA_EXTENT) -> tuple[float, float]:
    """Read and check a point: on the globe, then inside `extent`; a swapped pair is named as such."""
    x, y = parse_coordinate(lon, "lon"), parse_coordinate(lat, "lat")
    # A pair that only fits the other way round is the commonest slip; say so rather than just "outside".
    swapped = _inside(y, x, extent)
    min_lon, min_lat, max_lon, max_lat = extent
    params = {"lon": x, "lat": y, "min_lon": min_lon, "max_lon": max_lon, "min_lat": min_lat, "max_lat": max_lat}
    lon_wrong, lat_wrong = not -180.0 <= x <= 180.0, not -90.0 <= y <= 90.0
    if lon_wrong or lat_wrong:
        raise CoordinateError(_OFF_THE_GLOBE[lon_wrong, lat_wrong, swapped], params)
    if not _inside(x, y, extent):
        raise CoordinateError(_OUTSIDE_AREA[swapped], params)
    return x, y


# (longitude wrong, latitude wrong, the swapped pair would fit) -> the whole sentence.
_OFF_THE_GLOBE = {
    (True, False, False): N_("(%(lon)s, %(lat)s): longitude %(lon)s is outside -180..180"),
    (True, False, True): N_(
        "(%(lon)s, %(lat)s): longitude %(lon)s is outside -180..180; longitude and latitude look swapped: "
        "(%(lat)s, %(lon)s) would lie inside the allowed area "
        "(longitude %(min_lon)s..%(max_lon)s, latitude %(min_lat)s..%(max_lat)s)"),
    (False, True, False): N_("(%(lon)s, %(lat)s): latitude %(lat)s is outside -90..90"),
    (False, True, True): N_(
        "(%(lon)s, %(lat)s): latitude %(lat)s is outside -90..90; longitude and latitude look swapped: "
        "(%(lat)s, %(lon)s) would lie inside the allowed area "
        "(longitude %(min_lon)s..%(max_lon)s, latitude %(min_lat)s..%(max_lat)s)"),
    (True, True, False): N_(
        "(%(lon)s, %(lat)s): longitude %(lon)s is outside -180..180 and latitude %(lat)s is outside -90..90"),
    (True, True, True): N_(
        "(%(lon)s, %(lat)s): longitude %(lon)s is outside -180..180 and latitude %(lat)s is outside -90..90; "
        "longitude and latitude look swapped: (%(lat)s, %(lon)s) would lie inside the allowed area "
        "(longitude %(min_lon)s..%(max_lon)s, latitude %(min_lat)s..%(max_lat)s)"),
}
_OUTSIDE_AREA = {
    False: N_("(%(lon)s, %(lat)s) lies outside the allowed area "
              "(longitude %(min_lon)s..%(max_lon)s, latitude %(min_lat)s..%(max_lat)s)"),
    True: N_("(%(lon)s, %(lat)s) lies outside the allowed area "
             "(longitude %(min_lon)s..%(max_lon)s, latitude %(min_lat)s..%(max_lat)s); longitude and latitude "
             "look swapped: (%(lat)s, %(lon)s) would lie inside the allowed area "
             "(longitude %(min_lon)s..%(max_lon)s, latitude %(min_lat)s..%(max_lat)s)"),
}
