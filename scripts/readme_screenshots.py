"""Take the README's screenshots from a running demo (`make run`), in headless Chromium, offline.

    .venv/bin/python scripts/readme_screenshots.py [--base-url http://127.0.0.1:5000] [--out docs/img]

Logs in with the demo logins `seed-demo` prints (password demo-2024-xz) and saves one PNG per page.
Requests to any other host are blocked, as on a police intranet. `launch`, `offline_page` and `login`
are also used by the map benchmark (bench/map_browser.py).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from urllib.parse import urlparse

PASSWORD = "demo-2024-xz"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def launch(playwright):
    """Debian's Chromium, headless, with nothing of its own going out to the network."""
    return playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=ARGS)


def offline_page(browser, base: str, locale: str = "zh-CN"):
    """A page that may reach `base` only, as on a police intranet; returns (page, blocked URLs)."""
    own = urlparse(base).netloc
    blocked: list[str] = []

    def guard(route):
        if urlparse(route.request.url).netloc == own or route.request.url.startswith(("data:", "blob:")):
            return route.continue_()
        blocked.append(route.request.url)
        return route.abort()

    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale=locale)
    context.route("**/*", guard)
    return context.new_page(), blocked


def login(page, base: str, name: str, password: str = PASSWORD) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("input[name=login]", name)
    page.fill("input[name=password]", password)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_load_state("networkidle")


def main() -> None:
    from playwright.sync_api import sync_playwright

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--base-url", default="http://127.0.0.1:5000")
    p.add_argument("--out", default="docs/img")
    args = p.parse_args()
    base, out = args.base_url.rstrip("/"), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as pw:
        browser = launch(pw)
        page, blocked = offline_page(browser, base)

        login(page, base, "xinzhou")
        page.goto(f"{base}/")
        page.screenshot(path=str(out / "dashboard.png"), full_page=True)
        page.goto(f"{base}/hazards?overdue=1")
        page.screenshot(path=str(out / "hazard-list.png"))
        # The map at a desk's 1400×900, legend open, once its hazards and county shading are drawn.
        page.set_viewport_size({"width": 1400, "height": 900})
        page.goto(f"{base}/map")
        page.wait_for_selector(".leaflet-interactive", timeout=20000)
        page.wait_for_selector(".county-label", timeout=20000)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(800)
        page.screenshot(path=str(out / "map.png"))
        page.set_viewport_size({"width": 1280, "height": 860})
        page.goto(f"{base}/reports?jurisdiction=140900&year=2025")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out / "report-page.png"), full_page=False)
        page.goto(f"{base}/todo")
        page.screenshot(path=str(out / "todo.png"), full_page=False)
        # crash records: the crash-prone places found in them, each with its small map, and the list
        page.goto(f"{base}/crashes/places")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(800)
        page.screenshot(path=str(out / "crash-places.png"), full_page=False)
        page.goto(f"{base}/crashes?fatal=1")
        page.screenshot(path=str(out / "crash-records.png"), full_page=False)

        # a closed hazard with its photos and timeline
        page.goto(f"{base}/hazards?status=closed&level=city")
        page.click("table a[href*='/hazards/']")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(800)
        page.screenshot(path=str(out / "hazard-page.png"), full_page=True)

        login(page, base, "xinfu-inspector")
        page.goto(f"{base}/hazards/new")
        page.wait_for_timeout(1200)
        page.screenshot(path=str(out / "logging-form.png"))
        phone_screenshots(browser, base, out)
        browser.close()
    if blocked:
        raise SystemExit(f"the pages asked for outside hosts: {sorted(set(blocked))}")
    print(f"screenshots in {out}/")


#: The demo's open hazard at G55 K603+150 (缺护栏) in Xinfu, beside which the phone logs a new one.
NEAR_AN_OPEN_HAZARD = "112.79019,38.42449"


def phone_screenshots(browser, base: str, out: Path) -> None:
    """The inspector's flow at a phone's width (390×844): 我的隐患, and the logging form after a tap on
    the road filled route and stake and the duplicate question kept the photo."""
    import io
    import tempfile

    from PIL import Image

    page, _blocked = offline_page(browser, base)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, base, "xinfu-inspector")
    page.goto(f"{base}/hazards/mine")
    page.screenshot(path=str(out / "phone-mine.png"))
    page.goto(f"{base}/hazards/new")
    page.wait_for_load_state("networkidle")
    page.fill("input[name=title]", "G55线K603+200处桥头护栏缺失")
    page.check("input[name=categories][value=missing_guardrail]")
    page.fill("textarea[name=description]", "桥头护栏端部未做过渡段，夜间视线不良。")
    page.fill("#lon", NEAR_AN_OPEN_HAZARD)  # pasted as a phone's map app copies it: split, and the map follows
    page.locator("#picker").scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    box = page.locator("#picker").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # a tap on the road
    page.wait_for_timeout(1200)
    with tempfile.TemporaryDirectory() as folder:
        photo = Path(folder) / "现场.jpg"
        buffer = io.BytesIO()
        Image.new("RGB", (640, 480), (120, 130, 110)).save(buffer, "JPEG")
        photo.write_bytes(buffer.getvalue())
        page.set_input_files("#photos", str(photo))
        page.click("form#hazard-form button[type=submit]")
        page.wait_for_load_state("networkidle")
    page.screenshot(path=str(out / "phone-logging.png"), full_page=True)
    page.context.close()


if __name__ == "__main__":
    main()
