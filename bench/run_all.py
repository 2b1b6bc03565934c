"""`make bench`: every benchmark, one after the other, on both backends, each printing its figures.

    python -m bench.run_all [--hazards 100000] [--million]

`--million` adds the 1,000,000-hazard runs on PostGIS (tally, map endpoint, API list, and crash
identification over 1,000,000 crashes); generating that
database takes a while the first time (it is kept in bench/out or the hazards_bench_1000000 database).
Figures depend on the machine and on what else it is doing: compare ratios, not milliseconds.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

RUNS = [
    ("bench.division_registry", []),
    ("bench.import_rate", []),
    ("bench.gis_import", []),
    ("bench.bbox_query", ["--repeat", "30"]),
    ("bench.map_endpoint", ["--repeat", "30"]),
    ("bench.tally", ["--repeat", "10"]),
    ("bench.api_list", ["--seconds", "15"]),
    ("bench.report", []),
    ("bench.pages", ["--repeat", "10"]),
    ("bench.text_search", ["--repeat", "20"]),
    ("bench.crash_identification", ["--repeat", "3"]),
]
BROWSER = ("bench.map_browser", "spatialite")  # one backend is enough to feel the page


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--hazards", type=int, default=100_000)
    p.add_argument("--million", action="store_true")
    args = p.parse_args()
    plan = [(module, backend, args.hazards, extra) for module, extra in RUNS for backend in ("spatialite", "postgis")]
    plan.append((BROWSER[0], BROWSER[1], args.hazards, []))
    if args.million:
        plan += [("bench.tally", "postgis", 1_000_000, ["--repeat", "5"]),
                 ("bench.map_endpoint", "postgis", 1_000_000, ["--repeat", "20"]),
                 ("bench.api_list", "postgis", 1_000_000, ["--seconds", "15"]),
                 ("bench.crash_identification", "postgis", 1_000_000, ["--repeat", "3"])]
    failed = []
    for module, backend, hazards, extra in plan:
        command = [sys.executable, "-m", module, "--backend", backend, "--hazards", str(hazards), *extra]
        print(f"$ {' '.join(command[1:])}", flush=True)
        if subprocess.call(command) != 0:
            failed.append(f"{module} ({backend})")
    if failed:
        raise SystemExit("failed: " + ", ".join(failed))


if __name__ == "__main__":
    main()
