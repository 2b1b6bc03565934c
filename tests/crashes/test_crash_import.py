"""Importing crash exports: good files in both encodings and both formats land with the right values,
a bad row stops the whole file with every error named, personal data is never stored, and each
person imports only inside their own area. Both backends."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from geoalchemy2.shape import to_shape
from shapely.geometry import MultiPolygon, box
from sqlalchemy import func, select

from geo.coords import wgs84_to_bd09, wgs84_to_gcj02
from geo.geometry import to_ewkt
from geo.linear import haversine_m
from hazards.domain.enums import CoordinateInput, RoadClass
from hazards.domain.errors import Forbidden
from hazards.io.crash_import import import_crashes
from hazards.models import Crash, Jurisdiction
from hazards.permissions import SYSTEM
from hazards.services.roads import add_road
from tests.crashes.crash_files import XINFU_POINT, crash_row, write_crash_file
from tests.factories import crash as make_crash

XINFU_BOX = (112.5, 38.25, 112.95, 38.6)
YUANPING_BOX = (112.5, 38.6, 112.95, 38.9)


def crashes(session) -> list[Crash]:
    return list(session.scalars(select(Crash).order_by(Crash.source_id)))


def count(session) -> int:
    return session.scalar(select(func.count(Crash.id)))


def lonlat(record: Crash) -> tuple[float, float] | None:
    return None if record.geom is None else to_shape(record.geom).coords[0]


def messages(report) -> list[str]:
    return [str(e) for e in report.errors]


GOOD = [
    crash_row("SX2024-0001", "2024-03-01 14:30", 行政区划="忻府区", 死亡人数=1, 受伤人数=2, 事故形态="正面相撞"),
    crash_row("SX2024-0002", "2024-03-02 00:30", 行政区划="140902", 受伤人数="3人"),
]


@pytest.mark.parametrize("name, encoding", [("crashes.csv", "utf-8-sig"), ("crashes.csv", "gbk"),
                                            ("crashes.xlsx", None)])
def test_a_good_export_lands_with_its_values_in_utc_and_its_day_in_beijing(session, tmp_path, name, encoding):
    path = write_crash_file(tmp_path / name, GOOD, encoding=encoding or "utf-8", title="2024年事故数据")
    report = import_crashes(session, path, actor=SYSTEM)
    assert report.errors == [] and report.written == 2
    first, second = crashes(session)
    assert (first.source_id, first.jurisdiction_code, first.deaths, first.injuries, first.form) == \
        ("SX2024-0001", "140902", 1, 2, "正面相撞")
    assert first.occurred_at == datetime(2024, 3, 1, 6, 30) and first.occurred_on == date(2024, 3, 1)
    assert first.fatal and not second.fatal
    # half past midnight in Beijing is still the evening before in UTC; the day is Beijing's
    assert second.occurred_at == datetime(2024, 3, 1, 16, 30) and second.occurred_on == date(2024, 3, 2)
    assert second.injuries == 3
    assert haversine_m(lonlat(first), XINFU_POINT) < 0.01
    assert first.coordinate_input is CoordinateInput.WGS84 and first.route_code is None


def test_a_date_and_time_pair_a_zone_and_english_headers(session, tmp_path):
    rows = [{"crash_id": "A1", "date": "2024/3/1", "time": "8时05分", "lon": 112.7, "lat": 38.4, "division": "140902",
             "deaths": 0, "injuries": 1},
            {"crash_id": "A2", "date": "2024年3月2日", "lon": 112.7, "lat": 38.4, "division": "140902"}]
    report = import_crashes(session, write_crash_file(tmp_path / "en.csv", rows), actor=SYSTEM)
    assert report.errors == []
    first, second = crashes(session)
    assert first.occurred_at == datetime(2024, 3, 1, 0, 5) and second.occurred_at == datetime(2024, 3, 1, 16, 0)
    zoned = [crash_row("Z1", "2024-03-01T23:30:00Z", 行政区划="140902")]
    assert import_crashes(session, write_crash_file(tmp_path / "z.csv", zoned), actor=SYSTEM).errors == []
    assert session.scalar(select(Crash).where(Crash.source_id == "Z1")).occurred_on == date(2024, 3, 2)


def test_gcj02_and_bd09_points_are_converted_to_within_a_metre_of_the_truth(session, tmp_path):
    truth = (112.7431, 38.4102)
    rows = [crash_row("G1", 经度=wgs84_to_gcj02(*truth)[0], 纬度=wgs84_to_gcj02(*truth)[1], 坐标系="GCJ02",
                      行政区划="140902"),
            crash_row("B1", 经度=wgs84_to_bd09(*truth)[0], 纬度=wgs84_to_bd09(*truth)[1], 坐标系="百度",
                      行政区划="140902")]
    assert import_crashes(session, write_crash_file(tmp_path / "c.xlsx", rows), actor=SYSTEM).errors == []
    b1, g1 = crashes(session)
    assert haversine_m(lonlat(g1), truth) < 1.0 and g1.coordinate_input is CoordinateInput.GCJ02
    assert haversine_m(lonlat(b1), truth) < 1.0 and b1.coordinate_input is CoordinateInput.BD09
    # rows without a 坐标系 of their own take the file's, as --crs gives it
    gcj = wgs84_to_gcj02(*truth)
    plain = [{"事故编号": "G2", "事故时间": "2024-03-01 10:00", "经度": gcj[0], "纬度": gcj[1], "行政区划": "140902"}]
    report = import_crashes(session, write_crash_file(tmp_path / "p.csv", plain), actor=SYSTEM, default_crs="gcj02")
    assert report.errors == []
    assert haversine_m(lonlat(session.scalar(select(Crash).where(Crash.source_id == "G2"))), truth) < 1.0


def test_each_bad_row_is_named_and_nothing_is_written(session, tmp_path):
    make_crash(session, "OLD-1", date(2023, 5, 1), lonlat=XINFU_POINT)
    rows = [crash_row("OK-1", 行政区划="140902"),
            crash_row("BAD-DATE", "2024-02-30 10:00", 行政区划="140902"),
            crash_row("BAD-DEATHS", 行政区划="140902", 死亡人数=-1),
            crash_row("FAR", 经度=2.35, 纬度=48.85, 行政区划="140902"),
            crash_row("NOWHERE", 行政区划="999999"),
            crash_row("OK-1", 行政区划="140902"),
            crash_row("OLD-1", 行政区划="140902"),
            crash_row("FUTURE", "2099-01-01 08:00", 行政区划="140902")]
    report = import_crashes(session, write_crash_file(tmp_path / "bad.csv", rows), actor=SYSTEM)
    assert count(session) == 1  # only the crash that was there before
    assert report.blocked and report.written == 0 and report.rows_read == 8
    text = messages(report)
    assert "row 3, 事故时间 (occurred_at): '2024-02-30 10:00' is not a valid calendar date" in text
    assert "row 4, 死亡人数 (deaths): '-1' cannot be negative" in text
    assert any(t.startswith("row 5, 经度 (lon): (2.35, 48.85)") for t in text), text
    assert "row 6, 行政区划 (division): '999999' is not a division code the registry knows (6 digits, e.g. " \
           "140902)" in text
    assert "row 7, 事故编号 (source_id): crash number 'OK-1' is already on row 2 of this file" in text
    assert "row 8, 事故编号 (source_id): crash number 'OLD-1' is already in the ledger" in text
    assert "row 9, 事故时间 (occurred_at): '2099-01-01 08:00' is in the future" in text
    assert len(text) == 7


def test_skip_existing_imports_the_new_part_of_an_overlapping_export(session, tmp_path):
    make_crash(session, "OLD-1", date(2023, 5, 1), lonlat=XINFU_POINT)
    rows = [crash_row("OLD-1", 行政区划="140902"), crash_row("NEW-1", 行政区划="140902")]
    report = import_crashes(session, write_crash_file(tmp_path / "o.csv", rows), actor=SYSTEM, skip_existing=True)
    assert report.errors == [] and report.written == 1 and report.skipped_existing == 1
    assert [c.source_id for c in crashes(session)] == ["NEW-1", "OLD-1"]


def test_personal_columns_are_named_as_ignored_and_never_stored(session, tmp_path):
    rows = [crash_row("P1", 行政区划="140902", 当事人姓名="张三", 身份证号="140902198001011234",
                      号牌号码="晋H12345", 驾驶人电话="13800138000", 天气="晴")]
    report = import_crashes(session, write_crash_file(tmp_path / "p.csv", rows, encoding="gbk"), actor=SYSTEM)
    assert report.errors == [] and report.written == 1
    assert report.personal_columns == ["当事人姓名", "身份证号", "号牌号码", "驾驶人电话"]
    assert report.unknown_columns == ["天气"]
    assert "ignored columns (personal data, not read): 当事人姓名, 身份证号, 号牌号码, 驾驶人电话" in report.summary()
    stored = session.execute(select(Crash.__table__)).one()._mapping
    held = " ".join(str(v) for v in stored.values())
    for secret in ("张三", "140902198001011234", "晋H12345", "13800138000"):
        assert secret not in held


def test_route_and_stake_place_a_crash_by_the_roads_posts_or_keep_it_without_a_point(session, tmp_path):
    add_road(session, route_code="G208", division_code="140900", road_class=RoadClass.NATIONAL,
             coords=[(112.70, 38.40), (112.80, 38.40)], start_m=1_050_000)
    rows = [crash_row("R1", 路线编号="G208", 桩号="K1052+000", 行政区划="140902"),
            crash_row("R2", 路线编号="x099", 公里数="12.3", 行政区划="140902"),
            crash_row("R3", 路线编号="G208", 桩号=1_051_000)]
    report = import_crashes(session, write_crash_file(tmp_path / "r.xlsx", rows), actor=SYSTEM)
    assert report.errors == [] and report.placed_by_road == 2 and report.without_point == 1
    r1, r2, r3 = crashes(session)
    lon, lat = lonlat(r1)
    assert abs(lat - 38.40) < 1e-6 and abs(haversine_m((112.70, 38.40), (lon, lat)) - 2000) < 1
    assert r1.coordinate_input is None  # computed from the road, not given
    assert (r2.route_code, r2.stake_m, r2.geom) == ("X099", 12_300, None)
    # no division given and no boundary stored: the road's own (the city's G208)
    assert r3.jurisdiction_code == "140900" and r3.stake_m == 1_051_000


def test_the_division_comes_from_the_stored_boundary_holding_the_point(session, tmp_path):
    session.get(Jurisdiction, "140902").boundary = to_ewkt(MultiPolygon([box(*XINFU_BOX)]))
    session.get(Jurisdiction, "140981").boundary = to_ewkt(MultiPolygon([box(*YUANPING_BOX)]))
    session.flush()
    rows = [crash_row("D1", 经度=112.7, 纬度=38.4), crash_row("D2", 经度=112.7, 纬度=38.7),
            crash_row("D3", 经度=112.7, 纬度=38.75, 行政区划="140902")]
    report = import_crashes(session, write_crash_file(tmp_path / "d.csv", rows), actor=SYSTEM)
    (error,) = messages(report)
    assert error.startswith("row 4, 经度 (lon): the place 112.70000, 38.75000 lies in 原平市, 16.")
    assert error.endswith(" km outside 忻府区")
    report = import_crashes(session, write_crash_file(tmp_path / "d.csv", rows[:2]), actor=SYSTEM)
    assert report.errors == []
    assert [c.jurisdiction_code for c in crashes(session)] == ["140902", "140981"]


def test_a_supervisor_of_another_county_cannot_import_into_xinfu(session, people, tmp_path):
    session.get(Jurisdiction, "140902").boundary = to_ewkt(MultiPolygon([box(*XINFU_BOX)]))
    session.flush()
    rows = [crash_row("X1", 行政区划="140902"), crash_row("X2", 经度=112.7, 纬度=38.4)]
    report = import_crashes(session, write_crash_file(tmp_path / "x.csv", rows), actor=people["other_county"])
    assert messages(report) == [
        "row 2, 行政区划 (division): division 140902 is outside your jurisdiction 140981",
        "row 3, 行政区划 (division): division 140902 is outside your jurisdiction 140981"]
    assert count(session) == 0
    # the county's own supervisor and the city's administrator may; an inspector may not
    assert import_crashes(session, write_crash_file(tmp_path / "x.csv", rows), actor=people["county"]).written == 2
    with pytest.raises(Forbidden):
        import_crashes(session, write_crash_file(tmp_path / "y.csv", rows), actor=people["inspector"])


def test_files_that_are_not_crash_exports_say_why(session, tmp_path):
    path = write_crash_file(tmp_path / "h.csv", [{"隐患名称": "弯道", "发现日期": "2024-03-01"}])
    report = import_crashes(session, path, actor=SYSTEM)
    assert report.blocked and "lacks required columns: 事故编号 (source_id)" in messages(report)[0]
    only_header = tmp_path / "e.csv"
    only_header.write_text("事故编号,事故时间,经度,纬度\n", encoding="utf-8")
    assert messages(import_crashes(session, only_header, actor=SYSTEM)) == ["file: 'e.csv' has a header but no crash rows"]


def test_cli_dry_run_then_import_as_a_user(session, runner, people, tmp_path):
    path = write_crash_file(tmp_path / "cli.csv", [*GOOD, crash_row("P9", 行政区划="140902", 姓名="李四")])
    result = runner.invoke(args=["crashes", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "rows read: 3, valid: 3, with errors: 0; ignored columns (personal data, not read): 姓名; dry run" \
           in result.output
    assert count(session) == 0
    result = runner.invoke(args=["crashes", "import", str(path), "--as", people["other_county"].login])
    assert result.exit_code == 1 and "outside your jurisdiction 140981" in result.output
    result = runner.invoke(args=["crashes", "import", str(path), "--as", people["county"].login])
    assert result.exit_code == 0, result.output
    assert "written: 3 crashes" in result.output
    result = runner.invoke(args=["crashes", "import", str(path), "--skip-existing"])
    assert result.exit_code == 0 and "already in the ledger, skipped: 3" in result.output


def test_the_documented_columns_are_the_importers():
    from pathlib import Path

    from hazards.io.crash_columns import markdown_table

    text = (Path(__file__).resolve().parents[2] / "docs" / "crashes.md").read_text(encoding="utf-8")
    assert markdown_table() in text, "docs/crashes.md is out of date: paste crash_columns.markdown_table() in"


def test_excel_date_time_cells_and_a_separate_date_and_time(session, tmp_path):
    from datetime import time

    rows = [{"事故编号": "E1", "事故时间": datetime(2024, 3, 1, 0, 30), "经度": 112.7, "纬度": 38.4, "行政区划": "140902"}]
    assert import_crashes(session, write_crash_file(tmp_path / "e.xlsx", rows), actor=SYSTEM).errors == []
    pair = [{"事故编号": "E2", "事故日期": date(2024, 3, 1), "时间": time(8, 5), "经度": 112.7, "纬度": 38.4,
             "行政区划": "140902"}]
    assert import_crashes(session, write_crash_file(tmp_path / "p.xlsx", pair), actor=SYSTEM).errors == []
    e1, e2 = crashes(session)
    assert (e1.occurred_at, e1.occurred_on) == (datetime(2024, 2, 29, 16, 30), date(2024, 3, 1))
    assert (e2.occurred_at, e2.occurred_on) == (datetime(2024, 3, 1, 0, 5), date(2024, 3, 1))


def test_personal_columns_are_told_from_places_and_roads():
    from hazards.io.crash_columns import is_personal

    personal = ["姓名", "当事人", "驾驶人姓名", "身份证号", "号牌号码", "车牌", "电话", "住址", "name", "Driver Name",
                "plate_no", "phone"]
    other = ["道路名称", "road_name", "事故地点", "天气", "事故编号", "死亡人数"]
    assert [h for h in personal if not is_personal(h)] == []
    assert [h for h in other if is_personal(h)] == []


def test_a_crash_written_between_the_check_and_the_write_stops_the_whole_file(session, tmp_path, monkeypatch):
    import hazards.io.crash_import as importer

    rows = [crash_row("RACE-1", 行政区划="140902"), crash_row("RACE-2", 行政区划="140902")]
    checked = importer._check_all

    def someone_else_imports_meanwhile(*args, **kwargs):
        kept = checked(*args, **kwargs)
        make_crash(session, "RACE-2", date(2024, 1, 1), lonlat=XINFU_POINT)
        return kept

    monkeypatch.setattr(importer, "_check_all", someone_else_imports_meanwhile)
    report = import_crashes(session, write_crash_file(tmp_path / "r.csv", rows), actor=SYSTEM)
    assert messages(report) == ["file: nothing was written: the ledger changed during the import; try again"]
    assert [c.source_id for c in crashes(session)] == ["RACE-2"]


def test_cli_refuses_an_unknown_login_and_an_inspector(runner, people, tmp_path):
    path = write_crash_file(tmp_path / "c.csv", GOOD)
    result = runner.invoke(args=["crashes", "import", str(path), "--as", "nobody-here"])
    assert result.exit_code == 1 and "no user 'nobody-here'" in result.output
    result = runner.invoke(args=["crashes", "import", str(path), "--as", people["inspector"].login])
    assert result.exit_code == 1 and "You may not import crash records." in result.output


def test_a_place_needs_both_halves_of_each_pair(session, tmp_path):
    rows = [crash_row("H1", 行政区划="140902", 经度=112.7, 纬度=None),
            crash_row("H2", 行政区划="140902", 路线编号="G208"),
            {"事故编号": "H3", "事故时间": "2024-03-01 10:00", "行政区划": "140902"},
            crash_row("H4", 行政区划="140902", 经度=38.4, 纬度=112.7)]
    report = import_crashes(session, write_crash_file(tmp_path / "h.csv", rows), actor=SYSTEM)
    text = messages(report)
    assert text[:3] == ["row 2, 纬度 (lat): give both longitude and latitude, or neither",
                        "row 3, 桩号 (stake): a stake needs its route code, and a route code its stake",
                        "row 4, 经度 (lon): no place: give longitude and latitude, or a route code and a stake"]
    assert text[3].startswith("row 5, 经度 (lon): (38.4, 112.7)") and len(text) == 4
    assert count(session) == 0
