"""The column specification: every cell spelling users type parses, every export re-parses. No database."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from shapely.geometry import LineString

from hazards.domain.enums import CoordinateInput, Direction, RoadClass, Status, SupervisionLevel
from hazards.io import columns
from hazards.io.columns import BY_KEY, Vocabulary, fold_header, map_headers, missing_columns
from hazards.services.division_registry import read_registry
from hazards.services.reference import CATEGORIES, MEASURES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "import-format.md"


def _terms(rows):
    codes = {s.casefold(): code for code, zh, en in rows for s in (code, zh, en)}
    return codes, {code: (zh, en) for code, zh, en in rows}


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    category_codes, category_names = _terms(CATEGORIES)
    measure_codes, measure_names = _terms(MEASURES)
    xinzhou = [d for d in read_registry().divisions.values() if d.code.startswith("1409")]
    names = {n.casefold(): d.code for d in xinzhou for n in (d.name, d.name_en)}
    return Vocabulary(category_codes, measure_codes, category_names, measure_names, names)


def parse(key: str, value, vocab: Vocabulary):
    return BY_KEY[key].parser(vocab)(value)


def fmt(key: str, value, vocab: Vocabulary, style: str):
    return BY_KEY[key].formatter(vocab, style)(value)


@pytest.mark.parametrize("text", [
    "2024-03-01", "2024/3/1", "2024.3.1", "2024年3月1日", "2024 年 3 月 1 日", "20240301", "2024-03-01T08:30:00",
    "2024-03-01 08:30", "2024-03-01T08:30:00+08:00", "２０２４-０３-０１", datetime(2024, 3, 1, 8, 30),
    date(2024, 3, 1), 45352,
])
def test_dates_in_every_spelling(text, vocab):
    assert parse("found_on", text, vocab) == date(2024, 3, 1)


@pytest.mark.parametrize("text", ["2024-13-01", "2024-02-30", "next week", "3/1/2024", 2024])
def test_bad_dates_are_refused_quoting_the_value(text, vocab):
    with pytest.raises(ValueError, match=f"'{text}'"):
        parse("deadline", text, vocab)


@pytest.mark.parametrize("text, expected", [
    ("是", True), ("否", False), ("Y", True), ("n", False), ("true", True), ("FALSE", False), ("1", True),
    ("0", False), ("√", True), ("×", False), ("yes", True), (True, True), (1, True), (0, False),
])
def test_booleans(text, expected, vocab):
    assert parse("school_zone", text, vocab) is expected


def test_a_boolean_that_is_not_one(vocab):
    with pytest.raises(ValueError, match="'maybe' is not yes or no"):
        parse("crash_prone", "maybe", vocab)


@pytest.mark.parametrize("text, expected", [
    ("部级", SupervisionLevel.MINISTRY), ("省级督办", SupervisionLevel.PROVINCE), ("ministry", SupervisionLevel.MINISTRY),
    ("City", SupervisionLevel.CITY), ("县督", SupervisionLevel.COUNTY), ("区级", SupervisionLevel.COUNTY),
    ("未挂牌", SupervisionLevel.NONE), ("NONE", SupervisionLevel.NONE),
])
def test_levels_in_chinese_and_english(text, expected, vocab):
    assert parse("level", text, vocab) is expected


@pytest.mark.parametrize("key, text, expected", [
    ("status", "整改中", Status.IN_REMEDIATION), ("status", "已销号", Status.CLOSED), ("status", "listed", Status.LISTED),
    ("road_class", "国道", RoadClass.NATIONAL), ("road_class", "X", RoadClass.COUNTY),
    ("direction", "上下行", Direction.BOTH), ("coordinate_input", "高德", CoordinateInput.GCJ02),
])
def test_other_vocabularies(key, text, expected, vocab):
    assert parse(key, text, vocab) is expected


def test_unknown_level_names_the_choices(vocab):
    with pytest.raises(ValueError, match=r"'xx' is not a supervision level; use one of 部级, 省级"):
        parse("level", "xx", vocab)


@pytest.mark.parametrize("value, expected", [("3", 3), (3, 3), (3.0, 3), ("2起", 2), (" 4 ", 4), ("0", 0)])
def test_counts_are_whole_numbers(value, expected, vocab):
    assert parse("crash_count", value, vocab) == expected


@pytest.mark.parametrize("value, message", [
    ("2.5", "'2.5' is not a whole number"), (2.5, "'2.5' is not a whole number"),
    ("abc", "'abc' is not a whole number"),
    ("-1", "'-1' cannot be negative"),
])
def test_counts_refuse_fractions_and_negatives(value, message, vocab):
    with pytest.raises(ValueError, match=message):
        parse("death_count", value, vocab)


@pytest.mark.parametrize("value, expected", [("2024", 2024), ("2024年", 2024), (2024, 2024)])
def test_batch_year(value, expected, vocab):
    assert parse("batch_year", value, vocab) == expected


def test_batch_year_out_of_range(vocab):
    with pytest.raises(ValueError, match="'1999' is below 2000"):
        parse("batch_year", "1999", vocab)


@pytest.mark.parametrize("text", [
    "急弯、视距不良", "sharp_curve,poor_sight", "急弯，视距不良", "急弯;视距不良", "急弯；视距不良", "急弯/视距不良",
    "急弯 视距不良", "Sharp curve; Poor sight distance", "SHARP_CURVE、视距不良、急弯", ["急弯", "poor_sight"],
])
def test_category_lists(text, vocab):
    assert parse("categories", text, vocab) == ["sharp_curve", "poor_sight"]


def test_measure_names_with_separators_inside_resolve_whole(vocab):
    assert parse("measures", "Five small works (bumps, signs, mirrors, posts, lights)", vocab) == ["five_small"]


def test_unknown_category_is_named(vocab):
    with pytest.raises(ValueError, match="'飞机场' is not a known hazard category"):
        parse("categories", "急弯、飞机场", vocab)


@pytest.mark.parametrize("text, metres", [("K12+300", 12300), ("k12+5", 12005), ("Ｋ１２＋３００", 12300), ("K0+000", 0)])
def test_stakes(text, metres, vocab):
    assert parse("start_stake", text, vocab) == metres


def test_a_mistyped_stake_is_quoted(vocab):
    with pytest.raises(ValueError, match="'K12\\+3OO'"):
        parse("start_stake", "K12+3OO", vocab)


def test_stake_range_cell(vocab):
    assert parse("stake_range", "K1+200~K2+300", vocab) == (1200, 2300)
    assert parse("stake_range", "K1+200", vocab) == (1200, None)
    # The down carriageway (下行) is written high stake first; it is stored low stake first.
    assert parse("stake_range", "K2+300~K1+200", vocab) == (1200, 2300)


@pytest.mark.parametrize("text, expected", [
    ("WGS84", "wgs84"), ("CGCS2000", "wgs84"), ("国家2000坐标系", "wgs84"), ("高德", "gcj02"), ("GCJ-02", "gcj02"),
    ("腾讯地图", "gcj02"), ("百度", "bd09"), ("BD09", "bd09"),
])
def test_coordinate_systems(text, expected, vocab):
    assert parse("crs", text, vocab) == expected


def test_unknown_coordinate_system(vocab):
    with pytest.raises(ValueError, match="'Mercator' is not a coordinate system"):
        parse("crs", "Mercator", vocab)


@pytest.mark.parametrize("text, expected", [
    ("POINT (112.734 38.417)", (112.734, 38.417)), ("point(112.734 38.417)", (112.734, 38.417)),
    ("SRID=4326;POINT(112.734 38.417)", (112.734, 38.417)),
])
def test_point_wkt_is_read_without_shapely(text, expected, vocab):
    assert parse("wkt", text, vocab) == expected


def test_line_wkt(vocab):
    line = parse("wkt", "LINESTRING (112.7 38.4, 112.71 38.41)", vocab)
    assert isinstance(line, LineString) and list(line.coords) == [(112.7, 38.4), (112.71, 38.41)]


@pytest.mark.parametrize("text, message", [("SRID=3857;POINT(1 2)", "SRID 3857"), ("POINT (abc)", "not valid WKT")])
def test_bad_wkt(text, message, vocab):
    with pytest.raises(ValueError, match=message):
        parse("wkt", text, vocab)


@pytest.mark.parametrize("value, expected", [("112.734", 112.734), (112.734, 112.734), ("112°44′2.4″E", 112.734)])
def test_longitudes(value, expected, vocab):
    assert parse("lon", value, vocab) == pytest.approx(expected)


def test_divisions_by_code_or_name(vocab):
    assert parse("jurisdiction_code", "140902", vocab) == "140902"
    assert parse("jurisdiction_code", "忻府区", vocab) == "140902"
    with pytest.raises(ValueError, match="'14090' is not a 6-digit"):
        parse("jurisdiction_code", "14090", vocab)


def test_text_cells(vocab):
    assert parse("responsible_contact", 13800138000.0, vocab) == "13800138000"
    assert parse("title", "'=HYPERLINK(1)", vocab) == "=HYPERLINK(1)"  # the export's formula guard comes off
    with pytest.raises(ValueError, match="longer than 200 characters"):
        parse("title", "长" * 201, vocab)


def test_route_codes(vocab):
    assert parse("route_code", " g208 ", vocab) == "G208"
    with pytest.raises(ValueError, match="'国道208' is not a route code"):
        parse("route_code", "国道208", vocab)


@pytest.mark.parametrize("key, value", [
    ("level", SupervisionLevel.PROVINCE), ("status", Status.CLOSURE_REQUESTED), ("road_class", RoadClass.TOWNSHIP),
    ("direction", Direction.DOWN), ("coordinate_input", CoordinateInput.BD09), ("school_zone", True),
    ("dynamic_add", False), ("found_on", date(2024, 2, 29)), ("start_stake", 257015), ("crash_count", 3),
    ("categories", ["continuous_curves", "weather", "other"]), ("measures", ["five_small", "guardrail"]),
    ("title", "G208线K12+300处急弯"), ("wkt", "LINESTRING (112.7 38.4, 112.71 38.41)"),
])
@pytest.mark.parametrize("style", ["zh", "en", "json"])
def test_every_export_style_parses_back(key, value, style, vocab):
    cell = fmt(key, value, vocab, style)
    parsed = parse(key, cell, vocab)
    if key == "wkt":
        parsed = parsed.wkt
    assert parsed == value


def test_export_cells_per_style(vocab):
    assert fmt("level", SupervisionLevel.MINISTRY, vocab, "zh") == "部级"
    assert fmt("level", SupervisionLevel.MINISTRY, vocab, "en") == "ministry"
    assert fmt("categories", ["sharp_curve", "poor_sight"], vocab, "zh") == "急弯、视距不良"
    assert fmt("categories", ["sharp_curve", "poor_sight"], vocab, "en") == "sharp_curve;poor_sight"
    assert fmt("categories", ["sharp_curve"], vocab, "json") == ["sharp_curve"]
    assert fmt("school_zone", True, vocab, "zh") == "是"
    assert fmt("found_on", date(2024, 3, 1), vocab, "en") == date(2024, 3, 1)  # a real date cell in XLSX
    assert fmt("found_on", date(2024, 3, 1), vocab, "json") == "2024-03-01"
    assert fmt("start_stake", 1052300, vocab, "zh") == "K1052+300"
    assert fmt("budget_wan", Decimal("1234567.89"), vocab, "zh") == Decimal("123.456789")  # exact: every fen
    assert fmt("budget_wan", Decimal("85000.00"), vocab, "en") == Decimal("8.50")
    assert fmt("budget_wan", None, vocab, "json") == "0.00"


@pytest.mark.parametrize("header, key", [
    ("隐患编号", "code"), ("编号", "code"), ("隐患点段名称", "title"), ("行政区划代码", "jurisdiction_code"),
    ("路线代码", "route_code"), ("道路等级", "road_class"), ("终点桩号", "end_stake"), ("桩号", "stake_range"),
    ("几何（WKT）", "wkt"), ("WKT", "wkt"), ("整改时限", "deadline"), ("状态", "status"), ("年度", "batch_year"),
    ("排查日期", "found_on"), ("隐患来源", "source"), ("涉校", "school_zone"), ("具体位置", "place"),
    ("存在问题", "description"), ("隐患名称*", "title"), ("Start Stake", "start_stake"), ("start_stake", "start_stake"),
    (" 督办级别 ", "level"), ("坐标系", "crs"),
])
def test_header_aliases(header, key):
    assert map_headers([header]).columns[header].key == key


def test_export_only_headers_are_known_but_not_read():
    mapping = map_headers(["辖区名称", "备注"])
    assert mapping.columns == {} and mapping.unknown == ["备注"]


def test_a_second_header_for_the_same_column_is_reported():
    mapping = map_headers(["隐患名称", "名称"])
    assert list(mapping.columns) == ["隐患名称"] and mapping.repeated == ["名称"]


def test_missing_columns_are_named_in_english_and_chinese():
    missing = missing_columns(map_headers(["隐患名称", "经度"]))
    assert "发现日期 (found_on)" in missing and "辖区代码 (jurisdiction_code)" in missing
    assert any("经度 (lon) and 纬度 (lat)" in m for m in missing)
    assert missing_columns(map_headers(["隐患名称", "辖区代码", "发现日期", "几何(WKT)"])) == []


def test_headers_fold_width_case_and_marks():
    assert fold_header("几何（WKT）") == fold_header("几何(wkt)")
    assert fold_header("Found_On *") == "foundon"


def test_the_documentation_lists_every_column():
    text = DOCS.read_text(encoding="utf-8")
    assert columns.markdown_table() in text, "docs/import-format.md is out of date: paste markdown_table() in"
