"""Importing ledger files: what lands in the database, what is refused and where, on both backends."""

from __future__ import annotations

import csv
import json
import math
from datetime import date, datetime

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from geo.coords import gcj02_to_wgs84
from hazards.domain.enums import CoordinateInput, RoadClass, Status, SupervisionLevel
from hazards.domain.errors import Forbidden
from hazards.io.importer import import_hazards
from hazards.models import FundingEntry, Hazard, StatusChange
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from tests.factories import draft, user

HEADER = ["隐患编号", "隐患名称", "辖区代码", "发现日期", "经度", "纬度", "几何(WKT)", "路线编号", "起点桩号",
          "止点桩号", "隐患类型", "督办级别", "挂牌日期", "整改期限", "治理状态", "责任单位", "事故起数", "死亡人数"]
POINT_ROW = ["140902-2024-0101", "G208线K1052+300处急弯", "140902", "2024/3/5", "112.734", "38.417", "", "G208",
             "K1052+300", "", "急弯、视距不良", "市级", "2024-03-10", "2024年6月30日", "挂牌督办", "忻府区交通运输局",
             "2", "1"]
SECTION_ROW = ["", "X012线K3+200~K4+100段临水临崖", "忻府区", "2024-04-01", "", "",
               "LINESTRING (112.70 38.40, 112.705 38.403, 112.71 38.405)", "X012", "K3+200", "K4+100",
               "临水临崖,缺护栏", "", "", "", "", "", "", ""]


def write_csv(path, rows, header=HEADER, encoding="utf-8-sig"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def row(base=POINT_ROW, **changes) -> list[str]:
    values = dict(zip(HEADER, base))
    values.update(changes)
    return [values[h] for h in HEADER]


def count(session) -> int:
    return session.scalar(select(func.count(Hazard.id)))


def by_code(session, code) -> Hazard:
    return session.scalars(select(Hazard).where(Hazard.code == code)).one()


def metres_between(a, b) -> float:
    """Great-circle distance between two (lon, lat) points, good to a metre at these scales."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def test_a_good_csv_with_chinese_headers_lands_with_the_right_values(session, tmp_path):
    path = write_csv(tmp_path / "台账.csv", [POINT_ROW, SECTION_ROW])
    report = import_hazards(session, path, actor=SYSTEM)

    assert report.errors == [] and report.rows_read == 2 and not report.blocked
    assert report.created[0] == "140902-2024-0101"
    point = by_code(session, "140902-2024-0101")
    assert to_shape(point.geom).coords[0] == pytest.approx((112.734, 38.417))
    assert (point.start_m, point.end_m) == (1052300, None)
    assert [c.code for c in point.categories] == ["sharp_curve", "poor_sight"]
    assert point.level is SupervisionLevel.CITY and point.status is Status.LISTED
    assert (point.found_on, point.listed_on, point.deadline) == (date(2024, 3, 5), date(2024, 3, 10), date(2024, 6, 30))
    assert point.road_class is RoadClass.NATIONAL  # from the route code's letter
    assert point.batch_year == 2024 and point.coordinate_input is CoordinateInput.WGS84
    assert point.responsible_unit.name == "忻府区交通运输局"
    assert (point.crash_count, point.death_count) == (2, 1)

    section = by_code(session, report.created[1])
    assert section.code.startswith("140902-2024-")  # a code was assigned
    line = to_shape(section.geom)
    assert line.geom_type == "LineString" and len(line.coords) == 3
    assert (section.start_m, section.end_m) == (3200, 4100) and section.road_class is RoadClass.COUNTY
    assert [c.code for c in section.categories] == ["roadside_danger", "missing_guardrail"]
    assert section.level is SupervisionLevel.NONE and section.status is Status.REPORTED

    assert session.scalar(select(func.count(FundingEntry.id))) == 0  # an import brings no money
    history = session.scalars(select(StatusChange.action).where(StatusChange.hazard_id == point.id)).all()
    assert history == ["import"]


def test_gbk_csv_from_chinese_excel(session, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", [POINT_ROW], encoding="gb18030")
    report = import_hazards(session, path, actor=SYSTEM)
    assert report.errors == []
    assert by_code(session, "140902-2024-0101").title == "G208线K1052+300处急弯"


def test_excel_unicode_text_is_utf16_with_tabs(session, tmp_path):
    path = tmp_path / "unicode.txt"
    with open(path, "w", encoding="utf-16", newline="") as fh:
        csv.writer(fh, delimiter="\t").writerows([HEADER, POINT_ROW])
    report = import_hazards(session, path, actor=SYSTEM)
    assert report.errors == [] and report.created == ["140902-2024-0101"]


def test_lonlat_edited_apart_from_the_wkt_is_refused(session, tmp_path):
    path = write_csv(tmp_path / "edited.csv", [row(**{"几何(WKT)": "POINT (112.734 38.417)", "经度": "112.8"})])
    report = import_hazards(session, path, actor=SYSTEM)
    assert [(e.row, e.column) for e in report.errors] == [(2, "lon")]
    assert "do not match" in report.errors[0].message


def test_xlsx_with_a_title_row_and_real_date_cells(session, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["2024年忻府区道路交通安全隐患台账"])  # a title above the header, as ledgers have
    sheet.append(["隐患名称", "所属辖区", "排查日期", "经度", "纬度", "桩号", "督办级别", "联系电话"])
    sheet.append(["S311线K20+100处平交路口", "140902", datetime(2024, 5, 6), 112.75, 38.45, "K20+100~K20+400",
                  "县级", 13800138000])
    sheet.append([None] * 8)  # an empty row is skipped
    sheet.append(["S311线K25处陡坡", 140902, date(2024, 5, 7), 112.76, 38.46, "K25+000", "省级督办", None])
    workbook.save(tmp_path / "ledger.xlsx")

    report = import_hazards(session, tmp_path / "ledger.xlsx", actor=SYSTEM)
    assert report.errors == [] and report.rows_read == 2
    first, second = (by_code(session, code) for code in report.created)
    assert first.found_on == date(2024, 5, 6) and (first.start_m, first.end_m) == (20100, 20400)
    assert first.responsible_contact == "13800138000" and first.level is SupervisionLevel.COUNTY
    assert second.level is SupervisionLevel.PROVINCE and second.start_m == 25000


def test_xlsx_errors_carry_the_row_number_excel_shows(session, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["台账"])
    sheet.append(["隐患名称", "辖区代码", "发现日期", "经度", "纬度", "督办级别"])
    sheet.append(["a", "140902", date(2024, 5, 6), 112.75, 38.45, "县级"])
    sheet.append(["b", "140902", date(2024, 5, 6), 112.75, 38.45, "镇级"])
    workbook.save(tmp_path / "bad.xlsx")
    report = import_hazards(session, tmp_path / "bad.xlsx", actor=SYSTEM)
    assert [(e.row, e.column) for e in report.errors] == [(4, "level")]


def test_a_stray_cell_at_the_last_excel_row_costs_nothing_and_is_reported_where_it_is(session, tmp_path):
    """A 5 KB workbook with one cell at row 1,048,576 once kept a worker busy for minutes: every missing
    row was made up on the way there. Only the rows the sheet stores are read now."""
    from openpyxl import Workbook

    from hazards.io import readers

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["隐患名称", "辖区代码", "发现日期", "经度", "纬度", "督办级别"])
    sheet.append(["a", "140902", date(2024, 5, 6), 112.75, 38.45, "县级"])
    sheet.cell(row=1_048_576, column=1, value="b")
    workbook.save(tmp_path / "stray.xlsx")
    assert (tmp_path / "stray.xlsx").stat().st_size < 10_000

    read: list[int] = []
    original = readers._present_rows

    def counting(sheet, path):
        for number, cells in original(sheet, path):
            read.append(number)
            yield number, cells

    readers._present_rows = counting
    try:
        report = import_hazards(session, tmp_path / "stray.xlsx", actor=SYSTEM, dry_run=True)
    finally:
        readers._present_rows = original
    assert set(read) == {1, 2, 1_048_576}  # what the sheet holds, not a million made-up rows
    assert {e.row for e in report.errors} == {1_048_576}


def test_a_cell_far_to_the_right_refuses_the_workbook_with_a_reason(session, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["隐患名称", "辖区代码", "发现日期", "经度", "纬度", "督办级别"])
    sheet.append(["a", "140902", date(2024, 5, 6), 112.75, 38.45, "县级"])
    sheet.cell(row=2, column=16_384, value="x")  # column XFD, Excel's last
    workbook.save(tmp_path / "wide.xlsx")
    report = import_hazards(session, tmp_path / "wide.xlsx", actor=SYSTEM)
    assert count(session) == 0
    assert report.file_error and any("16384" in e.message for e in report.errors if e.row is None)


def test_geojson_with_a_linestring_section(session, tmp_path):
    collection = {"type": "FeatureCollection", "features": [{
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[112.70, 38.40], [112.71, 38.41]]},
        "properties": {"title": "X012线临崖路段", "jurisdiction_code": "140902", "found_on": "2024-04-01",
                       "start_stake": "K3+200", "end_stake": "K4+100", "categories": ["roadside_danger"],
                       "school_zone": True, "level": "county"},
    }, {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [112.72, 38.42]},
        "properties": {"title": "点", "jurisdiction_code": "140902", "found_on": "2024-04-02"},
    }]}
    path = tmp_path / "sections.geojson"
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")

    report = import_hazards(session, path, actor=SYSTEM)
    assert report.errors == [] and report.rows_read == 2
    section = by_code(session, report.created[0])
    assert list(to_shape(section.geom).coords) == [(112.70, 38.40), (112.71, 38.41)]
    assert (section.start_m, section.end_m) == (3200, 4100) and section.school_zone
    assert section.level is SupervisionLevel.COUNTY
    assert to_shape(by_code(session, report.created[1]).geom).coords[0] == (112.72, 38.42)


BAD_ROWS = [
    (3, "lon", row(**{"隐患编号": "", "经度": "2.35", "纬度": "48.85"})),  # Paris, not China
    (4, "start_stake", row(**{"隐患编号": "", "起点桩号": "K12+3OO"})),
    (5, "level", row(**{"隐患编号": "", "督办级别": "xx"})),
    (6, "end_stake", row(**{"隐患编号": "", "起点桩号": "K2+000", "止点桩号": "K1+500"})),
    (7, "jurisdiction_code", row(**{"隐患编号": "", "辖区代码": "999999"})),
    (8, "lat", row(**{"隐患编号": "", "纬度": "95"})),
]


def test_each_bad_row_is_reported_where_it_is_and_nothing_is_written(session, tmp_path):
    before = count(session)
    path = write_csv(tmp_path / "bad.csv", [POINT_ROW] + [r for _n, _c, r in BAD_ROWS])
    report = import_hazards(session, path, actor=SYSTEM)

    assert [(e.row, e.column) for e in report.errors] == [(n, c) for n, c, _r in BAD_ROWS]
    messages = {e.column: e.message for e in report.errors}
    assert "outside the allowed area" in messages["lon"]
    assert "'K12+3OO'" in messages["start_stake"]
    assert "'xx' is not a supervision level" in messages["level"]
    assert "before the start" in messages["end_stake"]
    assert "'999999'" in messages["jurisdiction_code"]
    assert str(report.errors[2]).startswith("row 5, 督办级别 (level): 'xx' is not a supervision level")
    assert report.blocked and report.created == [] and report.valid_rows == 1
    assert count(session) == before


def test_skip_invalid_writes_the_good_rows_only(session, tmp_path):
    before = count(session)
    path = write_csv(tmp_path / "mixed.csv", [POINT_ROW, BAD_ROWS[2][2], SECTION_ROW])
    report = import_hazards(session, path, skip_invalid=True, actor=SYSTEM)
    assert [(e.row, e.column) for e in report.errors] == [(3, "level")]
    assert len(report.created) == 2 and not report.blocked
    assert count(session) == before + 2


def test_skip_invalid_with_no_valid_row_still_counts_as_refused(session, tmp_path):
    report = import_hazards(session, write_csv(tmp_path / "all-bad.csv", [BAD_ROWS[2][2]]), skip_invalid=True, actor=SYSTEM)
    assert report.created == [] and report.blocked


def test_dry_run_writes_nothing(session, tmp_path):
    before = count(session)
    report = import_hazards(session, write_csv(tmp_path / "good.csv", [POINT_ROW, SECTION_ROW]), dry_run=True, actor=SYSTEM)
    assert report.errors == [] and report.valid_rows == 2 and report.created == []
    assert count(session) == before


def test_gcj02_coordinates_are_converted_and_marked(session, tmp_path):
    typed = (112.74056823, 38.41758077)  # what AMap shows for a spot near 112.734, 38.417
    path = write_csv(tmp_path / "amap.csv", [["高德点位", "140902", "2024-03-05", *map(str, typed), "高德"]],
                     header=["隐患名称", "辖区代码", "发现日期", "经度", "纬度", "坐标系"])
    report = import_hazards(session, path, actor=SYSTEM)
    assert report.errors == []
    hazard = by_code(session, report.created[0])
    stored = to_shape(hazard.geom).coords[0]
    assert 100 <= metres_between(stored, typed) <= 700
    assert stored == pytest.approx(gcj02_to_wgs84(*typed), abs=1e-9)
    assert hazard.coordinate_input is CoordinateInput.GCJ02


def test_bd09_line_vertices_are_all_converted(session, tmp_path):
    line = "LINESTRING (112.75 38.43, 112.76 38.44)"
    path = write_csv(tmp_path / "baidu.csv", [["百度路段", "140902", "2024-03-05", line, "K1+000", "K2+000", "BD-09"]],
                     header=["隐患名称", "辖区代码", "发现日期", "WKT", "起点桩号", "止点桩号", "坐标系"])
    report = import_hazards(session, path, actor=SYSTEM)
    assert report.errors == []
    hazard = by_code(session, report.created[0])
    for stored, typed in zip(to_shape(hazard.geom).coords, [(112.75, 38.43), (112.76, 38.44)]):
        assert 100 <= metres_between(stored, typed) <= 1500
    assert hazard.coordinate_input is CoordinateInput.BD09


def test_codes_repeated_in_the_file_or_already_in_the_ledger_are_row_errors(session, tmp_path):
    report_hazard(session, draft(code="140902-2024-0500"), actor=SYSTEM)
    before = count(session)
    path = write_csv(tmp_path / "dups.csv", [
        row(**{"隐患编号": "140902-2024-0500"}),
        row(**{"隐患编号": "140902-2024-0600"}),
        row(**{"隐患编号": "140902-2024-0600"}),
    ])
    report = import_hazards(session, path, actor=SYSTEM)
    assert [(e.row, e.column) for e in report.errors] == [(2, "code"), (4, "code")]
    assert "already in the ledger" in report.errors[0].message
    assert "already used on row 3" in report.errors[1].message
    assert count(session) == before


def test_generated_codes_skip_codes_that_later_rows_bring(session, tmp_path):
    path = write_csv(tmp_path / "mixed-codes.csv", [row(**{"隐患编号": ""}), row(**{"隐患编号": "140902-2024-0001"})])
    report = import_hazards(session, path, chunk_size=1, actor=SYSTEM)
    assert report.errors == [] and report.created[1] == "140902-2024-0001"
    assert report.created[0] != "140902-2024-0001"


def test_a_single_stake_range_cell(session, tmp_path):
    path = write_csv(tmp_path / "range.csv", [["路段", "140902", "2024-03-05", "LINESTRING (112.7 38.4, 112.71 38.41)",
                                               "K1+200~K2+300"]],
                     header=["隐患名称", "辖区代码", "发现日期", "几何", "桩号"])
    report = import_hazards(session, path, actor=SYSTEM)
    assert report.errors == []
    assert (by_code(session, report.created[0]).start_m, by_code(session, report.created[0]).end_m) == (1200, 2300)


def test_unknown_columns_are_a_warning_and_required_ones_an_error(session, tmp_path):
    path = write_csv(tmp_path / "extra.csv", [[*POINT_ROW, "x"]], header=[*HEADER, "备注"])
    report = import_hazards(session, path, dry_run=True, actor=SYSTEM)
    assert report.errors == [] and report.warnings == ["columns not recognised, ignored: 备注"]

    path = write_csv(tmp_path / "short.csv", [["a", "112.7", "38.4"]], header=["隐患名称", "经度", "纬度"])
    report = import_hazards(session, path, actor=SYSTEM)
    assert report.file_error and report.blocked
    assert "发现日期 (found_on)" in report.errors[0].message
    assert "辖区代码 (jurisdiction_code)" in report.errors[0].message


@pytest.mark.parametrize("name, content, message", [
    ("empty.csv", b"", "is empty"),
    ("renamed.xlsx", "隐患名称,辖区代码\n".encode(), "not an Excel .xlsx workbook"),
    ("renamed.csv", b"PK\x03\x04rest-of-a-zip", "is an Excel workbook, not CSV"),
    ("old.xls", b"\xd0\xcf\x11\xe0", "old Excel .xls"),
    ("broken.geojson", b"{not json", "is not JSON"),
    ("plain.json", b'{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
    ("header-only.csv", "隐患名称,辖区代码,发现日期,经度,纬度\n".encode("utf-8"), "no hazard rows"),
])
def test_files_that_cannot_be_imported_say_why(session, tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    report = import_hazards(session, tmp_path / name, actor=SYSTEM)
    assert report.file_error and message in report.errors[0].message


def test_a_file_over_the_size_limit_is_refused(session, tmp_path):
    report = import_hazards(session, write_csv(tmp_path / "big.csv", [POINT_ROW]), max_bytes=100, actor=SYSTEM)
    assert report.file_error and "larger than" in report.errors[0].message


YUANPING_ROW = row(**{"隐患编号": "140981-2024-0007", "隐患名称": "S311线平交路口", "辖区代码": "140981",
                      "经度": "112.71", "纬度": "38.73", "责任单位": ""})


def reported(base) -> list[str]:
    """The row as an inspector may bring it: a report, with no supervision decision."""
    return row(base, **{"督办级别": "", "挂牌日期": "", "整改期限": "", "治理状态": ""})


def test_rows_outside_the_importers_jurisdiction_are_row_errors(session, tmp_path):
    before = count(session)
    path = write_csv(tmp_path / "two-counties.csv", [reported(POINT_ROW), reported(YUANPING_ROW), SECTION_ROW])
    city, county = user(session, "supervisor", "140900"), user(session, "inspector", "140902")

    assert import_hazards(session, path, dry_run=True, actor=SYSTEM).errors == []  # unrestricted, as the CLI imports
    assert import_hazards(session, path, dry_run=True, actor=city).errors == []  # the city holds both

    report = import_hazards(session, path, actor=county)
    assert [(e.row, e.column, e.value) for e in report.errors] == [(3, "jurisdiction_code", "140981")]
    assert report.errors[0].message == "division 140981 is outside your jurisdiction 140902"
    assert report.blocked and report.created == [] and count(session) == before

    report = import_hazards(session, path, actor=county, skip_invalid=True)
    assert len(report.created) == 2 and "140981-2024-0007" not in report.created
    assert count(session) == before + 2


def test_a_deactivated_account_may_not_import(session, tmp_path):
    before = count(session)
    gone = user(session, "inspector", "140902")
    gone.active = False
    with pytest.raises(Forbidden):
        import_hazards(session, write_csv(tmp_path / "one.csv", [POINT_ROW]), actor=gone)
    assert count(session) == before


def test_cli_import_prints_the_summary_and_each_error(session, runner, tmp_path):
    good = write_csv(tmp_path / "good.csv", [POINT_ROW, SECTION_ROW])
    result = runner.invoke(args=["import", str(good), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "rows read: 2, valid: 2, with errors: 0; dry run, nothing written" in result.output

    bad = write_csv(tmp_path / "bad.csv", [POINT_ROW, BAD_ROWS[2][2]])
    result = runner.invoke(args=["import", str(bad)])
    assert result.exit_code == 1
    assert "row 3, 督办级别 (level): 'xx' is not a supervision level" in result.output
    assert "nothing imported" in result.output

    result = runner.invoke(args=["import", str(good)])
    assert result.exit_code == 0, result.output
    assert "created: 2" in result.output
    assert session.scalar(select(func.count(Hazard.id)).where(Hazard.code == "140902-2024-0101")) == 1
