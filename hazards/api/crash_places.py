"""GET /api/v1/crash-places: the crash-prone places of a division as GeoJSON, for the supervisor's map
layer and for other programs (a token or the session, like the rest of the API). The same places,
in the same order, as the page and `hazards crashes identify`."""

from __future__ import annotations

import json
from datetime import date

from flask import Response, request
from flask_babel import gettext as _
from flask_login import current_user

from hazards import permissions
from hazards.api.blueprints import api_blueprint
from hazards.api.problems import problem
from hazards.db import get_session
from hazards.i18n import current_language
from hazards.queries.crash_place_views import places_geojson
from hazards.services import crash_places

bp = api_blueprint("api_crash_places", __name__, "/api/v1")


@bp.get("/crash-places")
@permissions.requires(permissions.reviews_crashes)
def crash_places_geojson():
    days = []
    for name in ("from", "to"):
        text = (request.args.get(name) or "").strip()
        try:
            days.append(date.fromisoformat(text) if text else None)
        except ValueError:
            return problem(400, _("'%(value)s' is not a date (YYYY-MM-DD).", value=text[:40]))
    code = (request.args.get("jurisdiction") or current_user.jurisdiction_code).strip()
    session = get_session()
    rule = crash_places.rule_from_settings()
    period = crash_places.period_for(rule, days[0], days[1])
    places = crash_places.identify(session, current_user, code, start=period.start, end=period.end, rule=rule)
    collection = places_geojson(session, places, current_language())
    collection.update({"jurisdiction": code, "from": period.start.isoformat(), "to": period.end.isoformat()})
    return Response(json.dumps(collection, ensure_ascii=False), mimetype="application/geo+json")
