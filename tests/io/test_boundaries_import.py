"""An agency's own boundary file becomes its divisions' boundaries, whatever the format, coordinate
system or text encoding, and the place check then holds hazards to them."""

from __future__ import annotations

import pytest
from shapely.geometry import Point, shape

from geo.geometry import from_db
from hazards.io.gis import import_boundaries
from hazards.models import Jurisdiction
from hazards.services.placement import PlacementChecker, placement_problem
from tests.io.gis_files import (
    INSIDE,
    OUTSIDE,
    YUANJIANG_OUTLINE,
    convert,
    feature,
    geojson,
    line,
    polygon,
    yuanjiang,
)


@pytest.fixture
def source(tmp_path):
    """沅江市 as a GeoJSON feature with a Chinese name, the source the other formats are made from."""
    return geojson(tmp_path / "source.geojson",
                   [feature({"XZQDM": "430981", "XZQMC": "沅江市"}, polygon(YUANJIANG_OUTLINE))])


def _stored(session, code: str):
    session.expire_all()
    division = session.get(Jurisdiction, code)
    return from_db(division.boundary), from_db(division.boundary_display)


def _assert_yuanjiang_outline(boundary):
    expected = shape(polygon(YUANJIANG_OUTLINE))
    # Projected and back (Gauss-Krüger metres to degrees): the same outline to well under a metre.
    assert boundary.geom_type == "MultiPolygon"
    assert boundary.symmetric_difference(expected).area < expected.area * 1e-6
    assert boundary.is_valid


def test_a_gauss_kruger_shapefile_with_a_gbk_dbf_and_no_cpg(session, source, tmp_path):
    yuanjiang(session)
    shp = convert(source, tmp_path / "县界.shp", srs="EPSG:4547", encoding="GBK", keep_cpg=False)
    assert not shp.with_suffix(".cpg").exists()

    report = import_boundaries(session, shp)

    assert report.errors == [], [str(e) for e in report.errors]
    assert report.written == ["430981"]
    assert "4547" in str(report.source_crs) or "114E" in str(report.source_crs)
    assert any("GBK" in w for w in report.warnings)  # the operator is told how the text was read
    boundary, display = _stored(session, "430981")
    _assert_yuanjiang_outline(boundary)
    assert display.is_valid and display.geom_type == "MultiPolygon"


def test_the_operator_names_the_code_field_and_the_encoding(session, tmp_path):
    yuanjiang(session)
    src = geojson(tmp_path / "src.geojson", [feature({"名称": "沅江市", "代码": "430981000000"},
                                                     polygon(YUANJIANG_OUTLINE))])
    shp = convert(src, tmp_path / "b.shp", srs="EPSG:4547", encoding="GBK", keep_cpg=False)

    report = import_boundaries(session, shp, code_field="代码", encoding="GBK")

    assert report.errors == [] and report.written == ["430981"]  # a 12-digit statistical code is read as 6
    assert not any("GBK" in w for w in report.warnings)


def test_a_geopackage_in_cgcs2000_and_a_geojson(session, source, tmp_path):
    yuanjiang(session)
    gpkg = convert(source, tmp_path / "boundaries.gpkg", srs="EPSG:4490", layer="县级行政区")
    report = import_boundaries(session, gpkg)
    assert report.errors == [] and report.written == ["430981"]
    _assert_yuanjiang_outline(_stored(session, "430981")[0])

    report = import_boundaries(session, source)
    assert report.errors == [] and report.written == ["430981"]


def test_the_boundary_holds_hazards_to_their_division(session, source, tmp_path):
    yuanjiang(session)
    shp = convert(source, tmp_path / "b.shp", srs="EPSG:4547", encoding="GBK")
    assert placement_problem(session, "430981", Point(*OUTSIDE)) is None  # no boundary yet: no check
    assert import_boundaries(session, shp).written == ["430981"]

    assert placement_problem(session, "430981", Point(*INSIDE)) is None
    refused = placement_problem(session, "430981", Point(*OUTSIDE))
    assert refused is not None and "outside" in refused.template
    assert refused.params["division"] == "沅江市"
    checker = PlacementChecker(session)  # the ledger import's form of the same rule
    assert checker.problem("430981", Point(*INSIDE)) is None
    assert checker.problem("430981", Point(*OUTSIDE)) is not None


def test_a_self_touching_ring_is_repaired_and_kept_polygonal(session, tmp_path):
    yuanjiang(session)
    # A bow-tie: the ring crosses itself; make_valid gives two triangles (and no stray line).
    bowtie = [(112.3, 28.7), (112.8, 29.1), (112.8, 28.7), (112.3, 29.1), (112.3, 28.7)]
    path = geojson(tmp_path / "bowtie.geojson", [feature({"code": 430981}, polygon(bowtie))])

    report = import_boundaries(session, path)

    assert report.errors == [], [str(e) for e in report.errors]
    boundary, _display = _stored(session, "430981")
    assert boundary.is_valid and boundary.geom_type == "MultiPolygon" and len(boundary.geoms) == 2
    assert placement_problem(session, "430981", Point(112.7, 28.9)) is None  # in the eastern triangle


def test_problems_are_listed_by_feature_and_nothing_is_written(session, tmp_path):
    yuanjiang(session)
    path = geojson(tmp_path / "bad.geojson", [
        feature({"code": "430981"}, polygon(YUANJIANG_OUTLINE)),
        feature({"code": "999999"}, polygon(YUANJIANG_OUTLINE)),
        feature({"code": "430981"}, line([(112.3, 28.8), (112.4, 28.9)])),
        feature({"code": "43098"}, polygon(YUANJIANG_OUTLINE)),
        feature({"code": "430981"}, polygon([(112.3, 28.8), (112.4, 28.9), (112.3, 28.8), (112.3, 28.8)])),
        feature({"code": "430981"}, polygon([(12.3, 28.8), (12.4, 28.9), (12.4, 28.8), (12.3, 28.8)])),
    ])

    report = import_boundaries(session, path)

    by_feature = {e.feature: e for e in report.errors}
    assert sorted(by_feature) == [2, 3, 4, 5, 6]
    assert "no division with the code 999999" in by_feature[2].message
    assert "not a LineString" in by_feature[3].message or "LineString" in by_feature[3].message
    assert "6-digit" in by_feature[4].message
    assert "cannot be repaired" in by_feature[5].message or "no area" in by_feature[5].message
    assert "outside China" in by_feature[6].message
    assert report.written == []
    assert session.get(Jurisdiction, "430981").boundary is None


def test_a_file_without_a_code_field_names_its_fields(session, tmp_path):
    path = geojson(tmp_path / "x.geojson", [feature({"名称": "沅江市"}, polygon(YUANJIANG_OUTLINE))])
    report = import_boundaries(session, path)
    assert [e.feature for e in report.errors] == [None]
    assert "名称" in report.errors[0].message and "--code-field" in report.errors[0].message


def test_the_command_lists_problems_in_chinese_and_exits_non_zero(app, session, tmp_path):
    yuanjiang(session)
    path = geojson(tmp_path / "bad.geojson", [feature({"code": "999999"}, polygon(YUANJIANG_OUTLINE))])
    result = app.test_cli_runner().invoke(args=["divisions", "import", str(path)])
    assert result.exit_code == 1
    assert "第1个要素" in result.output and "999999" in result.output

    good = geojson(tmp_path / "good.geojson", [feature({"code": "430981"}, polygon(YUANJIANG_OUTLINE))])
    result = app.test_cli_runner().invoke(args=["divisions", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "430981" in result.output
    assert session.get(Jurisdiction, "430981").boundary is not None


def test_projected_coordinates_without_a_prj_need_the_operator_to_name_the_system(session, source, tmp_path):
    yuanjiang(session)
    shp = convert(source, tmp_path / "noprj.shp", srs="EPSG:4547", encoding="GBK")
    shp.with_suffix(".prj").unlink()

    refused = import_boundaries(session, shp)
    assert [e.feature for e in refused.errors] == [None] and "EPSG:4547" in refused.errors[0].message
    assert session.get(Jurisdiction, "430981").boundary is None

    report = import_boundaries(session, shp, crs="EPSG:4547")
    assert report.errors == [] and report.written == ["430981"]
    _assert_yuanjiang_outline(_stored(session, "430981")[0])
