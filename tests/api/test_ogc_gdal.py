"""Real OGC API – Features clients against a live server: what QGIS, ogr2ogr and Python scripts run.

A real `ogrinfo` and `ogr2ogr` (Debian's gdal-bin), and OWSLib (PyPI), talk HTTP to the app served by
werkzeug in a thread, on a fresh committed SpatiaLite ledger, with a personal token.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import sqlite3
import subprocess

import pytest
from shapely import wkb
from shapely.geometry import LineString, Point
from sqlalchemy import select

from geo.geometry import from_db
from hazards import db as hazards_db
from hazards.models import Hazard
from hazards.services.reference import ReferenceData
from hazards.services.registration import register_hazards
from hazards.services.tokens import issue_token
from tests.conftest import unavailable
from tests.factories import draft, user
from tests.servers import fresh_ledger_app, serving

HAZARDS = 230  # more than two of GDAL's pages, whatever page size it picks


@pytest.fixture(scope="module")
def served(make_database, tmp_path_factory):
    """(base_url, token, {code: geometry}) of a live server on a fresh SpatiaLite ledger."""
    app = fresh_ledger_app(make_database, tmp_path_factory.mktemp("ogc-instance"))
    with app.app_context():
        session = hazards_db.get_session()
        rnd = random.Random(7)
        drafts = []
        for i in range(HAZARDS):
            # Coordinates with every digit a double holds, so any rounding on the way shows.
            x, y = 112.5 + rnd.random() * 0.4, 38.3 + rnd.random() * 0.3
            if i % 3:
                drafts.append(draft(title=f"点{i}", geometry=Point(x, y)))
            else:
                drafts.append(draft(title=f"段{i}", end_m=1053000,
                                    geometry=LineString([(x, y), (x + rnd.random() / 50, y + rnd.random() / 50),
                                                         (x + 0.03, y + 0.01)])))
        drafts.append(draft(title="别县", jurisdiction_code="140981", geometry=Point(112.71, 38.73)))
        register_hazards(session, drafts, ref=ReferenceData(session))
        person = user(session, "supervisor", "140902")
        _token, secret = issue_token(session, person, "gdal")
        session.commit()
        source = {h.code: from_db(h.geom) for h in session.scalars(
            select(Hazard).where(Hazard.jurisdiction_code == "140902"))}
    with serving(app) as base_url:
        yield base_url, secret, source


@pytest.fixture(scope="module")
def gdal():
    if not (shutil.which("ogrinfo") and shutil.which("ogr2ogr")):
        unavailable("GDAL's ogrinfo/ogr2ogr are not installed (apt-get install gdal-bin)")


def _run(args: list[str], secret: str | None, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GDAL_HTTP_TIMEOUT": "30", "CPL_DEBUG": "OFF"}
    env.pop("GDAL_HTTP_HEADERS", None)
    if secret:
        # GDAL >= 3.6 sends these headers with every request it makes.
        env["GDAL_HTTP_HEADERS"] = f"Authorization: Bearer {secret}"
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)


def test_ogrinfo_lists_the_layers_and_counts_only_what_the_token_may_see(served, gdal, tmp_path):
    base, secret, source = served
    listing = _run(["ogrinfo", "-ro", f"OAPIF:{base}/ogc"], secret, tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "hazards" in listing.stdout and "jurisdictions" in listing.stdout
    summary = _run(["ogrinfo", "-ro", "-so", f"OAPIF:{base}/ogc", "hazards"], secret, tmp_path)
    assert summary.returncode == 0, summary.stderr
    count = int(re.search(r"Feature Count: (\d+)", summary.stdout).group(1))
    assert count == len(source) == HAZARDS  # the hazard in another county is not counted


def test_ogrinfo_without_a_token_is_refused(served, gdal, tmp_path):
    base, _secret, _source = served
    refused = _run(["ogrinfo", "-ro", "-so", f"OAPIF:{base}/ogc", "hazards"], None, tmp_path)
    assert refused.returncode != 0


def test_ogr2ogr_copies_every_feature_with_equal_geometries(served, gdal, tmp_path):
    base, secret, source = served
    copied = _run(["ogr2ogr", "-f", "GPKG", "out.gpkg", f"OAPIF:{base}/ogc", "hazards"], secret, tmp_path)
    assert copied.returncode == 0, copied.stderr
    with sqlite3.connect(tmp_path / "out.gpkg") as db:
        rows = db.execute("SELECT code, geom FROM hazards").fetchall()
    assert len(rows) == HAZARDS and {code for code, _ in rows} == set(source)
    for code, blob in rows:
        got = _gpkg_geometry(blob)
        want = source[code]
        assert got.geom_type == want.geom_type and list(got.coords) == list(want.coords), code


def _gpkg_geometry(blob: bytes):
    """A GeoPackage geometry blob: 'GP', version, flags, srs id, an optional envelope, then WKB."""
    flags = blob[3]
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(flags >> 1) & 0x07]
    return wkb.loads(bytes(blob[8 + envelope:]))


# --- OWSLib (PyPI), the OGC client Python scripts and QGIS plugins use -----------------------------


def _owslib(base: str, secret: str | None):
    from owslib.ogcapi import REQUEST_HEADERS
    from owslib.ogcapi.features import Features

    auth = {"Authorization": f"Bearer {secret}"} if secret else {}
    client = Features(f"{base}/ogc", headers=dict(auth))
    # OWSLib merges the headers it is given into one module-wide dict, so a token would follow every
    # later client in this process: give this client its own, and leave the module's as it was.
    REQUEST_HEADERS.pop("Authorization", None)
    client.headers = {**REQUEST_HEADERS, **auth}
    return client


def test_owslib_reads_collections_and_conformance(served):
    base, secret, _source = served
    client = _owslib(base, secret)
    assert {c["id"] for c in client.collections()["collections"]} == {"hazards", "jurisdictions"}
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in client.conformance()["conformsTo"]
    assert client.collection("hazards")["extent"]["spatial"]["crs"].endswith("CRS84")


def test_owslib_pages_through_every_feature_with_equal_geometries(served):
    from shapely.geometry import shape

    base, secret, source = served
    client = _owslib(base, secret)
    seen, offset = {}, 0
    while True:
        page = client.collection_items("hazards", limit=100, offset=offset)
        assert page["numberMatched"] == len(source)
        for feature in page["features"]:
            seen[feature["properties"]["code"]] = shape(feature["geometry"])
        offset += page["numberReturned"]
        if not any(link["rel"] == "next" for link in page["links"]):
            break
    assert set(seen) == set(source)  # the other county's hazard is not there
    assert all(seen[code].equals_exact(geometry, 1e-9) for code, geometry in source.items())


def test_owslib_bbox_and_property_filters_and_one_item(served):
    base, secret, source = served
    client = _owslib(base, secret)
    box = [112.5, 38.3, 112.7, 38.45]
    inside = client.collection_items("hazards", bbox=box, limit=1000)
    from shapely.geometry import box as make_box
    from shapely.geometry import shape

    area = make_box(*box)
    assert inside["features"] and all(shape(f["geometry"]).intersects(area) for f in inside["features"])
    assert inside["numberMatched"] == sum(1 for g in source.values() if g.intersects(area))
    one = inside["features"][0]
    again = client.collection_item("hazards", str(one["id"]))
    assert again["properties"]["code"] == one["properties"]["code"]
    reported = client.collection_items("hazards", status="reported", limit=1000)
    assert reported["numberMatched"] == len(source)  # the fixture's hazards are all just reported
    assert client.collection_items("hazards", status="closed", limit=10)["numberMatched"] == 0


def test_owslib_without_a_token_is_refused(served):
    base, _secret, _source = served
    with pytest.raises(RuntimeError, match="401"):
        _owslib(base, None).collection_items("hazards", limit=1)
