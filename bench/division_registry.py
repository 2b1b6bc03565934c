"""Loading the national division registry (`hazards init`) against a plain executemany of the same rows.

    python -m bench.division_registry --backend spatialite

Each timed run starts from an empty jurisdictions table and ends with the commit, as an operator's
first `hazards init` does; the second figure is a rerun on a full table (nothing to change), the
third the registry file read and checked.
"""

from __future__ import annotations

import time

from flask_migrate import upgrade
from sqlalchemy import delete

from bench.common import OUT_DIR, database_url, parser, summary, timed
from hazards.app import create_app
from hazards.db import get_session
from hazards.models import Jurisdiction
from hazards.services.division_registry import load_registry, read_registry

BARE_INSERT = ("INSERT INTO jurisdictions (code, name, name_en, level, parent_code, active) "
               "VALUES ({0}, {0}, {0}, {0}, {0}, {0})")


def main() -> None:
    args = parser(__doc__).parse_args()
    OUT_DIR.mkdir(exist_ok=True)
    app = create_app({"DATABASE_URL": database_url(args.backend, "hazards_bench_registry"),
                      "INSTANCE_PATH": str(OUT_DIR / "instance")})
    with app.app_context():
        upgrade()
        session = get_session()
        registry = read_registry()
        rows = [(d.code, d.name, d.name_en, d.level.value, d.parent_code, True) for d in registry.divisions.values()]
        placeholder = "?" if args.backend == "spatialite" else "%s"

        def empty():
            session.execute(delete(Jurisdiction))
            session.commit()

        def bare():
            cursor = session.connection().connection.cursor()
            cursor.executemany(BARE_INSERT.format(placeholder), rows)
            session.commit()

        def load():
            outcome = load_registry(session)
            session.commit()
            return outcome

        def emptied_then(fn):
            def run():
                empty()
                start = time.perf_counter()
                result = fn()
                return time.perf_counter() - start, result
            return run

        repeat = max(3, args.repeat // 4)
        bare_times = [emptied_then(bare)()[0] for _ in range(repeat)]
        load_runs = [emptied_then(load)() for _ in range(repeat)]
        load_times = [seconds for seconds, _ in load_runs]
        assert len(load_runs[-1][1].added) == len(rows)
        rerun_times, rerun = timed(load, repeat)
        assert not (rerun.added or rerun.updated or rerun.retired)

        def read_file():
            read_registry.cache_clear()
            return read_registry()

        read_times, _ = timed(read_file, repeat)
        b, f, r, c = summary(bare_times), summary(load_times), summary(rerun_times), summary(read_times)
        print(f"division registry, {args.backend}, {len(rows):,} divisions: bare executemany + commit median "
              f"{b['median_ms']:.0f} ms | load_registry into an empty table + commit median {f['median_ms']:.0f} ms, "
              f"ratio {f['median_ms'] / b['median_ms']:.2f}× | rerun, nothing to change {r['median_ms']:.0f} ms | "
              f"reading the file {c['median_ms']:.0f} ms")


if __name__ == "__main__":
    main()
