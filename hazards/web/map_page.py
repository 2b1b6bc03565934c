"""GET /map: the supervisor's map. Folium builds the map and its roads; hazards arrive by bounding box
from /api/v1/hazards.geojson as the user pans, and the divisions' completion shading from
/maps/completion.geojson whenever the filters change (hazard-map.js), so the page does not grow with
the ledger and the shading always counts what the filters say.
"""

from __future__ import annotations

import folium
from flask import Blueprint, current_app, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from geo.maps import BasemapConfig, TextTooltip, bounds_to_folium, offline_map, render_fragments
from hazards import permissions
from hazards.db import get_session
from hazards.domain.enums import RoadClass, Status, SupervisionLevel
from hazards.domain.errors import N_
from hazards.models import Category
from hazards.queries.map_layers import NO_RATE_FILL, RATE_CLASSES, bounds_of, roads_in, subordinate_bounds
from hazards.web.maps import map_center
from hazards.web.security_headers import csp_nonce

bp = Blueprint("map_page", __name__)

#: How the map draws a hazard, in the legend's order: (key, fill, legend label, the statuses drawn so).
#: Overdue (derived, any open status) is the one strong red; open hazards are amber to orange by
#: stage; closed is green; rejected and merged ones, not real hazards, are grey.
HAZARD_STYLES: tuple[tuple[str, str, str, tuple[Status, ...]], ...] = (
    ("overdue", "#c62828", N_("Overdue"), ()),
    ("awaiting", "#f7c948", N_("Awaiting verification"), (Status.REPORTED, Status.VERIFIED)),
    ("listed", "#f29d2e", N_("Listed, works not started"), (Status.LISTED, Status.ASSIGNED, Status.PLAN_APPROVED)),
    ("works", "#e0670b", N_("In progress"), (Status.IN_REMEDIATION, Status.CLOSURE_REQUESTED)),
    ("closed", "#2e7d32", N_("Closed"), (Status.CLOSED,)),
    ("void", "#9e9e9e", N_("Rejected or merged"), (Status.REJECTED, Status.MERGED)),
)
#: The marker radius of each supervision level, larger for a higher level.
LEVEL_RADIUS = {SupervisionLevel.MINISTRY: 10, SupervisionLevel.PROVINCE: 10, SupervisionLevel.CITY: 8,
                SupervisionLevel.COUNTY: 6.5, SupervisionLevel.NONE: 5}
#: Roads in muted greys and browns, wider for a higher class, so that no road reads as a hazard.
ROAD_STYLES = {RoadClass.NATIONAL: ("#8c7a66", 3.5), RoadClass.PROVINCIAL: ("#a6937d", 2.5)}
OTHER_ROAD = ("#b9b3aa", 1.5)


def _road_style(feature) -> dict:
    colour, weight = ROAD_STYLES.get(RoadClass(feature["properties"]["class"]), OTHER_ROAD)
    return {"color": colour, "weight": weight, "opacity": 0.85}


def map_styles() -> dict:
    """What hazard-map.js draws with: the colour of each status and of overdue, and the level sizes."""
    return {"colours": {key: colour for key, colour, _label, _statuses in HAZARD_STYLES},
            "status_style": {s.value: key for key, _c, _l, statuses in HAZARD_STYLES for s in statuses},
            "radius": {level.value: r for level, r in LEVEL_RADIUS.items()}}


def rate_legend() -> list[tuple[str, str]]:
    """(fill, range text) of each shading class, lowest first, for the legend."""
    rows, low = [], 0
    for limit, colour in RATE_CLASSES:
        high = round(limit * 100) if limit is not None else None
        rows.append((colour, f"{low}–{high}%" if high is not None else f"≥ {low}%"))
        low = high
    return rows


@bp.get("/map")
@login_required
@permissions.checked_inside
def index():
    session = get_session()
    lon, lat = (float(v) for v in map_center(session, current_user.jurisdiction_code).split(","))
    m = offline_map((lon, lat), 9, basemap=BasemapConfig.from_settings(current_app.config),
                    asset_url=lambda path: url_for("static", filename=path), height="100%")
    m.options["zoom_snap"] = 0.25  # quarter steps, so a phone opens on the whole division, not a step too far out
    box = subordinate_bounds(session, current_user)
    if box:
        m.fit_bounds(bounds_to_folium(*box))
    roads = roads_in(session, current_user)
    roads_name, view = None, box
    if roads["features"]:
        layer = folium.GeoJson(roads, name="roads", style_function=_road_style,
                               tooltip=TextTooltip(fields=["name"], labels=False))
        layer.add_to(m)
        roads_name = layer.get_name()
        road_box = bounds_of(roads)
        if road_box and not box:  # an agency that loaded roads before its boundaries
            m.fit_bounds(bounds_to_folium(*road_box))
            view = road_box
    fragments = render_fragments(m, nonce=csp_nonce())
    categories = session.scalars(select(Category).order_by(Category.sort_order)).all()
    return render_template("map.html", fragments=fragments, map_name=m.get_name(), roads_name=roads_name, view=view,
                           statuses=list(Status), levels=list(SupervisionLevel), categories=categories,
                           hazard_styles=HAZARD_STYLES, styles=map_styles(), rate_legend=rate_legend(),
                           no_rate_fill=NO_RATE_FILL, level_radius=LEVEL_RADIUS)
