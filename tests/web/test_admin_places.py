"""The admin's place pages over HTTP: a boundary Shapefile uploaded as a zip is checked, then written
on confirmation and drawn on its division's page; a bad feature is listed and nothing is written; an
admin of another county is refused by name; roads go up, are listed, and come back out as a file
that uploads again. Files are made by GDAL's own ogr2ogr (tests/io/gis_files.py)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from geo.geometry import from_db
from geo.vector_files import read_layer
from hazards.models import Jurisdiction, Road
from hazards.storage import current_store
from tests.factories import user
from tests.io.gis_files import convert, feature, geojson, line, point, polygon

XINFU_OUTLINE = [(112.60, 38.30), (112.90, 38.30), (112.92, 38.55), (112.62, 38.56), (112.60, 38.30)]
LAT = 38.42
X001 = [(112.65, LAT), (112.72, LAT), (112.80, LAT)]


def shapefile_zip(tmp_path, features, name="忻府区界") -> bytes:
    """The features as a Gauss-Krüger Shapefile with a GBK .dbf, zipped with all its companions."""
    source = geojson(tmp_path / "source.geojson", features)
    shp = convert(source, tmp_path / f"{name}.shp", srs="EPSG:4546", encoding="GBK")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            bundle.write(shp.with_suffix(suffix), f"{name}{suffix}")
    return buffer.getvalue()


def upload(client, url, content: bytes, filename: str, **fields):
    return client.post(url, data={"file": (io.BytesIO(content), filename), **fields},
                       content_type="multipart/form-data")


def confirm(client, url, check_page: str):
    token = re.search(r'name="token" value="([^"]+)"', check_page).group(1)
    return client.post(url, data={"token": token})


def boundary_of(session, code):
    session.expire_all()
    found = session.get(Jurisdiction, code)
    return from_db(found.boundary) if found.boundary is not None else None


def test_an_admin_uploads_a_boundary_zip_checks_it_confirms_and_sees_it_drawn(client, auth, session, people, tmp_path):
    content = shapefile_zip(tmp_path, [feature({"XZQDM": "140902", "XZQMC": "忻府区"}, polygon(XINFU_OUTLINE))])
    auth.login(people["county_admin"])

    check = upload(client, "/admin/divisions/upload", content, "忻府区界.zip")
    page = check.get_data(as_text=True)
    assert check.status_code == 200 and 'name="token"' in page
    assert boundary_of(session, "140902") is None  # checked, not written

    written = confirm(client, "/admin/divisions/upload/confirm", page)
    assert written.status_code == 303 and written.headers["Location"].endswith("/admin/divisions/140902")
    boundary = boundary_of(session, "140902")
    assert boundary is not None and boundary.contains(from_db("SRID=4326;POINT(112.75 38.42)"))

    division_page = client.get("/admin/divisions/140902").get_data(as_text=True)
    assert "L.geoJson" in division_page or "geo_json" in division_page  # the boundary layer is on the map
    assert "112.6" in division_page and "38.3" in division_page  # its (simplified) outline is in the page
    tree = client.get("/admin/divisions").get_data(as_text=True)
    assert "140902" in tree and "忻府区" in tree
    assert "140981" not in tree  # a county admin's tree is their county

    again = confirm(client, "/admin/divisions/upload/confirm", page)  # the staged file is gone once used
    assert again.status_code == 303 and again.headers["Location"].endswith("/admin/divisions")


def test_a_dry_run_lists_the_bad_feature_in_chinese_and_writes_nothing(client, auth, session, people, tmp_path):
    bowtie = [(112.60, 38.30), (112.90, 38.55), (112.90, 38.30), (112.60, 38.55), (112.60, 38.30)]
    features = [feature({"XZQDM": "140902"}, polygon(XINFU_OUTLINE)),
                feature({"XZQDM": "999999"}, polygon(bowtie))]
    auth.login(people["admin"])

    check = upload(client, "/admin/divisions/upload", shapefile_zip(tmp_path, features), "县界.zip")
    page = check.get_data(as_text=True)
    assert "第2个要素" in page and "999999" in page
    assert 'name="token"' not in page  # nothing to confirm
    assert boundary_of(session, "140902") is None


def test_an_admin_of_another_county_is_refused_by_name(client, auth, session, people, tmp_path):
    other_admin = user(session, "admin", "140981")
    session.commit()
    content = shapefile_zip(tmp_path, [feature({"XZQDM": "140902"}, polygon(XINFU_OUTLINE))])
    auth.login(other_admin)

    page = upload(client, "/admin/divisions/upload", content, "忻府区界.zip").get_data(as_text=True)
    assert "140902" in page and "第1个要素" in page and 'name="token"' not in page
    assert boundary_of(session, "140902") is None
    assert client.get("/admin/divisions/140902").status_code == 404


@pytest.mark.parametrize("who", ["county", "inspector"])
def test_only_admins_reach_the_place_pages(client, auth, people, who):
    auth.login(people[who])
    for url in ("/admin/divisions", "/admin/divisions/140902", "/admin/roads", "/admin/roads/export"):
        assert client.get(url).status_code == 403, url
    assert client.post("/admin/roads/upload", data={}).status_code == 403


def test_a_zip_that_climbs_out_or_unpacks_too_far_is_refused(app, client, auth, people, tmp_path):
    auth.login(people["county_admin"])
    climbing = io.BytesIO()
    with zipfile.ZipFile(climbing, "w") as bundle:
        bundle.writestr("../../evil.geojson", "{}")
    response = upload(client, "/admin/divisions/upload", climbing.getvalue(), "x.zip")
    assert response.status_code == 303
    assert "flash error" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert not (tmp_path / "evil.geojson").exists()

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("zeros.geojson", b"\0" * (app.config["UPLOAD_UNPACKED_MAX"] + 1))
    assert len(bomb.getvalue()) < 1024 * 1024
    response = upload(client, "/admin/divisions/upload", bomb.getvalue(), "bomb.zip")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "flash error" in page and "MB" in page
    with app.app_context():  # refused uploads leave nothing waiting in the store
        assert list(current_store().keys("staging/")) == []


def test_roads_upload_list_and_export_round_trip(client, auth, session, people, tmp_path):
    roads = geojson(tmp_path / "roads.geojson", [feature(
        {"路线编号": "X001", "路线名称": "忻府—<豆罗>", "区划代码": "140902", "起点桩号": "K0+000"}, line(X001))])
    posts = geojson(tmp_path / "posts.geojson", [
        feature({"ROUTE": "X001", "STAKE": f"K{k}+000"}, point(lon, LAT + 0.0002))
        for k, lon in ((5, 112.70), (10, 112.76))])
    target = tmp_path / "路网.gpkg"
    convert(roads, target, srs="EPSG:4490", layer="公路")
    convert(posts, target, srs="EPSG:4490", layer="stake_posts", append=True)
    auth.login(people["county_admin"])

    page = upload(client, "/admin/roads/upload", target.read_bytes(), "路网.gpkg").get_data(as_text=True)
    assert 'name="token"' in page, page
    with client.application.app_context():  # waiting in the shared store, so any web server can confirm it
        assert [key.rsplit("/", 1)[-1] for key in current_store().keys("staging/places/")] == ["upload.gpkg"]
    assert session.scalar(select(Road).where(Road.route_code == "X001")) is None
    assert confirm(client, "/admin/roads/upload/confirm", page).status_code == 303

    listing = client.get("/admin/roads").get_data(as_text=True)
    row = re.search(r"<tr><td>X001</td>.*?</tr>", listing, re.S).group(0)
    assert "忻府—&lt;豆罗&gt;" in row and "K0+000" in row and "140902" in row
    assert re.search(r"<td>2</td></tr>", row)  # two kilometre posts

    exported = client.get("/admin/roads/export?format=gpkg")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    back = tmp_path / "back.gpkg"
    back.write_bytes(exported.data)
    assert len(read_layer(back, "stake_posts").features) == 2

    again = upload(client, "/admin/roads/upload", exported.data, "roads-140902.gpkg").get_data(as_text=True)
    assert 'name="token"' in again and 'class="problems"' not in again  # what is exported uploads again


def test_roads_of_another_county_are_refused(client, auth, session, people, tmp_path):
    roads = geojson(tmp_path / "roads.geojson", [feature(
        {"ROUTE": "X001", "DIVISION": "140981"}, line(X001))])
    auth.login(people["county_admin"])
    page = upload(client, "/admin/roads/upload", roads.read_bytes(), "roads.geojson").get_data(as_text=True)
    assert "140981" in page and 'name="token"' not in page
