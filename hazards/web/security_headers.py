"""Headers every response carries so that a browser refuses what the app never meant to run.

- Content-Security-Policy: scripts only from the app itself or inline with this response's nonce
  (templates write `nonce="{{ csp_nonce() }}"`; the map's Folium output gets it in
  `geo.maps.render_fragments`). Images may also come from the configured basemap's tile host.
  Inline `style` attributes stay allowed: Leaflet and the templates position things with them,
  and a style cannot run script.
- X-Frame-Options / frame-ancestors: no page is framed by another site (clickjacking).
- X-Content-Type-Options: an uploaded file is never sniffed into a script or a page.
- Referrer-Policy: hazard addresses in URLs do not leak to another origin.
- Anything but the public static files is cached privately: a shared proxy never keeps a photo of
  a hazard or a generated report for the next person.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request


def csp_nonce() -> str:
    """This response's script nonce (one per request, unguessable)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def tile_source(basemap_url: str | None) -> str | None:
    """The CSP source that admits the basemap's tiles: its origin, a `{s}` subdomain as a wildcard."""
    if not basemap_url:
        return None
    parts = urlsplit(basemap_url)
    if not parts.scheme or not parts.netloc:
        return None  # a relative URL is served by this origin, already allowed
    host = parts.hostname or ""
    labels = host.split(".")
    if any("{" in label for label in labels):
        # t{s}.example.org -> *.example.org: only a leading label may be a wildcard in CSP
        first = next(i for i, label in enumerate(labels) if "{" in label)
        host = "*." + ".".join(labels[first + 1:])
    if not re.fullmatch(r"[\w*.\-]+", host):
        return None
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def content_security_policy(nonce: str, basemap_url: str | None) -> str:
    images = " ".join(filter(None, ["'self'", "data:", "blob:", tile_source(basemap_url)]))
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src {images}",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def secure_response(response):
    """The headers above, on any response (also one made outside a view, such as the static error page)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy",
                       content_security_policy(csp_nonce(), current_app.config.get("BASEMAP_URL")))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "static" and response.cache_control.public:
        response.cache_control.public = False
        response.cache_control.private = True
    return response


def init_app(app: Flask) -> None:
    app.after_request(secure_response)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
