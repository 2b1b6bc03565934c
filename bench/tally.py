"""The completion tally at N hazards against the single GROUP BY it rests on.

    python -m bench.tally --backend postgis --hazards 1000000
"""

from __future__ import annotations

from bench.common import app_for, database_url, ensure_hazards, parser, summary, timed
from hazards import clock
from hazards.db import get_session
from hazards.services.tally import compute_tally, store_tally, tally_statement


def main() -> None:
    args = parser(__doc__).parse_args()
    app = app_for(database_url(args.backend, f"hazards_bench_{args.hazards}"))
    as_of = clock.today()
    with app.app_context():
        session = get_session()
        ensure_hazards(session, args.hazards)
        statement = tally_statement(as_of)

        def group_by_only():
            return session.execute(statement).all()

        def tally_computed():
            return compute_tally(session, as_of)

        def tally_stored():
            rows = store_tally(session, as_of)
            session.rollback()  # measure the work, keep the database as it was
            return rows

        sql_times, rows = timed(group_by_only, args.repeat)
        compute_times, totals = timed(tally_computed, args.repeat)
        store_times, stored = timed(tally_stored, max(3, args.repeat // 4))
        s, c, w = summary(sql_times), summary(compute_times), summary(store_times)
        print(f"tally, {args.backend}, {args.hazards:,} hazards: GROUP BY ({len(rows)} rows) median {s['median_ms']:.0f} ms"
              f" | tally with roll-up ({len(totals)} rows) median {c['median_ms']:.0f} ms, ratio "
              f"{c['median_ms'] / s['median_ms']:.2f}× | tally stored as a snapshot median {w['median_ms']:.0f} ms, "
              f"ratio {w['median_ms'] / s['median_ms']:.2f}×")


if __name__ == "__main__":
    main()
