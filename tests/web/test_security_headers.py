"""Every response tells the browser what it may run, frame and cache."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from hazards.models import Attachment
from hazards.web.security_headers import content_security_policy, tile_source
from tests.factories import jpeg, user

FORM = {"title": "X012线K3+200处急弯", "jurisdiction_code": "140902", "lon": "112.7340", "lat": "38.4170",
        "crs": "wgs84", "found_on": "2024-05-06", "batch_year": "2024", "category_codes": ["sharp_curve"]}


def test_pages_carry_a_nonce_policy_and_every_script_tag_has_that_nonce(client, auth, session):
    supervisor = user(session, "supervisor", "140900", login="headers.city")
    auth.login(supervisor)
    first, second = client.get("/map"), client.get("/map")
    assert first.status_code == 200
    policy = first.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert nonce != re.search(r"'nonce-([^']+)'", second.headers["Content-Security-Policy"]).group(1)
    html = first.get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "the map page has scripts"
    assert all(f'nonce="{nonce}"' in tag for tag in scripts), [t for t in scripts if nonce not in t]
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert first.headers["X-Frame-Options"] == "DENY"
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    assert first.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/login", "/api/v1/openapi.json"])
def test_public_pages_carry_the_headers_too(client, path):
    response = client.get(path)
    assert "script-src 'self' 'nonce-" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_hazard_photo_is_cached_privately_never_by_a_shared_proxy(client, auth, session):
    inspector = user(session, "inspector", "140902", login="headers.inspector")
    auth.login(inspector)
    data = {**FORM, "photos": (io.BytesIO(jpeg(80, 40)), "scene.jpg")}
    assert client.post("/hazards/new", data=data, content_type="multipart/form-data").status_code == 302
    stored = session.scalar(select(Attachment))
    for query in ("", "?thumb=1"):
        response = client.get(f"/attachments/{stored.id}{query}")
        assert response.status_code == 200
        assert "private" in response.headers["Cache-Control"]
        assert "public" not in response.headers["Cache-Control"]
    static = client.get("/static/app.css")
    assert "private" not in static.headers.get("Cache-Control", "")


@pytest.mark.parametrize("url, source", [
    ("", None),
    ("/tiles/{z}/{x}/{y}.png", None),  # served by the app itself: 'self' covers it
    ("http://10.1.2.3:8080/tiles/{z}/{x}/{y}.png", "http://10.1.2.3:8080"),
    ("https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY", "https://*.tianditu.gov.cn"),
    ("http://{s}.tiles.intranet/{z}/{x}/{y}.png", "http://*.tiles.intranet"),
])
def test_the_configured_basemap_is_allowed_as_an_image_source(url, source):
    assert tile_source(url) == source
    images = re.search(r"img-src ([^;]+)", content_security_policy("n", url)).group(1).split()
    assert images[:3] == ["'self'", "data:", "blob:"]
    assert images[3:] == ([source] if source else [])
