"""The list's text search (`q`) against a plain list page, at N hazards, as the province's supervisor.

    python -m bench.text_search --backend spatialite --hazards 100000

Each list page through the Flask test client (median of `--repeat` runs after one warm-up); the
floor is the plain first page of the list (`/hazards`, newest first), measured in the same run, and
each search is printed with its ratio to it. The searches: a route code no synthetic title holds
(`G208`: the issue's figure, nothing found), a few hazards (`合成隐患 4711`), one year's codes of
one county, and the word every synthetic title holds (the index finds all 100,000 rows; the worst
case). Two characters (`隐患`) cannot use trigrams and show the plain scan they fall back to.
A page's time is mostly the page around the list (for the province's supervisor at 100k, the header's
to-do count alone takes most of it), so the list's own queries are timed too, against the plain
list's; then each search's count alone, through the trigram index and by the LIKE scan it replaces.
"""

from __future__ import annotations

import statistics
import time
from urllib.parse import quote

from sqlalchemy import func, or_, select

from bench.common import parser, province_supervisor_client, summary, timed
from hazards.db import get_session

LOGIN = "bench-pages"  # province_supervisor_client's
SEARCHES = ["G208", "合成隐患 4711", "140902-2025", "合成隐患", "隐患"]


def main() -> None:
    args = parser(__doc__).parse_args()
    app, client = province_supervisor_client(args)

    def median_of(url: str) -> tuple[float, float, int]:
        def page():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response.get_data()

        times, body = timed(page, args.repeat)
        s = summary(times)
        return s["median_ms"], s["p95_ms"], len(body)

    print(f"text search, {args.backend}, {args.hazards:,} hazards, province supervisor, {args.repeat} runs each")
    floor, floor_p95, _ = median_of("/hazards")
    print(f"  {'/hazards (the floor)':40s} median {floor:6.1f} ms  p95 {floor_p95:6.1f} ms")
    for text in SEARCHES:
        median, p95, _ = median_of(f"/hazards?q={quote(text)}")
        print(f"  {'/hazards?q=' + text:40s} median {median:6.1f} ms  p95 {p95:6.1f} ms  {median / floor:5.2f}× the floor")

    print("  the list's own queries (count and page of 50 with their related rows, no template):")
    from hazards import clock
    from hazards.models import User
    from hazards.queries import hazard_list as listing

    with app.app_context():
        session = get_session()
        user = session.scalar(select(User).where(User.login == LOGIN))

        def list_work(text):
            def run():
                stmt = listing.filtered(user, listing.HazardFilters(text=text), clock.today())
                page = listing.page_of(session, stmt, "found", 1, 50)
                session.expunge_all()
                return page
            return run

        floor = _median(list_work(None), args.repeat)
        print(f"    {'(no search)':14s} {floor:7.1f} ms  (the floor)")
        for text in SEARCHES:
            took = _median(list_work(text), args.repeat)
            print(f"    {text:14s} {took:7.1f} ms  {took / floor:5.2f}× the floor")
        session.rollback()

    print("  the search's count alone (SQL only): through the trigram index vs the LIKE scan of every row")
    from hazards.models import Hazard
    from hazards.queries import text_search

    with app.app_context():
        session = get_session()
        for text in SEARCHES:
            like = f"%{text}%"
            # `column || ''` is the column (NULL stays NULL) out of any index's reach: the scan it replaces.
            scan = or_(*(column.op("||")("").like(like) for column in (Hazard.code, Hazard.title, Hazard.road_name)))
            indexed = select(func.count()).select_from(Hazard).where(text_search.matching(text))
            plain = select(func.count()).select_from(Hazard).where(scan)
            found = session.scalar(indexed)
            assert found == session.scalar(plain), text
            a, b = _median(lambda: session.scalar(indexed), args.repeat), _median(lambda: session.scalar(plain), args.repeat)
            print(f"    {text:14s} {found:7,} found  index {a:7.1f} ms  scan {b:7.1f} ms")
        session.rollback()


def _median(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


if __name__ == "__main__":
    main()
