"""Folium maps that run on the police intranet: every script and stylesheet comes from the app.

Folium's Map and its plugins load Leaflet, jQuery, Bootstrap, Font Awesome and awesome-markers from
CDNs. ``offline_map`` returns a map whose resource lists are rewritten, per instance and at render
time, to files vendored under ``hazards/static/vendor`` (see scripts/vendor_assets.py); anything we do
not vendor is dropped or refused. The basemap is a configurable XYZ tile URL, and the map stays
usable without one (light background; our own layers draw boundaries and roads).

Coordinates are (lon, lat) in all our code and GeoJSON; Leaflet wants [lat, lon]. ``to_folium`` and
``bounds_to_folium`` are the only place the order flips.

Works offline (Leaflet core + a few lines of our own):
    GeoJson / Choropleth with embedded data, GeoJsonTooltip, GeoJsonPopup, PolyLine, Polygon,
    Rectangle, Circle, CircleMarker, Marker with Leaflet's default pin (images are vendored), DivIcon,
    CustomIcon with an ``asset_url`` image, Popup (plain text, HTML or IFrame), Tooltip, FeatureGroup,
    LayerControl, fit_bounds, keep_in_front, plugins.MarkerCluster, plugins.HeatMap.
Does not work, refused at render with ``OfflineAssetError`` (rather than a broken page):
    folium.Icon / BeautifyIcon (need awesome-markers, Bootstrap glyphicons or Font Awesome fonts),
    GeoJson(url, embed=False) (uses jQuery's $.ajax; note GeoJson("http...") also fetches from
    Python at build time, so always pass the data itself), TopoJson, Vega/VegaLite, and any other plugin
    whose script we have not vendored; add it to scripts/vendor_assets.py and ``FOLIUM_ASSETS``.
Popup and keep_in_front call jQuery's ``$``; a ten-line stand-in (``_DOLLAR_SHIM``) covers exactly
those two uses, so jQuery itself is not shipped.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import folium
from branca.element import CssLink, Element, JavascriptLink, MacroElement
from folium.template import Template

AssetUrl = Callable[[str], str]

DEFAULT_MAX_ZOOM = 18  # a map without tiles has no zoom ceiling, and fitBounds on a point would run away
BACKGROUND = "#f4f5f2"  # light neutral instead of Leaflet's grey #ddd, so a tile-less map looks intended

# folium resource name -> path under static/ (None: dropped on purpose, nothing we use needs it)
FOLIUM_ASSETS: dict[str, str | None] = {
    "leaflet": "vendor/leaflet/leaflet.js",
    "leaflet_css": "vendor/leaflet/leaflet.css",
    "markerclusterjs": "vendor/leaflet.markercluster/leaflet.markercluster.js",
    "markerclustercss": "vendor/leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "vendor/leaflet.markercluster/MarkerCluster.Default.css",
    "leaflet-heat.js": "vendor/leaflet.heat/leaflet-heat.js",
    "jquery": None,
    "bootstrap": None,
    "bootstrap_css": None,
    "glyphicons_css": None,
    "awesome_markers": None,
    "awesome_markers_css": None,
    "awesome_markers_font_css": None,
    "awesome_rotate_css": None,
}

# folium builds popup content with $(`<div>...</div>`)[0] and runs keep_in_front via $(document).ready.
_DOLLAR_SHIM = """<script>
window.$ = window.$ || function (arg) {
  if (typeof arg === "string") {
    var t = document.createElement("template");
    t.innerHTML = arg.trim();
    return Array.prototype.slice.call(t.content.children);
  }
  return { ready: function (fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn); else fn();
  } };
};
</script>"""


_SCRIPT_TAG = re.compile(r"<script\b(?![^>]*\bnonce=)", re.IGNORECASE)


class TextTooltip(folium.GeoJsonTooltip):
    """folium's GeoJsonTooltip, but the feature's properties are written as text, not parsed as HTML.

    folium builds the tooltip table by string concatenation into innerHTML, so a name such as
    `<img onerror=...>` would run in the viewer's browser. Here every cell is a DOM node filled
    through textContent; the labels (`aliases`) are treated as text too.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.bindTooltip(""" + """function(layer){
                let div = L.DomUtil.create("div");
                let table = L.DomUtil.create("table", "", div);
                let fields = {{ this.fields | tojson | safe }};
                let aliases = {{ this.aliases | tojson | safe }};
                fields.forEach(function (field, i) {
                    let row = L.DomUtil.create("tr", "", table);
                    {% if this.labels %}L.DomUtil.create("th", "", row).textContent = aliases[i];{% endif %}
                    let value = layer.feature.properties[field];
                    L.DomUtil.create("td", "", row).textContent =
                        value === null || value === undefined ? "" : (typeof value === "object" ? JSON.stringify(value) : String(value));
                });
                return div;
            }, {{ this.tooltip_options | tojavascript }});
        {% endmacro %}
        """)


class OfflineAssetError(RuntimeError):
    """A map element wants a script or stylesheet from the internet that we do not vendor."""


def to_folium(lon: float, lat: float) -> list[float]:
    """(lon, lat) -> Leaflet's [lat, lon]."""
    return [lat, lon]


def bounds_to_folium(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> list[list[float]]:
    """A (lon, lat) bbox -> Leaflet's [[south, west], [north, east]]."""
    return [to_folium(min_lon, min_lat), to_folium(max_lon, max_lat)]


@dataclass(frozen=True)
class BasemapConfig:
    """An XYZ tile source: an intranet tile server, PGIS, or a self-hosted Tianditu (needs ``tk=``)."""

    url: str
    attribution: str = ""
    min_zoom: int = 0
    max_zoom: int = DEFAULT_MAX_ZOOM
    subdomains: str = "abc"
    name: str = "Basemap"

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> BasemapConfig | None:
        """Read BASEMAP_* settings (strings from the environment are fine); None when no URL is set."""
        url = (settings.get("BASEMAP_URL") or "").strip()
        if not url:
            return None
        return cls(
            url=url,
            attribution=settings.get("BASEMAP_ATTRIBUTION") or "",
            min_zoom=int(settings.get("BASEMAP_MIN_ZOOM") or 0),
            max_zoom=int(settings.get("BASEMAP_MAX_ZOOM") or DEFAULT_MAX_ZOOM),
            subdomains=settings.get("BASEMAP_SUBDOMAINS") or "abc",
            name=settings.get("BASEMAP_NAME") or "Basemap",
        )


class _AttributionPrefix(MacroElement):
    """Replace Leaflet's prefix (a link to leafletjs.com) with plain text: no external link at all."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        if ({{ this._parent.get_name() }}.attributionControl) {
            {{ this._parent.get_name() }}.attributionControl.setPrefix("Leaflet");
        }
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "AttributionPrefix"


class _OfflineMap(folium.Map):
    """A folium.Map that points every resource at ``asset_url`` and keeps its CSS to itself."""

    def __init__(self, *args: Any, asset_url: AssetUrl, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._asset_url = asset_url

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        for element in _walk(figure):
            _refuse_online_only(element)
            _localize(element, self._asset_url)
        super().render(**kwargs)
        # folium's header styles html/body and any #map globally, which would restyle a host page;
        # keep only this map's own box (same key, so the header order is unchanged)
        figure.header.add_child(Element(self._own_style()), name=self.get_name())
        figure.header.add_child(Element(_DOLLAR_SHIM), name="dollar_shim")
        figure.header._children.pop("meta_http", None)  # render_page writes <meta charset> itself

    def _own_style(self) -> str:
        w, h, left, top = (f"{v[0]:g}{v[1]}" for v in (self.width, self.height, self.left, self.top))
        name = self.get_name()
        return (
            f"<style>#{name} {{ position: {self.position}; width: {w}; height: {h}; "
            f"left: {left}; top: {top}; background: {BACKGROUND}; }}\n"
            f"#{name}.leaflet-container {{ font-size: {self.font_size}; }}</style>"
        )


def _walk(element: Element) -> Iterator[Element]:
    """The element and all its descendants, depth first."""
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _refuse_online_only(element: Element) -> None:
    """Fail at render for elements whose JS would throw without jQuery or awesome-markers."""
    if isinstance(element, folium.Icon):
        raise OfflineAssetError("folium.Icon needs awesome-markers and icon fonts; use CircleMarker or DivIcon")
    if isinstance(element, folium.GeoJson) and not element.embed:
        raise OfflineAssetError("GeoJson(embed=False) fetches with jQuery; pass the data itself")


def _localize(element: Element, asset_url: AssetUrl) -> None:
    """Rewrite an element's default_js/default_css as instance attributes (folium's stay untouched)."""
    for attr in ("default_js", "default_css"):
        links = getattr(element, attr, None)
        if not links:
            continue
        local: list[tuple[str, str]] = []
        for name, url in links:
            if name in FOLIUM_ASSETS:
                path = FOLIUM_ASSETS[name]
                if path is not None:
                    local.append((name, asset_url(path)))
            elif external_hosts(f'src="{url}"'):
                raise OfflineAssetError(
                    f"{type(element).__name__} needs {name} from {url}; vendor it (scripts/vendor_assets.py)"
                    " and map it in geo.maps.FOLIUM_ASSETS, or do without it"
                )
            else:
                local.append((name, url))
        setattr(element, attr, local)


def offline_map(
    center_lonlat: tuple[float, float],
    zoom: int,
    *,
    basemap: BasemapConfig | None,
    asset_url: AssetUrl,
    height: str | int = "480px",
    **kw: Any,
) -> folium.Map:
    """A folium.Map centred on (lon, lat) that loads nothing from outside ``asset_url``.

    ``asset_url('vendor/leaflet/leaflet.js')`` must return the URL the page uses for that static file
    (in the app: ``lambda p: url_for('static', filename=p)``). Extra ``kw`` go to folium.Map
    (width, control_scale, prefer_canvas, zoom_control, ...).
    """
    basemap = basemap if basemap and basemap.url else None
    m = _OfflineMap(
        location=to_folium(*center_lonlat), zoom_start=zoom, tiles=None, height=height,
        asset_url=asset_url, **kw,
    )
    m.options["min_zoom"] = basemap.min_zoom if basemap else 0
    m.options["max_zoom"] = basemap.max_zoom if basemap else DEFAULT_MAX_ZOOM
    if basemap:
        folium.TileLayer(
            tiles=basemap.url,
            attr=basemap.attribution or basemap.name,  # folium refuses a custom URL without one
            name=basemap.name,
            min_zoom=basemap.min_zoom,
            max_zoom=basemap.max_zoom,
            subdomains=basemap.subdomains,
        ).add_to(m)
    m.add_child(_AttributionPrefix())
    return m


def render_fragments(m: folium.Map, nonce: str | None = None) -> dict[str, str]:
    """The pieces a Jinja page embeds: 'header' (<link>/<script>/<style> tags for <head>),
    'html' (the map <div>) and 'script' (plain JS: wrap it in <script> after the div).

    With a `nonce`, every script tag in the header carries it, so a Content-Security-Policy that
    allows only scripts with that nonce (and same-origin files) still runs the map."""
    figure = m.get_root()
    figure.render()  # walks the element tree and fills figure.header / .html / .script
    for child in figure.header._children.values():
        if isinstance(child, (JavascriptLink, CssLink)) and external_hosts(f'src="{child.url}"'):
            raise OfflineAssetError(f"an element added {child.url} to the page header")
    header = figure.header.render()
    if nonce is not None:
        header = _SCRIPT_TAG.sub(f'<script nonce="{html_lib.escape(nonce)}"', header)
    return {
        "header": header,
        "html": figure.html.render(),
        "script": figure.script.render(),
    }


def render_page(m: folium.Map, title: str = "") -> str:
    """A whole standalone HTML document for the map (also what the browser tests open)."""
    parts = render_fragments(m)
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html_lib.escape(title)}</title>\n"
        "<style>html, body { margin: 0; padding: 0; }</style>\n"
        f"{parts['header']}\n</head>\n<body>\n{parts['html']}\n"
        f"<script>\n{parts['script']}\n</script>\n</body>\n</html>\n"
    )


# scheme-optional host[:port]; braces allowed for tile templates such as t{s}.tianditu.gov.cn
_URL = r"((?:https?:)?//[\w.\-{}]+(?::\d+)?)"
_URL_PATTERNS = [
    re.compile(r"""\b(?:src|href|srcset|action|poster|data)\s*=\s*\\?["']?\s*""" + _URL, re.I),
    re.compile(r"""\burl\(\s*\\?["']?\s*""" + _URL, re.I),
    re.compile(r"""@import\s+\\?["']\s*""" + _URL, re.I),
    # any JS/JSON string literal that starts with a URL: fetch(), import(), L.tileLayer(), img.src = ...
    re.compile(r"""["'`]\s*""" + _URL, re.I),
]
# XML namespace names look like URLs but are identifiers, never fetched
_NAMESPACES = ("//www.w3.org/2000/svg", "//www.w3.org/1999/xhtml", "//www.w3.org/1999/xlink")


def external_hosts(html: str) -> set[str]:
    """Hosts of every absolute or protocol-relative URL the page could load or link to.

    Errs on the side of reporting: any quoted string starting with a URL counts, including links in
    popups and data properties. A configured basemap's tile host is expected to appear here.
    """
    text = html.replace("\\/", "/")  # JSON may escape slashes
    hosts: set[str] = set()
    for pattern in _URL_PATTERNS:
        for match in pattern.finditer(text):
            url = match.group(1)
            slashes = match.start(1) + url.index("//")
            if text.startswith(_NAMESPACES, slashes):
                continue
            hosts.add(url[url.index("//") + 2:].lower())
    return hosts
