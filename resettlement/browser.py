"""Serve the app as ``./scripts/run`` serves it on a free port, and drive it in Debian's Chromium.

One copy of what the browser tests, the benchmarks and the screenshot script all need: the server started and
awaited, and a browser that cannot reach the internet (a proxy that goes nowhere for everything but this machine,
so any request the page makes elsewhere fails and shows up as a console error). Playwright is imported by callers
only: the app itself never imports this module.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1;localhost",
)
# The selector that holds once Streamlit's script has finished its run.
READY = "[data-testid=stApp][data-test-script-state=notRunning]"
# Page key (catalog ``page.<key>.*``) -> URL path (the page file's stem, "" for the default page); see app.py.
PAGE_PATHS: dict[str, str] = {
    "overview": "",
    "profile": "area_profile",
    "needs": "pathway_needs",
    "gaps": "service_gaps",
    "rrp": "rrp_activity",
    "completeness": "data_completeness",
    "outcomes": "outcomes",
    "import": "import_data",
    "definitions": "definitions",
}


def free_port() -> int:
    """A TCP port nobody is listening on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command(port: int, script: Sequence[str] = ("-m", "resettlement", "serve")) -> list[str]:
    """The command that serves ``script`` (the app by default, as ``./scripts/run`` does) headless on ``port``."""
    options = ["--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    return [sys.executable, *script, *options]


def wait_healthy(base: str, proc: subprocess.Popen, timeout: float, log: IO[str] | None = None) -> float:
    """Seconds until ``base`` answers its health check; ``RuntimeError`` when the server exits or times out."""
    started = time.monotonic()
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() - started > timeout:
            where = f": see {log.name}" if log is not None else ""
            raise RuntimeError(f"the server at {base} did not start{where}")
        time.sleep(0.05)


@contextlib.contextmanager
def served(
    db_url: str | None,
    log_path: Path,
    *,
    script: Sequence[str] = ("-m", "resettlement", "serve"),
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Start a server for ``db_url`` (or a plain Streamlit script), wait until it is healthy, yield its base URL and
    process, and stop it afterwards. The viewer's scope is taken from ``env`` only, never from this process."""
    port = free_port()
    run_env = {**os.environ, **(env or {})}
    if db_url is not None:
        run_env["RESETTLEMENT_DB_URL"] = db_url
    if env is None or "RESETTLEMENT_SCOPE" not in env:
        run_env.pop("RESETTLEMENT_SCOPE", None)
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            serve_command(port, script), cwd=ROOT, env=run_env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_healthy(base, proc, timeout, log)
            yield base, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
