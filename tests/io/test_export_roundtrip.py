"""Exports: what they hold, and that export -> import into an empty ledger -> export gives the same file."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from shapely.geometry import Point
from sqlalchemy import delete, func, select

from geo.coords import gcj02_to_wgs84
from hazards.domain.enums import (
    CoordinateInput,
    Direction,
    FundingKind,
    FundingSource,
    RiskGrade,
    Source,
    Status,
    SupervisionLevel,
)
from hazards.io.exporter import ExportError, export_hazards
from hazards.io.importer import import_hazards
from hazards.models import FundingEntry, Hazard, StatusChange, hazard_categories, hazard_measures
from hazards.permissions import SYSTEM
from hazards.services.registration import report_hazard
from tests.factories import draft, section_draft, user


@pytest.fixture
def export_ledger(session):
    """Hazards that use every kind of value an export writes, in two counties."""
    return [
        report_hazard(session, draft(
            code="140902-2024-0001", description="急弯处视距不足，夜间无照明\n第二行, with a comma",
            source=Source.CRASH_REVIEW, dynamic_add=True, road_name="京原线", direction=Direction.UP,
            place="东楼村口", crash_prone=True, crash_count=3, death_count=1, risk_grade=RiskGrade.MAJOR,
            school_zone=True, level=SupervisionLevel.PROVINCE, supervising_body="山西省道路交通安全委员会",
            document_no="晋道安〔2024〕12号", listed_on=date(2024, 3, 10), deadline=date(2024, 9, 30),
            responsible_unit="忻府区交通运输局", responsible_person="张三", responsible_contact="+8613800138000",
            plan_text="一点一策", measure_codes=["signs_markings", "five_small"], measures_text="增设警示标志",
            temporary_controls="限速40", planned_start=date(2024, 4, 1), planned_end=date(2024, 8, 1),
            status=Status.LISTED, geometry=Point(112.123456789012345, 38.98765432109876),
        ), actor=SYSTEM),
        report_hazard(session, section_draft(code="140902-2024-0002", title="=X012线临水临崖"), actor=SYSTEM),
        report_hazard(session, draft(
            code="140921-2024-0001", jurisdiction_code="140921", title="定襄县GCJ点",
            geometry=Point(*gcj02_to_wgs84(112.96, 38.47)), coordinate_input=CoordinateInput.GCJ02,
            status=Status.CLOSED, closed_on=date(2024, 11, 2), completed_on=date(2024, 10, 20),
            category_codes=[], route_code=None, road_class=None, start_m=None,
        ), actor=SYSTEM),
    ]


def empty_the_ledger(session) -> None:
    for table in (hazard_categories, hazard_measures, StatusChange.__table__, Hazard.__table__):
        session.execute(delete(table))
    session.expire_all()


def xlsx_values(path) -> list[tuple]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:
        return list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


@pytest.mark.parametrize("name, headers", [
    ("ledger.csv", "zh"), ("ledger.csv", "en"), ("ledger.xlsx", "zh"), ("ledger.xlsx", "en"), ("ledger.geojson", "en"),
])
def test_export_import_export_gives_the_same_file(session, export_ledger, tmp_path, name, headers):
    first, second = tmp_path / f"first-{name}", tmp_path / f"second-{name}"
    assert export_hazards(session, first, actor=SYSTEM, headers=headers) == 3
    empty_the_ledger(session)
    assert session.scalar(select(func.count(Hazard.id))) == 0

    report = import_hazards(session, first, actor=SYSTEM)
    assert report.errors == [] and report.warnings == []
    assert report.created == ["140902-2024-0001", "140902-2024-0002", "140921-2024-0001"]
    assert export_hazards(session, second, actor=SYSTEM, headers=headers) == 3

    if name.endswith(".xlsx"):
        assert xlsx_values(second) == xlsx_values(first)
    else:
        assert second.read_bytes() == first.read_bytes()


def test_csv_with_chinese_headers_reads_in_excel_terms(session, export_ledger, tmp_path):
    path = tmp_path / "zh.csv"
    export_hazards(session, path, actor=SYSTEM)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines(keepends=True)))
    first = rows[0]
    assert first["隐患编号"] == "140902-2024-0001" and first["督办级别"] == "省级" and first["治理状态"] == "挂牌督办"
    assert first["隐患类型"] == "急弯、视距不良" and first["措施类别"] == "标志标线、五小工程"
    assert first["起点桩号"] == "K1052+300" and first["学校周边"] == "是" and first["辖区名称"] == "忻府区"
    assert first["经度"] == "112.12345678901235" and first["几何(WKT)"] == "POINT (112.12345678901235 38.98765432109876)"
    assert first["联系电话"] == "'+8613800138000"  # Excel would take it for a formula
    assert first["预算资金(万元)"] == "0.00"
    assert rows[1]["隐患名称"] == "'=X012线临水临崖"
    assert rows[1]["经度"] == "" and rows[1]["几何(WKT)"].startswith("LINESTRING (112.7 38.4")
    assert rows[2]["原始坐标系"] == "GCJ-02"
    assert "坐标系" not in first and "桩号" not in first  # import-only columns


def test_csv_with_english_headers_uses_codes(session, export_ledger, tmp_path):
    path = tmp_path / "en.csv"
    export_hazards(session, path, actor=SYSTEM, headers="en")
    first = next(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines(keepends=True)))
    assert first["level"] == "province" and first["status"] == "listed" and first["source"] == "crash_review"
    assert first["categories"] == "sharp_curve;poor_sight" and first["school_zone"] == "yes"
    assert first["found_on"] == "2024-03-05"


def test_xlsx_cells_are_typed_and_the_header_frozen(session, export_ledger, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "ledger.xlsx"
    export_hazards(session, path, actor=SYSTEM)
    sheet = load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    first = dict(zip(header, (c.value for c in sheet[2])))
    assert sheet.freeze_panes == "A2"
    assert first["发现日期"] == datetime(2024, 3, 5) and sheet.cell(2, header.index("发现日期") + 1).is_date
    assert first["事故起数"] == 3
    # Spreadsheets keep about 16 digits; the WKT text column is what carries the exact geometry.
    assert first["经度"] == pytest.approx(112.12345678901235, abs=1e-12)
    assert first["辖区代码"] == "140902"  # a code, kept as text
    title_cell = sheet.cell(3, header.index("隐患名称") + 1)
    assert title_cell.value == "=X012线临水临崖" and title_cell.data_type == "s"  # text, not a formula


def test_geojson_features(session, export_ledger, tmp_path):
    path = tmp_path / "ledger.geojson"
    export_hazards(session, path, actor=SYSTEM, headers="zh")  # GeoJSON keeps English keys whatever is asked
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 3
    point, section, _gcj = data["features"]
    assert point["id"] == "140902-2024-0001"
    assert point["geometry"] == {"type": "Point", "coordinates": [112.12345678901235, 38.98765432109876]}
    assert section["geometry"]["type"] == "LineString" and section["geometry"]["coordinates"][0] == [112.7, 38.4]
    properties = point["properties"]
    assert properties["level"] == "province" and properties["categories"] == ["sharp_curve", "poor_sight"]
    assert properties["school_zone"] is True and properties["deadline"] == "2024-09-30"
    assert properties["start_stake"] == "K1052+300" and properties["budget_wan"] == "0.00"
    assert not {"wkt", "lon", "lat", "crs"} & properties.keys()


def test_money_totals_in_wan_from_the_funding_ledger(session, export_ledger, tmp_path):
    hazard = export_ledger[0]
    for kind, amount in [(FundingKind.BUDGET, "1200000.00"), (FundingKind.BUDGET, "34567.89"),
                         (FundingKind.SPENDING, "50000.00"), (FundingKind.ALLOCATION, "999999.00")]:
        session.add(FundingEntry(hazard_id=hazard.id, kind=kind, source=FundingSource.COUNTY, amount=Decimal(amount),
                                 entry_date=date(2024, 5, 1)))
    session.flush()
    path = tmp_path / "money.csv"
    export_hazards(session, path, actor=SYSTEM, headers="en")
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines(keepends=True)))
    assert (rows[0]["budget_wan"], rows[0]["spent_wan"]) == ("123.456789", "5.00")  # exact, so it imports back
    assert (rows[1]["budget_wan"], rows[1]["spent_wan"]) == ("0.00", "0.00")


def test_export_of_one_jurisdiction_subtree(session, export_ledger, tmp_path):
    assert export_hazards(session, tmp_path / "dingxiang.csv", actor=SYSTEM, jurisdiction="140921") == 1
    assert export_hazards(session, tmp_path / "xinzhou.csv", actor=SYSTEM, jurisdiction="140900") == 3
    assert export_hazards(session, tmp_path / "taiyuan.csv", actor=SYSTEM, jurisdiction="140100") == 0
    with pytest.raises(ExportError, match="no jurisdiction with code '149900'"):
        export_hazards(session, tmp_path / "x.csv", actor=SYSTEM, jurisdiction="149900")


def test_a_person_exports_only_what_they_may_see(session, export_ledger, tmp_path):
    dingxiang = user(session, "inspector", "140921")
    assert export_hazards(session, tmp_path / "mine.csv", actor=dingxiang) == 1
    assert export_hazards(session, tmp_path / "asked-for-more.csv", actor=dingxiang, jurisdiction="140900") == 1
    assert export_hazards(session, tmp_path / "xinzhou.csv", actor=user(session, "supervisor", "140900")) == 3


def test_export_streams_in_chunks(session, export_ledger, tmp_path):
    small, whole = tmp_path / "small.csv", tmp_path / "whole.csv"
    assert export_hazards(session, small, actor=SYSTEM, chunk_size=1) == 3
    export_hazards(session, whole, actor=SYSTEM)
    assert small.read_bytes() == whole.read_bytes()


def test_cli_export(session, runner, export_ledger, tmp_path):
    path = tmp_path / "out.geojson"
    result = runner.invoke(args=["export", str(path), "--jurisdiction", "140902"])
    assert result.exit_code == 0, result.output
    assert f"exported 2 hazards to {path}" in result.output
    assert len(json.loads(path.read_text(encoding="utf-8"))["features"]) == 2

    result = runner.invoke(args=["export", str(tmp_path / "out.txt")])
    assert result.exit_code != 0 and "cannot tell the format" in result.output
