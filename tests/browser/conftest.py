"""Browser tests: the real app on a free port against a fresh demo database, driven in Debian's Chromium.

The browser is started with a proxy that goes nowhere for everything but this machine, so any request the
page makes to the internet fails and shows up as a console error: the app must work with no network.
Screenshots go to ``artifacts/screenshots/``. Tests skip when Chromium is missing, unless
RESETTLEMENT_REQUIRE_BROWSER is set (CI sets it), when they fail instead.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    # No network but this machine: everything else goes to a closed port and fails.
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1;localhost",
]
# Streamlit's front end probes <page path>/_stcore/health and host-config before falling back to the root
# when a deep link is opened; those 404s are its base-path discovery, not the app's errors.
IGNORED_ERRORS = ("/_stcore/health", "/_stcore/host-config")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    port = _free_port()
    env = {**os.environ, "RESETTLEMENT_DB_URL": f"sqlite:///{db}"}
    env.pop("RESETTLEMENT_SCOPE", None)
    log = open(tmp_path_factory.mktemp("log") / "server.log", "w")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "resettlement",
            "serve",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.close()
            pytest.fail(f"the app did not start: see {log.name}")
        time.sleep(0.3)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser(browser_required):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
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
        self.page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=60_000)
        self.page.wait_for_timeout(300)
        self.page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=60_000)

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
