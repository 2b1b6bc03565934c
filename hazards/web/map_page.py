"""GET /map: the supervisor's map. Folium builds the map and its fixed layers; hazards arrive by
bounding box from /api/v1/hazards.geojson as the user pans (hazard-map.js), so the page does not
grow with the ledger.
"""

from __future__ import annotations


import folium
from flask import Blueprint, current_app, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from geo.maps import BasemapConfig, TextTooltip, bounds_to_folium, offline_map, render_fragments
from hazards import clock, permissions
from hazards.db import get_session
from hazards.domain.enums import Status, SupervisionLevel
from hazards.models import Category
from hazards.queries.map_layers import bounds_of, roads_in, subordinate_boundaries
from hazards.web.maps import map_center
from hazards.web.security_headers import csp_nonce

bp = Blueprint("map_page", __name__)


def _rate_colour(rate):
    if rate is None:
        return "#d9dde2"
    for limit, colour in ((0.5, "#d73027"), (0.7, "#fc8d59"), (0.85, "#fee08b"), (0.95, "#91cf60")):
        if rate < limit:
            return colour
    return "#1a9850"


@bp.get("/map")
@login_required
@permissions.checked_inside
def index():
    session = get_session()
    today = clock.today()
    lon, lat = (float(v) for v in map_center(session, current_user.jurisdiction_code).split(","))
    m = offline_map((lon, lat), 9, basemap=BasemapConfig.from_settings(current_app.config),
                    asset_url=lambda path: url_for("static", filename=path), height="100%",
                    control_scale=True)
    boundaries = subordinate_boundaries(session, current_user, today)
    if boundaries["features"]:
        folium.GeoJson(
            boundaries, name="completion",
            style_function=lambda f: {"fillColor": _rate_colour(f["properties"]["rate"]), "color": "#4d5966",
                                      "weight": 1.2, "fillOpacity": 0.22},
            tooltip=TextTooltip(fields=["name", "rate_text", "closed", "total", "overdue"],
                                          aliases=["", "治理率 rate", "已销号 closed", "总数 total", "逾期 overdue"]),
        ).add_to(m)
        box = bounds_of(boundaries)
        if box:
            m.fit_bounds(bounds_to_folium(*box))
    roads = roads_in(session, current_user)
    if roads["features"]:
        folium.GeoJson(roads, name="roads", style_function=lambda f: {
            "color": {"G": "#c0392b", "S": "#d68910"}.get(f["properties"]["class"], "#7f8c8d"),
            "weight": 3 if f["properties"]["class"] in ("G", "S") else 2, "opacity": 0.7},
            tooltip=TextTooltip(fields=["name"], labels=False)).add_to(m)
        box = bounds_of(roads)
        if box and not boundaries["features"]:  # an agency that loaded roads before its boundaries
            m.fit_bounds(bounds_to_folium(*box))
    fragments = render_fragments(m, nonce=csp_nonce())
    categories = session.scalars(select(Category).order_by(Category.sort_order)).all()
    return render_template("map.html", fragments=fragments, map_name=m.get_name(), statuses=list(Status),
                           levels=list(SupervisionLevel), categories=categories)
