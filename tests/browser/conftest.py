"""Browser tests: the real app on a free port against a fresh demo database, driven in Debian's Chromium.

The browser is started with a proxy that goes nowhere for everything but this machine, so any request the
page makes to the internet fails and shows up as a console error: the app must work with no network.
Screenshots go to ``artifacts/screenshots/``. Tests skip when Chromium is missing, unless
RESETTLEMENT_REQUIRE_BROWSER is set (CI sets it), when they fail instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from resettlement import browser as harness

ROOT = harness.ROOT
CHROMIUM = harness.CHROMIUM
ARTIFACTS = ROOT / "artifacts" / "screenshots"
# Streamlit's front end probes <page path>/_stcore/health and host-config before falling back to the root
# when a deep link is opened; those 404s are its base-path discovery, not the app's errors.
IGNORED_ERRORS = ("/_stcore/health", "/_stcore/host-config")


@pytest.fixture(scope="session")
def browser_required():
    if not Path(CHROMIUM).exists():
        if os.environ.get("RESETTLEMENT_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium is required (RESETTLEMENT_REQUIRE_BROWSER) but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} not installed")


@pytest.fixture(scope="session")
def server(browser_required, tmp_path_factory):
    """The app served as ./scripts/run serves it (`python -m resettlement serve`: `streamlit run` with the caches
    warmed at start) on a free port, on a fresh synthetic database."""
    from datetime import date

    from resettlement import synth

    db = tmp_path_factory.mktemp("browser") / "demo.db"
    synth.build_demo(f"sqlite:///{db}", scale=0.5, seed=11, as_of=date(2026, 9, 30))
    log = tmp_path_factory.mktemp("log") / "server.log"
    try:
        with harness.served(f"sqlite:///{db}", log, timeout=60) as (base, _proc):
            yield base
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def browser(browser_required):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=list(harness.CHROMIUM_ARGS))
        yield b
        b.close()


class Page:
    """A browser tab that records console errors and failed requests."""

    def __init__(self, browser, base: str, name: str):
        self.base = base
        self.name = name
        self.context = browser.new_context(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("requestfailed", lambda r: self._record(f"request failed: {r.url} {r.failure}"))

    def _record(self, text: str) -> None:
        if not any(ignored in text for ignored in IGNORED_ERRORS):
            self.errors.append(text)

    def _console(self, msg) -> None:
        if msg.type == "error":
            self._record(f"console: {msg.text} @ {msg.location.get('url')}")

    def open(self, path: str = "", settle_ms: int = 1500):
        self.page.goto(f"{self.base}/{path.lstrip('/')}")
        self.wait()
        self.page.wait_for_timeout(settle_ms)
        return self.page

    def wait(self) -> None:
        self.page.wait_for_selector(harness.READY, timeout=60_000)
        self.page.wait_for_timeout(300)
        self.page.wait_for_selector(harness.READY, timeout=60_000)

    def shot(self, label: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser, server, request):
    t = Page(browser, server, request.node.name)
    yield t
    t.close()
