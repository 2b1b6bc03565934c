"""Bounding-box query at N hazards: the query the map runs for a view (through SQLAlchemy Core on the
session's connection, rows as the app receives them) against the same SQL text run on the bare driver
cursor.

    python -m bench.bbox_query --backend spatialite --hazards 100000
"""

from __future__ import annotations

from bench.common import app_for, database_url, ensure_hazards, parser, summary, supervisor, timed_pair
from geo.spatial import BBox
from hazards import clock
from hazards.db import get_session
from hazards.queries.map_features import MapQuery, feature_rows, feature_statement

VIEWS = {
    # one county's worth of road network around Xinfu district
    "county view (0.3°×0.3°)": BBox(112.58, 38.25, 112.88, 38.55),
    # the whole of Xinzhou city
    "city view (2.6°×1.5°)": BBox(110.8, 38.0, 113.6, 39.7),
}


def main() -> None:
    args = parser(__doc__).parse_args()
    app = app_for(database_url(args.backend, f"hazards_bench_{args.hazards}"))
    with app.app_context():
        session = get_session()
        ensure_hazards(session, args.hazards)
        user = supervisor(session, "bench-province", "140000", "bench-password")
        print(f"bbox query, {args.backend}, {args.hazards:,} hazards, {args.repeat} runs each")
        for name, box in VIEWS.items():
            q, today = MapQuery(box, 12), clock.today()
            stmt = feature_statement(session, user, q, today)
            compiled = stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
            sql = str(compiled)

            def through_app():
                return feature_rows(session, user, q, today)

            def bare():
                raw = session.connection().connection.dbapi_connection.cursor()
                raw.execute(sql)
                rows = raw.fetchall()
                raw.close()
                return rows

            (app_times, features), (sql_times, rows) = timed_pair(through_app, bare, args.repeat)
            assert len(features) == len(rows), (len(features), len(rows))
            a, s = summary(app_times), summary(sql_times)
            print(
                f"  {name}: {len(rows):,} features | app median {a['median_ms']:.1f} ms p95 {a['p95_ms']:.1f} ms"
                f" | bare SQL median {s['median_ms']:.1f} ms p95 {s['p95_ms']:.1f} ms"
                f" | ratio {a['median_ms'] / s['median_ms']:.2f}×"
            )


if __name__ == "__main__":
    main()
