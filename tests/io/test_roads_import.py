"""A county's road network from its own file: stakes follow the kilometre posts, a map tap gives the
road and stake back, export writes what import reads, and a bad file writes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from geo.geometry import from_db
from geo.linear import haversine_m
from hazards import permissions
from hazards.domain.enums import RoadClass
from hazards.domain.errors import InvalidInput
from hazards.io.roads import export_roads, import_roads
from hazards.models import Road
from hazards.queries.map_layers import roads_in
from hazards.services.roads import locate_by_stake, nearest_road
from tests import factories
from tests.io.gis_files import convert, feature, geojson, line, point, yuanjiang

LAT = 28.85
# X123 runs due east along one parallel, so distance along it is proportional to longitude. Its line
# starts at K3+000, but the posts say the stakes are stretched: K5 stands 0.02° (1.95 km) in and K10
# another 0.08° (7.8 km) further. Between two posts a stake lies in proportion between them.
X123 = [(112.40, LAT), (112.45, LAT), (112.52, LAT), (112.60, LAT)]
POSTS = {5000: 112.42, 10000: 112.50, 15000: 112.58}


def _road_features(name="沅江—草尾"):
    return [feature({"路线编号": "X123", "路线名称": name, "区划代码": "430981", "起点桩号": "K3+000"}, line(X123))]


def _post_features():
    return [feature({"ROUTE": "X123", "STAKE": f"K{stake // 1000}+000"}, point(lon, LAT + 0.0003))
            for stake, lon in POSTS.items()]


@pytest.fixture
def county(session):
    return yuanjiang(session)


@pytest.fixture
def road_gpkg(tmp_path):
    """Roads and posts in one GeoPackage in CGCS2000 (EPSG:4490), as a highway bureau hands them over."""
    roads = geojson(tmp_path / "roads.geojson", _road_features())
    posts = geojson(tmp_path / "posts.geojson", _post_features())
    target = tmp_path / "路网.gpkg"
    convert(roads, target, srs="EPSG:4490", layer="公路")
    convert(posts, target, srs="EPSG:4490", layer="stake_posts", append=True)
    return target


def _lon_at(session, stake: int) -> tuple[float, float]:
    place = locate_by_stake(session, "X123", stake, None, "430981")
    return place.x, place.y


def _assert_stakes_follow_the_posts(session):
    # K7+500 is halfway from K5 to K10: halfway in longitude too, not 4.5 km of drawn line from K3.
    lon, lat = _lon_at(session, 7500)
    assert lon == pytest.approx((POSTS[5000] + POSTS[10000]) / 2, abs=2e-5)
    assert lat == pytest.approx(LAT, abs=1e-6)
    assert _lon_at(session, 10000)[0] == pytest.approx(POSTS[10000], abs=2e-5)
    section = locate_by_stake(session, "X123", 7500, 12500, "430981")
    assert section.coords[0][0] == pytest.approx(112.46, abs=2e-5)
    assert section.coords[-1][0] == pytest.approx(112.54, abs=2e-5)
    with pytest.raises(InvalidInput, match="K2\\+000"):
        locate_by_stake(session, "X123", 2000, None, "430981")


def test_a_geopackage_with_kilometre_posts(session, county, road_gpkg):
    report = import_roads(session, road_gpkg)

    assert report.errors == [], [str(e) for e in report.errors]
    assert report.written == ["X123@430981"]
    road = session.scalar(select(Road).where(Road.route_code == "X123"))
    assert road.name == "沅江—草尾" and road.road_class is RoadClass.COUNTY and road.start_m == 3000
    assert sorted(p.stake_m for p in road.posts) == [5000, 10000, 15000]
    _assert_stakes_follow_the_posts(session)


def test_a_gauss_kruger_shapefile_with_chinese_fields_and_its_posts_beside_it(session, county, tmp_path):
    roads = geojson(tmp_path / "roads.geojson", _road_features())
    posts = geojson(tmp_path / "posts.geojson", _post_features())
    shp = convert(roads, tmp_path / "乡道.shp", srs="EPSG:4547", encoding="GBK", keep_cpg=False)
    convert(posts, tmp_path / "乡道_posts.shp", srs="EPSG:4547", encoding="GBK", keep_cpg=False)

    report = import_roads(session, shp)

    assert report.errors == [], [str(e) for e in report.errors]
    assert session.scalar(select(Road.name).where(Road.route_code == "X123")) == "沅江—草尾"
    _assert_stakes_follow_the_posts(session)


def test_a_csv_with_wkt_and_posts_given_as_lon_lat(session, county, tmp_path):
    wkt = "LINESTRING (" + ", ".join(f"{x} {y}" for x, y in X123) + ")"
    roads = tmp_path / "roads.csv"
    roads.write_text(f'route_code,name,division_code,start_stake,WKT\nX123,沅江—草尾,430981,3.0,"{wkt}"\n',
                     encoding="utf-8")
    posts = tmp_path / "kilometre posts.csv"
    posts.write_text("路线编号,桩号,经度,纬度\n" + "".join(f"X123,K{s // 1000}+000,{lon},{LAT}\n"
                                                   for s, lon in POSTS.items()), encoding="utf-8")

    report = import_roads(session, roads, posts=posts)

    assert report.errors == [], [str(e) for e in report.errors]
    assert any("coordinate system" in w for w in report.warnings)  # a CSV declares none: read as lon/lat
    _assert_stakes_follow_the_posts(session)


def test_without_posts_stakes_run_with_the_line(session, county, tmp_path):
    path = geojson(tmp_path / "g.geojson", [feature({"route_code": "S313", "division_code": "430981",
                                                     "start_stake": 12.0}, line(X123))])
    assert import_roads(session, path).errors == []
    place = locate_by_stake(session, "S313", 13000, None, "430981")
    assert haversine_m(X123[0], (place.x, place.y)) == pytest.approx(1000, abs=1)
    assert session.scalar(select(Road.road_class).where(Road.route_code == "S313")) is RoadClass.PROVINCIAL


def test_sections_of_one_road_become_one_road_with_their_stakes(session, county, tmp_path):
    west, east = X123[:3], X123[2:]
    path = geojson(tmp_path / "sections.geojson", [
        feature({"LXBM": "Y045", "XZQDM": "430981", "QDZH": 8.0, "ZDZH": 20.0}, line(east)),
        feature({"LXBM": "Y045", "XZQDM": "430981", "QDZH": 0.0, "ZDZH": 8.0}, line(west)),
    ])
    report = import_roads(session, path)
    assert report.errors == [], [str(e) for e in report.errors]
    assert report.written == ["Y045@430981"]
    # K8+000 is where the second section starts (112.52), whatever length the first is drawn.
    place = locate_by_stake(session, "Y045", 8000, None, "430981")
    assert place.x == pytest.approx(112.52, abs=2e-5)
    place = locate_by_stake(session, "Y045", 14000, None, "430981")  # halfway along the second
    assert place.x == pytest.approx(112.56, abs=2e-5)


def test_a_map_tap_gives_the_road_and_its_stake(session, county, road_gpkg):
    import_roads(session, road_gpkg)
    user = factories.user(session, "inspector", "430981")

    found = nearest_road(session, user, 112.46, LAT + 0.0005, within_m=200)  # about 55 m north of the road

    assert found.route_code == "X123" and found.division_code == "430981"
    assert abs(found.stake_m - 7500) <= 2 and found.stake.startswith("K7+")
    assert found.offset_m == pytest.approx(55, abs=3)
    assert nearest_road(session, user, 112.46, LAT + 0.01, within_m=200) is None  # 1.1 km off
    elsewhere = factories.user(session, "inspector", factories.XINFU, login="xinfu")
    assert nearest_road(session, elsewhere, 112.46, LAT + 0.0005) is None  # not a road Xinfu works with


def test_the_map_layer_shows_an_agencys_own_roads(session, county, road_gpkg):
    import_roads(session, road_gpkg)
    user = factories.user(session, "inspector", "430981")
    layer = roads_in(session, user)
    assert [f["properties"]["route"] for f in layer["features"]] == ["X123"]
    assert layer["features"][0]["geometry"]["type"] == "MultiLineString"


def _exported(path):
    """What an export holds, comparable across runs: fields and geometry of roads and posts."""
    from geo.vector_files import layer_names, read_layer

    def rows(table):
        return sorted((json.dumps(f.properties, ensure_ascii=False, sort_keys=True),
                       f.geometry.normalize().wkt if f.geometry is not None else None) for f in table.features)

    names = layer_names(path)
    content = {name: rows(read_layer(path, name)) for name in names}
    beside = path.with_name(path.stem + "_posts" + path.suffix)
    if beside.exists():
        content["posts"] = rows(read_layer(beside))
    return content


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".geojson", ".csv"])
def test_export_then_import_gives_the_same_roads(session, county, road_gpkg, tmp_path, suffix):
    import_roads(session, road_gpkg)
    first = tmp_path / "first" / f"roads{suffix}"
    first.parent.mkdir()
    roads, posts, _where = export_roads(session, first, division="430981")
    assert (roads, posts) == (1, 3)

    for road in session.scalars(select(Road)):
        session.delete(road)
    session.flush()
    report = import_roads(session, first)
    assert report.errors == [], [str(e) for e in report.errors]
    _assert_stakes_follow_the_posts(session)
    second = tmp_path / "second" / f"roads{suffix}"
    second.parent.mkdir()
    export_roads(session, second)

    assert _exported(first) == _exported(second)
    assert "沅江—草尾" in json.dumps(_exported(first), ensure_ascii=False)


def test_problems_are_listed_by_feature_and_nothing_is_written(session, county, tmp_path):
    roads = geojson(tmp_path / "bad.geojson", [
        feature({"route_code": "X123", "division_code": "430981", "start_stake": "K3+000"}, line(X123)),
        feature({"route_code": None, "division_code": "430981"}, line(X123)),
        feature({"route_code": "X200", "division_code": "999999"}, line(X123)),
        feature({"route_code": "X201", "division_code": "430981"}, point(112.4, LAT)),
        feature({"route_code": "X202", "division_code": "430981", "start_stake": "K12-300"}, line(X123)),
        feature({"route_code": "X203", "division_code": "430981"}, {"type": "LineString", "coordinates": [[112.4, LAT]]}),
        feature({"route_code": "X204"}, line(X123)),
    ])
    geojson(tmp_path / "bad_posts.geojson", [
        feature({"route_code": "X123", "stake": "K5+000"}, point(112.42, LAT + 0.01)),  # 1.1 km off the road
        feature({"route_code": "X999", "stake": "K1+000"}, point(112.42, LAT)),
        feature({"route_code": "X123", "stake": "K4+000"}, point(112.50, LAT)),  # K4 after K10's place
        feature({"route_code": "X123", "stake": "K10+000"}, point(112.45, LAT)),
    ])
    before = session.scalar(select(func.count(Road.id)))

    report = import_roads(session, roads)

    roads_errors = {e.feature: e.message for e in report.errors if e.layer is None}
    post_errors = {e.feature: e.message for e in report.errors if e.layer == "bad_posts"}
    assert sorted(roads_errors) == [1, 2, 3, 4, 5, 6, 7], [str(e) for e in report.errors]
    assert "route code" in roads_errors[2]
    assert "999999" in roads_errors[3]
    assert "not a Point" in roads_errors[4]
    assert "K12-300" in roads_errors[5]
    assert "point" in roads_errors[6]  # a line of a single point
    assert "division" in roads_errors[7]
    assert sorted(post_errors) == [1, 2], [str(e) for e in report.errors]
    assert "m from the line" in post_errors[1] and "X999" in post_errors[2]
    # K4+000 placed after K10+000: the stakes of X123 (feature 1) do not grow along its line.
    assert "grow" in roads_errors[1]
    assert report.written == []
    assert session.scalar(select(func.count(Road.id))) == before


def test_the_commands_import_and_export(app, session, county, road_gpkg, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["roads", "import", str(road_gpkg)])
    assert result.exit_code == 0, result.output
    assert "X123@430981" in result.output
    out = tmp_path / "out.shp"
    result = runner.invoke(args=["roads", "export", str(out), "--division", "430981"])
    assert result.exit_code == 0, result.output
    assert "1 roads" in result.output and "3 kilometre posts" in result.output
    assert out.exists() and out.with_name("out_posts.shp").exists()
    bad = geojson(tmp_path / "bad.geojson", [feature({"route_code": "X1", "division_code": "999999"}, line(X123))])
    result = runner.invoke(args=["roads", "import", str(bad)])
    assert result.exit_code == 1 and "999999" in result.output and "第1个要素" in result.output


def test_the_api_gives_the_road_at_a_tapped_point(client, auth, session, county, road_gpkg):
    import_roads(session, road_gpkg)
    user = factories.user(session, "inspector", "430981")
    session.commit()
    assert client.get("/api/v1/roads/nearest?lon=112.46&lat=28.8505").status_code == 401
    auth.login(user)

    answer = client.get("/api/v1/roads/nearest?lon=112.46&lat=28.8505")

    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["route_code"] == "X123" and body["stake"].startswith("K7+") and body["road_class"] == "X"
    far = client.get("/api/v1/roads/nearest?lon=112.46&lat=28.9", headers={"Accept-Language": "zh"})
    assert far.status_code == 404 and "200" in far.get_json()["detail"]
    assert client.get("/api/v1/roads/nearest?lon=abc&lat=28.9").status_code == 400
    assert client.get("/api/v1/roads/nearest?lon=112.46&lat=28.9&within=99999").status_code == 400
    assert permissions  # the endpoint's decision is checked_inside: roads_clause consults the rules


def test_maps_open_on_an_agencys_roads_before_its_boundary_is_loaded(session, county, road_gpkg):
    from hazards.web.maps import DEFAULT_CENTER, map_center

    assert map_center(session, "430981") == DEFAULT_CENTER  # nothing known yet: the middle of China
    import_roads(session, road_gpkg)
    lon, lat = (float(v) for v in map_center(session, "430981").split(","))
    assert lon == pytest.approx(112.50, abs=1e-3) and lat == pytest.approx(LAT, abs=1e-3)


def test_a_gbk_csv_is_read_as_gbk(session, county, tmp_path):
    wkt = "LINESTRING (" + ", ".join(f"{x} {y}" for x, y in X123) + ")"
    roads = tmp_path / "gbk.csv"
    roads.write_bytes(f'路线编号,路线名称,区划代码,WKT\nX123,沅江—草尾,430981,"{wkt}"\n'.encode("gbk"))

    report = import_roads(session, roads)

    assert report.errors == [], [str(e) for e in report.errors]
    assert any("GBK" in w for w in report.warnings)
    assert session.scalar(select(Road.name).where(Road.route_code == "X123")) == "沅江—草尾"


def test_importing_again_replaces_the_road_and_its_posts(session, county, road_gpkg, tmp_path):
    import_roads(session, road_gpkg)
    renamed = geojson(tmp_path / "renamed.geojson", _road_features(name="沅江—南大"))
    geojson(tmp_path / "renamed_posts.geojson", _post_features())

    report = import_roads(session, renamed)

    assert report.errors == [], [str(e) for e in report.errors]
    assert session.scalar(select(func.count(Road.id))) == 1
    road = session.scalar(select(Road))
    assert road.name == "沅江—南大" and sorted(p.stake_m for p in road.posts) == [5000, 10000, 15000]
    _assert_stakes_follow_the_posts(session)
