"""Import rate: rows per second for a CSV of N hazards, checked and written, against the database's own bulk load.

    python -m bench.import_rate --backend spatialite --hazards 100000
    python -m bench.import_rate --backend postgis --hazards 100000

Figures, each on a freshly migrated, empty ledger (the demo's county boundaries, which the rows lie in):
- check only (`--dry-run`): read, parse and validate every row, write nothing;
- import: the same, then write the hazards, their categories, first status-history rows and funding lines
  (what `hazards import` does); its write phase is the import's time less the check's;
- floor: the very rows the import wrote (every table), loaded into another fresh ledger by the database's
  fastest path: PostgreSQL's COPY of the rows in its own text form (`COPY … TO STDOUT` from the imported
  ledger, `COPY … FROM STDIN` into the fresh one); on SpatiaLite one executemany per table of the stored
  values (the geometry as its stored blob, the R*Tree and the full-text table filled after the rows), in
  one transaction. It is
  what the import cannot go below.
"""

from __future__ import annotations

import os
import time

from bench.common import OUT_DIR, PG_SERVER, app_for, parser
from bench.synthetic import write_csv
from hazards.db import get_session
from hazards.io.importer import import_hazards
from hazards.permissions import SYSTEM

#: What an import writes, parents first.
TABLES = ("hazards", "hazard_categories", "hazard_measures", "status_changes", "funding_entries")


def fresh_url(backend: str, name: str) -> str:
    if backend == "spatialite":
        path = OUT_DIR / f"{name}.sqlite"
        OUT_DIR.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    name = os.environ.get("BENCH_DB_PREFIX", "") + name  # apart from other checkouts benchmarking at once
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def run_import(backend: str, csv_path, dry_run: bool) -> tuple[float, int, str]:
    url = fresh_url(backend, "hazards_bench_import")
    app = app_for(url)
    with app.app_context():
        session = get_session()
        start = time.perf_counter()
        report = import_hazards(session, csv_path, dry_run=dry_run, max_bytes=1 << 34, actor=SYSTEM)
        session.commit()
        seconds = time.perf_counter() - start
        assert not report.errors, report.errors[:3]
        assert dry_run or len(report.created) == report.rows_read
    return seconds, report.rows_read, url


def run_floor(backend: str, imported_url: str) -> float:
    """The imported ledger's rows loaded into a fresh one by the database's bulk path, with the commit."""
    target_url = fresh_url(backend, "hazards_bench_import_floor")
    app_for(target_url)  # migrated, with the reference data and boundaries the rows point at
    if backend == "postgis":
        import psycopg

        def connect(url):
            return psycopg.connect(url.replace("postgresql+psycopg", "postgresql"))

        with connect(imported_url) as source:
            dumps = {}
            for table in TABLES:
                with source.cursor().copy(f"COPY {table} TO STDOUT") as copy:
                    dumps[table] = b"".join(bytes(block) for block in copy)
        with connect(target_url) as target:
            start = time.perf_counter()
            with target.cursor() as cur:
                for table in TABLES:
                    with cur.copy(f"COPY {table} FROM STDIN") as copy:
                        copy.write(dumps[table])
            target.commit()
            return time.perf_counter() - start

    import pysqlite3.dbapi2 as sqlite3

    from geo.engine import SPATIALITE_MODULE
    from hazards.services.bulk_insert import indexes_filled_after

    source = sqlite3.connect(imported_url.removeprefix("sqlite:///"))
    data = {}
    for table in TABLES:
        columns = [r[1] for r in source.execute(f"PRAGMA table_info({table})")]
        data[table] = (columns, source.execute(f"SELECT * FROM {table}").fetchall())
    source.close()
    target = sqlite3.connect(target_url.removeprefix("sqlite:///"), isolation_level=None)
    target.enable_load_extension(True)
    target.load_extension(SPATIALITE_MODULE)  # the geometry column's triggers call it
    # As the app runs, with the import's page cache for a bulk write (BulkInserter.large_cache).
    for pragma in ("foreign_keys = ON", "journal_mode = WAL", "synchronous = NORMAL", "cache_size = -131072"):
        target.execute(f"PRAGMA {pragma}")
    start = time.perf_counter()
    cur = target.cursor()
    cur.execute("BEGIN IMMEDIATE")
    for table, (columns, rows) in data.items():
        # The hazards' R*Tree and full-text table filled after the rows, as the import does: the faster here.
        with indexes_filled_after(cur, table, "geom" if table == "hazards" else None):
            cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                            rows)
    cur.execute("COMMIT")
    seconds = time.perf_counter() - start
    target.close()
    return seconds


def main() -> None:
    p = parser(__doc__)
    args = p.parse_args()
    csv_path = OUT_DIR / f"import_{args.hazards}.csv"
    OUT_DIR.mkdir(exist_ok=True)
    if not csv_path.exists():
        write_csv(csv_path, args.hazards)
    size_mb = csv_path.stat().st_size / 1e6

    check_s, n, _ = run_import(args.backend, csv_path, dry_run=True)
    import_s, n, url = run_import(args.backend, csv_path, dry_run=False)
    floor_s = run_floor(args.backend, url)
    write_s = max(import_s - check_s, 1e-9)
    print(f"import, {args.backend}, {n:,} rows ({size_mb:.1f} MB CSV): "
          f"check only {n / check_s:,.0f} rows/s ({check_s:.2f} s) | "
          f"check + write {n / import_s:,.0f} rows/s ({import_s:.2f} s; the write phase {write_s:.2f} s, "
          f"{n / write_s:,.0f} rows/s) | "
          f"floor ({'COPY' if args.backend == 'postgis' else 'plain executemany'} of the same rows) "
          f"{n / floor_s:,.0f} rows/s ({floor_s:.2f} s) | "
          f"ratio to the floor: import {import_s / floor_s:.2f}×, write phase {write_s / floor_s:.2f}× | "
          f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
