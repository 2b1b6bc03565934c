"""The supervisor's map in headless Chromium with N hazards in the database: is it still responsive?

    python -m bench.map_browser --hazards 100000 [--backend spatialite]

Serves the app on the benchmark database (made by the other benchmarks), logs in as a supervisor of
the province, opens /map and times, as a person would feel them: the first view drawn, a pan to a
new bounding box drawn, a zoom in to one county seat (single hazards, not clusters) drawn, and a
popup opened. All outside hosts are blocked. Saves a
screenshot to bench/out/map-<N>.png. Each figure is from the moment of the action to the moment the
map's status line shows the new count (the page's own "drawn" signal).
"""

from __future__ import annotations

import threading
import time

from werkzeug.serving import make_server

from bench.common import OUT_DIR, app_for, database_url, ensure_hazards, parser, supervisor
from scripts.readme_screenshots import launch, login, offline_page

LOGIN, PASSWORD = "bench-map-browser", "bench-password-1"


def main() -> None:
    from playwright.sync_api import sync_playwright

    from hazards.db import get_session

    args = parser(__doc__).parse_args()
    app = app_for(database_url(args.backend, f"hazards_bench_{args.hazards}"))
    app.config.update(SESSION_COOKIE_SECURE=False)
    with app.app_context():
        session = get_session()
        ensure_hazards(session, args.hazards)
        supervisor(session, LOGIN, "140900", PASSWORD)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    timings: dict[str, float] = {}

    with sync_playwright() as pw:
        browser = launch(pw)
        page, outside = offline_page(browser, base)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        login(page, base, LOGIN, PASSWORD)

        def drawn_after(action, name):
            status = page.locator("#map-status")
            before = status.inner_text() if status.count() else ""
            start = time.perf_counter()
            with page.expect_response(lambda r: "/api/v1/hazards.geojson" in r.url, timeout=60000):
                action()
            page.wait_for_load_state("networkidle")
            # drawn: the status line shows a count again, not the old one and not "loading"
            page.wait_for_function(
                "(b) => { const t = document.getElementById('map-status').textContent;"
                " return t !== b && t !== document.getElementById('hazard-map-config').dataset.loading; }",
                arg=before, timeout=60000)
            timings[name] = (time.perf_counter() - start) * 1000

        map_js = "window[document.getElementById('hazard-map-config').dataset.mapName]"
        drawn_after(lambda: page.goto(f"{base}/map"), "first view")
        html_bytes = len(page.content().encode())
        drawn_after(lambda: page.evaluate(f"() => {map_js}.panBy([400, 150])"), "pan")
        drawn_after(lambda: page.evaluate(f"() => {map_js}.setView([38.42, 112.73], 12)"), "zoom in to a county seat")
        start = time.perf_counter()
        page.evaluate(f"""() => {{ const m = {map_js}, c = m.getCenter(); let best = null, d = Infinity;
            m.eachLayer(l => {{ if (l.feature && l.feature.properties && l.feature.properties.code && l.getLatLng) {{
                const e = l.getLatLng().distanceTo(c); if (e < d) {{ d = e; best = l; }} }} }});
            best.fire('click'); }}""")
        page.wait_for_selector(".leaflet-popup-content a", timeout=30000)
        timings["popup"] = (time.perf_counter() - start) * 1000
        OUT_DIR.mkdir(exist_ok=True)
        shot = OUT_DIR / f"map-{args.hazards}.png"
        page.wait_for_timeout(1000)  # nothing may close the popup meanwhile (a redraw would)
        popup_still_open = page.locator(".leaflet-popup-content a").count() == 1
        page.screenshot(path=str(shot))
        status = page.locator("#map-status").inner_text()
        browser.close()
    server.shutdown()
    if not popup_still_open:
        raise SystemExit("the popup closed by itself after opening")
    if outside or errors:
        raise SystemExit(f"outside requests: {outside[:3]}; page errors: {errors[:3]}")
    print(f"map in Chromium, {args.backend}, {args.hazards:,} hazards: page HTML {html_bytes / 1024:.0f} KiB | "
          + " | ".join(f"{k} {v:.0f} ms" for k, v in timings.items()) + f" | status '{status}' | {shot}")


if __name__ == "__main__":
    main()
