"""GET /api/v1/hazards.geojson: the map's data for the box in view (see hazards.queries.map_features)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from flask_login import current_user

from geo.spatial import BBox, BBoxError
from hazards import clock, permissions
from hazards.api.problems import problem
from hazards.db import get_session
from hazards.i18n import current_language
from hazards.queries.hazard_list import filters_from_args
from hazards.queries.map_features import MapQuery, features_geojson

bp = Blueprint("api_map", __name__, url_prefix="/api/v1")


@bp.get("/hazards.geojson")
@permissions.checked_inside
def hazards_geojson():
    if not current_user.is_authenticated:
        return problem(401, "log in first")
    raw = request.args.get("bbox")
    if not raw:
        return problem(400, "bbox is required: bbox=minlon,minlat,maxlon,maxlat")
    try:
        box = BBox.parse(raw)
    except BBoxError as exc:
        return problem(400, str(exc))
    zoom = request.args.get("zoom", default=12, type=int)
    if zoom is None or not 0 <= zoom <= 22:
        return problem(400, "zoom must be a whole number from 0 to 22")
    text = features_geojson(get_session(), current_user, MapQuery(box, zoom, filters_from_args(request.args)),
                            clock.today(), threshold=current_app.config["MAP_CLUSTER_THRESHOLD"],
                            language=current_language())
    return Response(text, mimetype="application/geo+json")
