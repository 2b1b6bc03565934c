"""Coordinates: GCJ-02 and BD-09 convert back to WGS-84 accurately, and typed values are read and checked."""

import math
from decimal import Decimal

import pytest

from geo.coords import (
    CHINA_EXTENT,
    CRS_CHOICES,
    CoordinateError,
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    parse_coordinate,
    to_wgs84,
    validate_lonlat,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

TIANANMEN_WGS84 = (116.391305, 39.907129)
XINZHOU = (112.73, 38.42)
GRID = [(lon, lat) for lon in range(75, 135, 7) for lat in range(19, 54, 5)]


def haversine_m(a, b):
    """Great-circle distance in metres between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def one_step_inverse(lon, lat):
    """The common shortcut: subtract the shift computed at the GCJ-02 point itself."""
    glon, glat = wgs84_to_gcj02(lon, lat)
    return 2 * lon - glon, 2 * lat - glat


def test_constants():
    assert CHINA_EXTENT == (73.4, 18.0, 135.1, 53.6)
    assert CRS_CHOICES == ("wgs84", "cgcs2000", "gcj02", "bd09")


# --- GCJ-02 -----------------------------------------------------------------------------------------


def test_tiananmen_gcj02_offset_is_the_known_few_hundred_metres():
    glon, glat = wgs84_to_gcj02(*TIANANMEN_WGS84)
    assert glon - TIANANMEN_WGS84[0] == pytest.approx(0.006, abs=0.0005)
    assert glat - TIANANMEN_WGS84[1] == pytest.approx(0.0013, abs=0.0003)
    assert 100 < haversine_m(TIANANMEN_WGS84, (glon, glat)) < 700


@pytest.mark.parametrize("lon, lat", GRID)
def test_there_is_an_offset_of_under_700_m_across_china(lon, lat):
    # Around 97°E 37°N the shift dips to ~45 m; in the populated east it is 300-700 m.
    assert 10 < haversine_m((lon, lat), wgs84_to_gcj02(lon, lat)) < 700


@pytest.mark.parametrize("lon, lat", GRID)
def test_round_trip_through_gcj02(lon, lat):
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert back == pytest.approx((lon, lat), abs=1e-6)
    assert haversine_m(back, (lon, lat)) < 0.01


@pytest.mark.parametrize("lon, lat", [TIANANMEN_WGS84, XINZHOU, (121.47, 31.23), (113.26, 23.13), (87.6, 43.8)])
def test_iterative_inverse_beats_the_one_step_inverse(lon, lat):
    gcj = wgs84_to_gcj02(lon, lat)
    shortcut_error = haversine_m(one_step_inverse(*gcj), (lon, lat))  # centimetres to metres
    ours_error = haversine_m(gcj02_to_wgs84(*gcj), (lon, lat))
    assert shortcut_error > 0.01
    assert ours_error < 0.01
    assert ours_error < shortcut_error / 100


@pytest.mark.parametrize("lon, lat", [(-0.1276, 51.5072), (139.69, 35.69), (151.21, -33.87), (-74.0, 40.7)])
def test_points_outside_china_are_unchanged(lon, lat):
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)


# --- BD-09 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lon, lat", [wgs84_to_gcj02(*TIANANMEN_WGS84), *GRID])
def test_bd09_round_trip(lon, lat):
    assert bd09_to_gcj02(*gcj02_to_bd09(lon, lat)) == pytest.approx((lon, lat), abs=1e-6)
    assert gcj02_to_bd09(*bd09_to_gcj02(lon, lat)) == pytest.approx((lon, lat), abs=1e-6)


def test_bd09_is_a_further_offset_from_gcj02():
    gcj = wgs84_to_gcj02(*TIANANMEN_WGS84)
    assert 500 < haversine_m(gcj, gcj02_to_bd09(*gcj)) < 1500


def test_baidu_tiananmen_reference():
    # Baidu Maps shows Tiananmen at about (116.404, 39.915).
    assert haversine_m(bd09_to_wgs84(116.404, 39.915), (116.3912, 39.9071)) < 30


def test_wgs84_bd09_round_trip():
    assert bd09_to_wgs84(*wgs84_to_bd09(*XINZHOU)) == pytest.approx(XINZHOU, abs=1e-6)


# --- to_wgs84 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("crs", ["wgs84", "WGS84", "WGS-84", "epsg:4326", "EPSG:4326", "4326",
                                 "cgcs2000", "CGCS2000", "epsg:4490", "4490"])
def test_wgs84_and_cgcs2000_pass_through(crs):
    assert to_wgs84(*XINZHOU, crs) == XINZHOU


@pytest.mark.parametrize("crs", ["gcj02", "GCJ-02", "amap", "AMap", "tencent", "高德"])
def test_gcj02_aliases(crs):
    assert to_wgs84(*wgs84_to_gcj02(*XINZHOU), crs) == pytest.approx(XINZHOU, abs=1e-6)


@pytest.mark.parametrize("crs", ["bd09", "BD-09", "baidu", "Baidu", "百度"])
def test_bd09_aliases(crs):
    assert to_wgs84(*wgs84_to_bd09(*XINZHOU), crs) == pytest.approx(XINZHOU, abs=1e-6)


@pytest.mark.parametrize("crs", ["mercator", "epsg:3857", "", None])
def test_unknown_crs_lists_the_accepted_ones(crs):
    with pytest.raises(CoordinateError) as exc:
        to_wgs84(*XINZHOU, crs)
    message = str(exc.value)
    assert f"'{crs}'" in message
    for choice in CRS_CHOICES:
        assert choice in message


# --- parse_coordinate -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, axis, expected",
    [
        (112.73, "lon", 112.73),
        (112, "lon", 112.0),
        (Decimal("38.42"), "lat", 38.42),
        ("112.73", "lon", 112.73),
        ("  112.73 ", "lon", 112.73),
        ("112.73°", "lon", 112.73),
        ("-33.87", "lat", -33.87),
        ("１１２．７３", "lon", 112.73),
        ("－３３．８７", "lat", -33.87),
        ("112°43'30.5\"", "lon", 112 + 43 / 60 + 30.5 / 3600),
        ("112°43′30.5″", "lon", 112 + 43 / 60 + 30.5 / 3600),
        ("112° 43′ 30.5″ E", "lon", 112 + 43 / 60 + 30.5 / 3600),
        ("E112°43′30.5″", "lon", 112 + 43 / 60 + 30.5 / 3600),
        ("112°43.5'", "lon", 112 + 43.5 / 60),
        ("38°25′N", "lat", 38 + 25 / 60),
        ("33°52′S", "lat", -(33 + 52 / 60)),
        ("0°7′39″W", "lon", -(7 / 60 + 39 / 3600)),
        ("东经112.73", "lon", 112.73),
        ("北纬38.42", "lat", 38.42),
        ("东经112°43′30.5″", "lon", 112 + 43 / 60 + 30.5 / 3600),
        ("112.73", "longitude", 112.73),
    ],
)
def test_parse_coordinate_forms(value, axis, expected):
    assert parse_coordinate(value, axis) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    "value, axis, name",
    [
        ("abc", "lon", "longitude"),
        ("", "lat", "latitude"),
        ("nan", "lat", "latitude"),
        ("inf", "lon", "longitude"),
        (float("nan"), "lat", "latitude"),
        (float("inf"), "lon", "longitude"),
        (Decimal("NaN"), "lon", "longitude"),
        ("112,73", "lon", "longitude"),
        ("112°61′", "lon", "longitude"),
        ("112°43′60″", "lon", "longitude"),
        ("38.42E", "lat", "latitude"),
        ("北纬112.73", "lon", "longitude"),
        ("-112.73W", "lon", "longitude"),
        (True, "lon", "longitude"),
        (None, "lat", "latitude"),
    ],
)
def test_parse_coordinate_refuses_with_axis_and_value(value, axis, name):
    with pytest.raises(CoordinateError) as exc:
        parse_coordinate(value, axis)
    message = str(exc.value)
    assert name in message
    if value != "":
        assert str(value) in message


def test_a_hemisphere_mark_on_the_wrong_axis_says_swapped():
    with pytest.raises(CoordinateError, match="swapped"):
        parse_coordinate("112°43′E", "lat")


# --- validate_lonlat --------------------------------------------------------------------------------


def test_a_point_in_xinzhou_is_accepted():
    result = validate_lonlat(*XINZHOU)
    assert result == XINZHOU
    assert all(type(v) is float for v in result)


def test_strings_are_parsed():
    assert validate_lonlat("112.73", "北纬38.42") == XINZHOU


@pytest.mark.parametrize("lon, lat, fragment", [(212.7, 38.4, "-180..180"), (112.7, 95.0, "-90..90")])
def test_out_of_range(lon, lat, fragment):
    with pytest.raises(CoordinateError, match=fragment) as exc:
        validate_lonlat(lon, lat)
    assert str(lon) in str(exc.value) and str(lat) in str(exc.value)


@pytest.mark.parametrize("lon, lat", [(-0.1276, 51.5072), (139.69, 35.69), (112.73, 10.0)])
def test_outside_china(lon, lat):
    with pytest.raises(CoordinateError, match="outside the allowed area") as exc:
        validate_lonlat(lon, lat)
    message = str(exc.value)
    assert str(lon) in message and str(lat) in message
    assert "73.4" in message and "135.1" in message and "18.0" in message and "53.6" in message
    assert "swapped" not in message


def test_swapped_pair_is_named():
    with pytest.raises(CoordinateError, match="swapped") as exc:
        validate_lonlat(38.42, 112.73)
    assert "38.42" in str(exc.value) and "112.73" in str(exc.value)


def test_swapped_pair_inside_the_latitude_range_is_named_too():
    # Both values are valid latitudes here, so only the extent check can catch the mix-up.
    extent = (40.0, 30.0, 50.0, 40.0)
    assert validate_lonlat(45.0, 35.0, extent=extent) == (45.0, 35.0)
    with pytest.raises(CoordinateError, match="outside the allowed area.*swapped"):
        validate_lonlat(35.0, 45.0, extent=extent)


def test_a_custom_extent_is_quoted():
    county = (112.5, 38.2, 113.0, 38.6)
    assert validate_lonlat(*XINZHOU, extent=county) == XINZHOU
    with pytest.raises(CoordinateError, match=r"112\.5\.\.113\.0") as exc:
        validate_lonlat(111.9, 38.42, extent=county)
    assert "38.2..38.6" in str(exc.value)
