"""GET /api/v1/crashes: the crash records the caller may see, with the web list's filters, a page at a
time (keyset cursor on occurred_at, id: newest first). Names, ID numbers and plates are not part of a
crash record, so none can appear here."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from flask import jsonify, request, url_for
from geoalchemy2.shape import to_shape
from sqlalchemy import tuple_

from geo.stakes import format_stake
from hazards import permissions
from hazards.api.auth import api_user
from hazards.api.blueprints import api_blueprint
from hazards.api.paging import decode_cursor, encode_cursor, limit_from, reject_unknown
from hazards.api.problems import bad_request
from hazards.db import get_session
from hazards.domain.divisions import DivisionCodeError, check_code
from hazards.domain.errors import N_
from hazards.models import Crash, Jurisdiction
from hazards.queries import crash_list

bp = api_blueprint("api_crashes", __name__, "/api/v1")

PARAMS = frozenset({"jurisdiction", "from", "to", "route", "fatal", "limit", "cursor"})
_FLAGS = {"1": True, "true": True, "0": False, "false": False}
_ROUTE = re.compile(r"^[A-Z0-9][A-Z0-9\-]{0,15}$")


@bp.get("/crashes")
@permissions.checked_inside
def list_crashes():
    args = request.args
    reject_unknown(args, PARAMS)
    filters = _filters(args)
    limit = limit_from(args)
    stmt = crash_list.filtered(api_user(), filters).add_columns(Jurisdiction.name).join(
        Jurisdiction, Jurisdiction.code == Crash.jurisdiction_code)
    if cursor := args.get("cursor"):
        moment, last_id = decode_cursor(cursor, (str, int))
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            raise bad_request(N_("The cursor is not valid: use the next link of a previous page."),
                              cursor="invalid") from None
        stmt = stmt.where(tuple_(Crash.occurred_at, Crash.id) < tuple_(moment, last_id))
    rows = get_session().execute(stmt.order_by(Crash.occurred_at.desc(), Crash.id.desc()).limit(limit + 1)).all()
    more, rows = len(rows) > limit, rows[:limit]
    next_cursor = encode_cursor([rows[-1][0].occurred_at.isoformat(), rows[-1][0].id]) if more else None
    links = {"self": request.full_path.rstrip("?")}
    if next_cursor:
        links["next"] = url_for("api_crashes.list_crashes", **{**args.to_dict(flat=False), "cursor": next_cursor})
    return jsonify({"items": [_item(crash, name) for crash, name in rows], "limit": limit,
                    "next_cursor": next_cursor, "links": links})


def _item(crash: Crash, division_name: str) -> dict:
    point = to_shape(crash.geom) if crash.geom is not None else None
    return {
        "id": crash.id, "source_id": crash.source_id,
        "occurred_at": crash.occurred_at.replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z"),
        "occurred_on": crash.occurred_on.isoformat(), "jurisdiction_code": crash.jurisdiction_code,
        "jurisdiction_name": division_name, "route_code": crash.route_code, "stake_m": crash.stake_m,
        "stake": format_stake(crash.stake_m) if crash.stake_m is not None else None,
        "lon": round(point.x, 7) if point else None, "lat": round(point.y, 7) if point else None,
        "coordinate_input": crash.coordinate_input.value if crash.coordinate_input else None,
        "deaths": crash.deaths, "injuries": crash.injuries, "form": crash.form,
    }


def _filters(args) -> crash_list.CrashFilters:
    errors: dict[str, str] = {}

    def day(name: str) -> date | None:
        raw = args.get(name)
        if raw is None:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            errors[name] = "must be a date (YYYY-MM-DD)"
            return None

    jurisdiction = args.get("jurisdiction")
    if jurisdiction is not None:
        try:
            check_code(jurisdiction)
        except DivisionCodeError:
            errors["jurisdiction"] = "must be a 6-digit division code"
    route = args.get("route")
    if route is not None and not _ROUTE.match(route.upper()):
        errors["route"] = "must be a route code such as G208"
    fatal = args.get("fatal")
    if fatal is not None and fatal not in _FLAGS:
        errors["fatal"] = "must be 1, 0, true or false"
    filters = crash_list.CrashFilters(
        jurisdiction_code=jurisdiction if "jurisdiction" not in errors else None, date_from=day("from"),
        date_to=day("to"), route_code=route.upper() if route and "route" not in errors else None,
        fatal_only=_FLAGS.get(fatal, False))
    if errors:
        raise bad_request(N_("Some query parameters are wrong: %(names)s."), {"names": ", ".join(errors)}, **errors)
    return filters
