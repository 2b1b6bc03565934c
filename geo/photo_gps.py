"""Where a photo was taken, from its EXIF GPS tags (phones write WGS-84)."""

from __future__ import annotations

from fractions import Fraction

GPS_IFD = 0x8825
_LAT_REF, _LAT, _LON_REF, _LON = 1, 2, 3, 4


def _degrees(dms) -> float:
    d, m, s = (float(Fraction(v)) if not isinstance(v, float) else v for v in dms)
    return d + m / 60 + s / 3600


def lonlat_from_gps_ifd(gps: dict) -> tuple[float, float] | None:
    """(lon, lat) from a GPS IFD mapping (tag number -> value), or None if it has no position."""
    try:
        lat = _degrees(gps[_LAT])
        lon = _degrees(gps[_LON])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if str(gps.get(_LAT_REF, "N")).upper().startswith("S"):
        lat = -lat
    if str(gps.get(_LON_REF, "E")).upper().startswith("W"):
        lon = -lon
    if lat == 0 and lon == 0:
        return None  # cameras without a fix write zeros
    return lon, lat
