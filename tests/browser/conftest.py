"""A served app and a headless Chromium (Debian's), for tests that look at pages as a person does.

Every request to a host other than the app's own is blocked and recorded: the app must work on an
isolated intranet.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import unavailable
from tests.servers import fresh_ledger_app, serving

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("HAZARDS_SCREENSHOTS", Path(__file__).resolve().parents[2] / "build" / "screenshots"))


@pytest.fixture(scope="module")
def served(make_database, tmp_path_factory):
    """(base_url, app) of a live server on a fresh SpatiaLite ledger."""
    app = fresh_ledger_app(make_database, tmp_path_factory.mktemp("browser-instance"))
    with serving(app) as base_url:
        yield base_url, app


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        unavailable("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield chromium
        chromium.close()


class Visit:
    """A browser context that blocks the outside world and keeps screenshots."""

    def __init__(self, browser, base_url: str, viewport: tuple[int, int] = (1280, 900)):
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
        self.outside: list[str] = []
        own_host = urlparse(base_url).netloc
        self.context.route("**/*", self._guard(own_host))
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _guard(self, own_host: str):
        def handle(route):
            host = urlparse(route.request.url).netloc
            if host == own_host or route.request.url.startswith(("data:", "blob:")):
                return route.continue_()
            self.outside.append(route.request.url)
            return route.abort()
        return handle

    def go(self, path: str):
        self.page.goto(self.base_url + path)
        return self.page

    def login(self, login: str, password: str = "secret-pass"):
        self.go("/login")
        self.page.fill("input[name=login]", login)
        self.page.fill("input[name=password]", password)
        self.page.click("main form button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def shot(self, name: str, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, served):
    base_url, _app = served
    v = Visit(browser, base_url)
    yield v
    v.close()
    assert v.outside == [], f"requests left the machine: {v.outside}"


#: A phone held upright (an iPhone 12-14's CSS pixels), as inspectors log hazards in the field.
PHONE = (390, 844)


@pytest.fixture
def phone(browser, served):
    """A visit at a phone's width."""
    base_url, _app = served
    v = Visit(browser, base_url, viewport=PHONE)
    yield v
    v.close()
    assert v.outside == [], f"requests left the machine: {v.outside}"
