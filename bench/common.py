"""Shared benchmark plumbing: a database of N synthetic hazards on either backend, and timing."""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--backend", choices=["spatialite", "postgis"], default="spatialite")
    p.add_argument("--hazards", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=40, help="timed runs per measurement")
    return p


def database_url(backend: str, name: str) -> str:
    if backend == "spatialite":
        OUT_DIR.mkdir(exist_ok=True)
        return f"sqlite:///{OUT_DIR / (name + '.sqlite')}"
    import psycopg

    # Two checkouts benchmarking on one PostgreSQL at once keep apart by a prefix of their own.
    name = os.environ.get("BENCH_DB_PREFIX", "") + name
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def app_for(url: str):
    """An app on `url`, migrated, with reference data."""
    from flask_migrate import upgrade

    from hazards.app import create_app
    from hazards.db import get_session
    from hazards.services.reference import ensure_reference_data

    OUT_DIR.mkdir(exist_ok=True)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(OUT_DIR / "instance")})
    with app.app_context():
        upgrade()
        session = get_session()
        ensure_reference_data(session)
        # The demo's county boundaries: zoomed-out map views cluster per county, as in production.
        from hazards.demo.geography import build_geography
        from hazards.demo.ledger import write_boundaries

        write_boundaries(session, build_geography())
        session.commit()
    return app


def ensure_hazards(session, n: int, chunk: int = 5000) -> None:
    """Top the ledger up to exactly n synthetic hazards (kept between runs: generating is slow)."""
    from bench.synthetic import drafts
    from hazards.models import Hazard
    from hazards.services.reference import ReferenceData
    from hazards.services.registration import register_hazards

    have = session.scalar(select(func.count(Hazard.id)))
    if have == n:
        return
    if have:
        raise SystemExit(f"the bench database has {have} hazards, not {n}: delete it (bench/out) and rerun")
    # Above 100,000 on PostGIS, register 100,000 and copy them in SQL with jittered positions and
    # suffixed codes: registering a million one by one would take most of an hour here.
    copies = n // 100_000 if n > 100_000 and n % 100_000 == 0 and session.get_bind().dialect.name == "postgresql" else 1
    ref = ReferenceData(session)
    batch = []
    for d in drafts(n // copies):
        batch.append(d)
        if len(batch) == chunk:
            register_hazards(session, batch, ref=ref, action="bench")
            session.commit()
            batch = []
    if batch:
        register_hazards(session, batch, ref=ref, action="bench")
        session.commit()
    if copies > 1:
        base_max_id = session.scalar(select(func.max(Hazard.id)))
        table = Hazard.__table__
        others = [c.name for c in table.columns if c.name not in ("id", "code", "geom")]
        names = ", ".join(others)
        for k in range(1, copies):
            session.connection().exec_driver_sql(
                f"INSERT INTO hazards (code, geom, {names}) "
                f"SELECT code || '-{k}', ST_Translate(geom, (random() - 0.5) * 0.02, (random() - 0.5) * 0.02), {names} "
                f"FROM hazards WHERE id <= {int(base_max_id)}")
            session.commit()
    from geo.engine import refresh_statistics

    refresh_statistics(session.connection())
    session.commit()


def province_supervisor_client(args, login: str = "bench-pages", password: str = "bench-password-1"):
    """(app, a test client signed in as the province's supervisor) on the ledger of `args.hazards`
    synthetic hazards, for the benchmarks that read pages as that supervisor."""
    from hazards.db import get_session

    app = app_for(database_url(args.backend, f"hazards_bench_{args.hazards}"))
    app.config.update(SESSION_COOKIE_SECURE=False, WTF_CSRF_ENABLED=False)
    with app.app_context():
        session = get_session()
        ensure_hazards(session, args.hazards)
        supervisor(session, login, "140000", password)
    client = app.test_client()
    client.post("/login", data={"login": login, "password": password})
    return app, client


def supervisor(session, login: str, jurisdiction_code: str, password: str = "bench-password-1"):
    """The benchmark's supervisor of a division, created the first time (kept with the ledger)."""
    from hazards.models import User
    from hazards.services.users import create_user

    user = session.scalar(select(User).where(User.login == login))
    if user is None:
        user = create_user(session, login=login, password=password, role="supervisor",
                           jurisdiction_code=jurisdiction_code)
        session.commit()
    return user


def timed(fn: Callable[[], object], repeat: int) -> tuple[list[float], object]:
    """Run fn once to warm up, then `repeat` times; wall-clock seconds of each timed run."""
    result = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def timed_pair(fn: Callable[[], object], floor: Callable[[], object], repeat: int):
    """`timed` for a feature and its floor, run in turns (one of each, `repeat` times) after a warm-up
    of both: on a shared machine the load then weighs on both alike. ((times, result), (times, result))."""
    results = [fn(), floor()]
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for i, f in enumerate((fn, floor)):
            start = time.perf_counter()
            results[i] = f()
            times[i].append(time.perf_counter() - start)
    return (times[0], results[0]), (times[1], results[1])


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"median_ms": statistics.median(ordered) * 1000, "p95_ms": p95 * 1000}
