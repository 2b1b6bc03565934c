"""The map's bbox endpoint at N hazards, against bare SQL that builds the same GeoJSON in the database.

    python -m bench.map_endpoint --backend postgis --hazards 100000

Three views: a county (a few thousand features: the feature path), the city and the province (above
the cluster threshold and zoomed out: per-county clusters). Times are for GET /api/v1/hazards.geojson through
the Flask test client (routing, login, query, JSON text), and for one SQL statement that returns
the equivalent FeatureCollection text built by the database itself.
"""

from __future__ import annotations

import json
from datetime import date

from bench.common import app_for, database_url, ensure_hazards, parser, summary, supervisor, timed_pair
from geo.spatial import BBox
from hazards import clock
from hazards.db import get_session
from hazards.queries.hazard_list import HazardFilters
from hazards.queries.map_features import (
    DIVISION_CLUSTER_MAX_ZOOM,
    MapQuery,
    cluster_statement,
    collection_statement,
    count_in_view,
    division_cluster_statement,
)

VIEWS = {
    "county (0.3°×0.3°)": (BBox(112.58, 38.25, 112.88, 38.55), 11),
    "city (2.8°×1.7°)": (BBox(110.8, 38.0, 113.6, 39.7), 8),
    "province (4.5°×5.5°)": (BBox(110.2, 34.5, 114.6, 40.8), 7),
}


def bare_sql(session, user, q: MapQuery, today: date, threshold: int) -> str:
    """One statement whose result is the whole FeatureCollection text, made by the database: the same
    rows the endpoint asks for (features, per-county clusters when zoomed out, or grid cells).

    For features it is the same text byte for byte (checked in main): every property, the labels, the
    days left, with nothing else (no count of the view, no threshold, no login, no HTTP)."""
    dialect = session.get_bind().dialect.name
    clustered = count_in_view(session, user, q, today, threshold) > threshold
    per_county = clustered and q.zoom <= DIVISION_CLUSTER_MAX_ZOOM
    if not clustered:
        stmt = collection_statement(session, user, q, today, threshold=None, language="zh")
        return str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
    if per_county:
        inner = division_cluster_statement(session, user, q, today)
        x, y, n, overdue = "t.cx", "t.cy", "t.n", "t.overdue"
    elif clustered:
        inner = cluster_statement(session, user, q, today)
        x, y, n, overdue = "t.avg_1", "t.avg_2", "t.count_1", "t.sum_1"
    compiled = str(inner.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
    county = ",'jurisdiction',t.code" if per_county else ""
    if dialect == "postgresql":
        feature = (f"json_build_object('type','Feature','geometry',json_build_object('type','Point',"
                   f"'coordinates',json_build_array(round({x}::numeric, 6), round({y}::numeric, 6))),'properties',"
                   f"json_build_object('cluster',true,'count',{n},'overdue',{overdue}{county}))")
        return (f"SELECT json_build_object('type','FeatureCollection','clustered',true,'numberReturned',count(*),"
                f"'features',coalesce(json_agg({feature}),'[]'::json))::text FROM ({compiled}) AS t")
    feature = (f"json_object('type','Feature','geometry',json_object('type','Point','coordinates',"
               f"json_array(round({x}, 6), round({y}, 6))),'properties',json_object('cluster',json('true'),"
               f"'count',{n},'overdue',{overdue}{county}))")
    return (f"SELECT json_object('type','FeatureCollection','clustered',json('true'),'numberReturned',count(*),"
            f"'features',json_group_array(json({feature}))) FROM ({compiled}) AS t")


def main() -> None:
    args = parser(__doc__).parse_args()
    app = app_for(database_url(args.backend, f"hazards_bench_{args.hazards}"))
    app.config.update(SESSION_COOKIE_SECURE=False, WTF_CSRF_ENABLED=False)
    threshold = app.config["MAP_CLUSTER_THRESHOLD"]
    today = clock.today()
    with app.app_context():
        session = get_session()
        ensure_hazards(session, args.hazards)
        user = supervisor(session, "bench-province", "140000", "bench-password")
        client = app.test_client()
        client.post("/login", data={"login": "bench-province", "password": "bench-password"})
        print(f"map endpoint, {args.backend}, {args.hazards:,} hazards, cluster threshold {threshold:,}, "
              f"{args.repeat} runs each")
        for name, (box, zoom) in VIEWS.items():
            q = MapQuery(box, zoom, HazardFilters())
            url = f"/api/v1/hazards.geojson?bbox={box.min_lon},{box.min_lat},{box.max_lon},{box.max_lat}&zoom={zoom}"
            sql = bare_sql(session, user, q, today, threshold)

            def endpoint():
                # The response text is what a browser gets; parsing it is the browser's work, not timed.
                response = client.get(url)
                assert response.status_code == 200, response.status_code
                return response.get_data()

            def bare():  # on the driver's own cursor: the text has colons SQLAlchemy would take for binds
                raw = session.connection().connection.dbapi_connection.cursor()
                raw.execute(sql)
                value = raw.fetchone()[0]
                raw.close()
                return value

            # In turns, so a change in the machine's load weighs on both alike.
            (app_times, body), (sql_times, bare_text) = timed_pair(endpoint, bare, args.repeat)
            data = json.loads(body)
            if not data["clustered"]:
                assert body.decode() == bare_text, "the bare SQL must return the endpoint's very text"
            else:
                assert json.loads(bare_text)["numberReturned"] == data["numberReturned"]
            a, s = summary(app_times), summary(sql_times)
            kind = "clusters" if data["clustered"] else "features"
            count = sum(f["properties"]["count"] for f in data["features"]) if data["clustered"] else len(data["features"])
            print(f"  {name}: {len(data['features']):,} {kind} ({count:,} hazards) | endpoint median "
                  f"{a['median_ms']:.1f} ms p95 {a['p95_ms']:.1f} ms | bare SQL median {s['median_ms']:.1f} ms "
                  f"p95 {s['p95_ms']:.1f} ms | ratio {a['median_ms'] / s['median_ms']:.2f}×")


if __name__ == "__main__":
    main()
