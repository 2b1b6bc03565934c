"""The list sorted by priority (轻重缓急) against the other sorts, and the nightly crash-history refresh.

    python -m bench.priority --backend spatialite --hazards 100000 [--crashes 20000]

Pages through the Flask test client as the province's supervisor (median of `--repeat` runs after one
warm-up): the web list in its default order, newest found, by priority (first and 500th page), and the
API list by found and by priority. The hazards are first ranked for today as the nightly job leaves
them (`rank_all`, timed), so the priority pages walk the stored ranks; `--live` leaves the ranking
out of date instead (as before the night's job has run), so they score every visible hazard. Then
`refresh_crash_history` for every open hazard (which ranks every hazard after counting), once with the
ledger's crashes as they are and, with `--crashes N`, after N synthetic crashes (points near the
synthetic hazards, and route + stake ones) are added (they are kept: the refresh counts them).
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta

from bench.common import parser, province_supervisor_client, summary, timed

URLS = [
    "/hazards", "/hazards?sort=found", "/hazards?sort=priority", "/hazards?sort=priority&page=500",
    "/hazards?sort=deadline", "/api/v1/hazards?sort=found", "/api/v1/hazards?sort=priority",
]


def _add_crashes(session, n: int) -> None:
    from geoalchemy2.shape import from_shape
    from shapely.geometry import Point
    from sqlalchemy import func, insert, select

    from hazards.models import Crash, Hazard

    have = session.scalar(select(func.count(Crash.id)))
    if have >= n:
        return
    rng = random.Random(7)
    places = session.execute(select(Hazard.jurisdiction_code, Hazard.route_code, Hazard.start_m,
                                    func.ST_X(func.ST_Centroid(Hazard.geom)), func.ST_Y(func.ST_Centroid(Hazard.geom)))
                             .limit(5000)).all()
    rows = []
    for i in range(have, n):
        code, route, stake, x, y = rng.choice(places)
        day = date(2024, 1, 1) + timedelta(days=rng.randrange(700))
        by_stake = i % 3 == 0 and route and stake is not None
        rows.append({"source_id": f"bench-{i}", "occurred_at": datetime.combine(day, datetime.min.time()),
                     "occurred_on": day, "jurisdiction_code": code, "deaths": rng.choice([0, 0, 0, 1, 2]),
                     "injuries": rng.randrange(3), "route_code": route if by_stake else None,
                     "stake_m": stake + rng.randrange(-300, 300) if by_stake else None,
                     "geom": None if by_stake else from_shape(Point(x + rng.uniform(-0.002, 0.002),
                                                                    y + rng.uniform(-0.002, 0.002)), 4326)})
    session.execute(insert(Crash.__table__), rows)
    session.commit()


def _ranking(app, *, live: bool) -> None:
    """Rank every hazard for today (what the nightly job does), or make the ranking out of date."""
    from sqlalchemy import delete

    from geo.engine import refresh_statistics
    from hazards import clock
    from hazards.db import get_session
    from hazards.models import PriorityRanking
    from hazards.queries.priority import stored_ranking_current
    from hazards.services.priority_ranking import rank_all

    with app.app_context():
        session = get_session()
        if live:
            session.execute(delete(PriorityRanking))
        elif not stored_ranking_current(session, clock.today()):
            start = time.perf_counter()
            rank_all(session)
            session.commit()
            print(f"  rank_all, every hazard: {time.perf_counter() - start:.2f} s")
            refresh_statistics(session.connection())  # as the housekeeping job would, for the new table
        session.commit()
        start = time.perf_counter()
        for _ in range(100):
            stored_ranking_current(session, clock.today())
        print(f"  stored_ranking_current: {(time.perf_counter() - start) * 10:.2f} ms")
        session.rollback()


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--crashes", type=int, default=0)
    p.add_argument("--urls-only", action="store_true")
    p.add_argument("--live", action="store_true", help="leave the stored ranking out of date: score live")
    args = p.parse_args()
    app, client = province_supervisor_client(args)
    _ranking(app, live=args.live)
    print(f"priority, {args.backend}, {args.hazards:,} hazards, province supervisor, {args.repeat} runs each"
          f" ({'scored live' if args.live else 'stored ranks'})")
    for url in URLS:
        cpu = []

        def page(url=url):
            start = time.process_time()
            response = client.get(url)
            cpu.append(time.process_time() - start)
            assert response.status_code in (200, 400), (url, response.status_code)
            return response.get_data()

        times, body = timed(page, args.repeat)
        s = summary(times)
        # CPU time of this process (SQLite runs in it): steadier than wall time on a shared machine.
        cpu_ms = sorted(cpu[1:])[len(cpu[1:]) // 2] * 1000
        print(f"  {url:42s} median {s['median_ms']:6.1f} ms  p95 {s['p95_ms']:6.1f} ms  cpu {cpu_ms:6.1f} ms"
              f"  {len(body) / 1024:6.0f} KiB")
    if args.urls_only:
        return
    from hazards.db import get_session
    from hazards.services.crash_history import refresh_crash_history

    with app.app_context():
        session = get_session()
        for label in ("as they are", f"with {args.crashes:,} crashes"):
            if label.startswith("with"):
                if not args.crashes:
                    break
                _add_crashes(session, args.crashes)
            start = time.perf_counter()
            refresh_crash_history(session)
            session.commit()
            print(f"  refresh_crash_history, every open hazard, crashes {label}: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
