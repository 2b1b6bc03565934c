"""Crash import rate: a generated export of N crashes in the demo city's counties, checked and written.

    python -m bench.crash_import --backend spatialite --crashes 100000
    python -m bench.crash_import --backend postgis --crashes 100000

Each run is on a freshly migrated ledger with the demo's county boundaries. A third of the rows give
their 行政区划, a third only a point (their division found from the boundaries), a third only a
route and stake on a road the ledger does not hold (kept without a point). Figures: the check alone
(`--dry-run`) and the whole import (check and write), in seconds and rows per second; then, on the
written ledger, the same file again with `update_existing` (every row unchanged) and a revised export
with one death more on every tenth crash (a tenth of the rows updated).
"""

from __future__ import annotations

import csv
import random
import time
from datetime import datetime, timedelta

from bench.common import OUT_DIR, app_for
from bench.import_rate import fresh_url
from hazards.db import get_session
from hazards.io.crash_import import import_crashes
from hazards.permissions import SYSTEM

FORMS = ("追尾", "正面相撞", "侧面相撞", "刮撞行人", "翻车", "撞固定物")


def write_export(path, n: int, points: list[tuple[float, float, str]], *, revised: bool = False) -> None:
    rng = random.Random(18)
    start = datetime(2022, 1, 1)
    with open(path, "w", encoding="gbk", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["事故编号", "事故时间", "经度", "纬度", "路线编号", "桩号", "行政区划", "死亡人数", "受伤人数",
                      "事故形态", "当事人姓名", "号牌号码"])
        for i in range(n):
            lon, lat, code = points[i % len(points)]
            when = start + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
            kind = i % 3
            place = ([f"{lon + rng.uniform(-0.01, 0.01):.6f}", f"{lat + rng.uniform(-0.01, 0.01):.6f}", "", ""]
                     if kind < 2 else ["", "", "X%03d" % rng.randrange(1, 50), f"K{rng.randrange(0, 40)}+{rng.randrange(1000):03d}"])
            out.writerow([f"SG{i:08d}", when.strftime("%Y-%m-%d %H:%M"), *place, code if kind != 1 else "",
                          int(rng.random() < 0.05) + (revised and i % 10 == 0), rng.randrange(0, 4), rng.choice(FORMS),
                          "张三", "晋H12345"])


def county_points(session) -> list[tuple[float, float, str]]:
    from shapely import from_wkb
    from sqlalchemy import func, select

    from hazards.models import Jurisdiction

    rows = session.execute(select(Jurisdiction.code, func.ST_AsBinary(func.ST_PointOnSurface(Jurisdiction.boundary)))
                           .where(Jurisdiction.boundary.is_not(None), Jurisdiction.code.like("1409%"),
                                  Jurisdiction.code != "140900")).all()
    return [(p.x, p.y, code) for code, blob in rows for p in [from_wkb(bytes(blob))]]


def main() -> None:
    import argparse

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--backend", choices=["spatialite", "postgis"], default="spatialite")
    p.add_argument("--crashes", type=int, default=100_000)
    args = p.parse_args()
    path = OUT_DIR / f"crashes-{args.crashes}.csv"
    for dry_run in (True, False):
        app = app_for(fresh_url(args.backend, "hazards_bench_crashes"))
        with app.app_context():
            session = get_session()
            if not path.exists():
                write_export(path, args.crashes, county_points(session))
            start = time.perf_counter()
            report = import_crashes(session, path, actor=SYSTEM, dry_run=dry_run, max_bytes=1 << 34)
            session.commit()
            seconds = time.perf_counter() - start
            assert not report.errors, [str(e) for e in report.errors[:3]]
            what = "check only" if dry_run else "check and write"
            print(f"{args.backend} {what}: {report.rows_read} rows in {seconds:.1f} s "
                  f"({report.rows_read / seconds:,.0f} rows/s); written {report.written}, "
                  f"without a point {report.without_point}")
            if not dry_run:
                revised = OUT_DIR / f"crashes-{args.crashes}-revised.csv"
                if not revised.exists():
                    write_export(revised, args.crashes, county_points(session), revised=True)
                for label, again in (("same file, update", path), ("revised file, update", revised)):
                    start = time.perf_counter()
                    report = import_crashes(session, again, actor=SYSTEM, update_existing=True, max_bytes=1 << 34)
                    session.commit()
                    seconds = time.perf_counter() - start
                    assert not report.errors, [str(e) for e in report.errors[:3]]
                    print(f"{args.backend} {label}: {report.rows_read} rows in {seconds:.1f} s "
                          f"({report.rows_read / seconds:,.0f} rows/s); updated {report.updated}, "
                          f"unchanged {report.unchanged}")


if __name__ == "__main__":
    main()
