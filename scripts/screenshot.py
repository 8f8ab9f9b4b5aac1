"""Screenshot pages of a running app in headless Chromium (Debian's), for looking at them as a user would.

Usage: .venv/bin/python scripts/screenshot.py http://localhost:8501 OUTDIR path[?query] [path ...]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from resettlement import browser as harness


def main(base: str, outdir: str, paths: list[str]) -> None:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=harness.CHROMIUM, args=list(harness.CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1400, "height": int(os.environ.get("SHOT_HEIGHT", "1000"))})
        errors: list[str] = []
        page.on(
            "console",
            lambda m: errors.append(f"{m.type}: {m.text} @ {m.location.get('url')}") if m.type == "error" else None,
        )
        page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
        page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
        for path in paths:
            page.goto(f"{base}/{path.lstrip('/')}")
            page.wait_for_selector(harness.READY, timeout=60_000)
            page.wait_for_timeout(int(os.environ.get("SHOT_WAIT", "3500")))
            name = path.strip("/").replace("/", "_").replace("?", "_").replace("&", "_").replace("=", "-") or "root"
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            exc = page.locator("[data-testid=stException]").count()
            print(f"{path}: saved {name}.png, exceptions={exc}")
        print("console errors:", errors or "none")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
