"""OGC API – Features – Part 1: Core, read-only, under /ogc: what QGIS and GDAL (OAPIF) read.

JSON by default (GeoJSON for features), a plain HTML page with `?f=html` or for a browser that asks
for text/html. Coordinates are CRS84 (lon, lat). Paging is by `limit` and `offset`, with next/prev
links; unknown or malformed query parameters are a 400. The landing page and the conformance
declaration are public; features need a token or a session, and follow the jurisdiction rules.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from flask import Response, current_app, json, render_template, request, url_for

from geo.spatial import BBox, BBoxError
from hazards import clock, permissions
from hazards.api import ogc_features
from hazards.api.auth import api_user
from hazards.api.blueprints import api_blueprint
from hazards.api.ogc_features import COLLECTIONS, ItemQuery
from hazards.api.problems import ApiProblem, bad_request
from hazards.domain.errors import N_
from hazards.inputs.values import INT_MAX, whole_number
from hazards.db import get_session

bp = api_blueprint("ogc", __name__, "/ogc")

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOJSON, JSON, HTML = "application/geo+json", "application/json", "text/html"
DEFAULT_LIMIT, MAX_LIMIT = 100, 10000


# --- negotiation and links -----------------------------------------------------------------------


def _wants_html() -> bool:
    f = request.args.get("f")
    if f is not None:
        if f not in ("json", "html"):
            raise bad_request(N_("f must be json or html."), f="invalid")
        return f == "html"
    best = request.accept_mimetypes.best_match([JSON, GEOJSON, HTML], default=JSON)
    return best == HTML


def _link(endpoint: str, rel: str, media_type: str, title: str, **values) -> dict:
    if media_type == HTML:
        values["f"] = "html"
    return {"href": url_for(endpoint, _external=True, **values), "rel": rel, "type": media_type, "title": title}


def _self_links(endpoint: str, json_type: str = JSON, **values) -> list[dict]:
    html = _wants_html()
    return [
        _link(endpoint, "self" if not html else "alternate", json_type, "this document as JSON", **values),
        _link(endpoint, "self" if html else "alternate", HTML, "this document as HTML", **values),
    ]


def _json(body: dict, media_type: str = JSON) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), mimetype=media_type)


def _only(*allowed: str) -> None:
    unknown = sorted(set(request.args) - {"f", *allowed})
    if unknown:
        raise bad_request(N_("Unknown query parameters: %(names)s."), {"names": ", ".join(unknown)},
                          **{k: "unknown" for k in unknown})


# --- resources -----------------------------------------------------------------------------------


@bp.get("")
@bp.get("/")
@permissions.public("OGC API landing page: what the service offers")
def landing():
    _only()
    body = {
        "title": "Road traffic-safety hazard ledger – OGC API Features",
        "description": "Hazard points and sections (隐患点段) and administrative divisions, read-only.",
        "links": _self_links("ogc.landing") + [
            {"href": url_for("api_docs.document", _external=True), "rel": "service-desc",
             "type": "application/vnd.oai.openapi+json;version=3.0", "title": "the API definition (OpenAPI 3.0)"},
            _link("ogc.conformance", "conformance", JSON, "conformance classes implemented"),
            _link("ogc.collections", "data", JSON, "the feature collections"),
        ],
    }
    if _wants_html():
        return render_template("api/ogc_landing.html", body=body, conformance=CONFORMANCE)
    return _json(body)


@bp.get("/conformance")
@permissions.public("OGC API conformance classes")
def conformance():
    _only()
    if _wants_html():
        return render_template("api/ogc_landing.html", body=None, conformance=CONFORMANCE)
    return _json({"conformsTo": CONFORMANCE})


@bp.get("/collections")
@permissions.signed_in("what the collections are; the hazards' date range comes from a visible_clause query")
def collections():
    _only()
    user = api_user()
    body = {"links": _self_links("ogc.collections"),
            "collections": [_collection(info, user) for info in COLLECTIONS.values()]}
    if _wants_html():
        return render_template("api/ogc_collections.html", body=body)
    return _json(body)


@bp.get("/collections/<collection_id>")
@permissions.signed_in("what the collection is; the hazards' date range comes from a visible_clause query")
def collection(collection_id: str):
    _only()
    info = _info(collection_id)
    body = _collection(info, api_user())
    if _wants_html():
        return render_template("api/ogc_collections.html", body={"collections": [body], "links": body["links"]})
    return _json(body)


@bp.get("/collections/<collection_id>/items")
@permissions.checked_inside
def items(collection_id: str):
    info = _info(collection_id)
    _only("bbox", "limit", "offset", "datetime", *info.filters)
    q = _item_query(info)
    features, matched = ogc_features.items(get_session(), api_user(), info.id, q, clock.today())
    params = {k: v for k, v in request.args.items() if k not in ("offset", "f")}
    links = _self_links("ogc.items", GEOJSON, collection_id=info.id, **params, offset=q.offset)
    if q.offset + len(features) < matched:
        links.append(_link("ogc.items", "next", GEOJSON, "next page", collection_id=info.id, **params,
                           offset=q.offset + q.limit))
    if q.offset > 0:
        links.append(_link("ogc.items", "prev", GEOJSON, "previous page", collection_id=info.id, **params,
                           offset=max(0, q.offset - q.limit)))
    links.append(_link("ogc.collection", "collection", JSON, "the collection", collection_id=info.id))
    body = {
        "type": "FeatureCollection",
        "features": [_feature(info.id, f) for f in features],
        "numberMatched": matched,
        "numberReturned": len(features),
        "timeStamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": links,
    }
    if _wants_html():
        return render_template("api/ogc_items.html", info=info, body=body, single=False)
    return _json(body, GEOJSON)


@bp.get("/collections/<collection_id>/items/<feature_id>")
@permissions.checked_inside
def feature(collection_id: str, feature_id: str):
    info = _info(collection_id)
    _only()
    found = ogc_features.item(get_session(), api_user(), info.id, feature_id, clock.today())
    if found is None:
        raise ApiProblem(404, N_("There is no feature '%(feature)s' in %(collection)s."),
                         params={"feature": feature_id, "collection": info.id})
    body = _feature(info.id, found)
    body["links"] = _self_links("ogc.feature", GEOJSON, collection_id=info.id, feature_id=feature_id) + [
        _link("ogc.collection", "collection", JSON, "the collection", collection_id=info.id)]
    if _wants_html():
        return render_template("api/ogc_items.html", info=info, body={"features": [body], "links": body["links"]},
                               single=True)
    return _json(body, GEOJSON)


# --- helpers -------------------------------------------------------------------------------------


def _info(collection_id: str):
    info = COLLECTIONS.get(collection_id)
    if info is None:
        raise ApiProblem(404, N_("There is no collection '%(collection)s'."), params={"collection": collection_id})
    return info


def _collection(info, user) -> dict:
    west, south, east, north = current_app.config["COORDINATE_EXTENT"]
    extent = {"spatial": {"bbox": [[west, south, east, north]], "crs": CRS84}}
    if info.temporal:
        first, last = ogc_features.found_on_range(get_session(), user)
        extent["temporal"] = {"interval": [[_instant(first), _instant(last)]],
                              "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
    return {
        "id": info.id, "title": info.title, "description": info.description, "itemType": "feature",
        "crs": [CRS84], "extent": extent,
        "links": [
            _link("ogc.collection", "self", JSON, "this collection", collection_id=info.id),
            _link("ogc.collection", "alternate", HTML, "this collection as HTML", collection_id=info.id),
            _link("ogc.items", "items", GEOJSON, "the features", collection_id=info.id),
            _link("ogc.items", "items", HTML, "the features as HTML", collection_id=info.id),
        ],
    }


def _instant(day: date | None) -> str | None:
    return f"{day.isoformat()}T00:00:00Z" if day else None


def _feature(collection_id: str, f) -> dict:
    return {"type": "Feature", "id": f.id, "geometry": f.geometry, "properties": f.properties,
            "links": [_link("ogc.feature", "self", GEOJSON, "this feature", collection_id=collection_id,
                            feature_id=str(f.id))]}


def _item_query(info) -> ItemQuery:
    args, errors = request.args, {}
    q = ItemQuery()
    limit = whole_number(args.get("limit", str(DEFAULT_LIMIT)))
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        errors["limit"] = f"must be a whole number from 1 to {MAX_LIMIT}"
    else:
        q.limit = limit
    offset = whole_number(args.get("offset", "0"))
    if offset is None or offset > INT_MAX:
        errors["offset"] = f"must be a whole number from 0 to {INT_MAX}"
    else:
        q.offset = offset
    if "bbox" in args:
        try:
            q.bbox = BBox.parse(args["bbox"])
        except BBoxError as exc:
            errors["bbox"] = str(exc)
    if "datetime" in args:
        if not info.temporal:
            errors["datetime"] = f"the {info.id} collection has no time"
        else:
            try:
                q.start, q.end = parse_datetime(args["datetime"])
            except ValueError as exc:
                errors["datetime"] = str(exc)
    for name, allowed in info.filters.items():
        if name in args:
            values = [v.strip() for v in args[name].split(",") if v.strip()]
            wrong = [v for v in values if allowed is not None and v not in allowed]
            if not values or wrong:
                errors[name] = "must be one or more (comma-separated) of: " + ", ".join(allowed or ("a code",))
            else:
                q.properties[name] = values
    if errors:
        raise bad_request(N_("Some query parameters are wrong: %(names)s."), {"names": ", ".join(errors)}, **errors)
    return q


def parse_datetime(text: str) -> tuple[date | None, date | None]:
    """An RFC 3339 instant or interval (`a/b`, either end open as `..` or empty) as a day range."""
    if "/" in text:
        first, _, last = text.partition("/")
        start, end = _day(first, open_allowed=True), _day(last, open_allowed=True)
        if start is None and end is None:
            raise ValueError("an interval needs at least one end")
        if start and end and end < start:
            raise ValueError("the interval ends before it starts")
        return start, end
    day = _day(text, open_allowed=False)
    return day, day


def _day(text: str, *, open_allowed: bool) -> date | None:
    text = text.strip()
    if text in ("", ".."):
        if open_allowed:
            return None
        raise ValueError("an instant cannot be open")
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")).date()
    except ValueError:
        raise ValueError(f"'{text}' is not an RFC 3339 date or date-time") from None
