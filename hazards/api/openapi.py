"""GET /api/v1/openapi.json: the OpenAPI 3.0 document of /api/v1 and /ogc, written by hand.

Hand-written because it is the contract: tests check that every route under /api/v1 and /ogc is in
it with its methods, and run schemathesis against it so responses match what it says.
"""

from __future__ import annotations

from flask import current_app, jsonify

from hazards import permissions
from hazards.api.blueprints import api_blueprint
from hazards.api.crash_openapi import crash_paths, crash_schemas
from hazards.api.imports import MAX_LISTED_ERRORS
from hazards.api.ogc import DEFAULT_LIMIT as OGC_DEFAULT_LIMIT
from hazards.api.ogc import MAX_LIMIT as OGC_MAX_LIMIT
from hazards.api.paging import DEFAULT_LIMIT, MAX_LIMIT
from hazards.api.reports import FORMATS as REPORT_FORMATS
from hazards.api.reports import MEDIA_TYPES as REPORT_MEDIA_TYPES
from hazards.domain.enums import (
    AttachmentPhase,
    CoordinateInput,
    Direction,
    FundingKind,
    FundingSource,
    JurisdictionLevel,
    RiskGrade,
    RoadClass,
    Role,
    Source,
    Status,
    SupervisionLevel,
)
from hazards.domain.priority import COMPONENTS as PRIORITY_COMPONENTS
from hazards.domain.workflow import TRANSITIONS
from hazards.reports.build import LEVEL_FILTERS
from hazards.reports.request import MAX_MIN_RANK

bp = api_blueprint("api_docs", __name__, "/api/v1")

JSON, GEOJSON, PROBLEM = "application/json", "application/geo+json", "application/problem+json"


@bp.get("/openapi.json")
@permissions.public("the API's description")
def document():
    response = jsonify(build_document(current_app.config.get("API_VERSION", "1.0.0")))
    response.mimetype = "application/vnd.oai.openapi+json"
    return response


# --- small builders ------------------------------------------------------------------------------


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


def enum(enum_cls) -> dict:
    return {"type": "string", "enum": enum_cls.values()}


def string(max_length: int | None = None, **extra) -> dict:
    return {"type": "string", **({"maxLength": max_length} if max_length else {}), **extra}


DATE = {"type": "string", "format": "date"}
COUNT = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
DATETIME = {"type": "string", "format": "date-time"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
MONEY = {"type": "string", "pattern": r"^\d+\.\d{2}$", "example": "12500.00",
         "description": "An amount in yuan (元, not 万元), as a string with exactly two decimals."}
SIGNED_MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "-12500.00",
                "description": "An amount in yuan (元, not 万元) with exactly two decimals; negative on a reversing "
                               "line, which voids the line it names so that totals stay the sum of the lines."}
MONEY_IN = {"type": "string", "pattern": r"^\d{1,14}(\.\d{1,2})?$", "example": "12500.00",
            "description": "An amount in yuan (元, not 万元) as a string, at most two decimals, without a unit "
                           "(\"85000\", not \"8.5万\"); JSON numbers are refused because they are binary floats."}


def obj(properties: dict, required: list[str] | None = None, *, additional: bool = False) -> dict:
    schema = {"type": "object", "properties": properties, "additionalProperties": additional}
    if required:
        schema["required"] = required
    return schema


def body(schema_name: str, description: str, media_type: str = JSON) -> dict:
    return {"description": description, "content": {media_type: {"schema": ref(schema_name)}}}


def problems(*statuses: int) -> dict:
    described = {400: "A query parameter is wrong (`fields` names it).",
                 401: "No token or session, or an unknown, revoked or inactive user's token.",
                 403: "The caller's role or level may not do this (or the session write lacks X-CSRFToken).",
                 404: "No such resource, or it lies outside the caller's jurisdiction (not disclosed).",
                 409: "The hazard changed since `version` (`changes` lists what), or the status does not allow "
                      "the action, or another save met this one at the same moment (`conflict` without "
                      "`changes`: read the hazard again and retry).",
                 413: "The upload is too large.",
                 415: "Wrong content type for the body.",
                 422: "Fields are missing or wrong (`fields`), or a transition's requirements are missing "
                      "(`missing`: requirement codes)."}
    return {str(s): {"description": described[s], "content": {PROBLEM: {"schema": ref("Problem")}}}
            for s in statuses}


def query(name: str, schema: dict, description: str, *, required: bool = False, explode: bool = True) -> dict:
    param = {"name": name, "in": "query", "required": required, "schema": schema, "description": description}
    if schema.get("type") == "array":
        param.update(style="form", explode=explode)
    return param


def path_param(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


ROW_ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
HAZARD_ID = path_param("hazard_id", ROW_ID, "The hazard's id.")
FILTER_PARAMS = [
    query("status", {"type": "array", "items": enum(Status)}, "Workflow status; repeat for several."),
    query("level", {"type": "array", "items": enum(SupervisionLevel)}, "Supervision level (督办级别); repeat."),
    query("category", string(64), "A hazard category code, e.g. sharp_curve."),
    query("route", string(16), "A route code, e.g. G208."),
    query("batch_year", {"type": "integer", "minimum": 2000, "maximum": 2100}, "The list's batch year."),
    query("overdue", {"type": "string", "enum": ["1", "0", "true", "false"]}, "Only overdue hazards."),
    query("open", {"type": "string", "enum": ["1", "0", "true", "false"]}, "Only open hazards."),
    query("jurisdiction", string(pattern=r"^\d{6}$"), "A division code: the hazards in its subtree."),
    query("q", string(200), "Text in the code, title or road name."),
]


# --- the document --------------------------------------------------------------------------------


def build_document(version: str) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Road traffic-safety hazard remediation ledger API (隐患点段台账)",
            "version": version,
            "description": (
                "REST API (/api/v1) and OGC API – Features (/ogc, read-only) of the ledger. Authenticate with a "
                "personal token (`Authorization: Bearer hzt_...`, created at /profile/tokens or with "
                "`hazards create-token`) or the web session (writes then need the `X-CSRFToken` header). "
                "Permissions are the web UI's: hazards outside the caller's jurisdiction do not exist (404). "
                "Errors are RFC 9457 problem details (application/problem+json). Geometry is GeoJSON, "
                "[lon, lat], WGS-84 (EPSG:4326). Money is a string of yuan with two decimals."),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
        "tags": [{"name": "hazards"}, {"name": "workflow"}, {"name": "funding"}, {"name": "attachments"},
                 {"name": "reports"}, {"name": "import"}, {"name": "crashes"}, {"name": "me"},
                 {"name": "OGC API - Features"}],
        "paths": {**rest_paths(), **crash_paths(query, string, body, problems), **ogc_paths()},
        "components": {"securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer",
                           "description": "A personal API token (hzt_...)."},
            "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session",
                              "description": "The web UI's login session."},
        }, "schemas": {**schemas(), **crash_schemas(obj, ref, nullable, string)}},
    }


def rest_paths() -> dict:
    public = {"security": []}
    return {
        "/api/v1/openapi.json": {"get": {
            "tags": ["me"], "summary": "This document", "operationId": "getOpenApi", **public,
            "responses": {"200": {"description": "The OpenAPI document.",
                                  "content": {"application/vnd.oai.openapi+json": {"schema": {"type": "object"}}}}}}},
        "/api/v1/me": {"get": {
            "tags": ["me"], "summary": "Who the caller is", "operationId": "getMe",
            "responses": {"200": body("User", "The caller."), **problems(401)}}},
        "/api/v1/hazards": {
            "get": {
                "tags": ["hazards"], "summary": "List hazards (the web list's filters)", "operationId": "listHazards",
                "description": "Newest found first (sort=found: found_on desc, id desc), by id (sort=id) or by "
                               "priority (sort=priority: the score judged today, highest first, closed hazards last, "
                               "then id desc); a page at a time: follow `links.next` (an opaque keyset cursor).",
                "parameters": [*FILTER_PARAMS,
                               query("sort", {"type": "string", "enum": ["found", "id", "priority"], "default": "found"},
                                     "The order."),
                               query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                               "default": DEFAULT_LIMIT}, "Page size."),
                               query("cursor", string(200), "From `next_cursor` of the previous page.")],
                "responses": {"200": body("HazardPage", "A page of hazards."), **problems(400, 401)}},
            "post": {
                "tags": ["hazards"], "summary": "Report (上报) a hazard", "operationId": "createHazard",
                "requestBody": {"required": True, "content": {JSON: {"schema": ref("HazardCreate")}}},
                "responses": {"201": {**body("Hazard", "The new hazard."),
                                      "headers": {"Location": {"schema": {"type": "string"}}}},
                              **problems(400, 401, 403, 415, 422)}},
        },
        "/api/v1/hazards/{hazard_id}": {
            "parameters": [HAZARD_ID],
            "get": {"tags": ["hazards"], "summary": "One hazard", "operationId": "getHazard",
                    "responses": {"200": {**body("HazardDetail", "The hazard."),
                                          "headers": {"ETag": {"schema": {"type": "string"},
                                                               "description": 'W/"<version>"'}}},
                                  **problems(401, 404)}},
            "patch": {"tags": ["hazards"], "summary": "Edit a hazard (optimistic locking)",
                      "operationId": "updateHazard",
                      "description": "Send the `version` you read; if someone saved since, 409 lists their "
                                     "changes. Status, level and deadline change only through transitions. "
                                     "`null` clears a field.",
                      "requestBody": {"required": True, "content": {JSON: {"schema": ref("HazardUpdate")}}},
                      "responses": {"200": body("Hazard", "The hazard as saved."),
                                    **problems(400, 401, 403, 404, 409, 415, 422)}},
        },
        "/api/v1/hazards/{hazard_id}/transitions": {
            "parameters": [HAZARD_ID],
            "get": {"tags": ["workflow"], "summary": "The actions the caller may take now",
                    "operationId": "listTransitions",
                    "responses": {"200": body("TransitionList", "Actions with their requirements."),
                                  **problems(401, 404)}},
            "post": {"tags": ["workflow"], "summary": "Take a workflow action", "operationId": "takeTransition",
                     "requestBody": {"required": True, "content": {JSON: {"schema": ref("TransitionRequest")}}},
                     "responses": {"200": body("Hazard", "The hazard after the action."),
                                   **problems(400, 401, 403, 404, 409, 415, 422)}},
        },
        "/api/v1/hazards/{hazard_id}/funding": {
            "parameters": [HAZARD_ID],
            "get": {"tags": ["funding"], "summary": "The funding ledger and its totals", "operationId": "listFunding",
                    "responses": {"200": body("FundingList", "Lines and totals, in yuan."), **problems(401, 404)}},
            "post": {"tags": ["funding"], "summary": "Add a budget, allocation or spending line",
                     "operationId": "createFunding",
                     "description": "Inspectors record spending; budgets and allocations are supervisors'. "
                                    "After closure only supervisors at the hazard's level add lines (决算). "
                                    "A line above the plausibility limit (setting HAZARDS_FUNDING_LINE_WARN_WAN, "
                                    "in 万元) is a 422 with code amount_needs_confirmation unless "
                                    "`confirm_large` is true.",
                     "requestBody": {"required": True, "content": {JSON: {"schema": ref("FundingCreate")}}},
                     "responses": {"201": body("FundingEntry", "The line."),
                                   **problems(400, 401, 403, 404, 415, 422)}},
        },
        "/api/v1/hazards/{hazard_id}/funding/{entry_id}/reversal": {
            "parameters": [HAZARD_ID, path_param("entry_id", ROW_ID, "The funding line's id.")],
            "post": {"tags": ["funding"], "summary": "Void a funding line with a reversing line",
                     "operationId": "reverseFunding",
                     "description": "Lines are never edited: the reversing line carries the negative amount, the "
                                    "original's date, kind and source, and the reason. A line is reversed once; "
                                    "a reversal is not reversed (409). Whoever may add a line of that kind may "
                                    "reverse one.",
                     "requestBody": {"required": True, "content": {JSON: {"schema": ref("FundingReversal")}}},
                     "responses": {"201": body("FundingEntry", "The reversing line."),
                                   **problems(400, 401, 403, 404, 409, 415, 422)}},
        },
        "/api/v1/hazards/{hazard_id}/attachments": {
            "parameters": [HAZARD_ID],
            "get": {"tags": ["attachments"], "summary": "Photos and documents", "operationId": "listAttachments",
                    "responses": {"200": body("AttachmentList", "Their metadata."), **problems(401, 404)}},
            "post": {"tags": ["attachments"], "summary": "Upload a photo or document",
                     "operationId": "uploadAttachment",
                     "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": obj({
                         "file": {"type": "string", "format": "binary",
                                  "description": "JPEG, PNG or WebP photo; PDF when phase=document."},
                         "phase": {**enum(AttachmentPhase), "default": "during"},
                         "caption": string(200)}, ["file"])}}},
                     "responses": {"201": body("Attachment", "The stored attachment."),
                                   **problems(400, 401, 403, 404, 413, 415, 422)}},
        },
        "/api/v1/reports": {"get": {
            "tags": ["reports"], "summary": "The completion report (隐患治理完成情况报表) of a division for a period",
            "operationId": "getReport",
            "description": "The web download's report as JSON (keys as in docs/reports.md, only ever added): counts, "
                           "rates and money by supervision level, subordinate units, categories and road classes, "
                           "the overdue list and the summary paragraph. Give a `year` (optionally with one of "
                           "`quarter`, `half`, `month`) or a `from`/`to` range; a complete range wins over a year. "
                           "The division defaults to the caller's; one outside the caller's subtree is a 404.",
            "parameters": [
                query("jurisdiction", string(pattern=r"^\d{6}$"),
                      "A division code in the caller's subtree (default: the caller's own division)."),
                query("year", {"type": "integer", "minimum": 2000, "maximum": 2100}, "The year (and batch-year list)."),
                query("quarter", {"type": "integer", "minimum": 1, "maximum": 4}, "A quarter of `year`."),
                query("half", {"type": "integer", "minimum": 1, "maximum": 2}, "A half of `year`."),
                query("month", {"type": "integer", "minimum": 1, "maximum": 12}, "A month of `year`."),
                query("from", DATE, "Start of a date range (with `to`)."),
                query("to", DATE, "End of a date range, inclusive (with `from`)."),
                query("level", {"type": "string", "enum": list(LEVEL_FILTERS)},
                      "Only hazards supervised at this level (ministry_province = 部省级)."),
                query("min_rank", {"type": "integer", "minimum": 0, "maximum": MAX_MIN_RANK},
                      "Units with fewer hazards on their annual list are listed but not ranked "
                      "(default: the REPORT_MIN_RANK setting)."),
                query("format", {"type": "string", "enum": list(REPORT_FORMATS), "default": "json"},
                      "json, or the web download's file: csv, xlsx, pdf or docx (Word, laid out as a 公文 "
                      "draft). Without it the Accept header chooses among their media types (JSON for */*)."),
                query("lang", {"type": "string", "enum": ["zh", "en"]},
                      "The language of a file's text (default: Accept-Language, else the caller's setting)."),
            ],
            "responses": {"200": {"description": "The report: JSON, or the file as an attachment named after it "
                                                 "(忻州市2024年隐患治理报表.docx).",
                                  "content": {JSON: {"schema": ref("CompletionReport")},
                                              **{media: {"schema": {"type": "string", "format": "binary"}}
                                                 for fmt, media in REPORT_MEDIA_TYPES.items() if fmt != "json"}}},
                          **problems(400, 401, 404)}}},
        "/api/v1/import": {"post": {
            "tags": ["import"], "summary": "Import a ledger file (CSV, XLSX or GeoJSON)", "operationId": "importLedger",
            "description": "Every row is checked first; then all rows are written, or none (with "
                           "`skip_invalid=true`: the valid ones). A dry run only checks and writes nothing. Columns "
                           "have Chinese or English headers, as `hazards export` writes them. Inspectors, "
                           "supervisors and admins may import; a row whose division lies outside the caller's "
                           "jurisdiction is a row error, and so is a row asking for a state, supervision level or "
                           "decision the caller could not have reached through the workflow (an inspector's file "
                           "reports; a supervisor's lists up to their own level; an admin's may carry closures), "
                           "or a code not of the row's own division. Row errors follow Accept-Language. 200: a dry run (`blocked` says whether the import would be "
                           "refused); 201: hazards were written; 422: nothing was written, and the problem "
                           "carries the report with its row errors.",
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": obj({
                "file": {"type": "string", "format": "binary",
                         "description": "The ledger: .csv (UTF-8 or GBK), .xlsx or .geojson; the extension "
                                        "gives the format."},
                "dry_run": {"type": "string", "enum": ["true", "false"], "default": "false",
                            "description": "Check every row and report; write nothing."},
                "skip_invalid": {"type": "string", "enum": ["true", "false"], "default": "false",
                                 "description": "Write the valid rows even when others have errors."},
            }, ["file"])}}},
            "responses": {"200": body("ImportReport", "A dry run: what would be written, and the row errors."),
                          "201": body("ImportReport", "The hazards were written (`created` lists their codes)."),
                          **problems(401, 403, 413, 415),
                          "422": {"description": "Nothing was written: the file cannot be read, rows have errors "
                                                 "(`errors`, `code` import_refused), or a form field is missing or "
                                                 "wrong (`fields`).",
                                  "content": {PROBLEM: {"schema": ref("ImportProblem")}}}}}},
        "/api/v1/notifications": {"get": {
            "tags": ["me"], "summary": "The caller's inbox (站内通知), newest first",
            "operationId": "listNotifications",
            "parameters": [query("unread", {"type": "string", "enum": ["1", "0", "true", "false"]}, "Unread only."),
                           query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                           "default": DEFAULT_LIMIT}, "Page size."),
                           query("cursor", string(200), "From `next_cursor` of the previous page.")],
            "responses": {"200": body("NotificationPage", "A page of notifications."), **problems(400, 401)}}},
        "/api/v1/notifications/{notification_id}/read": {"post": {
            "tags": ["me"], "summary": "Mark one notification read", "operationId": "markNotificationRead",
            "parameters": [path_param("notification_id", ROW_ID, "The notification.")],
            "responses": {"200": body("Notification", "The notification."), **problems(401, 403, 404)}}},
        "/api/v1/notifications/read": {"post": {
            "tags": ["me"], "summary": "Mark all the caller's notifications read",
            "operationId": "markAllNotificationsRead",
            "responses": {"200": {"description": "How many were marked.", "content": {JSON: {"schema": obj(
                {"marked": INT}, ["marked"])}}}, **problems(401, 403)}}},
        "/api/v1/hazards.geojson": {"get": {
            "tags": ["hazards"], "summary": "The web map's features in a box (clusters when crowded)",
            "operationId": "mapFeatures",
            "parameters": [query("bbox", string(200), "minlon,minlat,maxlon,maxlat", required=True),
                           query("zoom", {"type": "integer", "minimum": 0, "maximum": 22, "default": 12},
                                 "Web map zoom level."),
                           query("void", {"type": "string", "enum": ["1"]},
                                 "1: include rejected (不予认定) and merged (重复合并) hazards, which are left out "
                                 "unless `status` names them."), *FILTER_PARAMS],
            "responses": {"200": {"description": "A GeoJSON FeatureCollection (`clustered` says which kind).",
                                  "content": {GEOJSON: {"schema": {"type": "object", "required": ["type", "features"],
                                                                   "properties": {"type": {"type": "string"},
                                                                                  "features": {"type": "array"}}}}}},
                          **problems(400, 401)}}},
        "/api/v1/crashes.geojson": {"get": {
            "tags": ["hazards"], "summary": "The map's crash layer in a box and period (clusters when crowded)",
            "description": "Crash records the caller may see, with a point, in the box and period: each with its "
                           "事故编号 (`source_id`), time (UTC), route and stake, deaths, injuries, 事故形态 and "
                           "`fatal`. Above the map's cluster threshold, grid cells with `count`, `deaths` and "
                           "`fatal` (fatal crashes) instead. `unplaced`: crashes of the period with no point, "
                           "which no map can draw.",
            "operationId": "mapCrashes",
            "parameters": [query("bbox", string(200), "minlon,minlat,maxlon,maxlat", required=True),
                           query("zoom", {"type": "integer", "minimum": 0, "maximum": 22, "default": 12},
                                 "Web map zoom level."),
                           query("from", {"type": "string", "format": "date"},
                                 "First day (default: the identification period, HAZARDS_CRASH_PERIOD_MONTHS, "
                                 "ending today)."),
                           query("to", {"type": "string", "format": "date"}, "Last day, included (default: today).")],
            "responses": {"200": {"description": "A GeoJSON FeatureCollection (`clustered` says which kind).",
                                  "content": {GEOJSON: {"schema": {"type": "object", "required": ["type", "features"],
                                                                   "properties": {"type": {"type": "string"},
                                                                                  "features": {"type": "array"}}}}}},
                          **problems(400, 401)}}},
        "/api/v1/crash-places": {"get": {
            "tags": ["hazards"], "summary": "Crash-prone places (事故多发点段) found in the crash records",
            "description": "The places the CRASH_* rule finds among the crashes the caller sees in the division "
                           "and period, ranked by deaths, then fatal crashes, then crashes (`rank`); places an "
                           "open hazard already covers, or whose crashes are all decided on, are left out. "
                           "Supervisors only.",
            "operationId": "crashPlaces",
            "parameters": [query("jurisdiction", string(6), "Division code (default: the caller's own)."),
                           query("from", {"type": "string", "format": "date"},
                                 "First day (default: CRASH_PERIOD_MONTHS before `to`)."),
                           query("to", {"type": "string", "format": "date"},
                                 "Last day, inclusive (default: today); 422 when before `from`.")],
            "responses": {"200": {"description": "A GeoJSON FeatureCollection, one feature per place.",
                                  "content": {GEOJSON: {"schema": {"type": "object", "required": ["type", "features"],
                                                                   "properties": {"type": {"type": "string"},
                                                                                  "features": {"type": "array"}}}}}},
                          **problems(400, 401, 403, 404, 422)}}},
        "/api/v1/roads/nearest": {"get": {
            "tags": ["hazards"], "summary": "The road and stake at a point of the map",
            "description": "The nearest road the caller works with (numbered in their division, below it or "
                           "above it) within `within` metres, the stake there (following the road's kilometre "
                           "posts) and the foot of the point on the road. 404 when no road runs that close.",
            "operationId": "nearestRoad",
            "parameters": [query("lon", {"type": "number"}, "Longitude, WGS-84.", required=True),
                           query("lat", {"type": "number"}, "Latitude, WGS-84.", required=True),
                           query("within", {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 5000},
                                 "Metres to look within (default: the ROAD_SNAP_M setting).")],
            "responses": {"200": {"description": "The road and the stake.", "content": {JSON: {"schema": obj({
                "route_code": {"type": "string"}, "division_code": {"type": "string"},
                "name": nullable({"type": "string"}), "road_class": {"type": "string"},
                "stake": {"type": "string"}, "stake_m": COUNT, "offset_m": {"type": "number"},
                "lon": {"type": "number"}, "lat": {"type": "number"}},
                ["route_code", "division_code", "name", "road_class", "stake", "stake_m", "offset_m", "lon", "lat"])}}},
                          **problems(400, 401, 404)}}},
    }


def ogc_paths() -> dict:
    tag, public = ["OGC API - Features"], {"security": []}
    collection_id = path_param("collectionId", {"type": "string", "enum": ["hazards", "jurisdictions"]},
                               "The collection.")
    f = query("f", {"type": "string", "enum": ["json", "html"]}, "The format (default: by Accept, else JSON).")
    html = {"text/html": {"schema": {"type": "string"}}}
    return {
        "/ogc": {"get": {"tags": tag, "summary": "Landing page", "operationId": "ogcLanding", **public,
                         "parameters": [f],
                         "responses": {"200": {"description": "Links to the API.",
                                               "content": {JSON: {"schema": ref("OgcLanding")}, **html}},
                                       **problems(400)}}},
        "/ogc/conformance": {"get": {
            "tags": tag, "summary": "Conformance classes", "operationId": "ogcConformance", **public,
            "parameters": [f],
            "responses": {"200": {"description": "conformsTo.", "content": {JSON: {"schema": obj(
                {"conformsTo": {"type": "array", "items": {"type": "string"}}}, ["conformsTo"])}, **html}},
                **problems(400)}}},
        "/ogc/collections": {"get": {
            "tags": tag, "summary": "The feature collections", "operationId": "ogcCollections",
            "parameters": [f],
            "responses": {"200": {"description": "Collections.", "content": {JSON: {"schema": obj(
                {"links": {"type": "array", "items": ref("Link")},
                 "collections": {"type": "array", "items": ref("OgcCollection")}}, ["links", "collections"])},
                **html}}, **problems(400, 401)}}},
        "/ogc/collections/{collectionId}": {"get": {
            "tags": tag, "summary": "One collection", "operationId": "ogcCollection",
            "parameters": [collection_id, f],
            "responses": {"200": {"description": "The collection.",
                                  "content": {JSON: {"schema": ref("OgcCollection")}, **html}},
                          **problems(400, 401, 404)}}},
        "/ogc/collections/{collectionId}/items": {"get": {
            "tags": tag, "summary": "Features", "operationId": "ogcItems",
            "description": "status, level and category filter hazards (comma-separated values); level filters "
                           "jurisdictions by their level; datetime applies to hazards (found_on) only.",
            "parameters": [
                collection_id, f,
                query("limit", {"type": "integer", "minimum": 1, "maximum": OGC_MAX_LIMIT,
                                "default": OGC_DEFAULT_LIMIT}, "Page size."),
                query("offset", {**COUNT, "default": 0}, "Features to skip."),
                query("bbox", {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
                      "minlon,minlat,maxlon,maxlat (CRS84); features whose bounding box meets it.", explode=False),
                query("datetime", string(100), "An RFC 3339 date/date-time or interval (a/b, `..` for open)."),
                query("status", string(300), "Hazards: status code(s), comma-separated."),
                query("level", string(300), "Hazards: supervision level(s); jurisdictions: their level(s)."),
                query("category", string(300), "Hazards: category code(s), comma-separated."),
            ],
            "responses": {"200": {"description": "A page of features.",
                                  "content": {GEOJSON: {"schema": ref("FeatureCollection")}, **html}},
                          **problems(400, 401, 404)}}},
        "/ogc/collections/{collectionId}/items/{featureId}": {"get": {
            "tags": tag, "summary": "One feature", "operationId": "ogcFeature",
            "parameters": [collection_id, path_param("featureId", {"type": "string"}, "The feature's id."), f],
            "responses": {"200": {"description": "The feature.",
                                  "content": {GEOJSON: {"schema": ref("Feature")}, **html}},
                          **problems(400, 401, 404)}}},
    }


def schemas() -> dict:
    organization = nullable(obj({"id": INT, "name": {"type": "string"}}, ["id", "name"]))
    hazard_props = {
        "id": INT, "code": {"type": "string"}, "title": {"type": "string"}, "description": nullable(string()),
        "source": enum(Source), "batch_year": INT, "dynamic_add": BOOL, "found_on": DATE,
        "found_by_id": nullable(INT), "jurisdiction_code": {"type": "string"}, "jurisdiction_name": {"type": "string"},
        "route_code": nullable(string()), "road_name": nullable(string()), "road_class": nullable(enum(RoadClass)),
        "direction": nullable(enum(Direction)), "start_m": nullable(INT), "end_m": nullable(INT),
        "place": nullable(string()), "coordinate_input": enum(CoordinateInput),
        "geometry": ref("HazardGeometry"),
        "categories": {"type": "array", "items": {"type": "string"}},
        "measures": {"type": "array", "items": {"type": "string"}},
        "crash_prone": BOOL, "crash_count": INT, "death_count": INT, "risk_grade": nullable(enum(RiskGrade)),
        "school_zone": BOOL, "level": enum(SupervisionLevel), "supervising_body": organization,
        "document_no": nullable(string()), "listed_on": nullable(DATE), "deadline": nullable(DATE),
        "overdue": {**BOOL, "description": "Derived: past the deadline and still open."},
        "responsible_unit": organization, "responsible_person": nullable(string()),
        "responsible_contact": nullable(string()), "plan_text": nullable(string()),
        "measures_text": nullable(string()), "temporary_controls": nullable(string()),
        "planned_start": nullable(DATE), "planned_end": nullable(DATE), "status": enum(Status),
        "completed_on": nullable(DATE), "closure_requested_on": nullable(DATE), "accepted_on": nullable(DATE),
        "acceptance_note": nullable(string()), "closed_on": nullable(DATE), "merged_into_id": nullable(INT),
        "created_at": DATETIME, "updated_at": DATETIME,
        "version": {**INT, "description": "Send it back when editing (optimistic locking)."},
        "links": obj({"self": {"type": "string"}, "html": {"type": "string"}}, ["self", "html"]),
        "priority": nullable({**obj({
            "score": INT,
            "components": {"type": "array", "items": obj(
                {"name": {"type": "string", "enum": list(PRIORITY_COMPONENTS)},
                 "points": INT, "reason": {"type": "string", "description": "In the request's language."}},
                ["name", "points", "reason"])},
        }, ["score", "components"]), "description": "轻重缓急: the score for planning and its components "
                                                     "(docs/crashes.md); null once the hazard is closed, rejected or merged."}),
    }
    funding_totals = obj({k: MONEY for k in FundingKind.values()}, FundingKind.values())
    position = {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number"},
                "description": "[lon, lat]"}
    link = obj({"href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"},
                "title": {"type": "string"}}, ["href", "rel"], additional=True)
    editable = {
        "title": string(200), "description": nullable(string(20000)), "route_code": nullable(string(16)),
        "road_name": nullable(string(100)), "road_class": nullable(enum(RoadClass)),
        "direction": nullable(enum(Direction)), "start_m": nullable(COUNT),
        "end_m": nullable(COUNT), "place": nullable(string(200)),
        "crash_prone": BOOL, "crash_count": COUNT,
        "death_count": COUNT, "risk_grade": nullable(enum(RiskGrade)),
        "school_zone": BOOL, "responsible_person": nullable(string(64)),
        "responsible_contact": nullable(string(64)), "plan_text": nullable(string(20000)),
        "measures_text": nullable(string(20000)), "temporary_controls": nullable(string(20000)),
        "planned_start": nullable(DATE), "planned_end": nullable(DATE), "document_no": nullable(string(100)),
    }
    problem_props = {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": INT, "detail": {"type": "string"},
        "code": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "Field (or query parameter) name -> what is wrong."},
        "missing": {"type": "array", "items": {"type": "string"},
                    "description": "Requirement codes a transition still needs."},
        "missing_labels": {"type": "array", "items": {"type": "string"}},
        "changes": {"type": "array", "items": {"type": "object"},
                    "description": "On 409: what others changed since your version."},
        "version": {**INT, "description": "On 409: the hazard's current version."},
    }
    problem_required = ["type", "title", "status", "detail"]
    return {
        "Problem": obj(problem_props, problem_required, additional=True),
        **report_schemas(),
        **import_schemas(problem_props, problem_required),
        "HazardGeometry": {
            "description": "GeoJSON Point or LineString, [lon, lat], WGS-84 (EPSG:4326).",
            "oneOf": [obj({"type": {"type": "string", "enum": ["Point"]}, "coordinates": position},
                          ["type", "coordinates"]),
                      obj({"type": {"type": "string", "enum": ["LineString"]},
                           "coordinates": {"type": "array", "minItems": 2, "items": position}},
                          ["type", "coordinates"])]},
        "Hazard": obj(hazard_props, list(hazard_props)),
        "HazardDetail": obj({**hazard_props, "funding_totals": funding_totals},
                            [*hazard_props, "funding_totals"]),
        "HazardPage": obj({"items": {"type": "array", "items": ref("Hazard")}, "limit": INT,
                           "next_cursor": nullable(string()),
                           "links": obj({"self": {"type": "string"}, "next": {"type": "string"}}, ["self"])},
                          ["items", "limit", "next_cursor", "links"]),
        "HazardCreate": obj({
            "title": string(200), "geometry": ref("HazardGeometry"),
            "coordinate_input": {**enum(CoordinateInput), "default": "wgs84",
                                 "description": "The datum of `geometry`; GCJ-02 and BD-09 are converted to WGS-84."},
            "jurisdiction_code": {"type": "string", "pattern": r"^\d{6}$",
                                  "description": "Defaults to the caller's division."},
            "batch_year": {"type": "integer", "minimum": 2000, "maximum": 2100}, "found_on": DATE,
            "description": string(20000), "source": enum(Source), "dynamic_add": BOOL, "route_code": string(16),
            "road_name": string(100), "road_class": enum(RoadClass), "direction": enum(Direction),
            "start_m": {"type": "integer", "minimum": 0, "description": "Start stake in metres (K12+300 = 12300)."},
            "end_m": COUNT, "place": string(200),
            "categories": {"type": "array", "items": {"type": "string"}},
            "measures": {"type": "array", "items": {"type": "string"}}, "crash_prone": BOOL,
            "crash_count": COUNT, "death_count": COUNT,
            "risk_grade": enum(RiskGrade), "school_zone": BOOL, "temporary_controls": string(20000),
            "responsible_person": string(64), "responsible_contact": string(64), "measures_text": string(20000),
        }, ["title", "geometry"]),
        "HazardUpdate": obj({"version": ROW_ID, **editable,
                             "categories": {"type": "array", "items": {"type": "string"}}}, ["version"]),
        "TransitionRequest": obj({
            "action": {"type": "string", "enum": list(TRANSITIONS)},
            "version": {**ROW_ID, "description": "Optional optimistic lock."},
            "reason": string(2000), "note": string(2000), "level": enum(SupervisionLevel), "deadline": DATE,
            "supervising_body_id": ROW_ID, "document_no": string(100),
            "listed_on": DATE, "responsible_unit_id": ROW_ID,
            "responsible_person": string(64), "responsible_contact": string(64), "plan_text": string(20000),
            "completed_on": DATE, "acceptance_note": string(2000), "merge_target_id": ROW_ID,
        }, ["action"]),
        "TransitionList": obj({
            "status": enum(Status), "version": INT,
            "items": {"type": "array", "items": obj({
                "action": {"type": "string"}, "target": enum(Status), "label_zh": {"type": "string"},
                "label_en": {"type": "string"}, "requires": {"type": "array", "items": {"type": "string"}},
                "missing": {"type": "array", "items": {"type": "string"}}},
                ["action", "target", "label_zh", "label_en", "requires", "missing"])},
        }, ["status", "version", "items"]),
        "FundingEntry": obj({
            "id": INT, "hazard_id": INT, "kind": enum(FundingKind), "source": enum(FundingSource),
            "amount": SIGNED_MONEY, "entry_date": DATE, "note": nullable(string()), "created_by_id": nullable(INT),
            "created_at": DATETIME, "reverses_id": nullable(INT), "reversal_reason": nullable(string()),
        }, ["id", "hazard_id", "kind", "source", "amount", "entry_date", "note", "created_by_id", "created_at",
            "reverses_id", "reversal_reason"]),
        "FundingCreate": obj({"kind": enum(FundingKind), "source": enum(FundingSource), "amount": MONEY_IN,
                              "entry_date": DATE, "note": string(200), "confirm_large": BOOL},
                             ["kind", "source", "amount"]),
        "FundingReversal": obj({"reason": string(200, minLength=1)}, ["reason"]),
        "FundingList": obj({"items": {"type": "array", "items": ref("FundingEntry")}, "totals": funding_totals},
                           ["items", "totals"]),
        "Attachment": obj({
            "id": INT, "hazard_id": INT, "phase": enum(AttachmentPhase), "original_name": {"type": "string"},
            "content_type": {"type": "string"}, "size_bytes": INT, "sha256": {"type": "string"},
            "caption": nullable(string()), "uploaded_by_id": nullable(INT), "uploaded_at": DATETIME,
            "download_url": {"type": "string"},
        }, ["id", "hazard_id", "phase", "original_name", "content_type", "size_bytes", "sha256", "caption",
            "uploaded_by_id", "uploaded_at", "download_url"]),
        "AttachmentList": obj({"items": {"type": "array", "items": ref("Attachment")}}, ["items"]),
        "Notification": obj({"id": INT, "title": {"type": "string"}, "body": {"type": "string"},
                             "created_at": DATETIME, "read_at": nullable(DATETIME), "read": BOOL,
                             "kind": nullable(string(32)), "hazard_id": nullable(INT)},
                            ["id", "title", "body", "created_at", "read_at", "read", "kind", "hazard_id"]),
        "NotificationPage": obj({"items": {"type": "array", "items": ref("Notification")}, "limit": INT,
                                 "next_cursor": nullable(string()),
                                 "links": obj({"self": {"type": "string"}, "next": {"type": "string"}}, ["self"])},
                                ["items", "limit", "next_cursor", "links"]),
        "User": obj({"id": INT, "login": {"type": "string"}, "name": {"type": "string"}, "role": enum(Role),
                     "jurisdiction_code": {"type": "string"}, "jurisdiction_name": {"type": "string"},
                     "organization": organization, "language": {"type": "string"}},
                    ["id", "login", "name", "role", "jurisdiction_code", "jurisdiction_name", "organization",
                     "language"]),
        "Link": link,
        "OgcLanding": obj({"title": {"type": "string"}, "description": {"type": "string"},
                           "links": {"type": "array", "items": ref("Link")}}, ["links"], additional=True),
        "OgcCollection": obj({
            "id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
            "itemType": {"type": "string"}, "crs": {"type": "array", "items": {"type": "string"}},
            "extent": {"type": "object"}, "links": {"type": "array", "items": ref("Link")},
        }, ["id", "links"], additional=True),
        "Feature": obj({
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
            "geometry": nullable({"type": "object", "required": ["type"], "description": "GeoJSON, [lon, lat]"}),
            "properties": {"type": "object", "description": _feature_properties_doc()},
            "links": {"type": "array", "items": ref("Link")},
        }, ["type", "id", "geometry", "properties"]),
        "FeatureCollection": obj({
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": ref("Feature")},
            "numberMatched": COUNT, "numberReturned": COUNT,
            "timeStamp": DATETIME, "links": {"type": "array", "items": ref("Link")},
        }, ["type", "features", "numberMatched", "numberReturned", "links"]),
    }


def report_schemas() -> dict:
    """The completion report's JSON (hazards.reports.formats.to_json): every object may gain keys."""
    text = {"type": "string"}
    wan = {"type": "string", "description": "万元 with two decimals, exact (from yuan sums rounded half up)."}
    rate = nullable({"type": "string", "description": "Percent with two decimals; null with nothing on the list."})
    counts = {"completed": COUNT, "total": COUNT, "closed": COUNT, "rate": rate, "on_time": COUNT, "ahead": COUNT,
              "open": COUNT, "overdue": COUNT}
    sources = {k: wan for k in ("central", "province", "city", "county", "other", "total")}
    level_keys = ["ministry", "province", "ministry_province", "city", "county", "none", "annual", "dynamic", "total"]
    return {
        "ReportCounts": obj(counts, list(counts), additional=True),
        "ReportMoney": obj({kind: obj(sources, list(sources), additional=True) for kind in FundingKind.values()},
                           FundingKind.values(), additional=True),
        "CompletionReport": {**obj({
            "schema": {"type": "string", "example": "hazards.reports.completion/1"},
            "jurisdiction": obj({"code": text, "name": text, "name_en": text, "level": enum(JurisdictionLevel),
                                 "scope_word": {**text, "description": "全市, 全县, 全区 or 全省."}},
                                ["code", "name", "name_en", "level", "scope_word"], additional=True),
            "period": obj({"kind": {"type": "string", "enum": ["year", "quarter", "half", "month", "range"]},
                           "start": DATE, "end": DATE, "label_zh": text, "label_en": text,
                           "years": {"type": "array", "items": INT,
                                     "description": "The batch years whose lists are reported on."}},
                          ["kind", "start", "end", "label_zh", "label_en", "years"], additional=True),
            "level_filter": nullable({"type": "string", "enum": list(LEVEL_FILTERS)}),
            "as_of": {**DATE, "description": "The date open and overdue are judged at."},
            "today": DATE, "min_rank": COUNT, "money_unit": {"type": "string", "enum": ["万元"]},
            "summary": {"type": "array", "description": "Rows in the order " + ", ".join(level_keys) + ".",
                        "items": obj({"key": {"type": "string", "enum": level_keys}, "label_zh": text,
                                      "label_en": text, **counts, "money": ref("ReportMoney")},
                                     ["key", "label_zh", "label_en", *counts, "money"], additional=True)},
            "units": {"type": "array", "description": "Subordinate units: ranked, then unranked, then 本级 (own).",
                      "items": obj({"code": text, "name": text, "name_en": text, "own": BOOL,
                                    "rank": nullable(INT), "ranked": BOOL, "annual": ref("ReportCounts"),
                                    "dynamic": ref("ReportCounts"), "total": ref("ReportCounts"),
                                    "money": ref("ReportMoney")},
                                   ["code", "name", "own", "rank", "ranked", "annual", "dynamic", "total", "money"],
                                   additional=True)},
            "categories": {"type": "array", "items": obj({"code": text, "label_zh": text, "label_en": text, **counts},
                                                         ["code", "label_zh", "label_en", *counts], additional=True)},
            "road_classes": {"type": "array", "items": obj({
                "code": nullable(text), "label_zh": text, "label_en": text, "completed": COUNT, "roads": COUNT,
                "km": {**text, "description": "Kilometres with three decimals."}},
                ["code", "label_zh", "label_en", "completed", "roads", "km"], additional=True)},
            "overdue": obj({"count": COUNT, "limit": COUNT, "items": {"type": "array", "items": obj({
                "code": text, "title": text, "level": enum(SupervisionLevel), "level_label_zh": text,
                "jurisdiction_code": text, "jurisdiction_name": text, "responsible_unit": text, "deadline": DATE,
                "days_overdue": INT, "batch_year": INT, "dynamic_add": BOOL, "lon": nullable({"type": "number"}),
                "lat": nullable({"type": "number"})}, ["code", "title", "level", "deadline", "days_overdue"],
                additional=True)}}, ["count", "limit", "items"], additional=True),
            "paragraph": obj({"zh": text, "en": text}, ["zh", "en"], additional=True),
            "previous": {**nullable(obj({
                "comparison": {"type": "string", "enum": ["year_on_year", "period_on_period"]},
                "period": obj({"kind": text, "start": DATE, "end": DATE, "label_zh": text, "label_en": text,
                               "years": {"type": "array", "items": INT}},
                              ["kind", "start", "end", "label_zh", "label_en", "years"], additional=True),
                "as_of": DATE,
                "summary": {"type": "array", "items": obj({"key": {"type": "string", "enum": level_keys},
                                                           "label_zh": text, "label_en": text, **counts,
                                                           "money": ref("ReportMoney")},
                                                          ["key", *counts, "money"], additional=True)},
                "changes": {"type": "array", "items": obj({
                    "key": {"type": "string", "enum": ["completed", "total", "closed", "rate", "on_time", "ahead",
                                                       "overdue", *FundingKind.values()]},
                    "label_zh": text, "label_en": text,
                    "this": {"description": "A count (integer), or a string: the rate in percent, money in 万元."},
                    "previous": {"description": "As `this`, for the previous period."},
                    "change": {"description": "this - previous; the rate's in percentage points."},
                    "change_pct": {**nullable(text), "description": "The change in percent of the previous "
                                                                   "value; null from zero and for the rate."}},
                    ["key", "this", "previous", "change", "change_pct"], additional=True)}},
                ["comparison", "period", "as_of", "summary", "changes"], additional=True)),
                "description": "The same report for the previous period (同比 for a year, 环比 otherwise), "
                               "null when the ledger does not hold it."},
        }, ["schema", "jurisdiction", "period", "level_filter", "as_of", "today", "min_rank", "money_unit", "summary",
            "units", "categories", "road_classes", "overdue", "paragraph"], additional=True),
            "description": "Counts are integers; money is 万元 as strings with two decimals; rates are percent "
                           "strings or null; dates are ISO. Keys are only ever added (see docs/reports.md)."},
    }


def import_schemas(problem_props: dict, problem_required: list[str]) -> dict:
    """What an import reports (hazards.io.importer.ImportReport), as a result or inside a refusal."""
    report = {
        "file": {"type": "string", "description": "The uploaded file's name."},
        "format": nullable({"type": "string", "enum": ["csv", "xlsx", "geojson"]}),
        "dry_run": BOOL, "skip_invalid": BOOL,
        "blocked": {**BOOL, "description": "Errors stop (or in a dry run, would stop) the import."},
        "rows_read": COUNT, "valid_rows": COUNT, "invalid_rows": COUNT, "created_count": COUNT,
        "created": {"type": "array", "items": {"type": "string"}, "description": "Codes of the hazards written."},
        "warnings": {"type": "array", "items": {"type": "string"}},
        "error_count": COUNT,
        "errors": {"type": "array", "items": ref("ImportRowError"),
                   "description": f"Row errors in row order, at most {MAX_LISTED_ERRORS} (`error_count` has all)."},
    }
    return {
        "ImportRowError": obj({
            "row": nullable({**INT, "description": "The row's number as a spreadsheet shows it (under a one-line "
                                                   "header the first row is 2); null: the file as a whole."}),
            "column": nullable({"type": "string", "description": "The column's English key."}),
            "column_label": nullable({"type": "string", "description": "The column's header as displayed."}),
            "value": nullable({"type": "string", "description": "The cell as read."}),
            "message": {"type": "string"},
        }, ["row", "column", "column_label", "value", "message"]),
        "ImportReport": obj(report, list(report)),
        "ImportProblem": {**obj({**problem_props, **report}, problem_required, additional=True),
                          "description": "A problem; a refused import (code import_refused) also carries the "
                                         "report's members."},
    }


def _feature_properties_doc() -> str:
    levels = ", ".join(JurisdictionLevel.values())
    return ("hazards: code, title, status, level, jurisdiction_code, route_code, road_name, road_class, start_m, "
            "end_m, categories (comma-separated codes), batch_year, found_on, deadline, closed_on, overdue, "
            f"responsible_unit, version. jurisdictions: code, name, name_en, level ({levels}), parent_code.")
