"""A new agency from an empty database to its 2024 report, as its operator would go: `hazards init`, its
boundary from a Gauss-Krüger Shapefile, its roads from a CGCS2000 GeoPackage, its historic ledger with
money, then the report, which must give back the hazards, roads, kilometres and 万元 the files hold.

The agency is 沅江市 (430981, Hunan): nothing of the demo city is used.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from hazards import db as hazards_db
from tests.conftest import build_app
from tests.io.gis_files import YUANJIANG_OUTLINE, convert, feature, geojson, line, point, polygon

LAT = 28.85
X123 = [(112.40, LAT), (112.45, LAT), (112.52, LAT), (112.60, LAT)]
POSTS = {5000: 112.42, 10000: 112.50}

# The historic ledger: a closed section on X123 (K6+000 to K8+000, 2 km), an open junction, a closed
# point; 92.5 万元 budgeted and 118.75 万元 spent, of which 115.75 on the two closed hazards.
LEDGER = """\
隐患名称,发现日期,辖区代码,批次年度,路线编号,起点桩号,止点桩号,几何(WKT),隐患类型,督办级别,挂牌日期,整改期限,责任单位,治理状态,完成日期,申请销号日期,验收日期,销号日期,预算资金(万元),已投入资金(万元),资金来源,资金日期
草尾连续急弯,2024-02-10,430981,2024,X123,K6+000,K8+000,"LINESTRING (112.4308 28.85, 112.4513 28.85)",急弯,县级,2024-03-01,2024-11-30,沅江市公路建设养护中心,已销号,2024-10-01,2024-10-05,2024-10-15,2024-10-20,80,75.5,县级,2024-10-18
琼湖路口视距不良,2024-04-02,430981,2024,,,,POINT (112.55 28.85),平交路口,县级,2024-04-20,2024-12-31,沅江市交通运输局,整改中,,,,,12.5,3,其他,
南大膳镇无警示标志,2024-05-06,430981,2024,,,,POINT (112.6 28.9),缺标志标线,县级,2024-05-20,2024-09-30,沅江市交通运输局,已销号,2024-08-20,2024-08-25,2024-09-01,2024-09-05,,40.25,市级,2024-09-02
"""


def cli(app, *args) -> str:
    with app.app_context():  # as `hazards` runs its commands
        result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


@pytest.fixture
def files(tmp_path):
    """What the agency brings: its GIS department's boundary and the highway bureau's roads."""
    outline = geojson(tmp_path / "boundary.geojson",
                      [feature({"XZQDM": "430981", "XZQMC": "沅江市"}, polygon(YUANJIANG_OUTLINE))])
    boundary = convert(outline, tmp_path / "县界.shp", srs="EPSG:4547", encoding="GBK", keep_cpg=False)
    roads = geojson(tmp_path / "roads.geojson", [feature(
        {"路线编号": "X123", "路线名称": "沅江—草尾", "区划代码": "430981", "起点桩号": "K3+000"}, line(X123))])
    posts = geojson(tmp_path / "posts.geojson", [
        feature({"ROUTE": "X123", "STAKE": f"K{stake // 1000}+000"}, point(lon, LAT + 0.0003))
        for stake, lon in POSTS.items()])
    network = tmp_path / "路网.gpkg"
    convert(roads, network, srs="EPSG:4490", layer="公路")
    convert(posts, network, srs="EPSG:4490", layer="stake_posts", append=True)
    ledger = tmp_path / "沅江市隐患台账2024.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    return {"boundary": boundary, "roads": network, "ledger": ledger}


def test_an_agency_goes_from_an_empty_database_to_its_2024_report(backend, make_database, tmp_path, files):
    app = build_app(make_database(backend), tmp_path / "instance")
    try:
        cli(app, "init", "--division", "430981", "--admin", "yj-admin", "--password", "Yuanjiang-2025-jj")
        assert "430981" in cli(app, "divisions", "import", str(files["boundary"]))
        cli(app, "roads", "import", str(files["roads"]))
        assert "created: 3" in cli(app, "import", str(files["ledger"]))

        report = json.loads(cli(app, "report", "--jurisdiction", "430981", "--year", "2024", "--format", "json"))
    finally:
        hazards_db.state(app).engine.dispose()

    assert report["jurisdiction"]["name"] == "沅江市"
    assert "忻州" not in json.dumps(report, ensure_ascii=False)
    total = next(row for row in report["summary"] if row["key"] == "total")
    assert (total["total"], total["closed"], total["open"], total["overdue"]) == (3, 2, 1, 0)
    county_road = next(row for row in report["road_classes"] if row["code"] == "X")
    assert (county_road["completed"], county_road["roads"], Decimal(county_road["km"])) == (1, 1, Decimal("2"))
    money = total["money"]
    assert Decimal(money["budget"]["total"]) == Decimal("92.5")
    assert Decimal(money["spending"]["total"]) == Decimal("118.75")
    assert (Decimal(money["spending"]["county"]), Decimal(money["spending"]["city"])) == (Decimal("75.5"),
                                                                                          Decimal("40.25"))
    assert "县道1条1处（路段2.0公里）" in report["paragraph"]["zh"] and "投入治理资金118万余元" in report["paragraph"]["zh"]
