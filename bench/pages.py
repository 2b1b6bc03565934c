"""The pages supervisors open most, at N hazards: dashboard, list (sorted, deep pages, filters), map, report.

    python -m bench.pages --backend spatialite --hazards 100000

Each page through the Flask test client as the province's supervisor (the widest view), median of
`--repeat` runs after one warm-up, with the HTML size. No bare-SQL ratio: each page runs several
queries; the benchmarks for the map endpoint, the tally and the report cover the heavy ones.
"""

from __future__ import annotations

from bench.common import parser, province_supervisor_client, summary, timed

PAGES = [
    "/dashboard", "/hazards", "/hazards?sort=deadline", "/hazards?page=500", "/hazards?overdue=1",
    "/hazards?q=G208", "/hazards?category=sharp_curve", "/map", "/reports?jurisdiction=140900&year=2025",
]


def main() -> None:
    args = parser(__doc__).parse_args()
    _app, client = province_supervisor_client(args)
    print(f"pages, {args.backend}, {args.hazards:,} hazards, province supervisor, {args.repeat} runs each")
    for url in PAGES:
        def page(url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response.get_data()

        times, body = timed(page, args.repeat)
        s = summary(times)
        print(f"  {url:42s} median {s['median_ms']:6.1f} ms  p95 {s['p95_ms']:6.1f} ms  {len(body) / 1024:6.0f} KiB")


if __name__ == "__main__":
    main()
