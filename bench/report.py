"""Completion report for a province at N hazards: build_report against the bare SQL it runs.

    python -m bench.report --backend spatialite --hazards 100000 --repeat 5

The synthetic ledger (bench/synthetic.py) spreads hazards over Xinzhou's counties; the report is
asked for Shanxi (140000), so every count rolls up county -> city -> province. Funding lines are
added once (two per closed hazard, one per open one) so the money query has work to do. The bare
run executes the statements `report_statements` returns, compiled to SQL text, on the raw DBAPI
cursor: the ratio says what the Python around them (roll-up, ranking, dataclasses) costs.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select

from bench.common import app_for, database_url, ensure_hazards, parser, summary, timed
from hazards.db import get_session
from hazards.domain.enums import FundingKind, FundingSource, Status
from hazards.models import FundingEntry, Hazard
from hazards.reports import build_report, parse_period
from hazards.reports.build import report_statements

PROVINCE = "140000"


def ensure_funding(session, chunk: int = 20_000) -> int:
    """Budget and spending lines for the synthetic hazards, written once (deterministic amounts)."""
    have = session.scalar(select(func.count(FundingEntry.id)))
    if have:
        return have
    rng = random.Random(11)
    rows = []
    for hazard_id, status, found in session.execute(select(Hazard.id, Hazard.status, Hazard.found_on)):
        source = rng.choice(list(FundingSource))
        rows.append({"hazard_id": hazard_id, "kind": FundingKind.BUDGET, "source": source,
                     "amount": Decimal(rng.randrange(100_000, 5_000_000)) / 100, "entry_date": found})
        if status is Status.CLOSED:
            rows.append({"hazard_id": hazard_id, "kind": FundingKind.SPENDING, "source": source,
                         "amount": Decimal(rng.randrange(50_000, 4_000_000)) / 100,
                         "entry_date": found + timedelta(days=rng.randrange(10, 200))})
    for start in range(0, len(rows), chunk):
        session.execute(insert(FundingEntry), rows[start:start + chunk])
        session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql("ANALYZE")
        session.commit()
    return len(rows)


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--year", type=int, default=2024)
    p.set_defaults(repeat=5)
    args = p.parse_args()
    # A database of its own: the funding lines must not change what the other benchmarks measure.
    app = app_for(database_url(args.backend, f"hazards_bench_report_{args.hazards}"))
    period = parse_period(args.year)
    today = date(args.year + 1, 1, 20)
    with app.app_context():
        session = get_session()
        ensure_hazards(session, args.hazards)
        lines = ensure_funding(session)
        bind = session.get_bind()
        statements = report_statements(session, PROVINCE, period, (), min(period.end, today))
        sqls = {name: str(stmt.compile(bind, compile_kwargs={"literal_binds": True}))
                for name, stmt in statements.items()}

        def through_app():
            return build_report(session, PROVINCE, period, today=today)

        def bare():
            cursor = session.connection().connection.dbapi_connection.cursor()
            rows = {}
            for name, sql in sqls.items():
                cursor.execute(sql)
                rows[name] = cursor.fetchall()
            cursor.close()
            return rows

        app_times, report = timed(through_app, args.repeat)
        sql_times, rows = timed(bare, args.repeat)
        assert len(rows["overdue"]) == len(report.overdue)
        assert sum(r[3] for r in rows["counts"]) == report.total.counts.completed
        assert sum(r[-1] for r in rows["counts"]) == report.overdue_count
        a, s = summary(app_times), summary(sql_times)
        print(f"completion report for {PROVINCE}, {period.label_en}, {args.backend}, {args.hazards:,} hazards, "
              f"{lines:,} funding lines, {args.repeat} runs each")
        print(f"  build_report: median {a['median_ms']:.0f} ms, p95 {a['p95_ms']:.0f} ms")
        print(f"  the {len(sqls)} statements alone: median {s['median_ms']:.0f} ms, p95 {s['p95_ms']:.0f} ms")
        print(f"  ratio {a['median_ms'] / s['median_ms']:.2f}x | completed {report.total.counts.completed:,}, "
              f"on the list {report.total.counts.total:,}, overdue {report.overdue_count:,} "
              f"(listed {len(report.overdue)}), aggregate rows {len(rows['counts'])} + {len(rows['money'])} money")
        for name, sql in sqls.items():
            one, _ = timed(lambda sql=sql: session.connection().exec_driver_sql(sql).fetchall(), 3)
            print(f"    {name}: median {summary(one)['median_ms']:.0f} ms")


if __name__ == "__main__":
    main()
