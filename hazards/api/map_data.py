"""The map's data: GET /api/v1/hazards.geojson, the hazards in the box in view (see
hazards.queries.map_features), GET /api/v1/crashes.geojson, the crash layer (hazards.queries.crash_map),
and GET /api/v1/roads/nearest, the road and stake at a tapped point."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from flask_login import current_user

from geo.spatial import BBox, BBoxError
from hazards import clock, permissions
from hazards.api.problems import problem
from hazards.db import get_session
from flask_babel import gettext as _

from geo.coords import CoordinateError, validate_lonlat
from hazards.i18n import current_language, error_text
from hazards.queries.hazard_list import filters_from_args
from hazards.queries.map_features import MapQuery, features_geojson

bp = Blueprint("api_map", __name__, url_prefix="/api/v1")
#: The farthest a caller may ask to look for a road: beyond it a tap is not on any road.
MAX_SNAP_M = 5000


@bp.get("/hazards.geojson")
@permissions.checked_inside
def hazards_geojson():
    if not current_user.is_authenticated:
        return problem(401, _("Log in first."))
    view, refused = _box_and_zoom()
    if refused:
        return refused
    box, zoom = view
    text = features_geojson(get_session(), current_user, MapQuery(box, zoom, filters_from_args(request.args),
                                                                  with_void=request.args.get("void") == "1"),
                            clock.today(), threshold=current_app.config["MAP_CLUSTER_THRESHOLD"],
                            language=current_language())
    return Response(text, mimetype="application/geo+json")


def _box_and_zoom():
    """The bbox and zoom of a map request, or the problem response that refuses them."""
    raw = request.args.get("bbox")
    if not raw:
        return None, problem(400, _("The bbox is required: bbox=minlon,minlat,maxlon,maxlat."))
    try:
        box = BBox.parse(raw)
    except BBoxError as exc:
        return None, problem(400, error_text(exc))
    zoom = request.args.get("zoom", default=12, type=int)
    if zoom is None or not 0 <= zoom <= 22:
        return None, problem(400, _("The zoom must be a whole number from 0 to 22."))
    return (box, zoom), None


@bp.get("/crashes.geojson")
@permissions.checked_inside
def crashes_geojson():
    """The crashes the user may see in the box and period (from/to; by default the identification
    rule's period ending today), or grid clusters when the box holds more than the map's threshold."""
    from datetime import date

    from hazards.domain.crash_rules import IdentificationRule
    from hazards.queries.crash_map import CrashMapQuery, CrashPeriod, crashes_geojson as layer

    if not current_user.is_authenticated:
        return problem(401, _("Log in first."))
    view, refused = _box_and_zoom()
    if refused:
        return refused
    rule = IdentificationRule.from_config(current_app.config)
    default = CrashPeriod.months_ending(clock.today(), rule.period_months)
    days = {}
    for name, fallback in (("from", default.start), ("to", default.end)):
        raw = (request.args.get(name) or "").strip()
        try:
            days[name] = date.fromisoformat(raw) if raw else fallback
        except ValueError:
            return problem(400, _("'%(value)s' is not a date (YYYY-MM-DD).", value=raw))
    if days["to"] < days["from"]:
        return problem(400, _("The period ends (%(end)s) before it starts (%(start)s).",
                              end=days["to"].isoformat(), start=days["from"].isoformat()))
    text = layer(get_session(), current_user, CrashMapQuery(*view, CrashPeriod(days["from"], days["to"])),
                 threshold=current_app.config["MAP_CLUSTER_THRESHOLD"])
    return Response(text, mimetype="application/geo+json")


@bp.get("/roads/nearest")
@permissions.checked_inside
def nearest_road():
    """The nearest road the user works with (`roads_clause`) within `within` metres of lon/lat, and its stake."""
    from hazards.services.roads import nearest_road as find_nearest

    if not current_user.is_authenticated:
        return problem(401, _("Log in first."))
    try:
        lon, lat = validate_lonlat(request.args.get("lon", ""), request.args.get("lat", ""),
                                   extent=tuple(current_app.config["COORDINATE_EXTENT"]))
    except CoordinateError as exc:
        return problem(400, error_text(exc))
    limit = current_app.config["ROAD_SNAP_M"]
    within = request.args.get("within", default=limit, type=float)
    if within is None or not 0 < within <= MAX_SNAP_M:
        return problem(400, _("within must be a distance in metres above 0 and at most %(max)s.", max=MAX_SNAP_M))
    found = find_nearest(get_session(), current_user, lon, lat, within)
    if found is None:
        return problem(404, _("No road the ledger knows runs within %(metres)s m of this point.", metres=f"{within:g}"))
    return {"route_code": found.route_code, "division_code": found.division_code, "name": found.name,
            "road_class": found.road_class.value, "stake": found.stake, "stake_m": found.stake_m,
            "offset_m": found.offset_m, "lon": found.lon, "lat": found.lat}
