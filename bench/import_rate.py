"""Import rate: rows per second for a CSV of N hazards, checked and written, against the bare INSERT it rests on.

    python -m bench.import_rate --backend spatialite --hazards 100000
    python -m bench.import_rate --backend postgis --hazards 100000

Three figures, each on a freshly migrated, empty database:
- check only (`--dry-run`): read, parse and validate every row, write nothing;
- import: the same, then write the hazards, their categories and status history (what `hazards import` does);
- bare SQL: the hazards rows alone, already parsed, inserted with one executemany and the geometry built
  by the database from WKT. It is what the import cannot go below on this database.
"""

from __future__ import annotations

import time

from sqlalchemy import bindparam, func, insert, select

from bench.common import OUT_DIR, PG_SERVER, app_for, parser
from bench.synthetic import write_csv
from hazards.db import get_session
from hazards.io.importer import import_hazards
from hazards.permissions import SYSTEM
from hazards.models import Hazard


def fresh_url(backend: str, name: str) -> str:
    if backend == "spatialite":
        path = OUT_DIR / f"{name}.sqlite"
        OUT_DIR.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import os

    import psycopg

    name = os.environ.get("BENCH_DB_PREFIX", "") + name  # apart from other checkouts benchmarking at once
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def run_import(backend: str, csv_path, dry_run: bool) -> tuple[float, int, list[dict]]:
    app = app_for(fresh_url(backend, "hazards_bench_import"))
    with app.app_context():
        session = get_session()
        start = time.perf_counter()
        report = import_hazards(session, csv_path, dry_run=dry_run, max_bytes=1 << 34, actor=SYSTEM)
        session.commit()
        seconds = time.perf_counter() - start
        assert not report.errors, report.errors[:3]
        rows = []
        if not dry_run:
            table = Hazard.__table__
            columns = [c for c in table.columns if c.name not in ("id", "geom")]
            query = select(*columns, func.ST_AsText(table.c.geom).label("wkt"))
            rows = [dict(r._mapping) for r in session.execute(query)]
        return seconds, report.rows_read, rows


def run_bare(backend: str, rows: list[dict]) -> float:
    """The same hazards rows, inserted directly: one executemany, geometry from WKT in the database."""
    app = app_for(fresh_url(backend, "hazards_bench_import"))
    statement = insert(Hazard.__table__).values(geom=func.ST_GeomFromText(bindparam("wkt"), 4326))
    with app.app_context():
        session = get_session()
        start = time.perf_counter()
        for i in range(0, len(rows), 5000):
            session.execute(statement, rows[i:i + 5000])
        session.commit()
        return time.perf_counter() - start


def main() -> None:
    p = parser(__doc__)
    args = p.parse_args()
    csv_path = OUT_DIR / f"import_{args.hazards}.csv"
    OUT_DIR.mkdir(exist_ok=True)
    if not csv_path.exists():
        write_csv(csv_path, args.hazards)
    size_mb = csv_path.stat().st_size / 1e6

    check_s, n, _ = run_import(args.backend, csv_path, dry_run=True)
    import_s, n, rows = run_import(args.backend, csv_path, dry_run=False)
    bare_s = run_bare(args.backend, rows)
    print(f"import, {args.backend}, {n:,} rows ({size_mb:.1f} MB CSV): "
          f"check only {n / check_s:,.0f} rows/s ({check_s:.1f} s) | "
          f"import {n / import_s:,.0f} rows/s ({import_s:.1f} s) | "
          f"bare INSERT of the hazards rows {n / bare_s:,.0f} rows/s ({bare_s:.1f} s), "
          f"import/bare time ratio {import_s / bare_s:.2f}×")


if __name__ == "__main__":
    main()
