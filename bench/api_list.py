"""Throughput of the REST list endpoint under gunicorn (2 workers), against a bare endpoint running its SQL.

    python -m bench.api_list --backend spatialite --hazards 100000
    python -m bench.api_list --backend postgis --hazards 100000 --seconds 20

Both servers run under gunicorn with 2 sync workers on the same database, side by side; the load
goes to one, then the other, in slices of a few seconds, so the machine's other work weighs on both. The client is a few threads
on keep-alive connections, each asking for the first page of 50 of a city supervisor's hazards (newest
first) with a Bearer token, then following cursors for a few pages, as a field app syncing would.

- app: `GET /api/v1/hazards?limit=50[&cursor=...]`: token check, the jurisdiction filter, and the page
  statement, which returns each hazard's JSON (division, categories, measures, units, links) written
  by the database;
- bare: a WSGI callable with no framework that runs the app's page statement (the same SQL text, compiled
  once), whose rows are already the items' JSON, on one connection per worker and joins them into the
  page. It is the floor for that endpoint. The statement also reads each hazard's priority facts (its
  own columns and its stored crash history), as the app's does: every item carries its priority, which
  cannot be had without them. The bare endpoint does not compute the priority itself, so it stays below
  what the same result costs.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

from bench.common import BENCH_DIR, OUT_DIR, app_for, database_url, ensure_hazards, parser, supervisor
from hazards import clock

LOGIN = "bench.api"
PAGES_PER_SYNC = 4
SLICE_SECONDS = 3.0
DEPLOY_CONFIG = BENCH_DIR.parent / "deploy" / "gunicorn.conf.py"


def page_sql(app) -> str:
    """The SQL the list endpoint runs for its first page, with the values inlined, the priority facts included.

    The API's items are JSON texts written by the database (hazards.queries.hazard_json); on SpatiaLite
    the app adds each geometry from its WKB in Python (SpatiaLite's AsGeoJSON drops the 17th digit), so
    the bare endpoint asks SpatiaLite for its AsGeoJSON instead: the best the database does alone."""
    from sqlalchemy import select

    from hazards.api.representations import link_prefixes
    from hazards.db import get_session
    from hazards.models import Hazard, User
    from hazards.queries.hazard_json import as_items
    from hazards.queries.hazard_list import HazardFilters, filtered
    from hazards.queries.priority import fact_columns

    with app.test_request_context():
        session = get_session()
        dialect = session.get_bind().dialect
        user = session.scalar(select(User).where(User.login == LOGIN))
        today = clock.today()
        stmt = filtered(user, HazardFilters(), today).order_by(Hazard.found_on.desc(), Hazard.id.desc()).limit(51)
        stmt = as_items(stmt, dialect, today, link_prefixes(), Hazard.found_on, Hazard.id, *fact_columns())
        sql = str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        return sql.replace("AsBinary(hazards.geom)", "AsGeoJSON(hazards.geom, 15)")


def bare_app():
    """gunicorn entry point for the bare endpoint (`bench.api_list:bare_app()`): the page's statement,
    its JSON texts joined into the page (a geometry SpatiaLite wrote set into its item)."""
    from geo.engine import create_spatial_engine

    url, sql = os.environ["BENCH_DATABASE_URL"], os.environ["BENCH_SQL"]
    # Reads begin DEFERRED, as the app's GET requests do: IMMEDIATE would take SQLite's write lock and
    # make the two workers wait for each other.
    engine = create_spatial_engine(url, sqlite_begin=lambda: "DEFERRED")

    def app(environ, start_response):
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(sql).all()
        items = ",".join(item if geometry is None else f'{item[:-1]},"geometry":{geometry}}}'
                         for item, geometry, *_keys in rows[:50])
        last = rows[49] if len(rows) > 50 else None
        tail = json.dumps({"limit": 50, "next_cursor": last and [str(last[2]), last[3]]})
        body = ('{"items":[' + items + "]," + tail[1:]).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return app


def prepare(args) -> tuple[str, str, str]:

    from hazards.db import get_session
    from hazards.services.tokens import issue_token

    url = database_url(args.backend, f"hazards_bench_{args.hazards}")
    app = app_for(url)
    with app.app_context():
        session = get_session()
        ensure_hazards(session, args.hazards)
        user = supervisor(session, LOGIN, "140900")
        _token, secret = issue_token(session, user, "benchmark")
        session.commit()
    return url, secret, page_sql(app)


def serve(target: str, port: int, env: dict) -> subprocess.Popen:
    # Production's settings (deploy/gunicorn.conf.py: sync workers, recycled every 2,000 or so requests,
    # an access log written to a file), with 2 workers.
    access_log = OUT_DIR / f"access-{port}.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY_CONFIG), "-w", "2", "-b", f"127.0.0.1:{port}",
         "--access-logfile", str(access_log), "--log-level", "warning", target],
        env={**os.environ, **env}, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=2).connect()
            return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"{target} did not start on port {port}")


def load(port: int, path: str, headers: dict, seconds: float, threads: int, follow: bool) -> tuple[int, list[float]]:
    latencies: list[float] = []
    errors: list[str] = []
    stop = time.time() + seconds
    lock = threading.Lock()

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.time() < stop:
            next_path = path
            for _ in range(PAGES_PER_SYNC if follow else 1):
                start = time.perf_counter()
                conn.request("GET", next_path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                mine.append(time.perf_counter() - start)
                if response.status != 200:
                    errors.append(f"{response.status} {body[:200]!r}")
                    return
                if not follow:
                    break
                link = next_link(body)
                if not link:
                    break
                parts = urlsplit(link)
                next_path = parts.path + ("?" + parts.query if parts.query else "")
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise SystemExit(f"requests failed: {errors[0]}")
    return len(latencies), latencies


def next_link(body: bytes) -> str | None:
    """The page's next link. The client reads only the page's tail (limit, next_cursor, links) rather than
    parsing 50 items it does not use: on this 2-core machine the client shares the cores with the server."""
    at = body.rfind(b',"limit":')
    tail = json.loads(b"{" + body[at + 1:]) if at >= 0 else json.loads(body)
    return tail.get("links", {}).get("next")


def figures(count: int, latencies: list[float], seconds: float) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    p95 = ordered[int(round(0.95 * (len(ordered) - 1)))]
    return count / seconds, statistics.median(ordered) * 1000, p95 * 1000


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--seconds", type=float, default=15.0, help="load duration per endpoint")
    p.add_argument("--threads", type=int, default=4, help="concurrent client connections")
    args = p.parse_args()
    url, secret, sql = prepare(args)
    load_before = os.getloadavg()[0]
    env = {"HAZARDS_DATABASE_URL": url, "HAZARDS_INSTANCE_PATH": str(OUT_DIR / "instance"),
           "BENCH_DATABASE_URL": url, "BENCH_SQL": sql, "PYTHONPATH": os.getcwd()}
    endpoints = (
        ("app", "hazards.app:create_app()", 5181, "/api/v1/hazards?limit=50", True),
        ("bare", "bench.api_list:bare_app()", 5182, "/", False),
    )
    headers = {"Authorization": f"Bearer {secret}", "Accept": "application/json"}
    procs = []
    try:
        for _name, target, port, _path, _follow in endpoints:
            procs.append(serve(target, port, env))
        for _name, _target, port, path, follow in endpoints:
            load(port, path, headers, 2.0, args.threads, follow)  # warm both workers
        # In turns, a slice at a time: on a shared machine the load then weighs on both alike.
        measured = {name: (0, []) for name, *_ in endpoints}
        slices = max(1, round(args.seconds / SLICE_SECONDS))
        for _ in range(slices):
            for name, _target, port, path, follow in endpoints:
                count, latencies = load(port, path, headers, args.seconds / slices, args.threads, follow)
                measured[name] = (measured[name][0] + count, measured[name][1] + latencies)
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    results = {name: figures(count, latencies, args.seconds) for name, (count, latencies) in measured.items()}
    (app_rps, app_med, app_p95), (bare_rps, bare_med, bare_p95) = results["app"], results["bare"]
    print(f"API list, {args.backend}, {args.hazards:,} hazards, gunicorn 2 workers, {args.threads} clients, "
          f"pages of 50: app {app_rps:.0f} req/s, median {app_med:.0f} ms, p95 {app_p95:.0f} ms | "
          f"bare SQL endpoint {bare_rps:.0f} req/s, median {bare_med:.0f} ms, p95 {bare_p95:.0f} ms | "
          f"throughput ratio bare/app {bare_rps / app_rps:.2f}× | load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after")


if __name__ == "__main__":
    main()
