"""The crash records' part of the OpenAPI document (hazards.api.openapi merges it in)."""

from __future__ import annotations

from hazards.api.paging import DEFAULT_LIMIT, MAX_LIMIT


def crash_paths(query, string, body, problems) -> dict:
    return {"/api/v1/crashes": {"get": {
        "tags": ["crashes"], "summary": "List crash records (交通事故记录) the caller may see",
        "operationId": "listCrashes",
        "description": "Newest first (occurred_at desc, id desc); a page at a time: follow `links.next`. "
                       "Crash records hold no personal data.",
        "parameters": [
            query("jurisdiction", string(pattern=r"^\d{6}$"), "A division code: the crashes in its subtree."),
            query("from", {"type": "string", "format": "date"}, "First day (in the ledger's zone), inclusive."),
            query("to", {"type": "string", "format": "date"}, "Last day (in the ledger's zone), inclusive."),
            query("route", string(16, pattern=r"^[A-Za-z0-9][A-Za-z0-9\-]{0,15}$"), "A route code, e.g. G208."),
            query("fatal", {"type": "string", "enum": ["1", "0", "true", "false"]}, "Only crashes with deaths."),
            query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
                  "Page size."),
            query("cursor", string(200), "From `next_cursor` of the previous page."),
        ],
        "responses": {"200": body("CrashPage", "A page of crash records."), **problems(400, 401)}}}}


def crash_schemas(obj, ref, nullable, string) -> dict:
    integer, text = {"type": "integer"}, {"type": "string"}
    crash = obj({
        "id": integer, "source_id": text,
        "occurred_at": {"type": "string", "format": "date-time", "description": "UTC."},
        "occurred_on": {"type": "string", "format": "date", "description": "The day in the ledger's zone."},
        "jurisdiction_code": text, "jurisdiction_name": text, "route_code": nullable(string()),
        "stake_m": nullable(integer), "stake": nullable(string()),
        "lon": nullable({"type": "number"}), "lat": nullable({"type": "number"}),
        "coordinate_input": nullable({"type": "string", "enum": ["wgs84", "gcj02", "bd09"],
                                      "description": "The datum the point was given in; null when computed "
                                                     "from the road's kilometre posts, or without a point."}),
        "deaths": integer, "injuries": integer, "form": nullable(string()),
    }, ["id", "source_id", "occurred_at", "occurred_on", "jurisdiction_code", "deaths", "injuries"])
    page = obj({"items": {"type": "array", "items": ref("Crash")}, "limit": integer,
                "next_cursor": nullable(string()),
                "links": obj({"self": text, "next": text}, ["self"])}, ["items", "limit", "next_cursor", "links"])
    return {"Crash": crash, "CrashPage": page}
