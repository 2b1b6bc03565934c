"""Offline Folium maps: nothing leaves the machine, assets exist, (lon, lat) flips only at the edge."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import folium
import pytest
from folium import plugins

import hazards
from geo.maps import (
    BasemapConfig,
    OfflineAssetError,
    bounds_to_folium,
    external_hosts,
    offline_map,
    render_fragments,
    render_page,
    to_folium,
)

STATIC = Path(hazards.__file__).parent / "static"
PREFIX = "/static/"
TIANDITU = "http://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk=0123abcd"


def asset_url(path: str) -> str:
    return PREFIX + path


def hazard_map(basemap: BasemapConfig | None = None) -> folium.Map:
    """The layers a hazard page draws: a district polygon, a road, a hazard point with a popup."""
    m = offline_map((112.70, 38.42), 12, basemap=basemap, asset_url=asset_url)
    district = {"type": "FeatureCollection", "features": [{
        "type": "Feature",
        "properties": {"name": "示例区"},
        "geometry": {"type": "Polygon", "coordinates": [
            [[112.6, 38.3], [112.9, 38.3], [112.9, 38.5], [112.6, 38.5], [112.6, 38.3]]]},
    }]}
    folium.GeoJson(district, name="辖区", tooltip=folium.GeoJsonTooltip(["name"])).add_to(m)
    folium.PolyLine([to_folium(112.62, 38.36), to_folium(112.84, 38.44)], tooltip="G208").add_to(m)
    folium.CircleMarker(to_folium(112.73, 38.40), radius=8,
                        popup=folium.Popup("隐患 <b>K12+300</b>")).add_to(m)
    folium.LayerControl().add_to(m)
    return m


def referenced_assets(html: str) -> list[str]:
    return re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']+)""", html)


def test_flip_helpers():
    assert to_folium(112.73, 38.40) == [38.40, 112.73]
    assert bounds_to_folium(112.6, 38.3, 112.9, 38.5) == [[38.3, 112.6], [38.5, 112.9]]


def test_no_basemap_loads_nothing_external():
    html = render_page(hazard_map())
    assert external_hosts(html) == set()
    assert 'setPrefix("Leaflet")' in html  # Leaflet's default prefix is a link to leafletjs.com
    for dropped in ("jquery", "bootstrap", "font-awesome", "fontawesome", "awesome-markers"):
        assert dropped not in html.lower()


def test_assets_are_local_files():
    html = render_page(hazard_map())
    assets = referenced_assets(html)
    assert PREFIX + "vendor/leaflet/leaflet.js" in assets
    assert PREFIX + "vendor/leaflet/leaflet.css" in assets
    for url in assets:
        assert url.startswith(PREFIX), url
        assert (STATIC / url.removeprefix(PREFIX)).is_file(), url


@pytest.mark.parametrize("css", sorted(p.relative_to(STATIC).as_posix()
                                       for p in (STATIC / "vendor").rglob("*.css")))
def test_vendored_css_needs_nothing_external(css):
    text = (STATIC / css).read_text()
    assert external_hosts(text) == set()
    for ref in re.findall(r"""url\(\s*["']?([^"')]+)""", text):
        if not ref.startswith(("data:", "#")):  # #default#VML is an old-IE behaviour, not a file
            assert ((STATIC / css).parent / ref).is_file(), ref


def test_lat_lon_order_in_js():
    html = render_page(hazard_map())
    assert "[38.4, 112.73]" in html
    assert "[112.73, 38.4]" not in html
    assert "[38.42, 112.7]" in html  # the centre went in as (lon, lat)


def test_configured_basemap_is_the_only_external_reference():
    basemap = BasemapConfig.from_settings({
        "BASEMAP_URL": TIANDITU, "BASEMAP_ATTRIBUTION": "天地图", "BASEMAP_SUBDOMAINS": "01234567",
        "BASEMAP_MAX_ZOOM": "17", "BASEMAP_NAME": "矢量底图",
    })
    html = render_page(hazard_map(basemap))
    # folium writes the URL as a JS string with & escaped as \u0026 (safe inside <script>)
    assert html.count(TIANDITU.replace("&", "\\u0026")) == 1
    assert external_hosts(html) == {"t{s}.tianditu.gov.cn"}
    assert '"subdomains": "01234567"' in html
    assert '"maxZoom": 17' in html


def test_basemap_settings():
    assert BasemapConfig.from_settings({}) is None
    assert BasemapConfig.from_settings({"BASEMAP_URL": "  "}) is None
    cfg = BasemapConfig.from_settings({"BASEMAP_URL": "/tiles/{z}/{x}/{y}.png", "BASEMAP_MIN_ZOOM": "5"})
    assert cfg == BasemapConfig(url="/tiles/{z}/{x}/{y}.png", min_zoom=5)


def test_fragments_embed_without_restyling_the_host_page():
    parts = render_fragments(hazard_map())
    assert "vendor/leaflet/leaflet.js" in parts["header"]
    assert "html, body" not in parts["header"] and "#map {" not in parts["header"]
    assert 'class="folium-map"' in parts["html"]
    assert "L.map(" in parts["script"] and "<script" not in parts["script"]


def test_plugins_use_vendored_files():
    m = offline_map((112.7, 38.4), 10, basemap=None, asset_url=asset_url)
    plugins.HeatMap([to_folium(112.7, 38.4)]).add_to(m)
    cluster = plugins.MarkerCluster().add_to(m)
    folium.Marker(to_folium(112.71, 38.41)).add_to(cluster)
    html = render_page(m)
    assert external_hosts(html) == set()
    for path in ("vendor/leaflet.heat/leaflet-heat.js",
                 "vendor/leaflet.markercluster/leaflet.markercluster.js",
                 "vendor/leaflet.markercluster/MarkerCluster.css",
                 "vendor/leaflet.markercluster/MarkerCluster.Default.css"):
        assert PREFIX + path in referenced_assets(html)


@pytest.mark.parametrize("add, message", [
    (lambda m: plugins.Fullscreen().add_to(m), "Fullscreen"),
    (lambda m: folium.Marker(to_folium(112.7, 38.4), icon=folium.Icon("red")).add_to(m), "Icon"),
])
def test_what_cannot_work_offline_is_refused(add, message):
    m = offline_map((112.7, 38.4), 10, basemap=None, asset_url=asset_url)
    add(m)
    with pytest.raises(OfflineAssetError, match=message):
        render_page(m)


def test_linked_geojson_is_refused(tmp_path):
    path = tmp_path / "boundaries.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    m = offline_map((112.7, 38.4), 10, basemap=None, asset_url=asset_url)
    folium.GeoJson(str(path), embed=False).add_to(m)
    with pytest.raises(OfflineAssetError, match="embed=False"):
        render_page(m)


def test_folium_defaults_are_left_alone():
    render_page(hazard_map())
    plain = folium.Map(location=[38.4, 112.7]).get_root().render()
    assert "cdn.jsdelivr.net" in plain  # we changed our instances only, not folium's class lists


def test_external_hosts_finds_resource_loads():
    page = """
      <script src="https://cdn.example.com/a.js"></script>
      <link rel=stylesheet href=//fonts.example.org/f.css>
      <style>.x { background: url('http://img.example.net/x.png') }</style>
      <script>
        // a comment, not a URL
        fetch("https://api.example.com:8443/v1");
        var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
        L.tileLayer("http://t{s}.tiles.example/{z}/{x}/{y}.png");
      </script>
      <img src="/static/local.png"><a href="#top">top</a>
    """
    assert external_hosts(page) == {
        "cdn.example.com", "fonts.example.org", "img.example.net", "api.example.com:8443",
        "t{s}.tiles.example",
    }


def test_manifest_matches_files():
    vendor = STATIC / "vendor"
    manifest = json.loads((vendor / "MANIFEST.json").read_text())
    names = {p["name"]: p["version"] for p in manifest["packages"]}
    assert set(names) == {"leaflet", "leaflet.markercluster", "leaflet.heat"}
    for package in manifest["packages"]:
        assert package["license"] and (vendor / package["license_file"]).is_file()
        for rel, digest in package["files"].items():
            assert hashlib.sha256((vendor / rel).read_bytes()).hexdigest() == digest, rel
