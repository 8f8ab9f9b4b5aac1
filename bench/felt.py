"""Felt speed: seconds from a click in Chromium until the page has finished running and stopped changing.

What a person waits for, not what the server spends: the real server (``python -m resettlement serve``) on a demo
database, Debian's headless Chromium, every page reached by a click on its sidebar link, and the common in-page
actions (area, pathway, language). A click is *settled* when Streamlit's script has finished its run and the DOM has
been still for 300 ms; the figure is the time of the last DOM change after the click. Each page is timed on its
first visit after start and then warm (median of ``--rounds`` visits). In the same run a blank Streamlit multipage
app (``bench/blank/``, three sidebar links, a title each) is timed the same way: that is the floor, and every figure
is also given as a ratio to it.

    .venv/bin/python bench/felt.py [--scales 1 100] [--rounds 5] [--label after]

Writes ``bench/results/felt-<label>.json``. Timings vary with the machine and its load; tests never assert them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from resettlement import browser  # noqa: E402
from resettlement.i18n import LANG_NAMES, t  # noqa: E402
from resettlement.present import area_label  # noqa: E402

RESULTS = ROOT / "bench" / "results"
QUIET_MS = 300
TIMEOUT_S = 120
BLANK_PAGES = {"blank_1": "", "blank_2": "blank_2", "blank_3": "blank_3"}  # the first is the default: "/"
# Records, in the page, when the DOM last changed and whether the script has run since the clock was started.
OBSERVER = """
window.__felt = {t0: performance.now(), last: performance.now(), ran: false};
new MutationObserver((records) => {
  window.__felt.last = performance.now();
  for (const r of records) {
    const state = r.attributeName === 'data-test-script-state';
    if (state && (r.oldValue === 'running' || r.target.dataset.testScriptState === 'running')) {
      window.__felt.ran = true;
    }
  }
}).observe(document, {subtree: true, childList: true, attributes: true, attributeOldValue: true,
  characterData: true});
"""
START_CLOCK = (
    "() => { window.__felt.t0 = performance.now(); window.__felt.last = window.__felt.t0; window.__felt.ran = false; }"
)
STATE = """() => ({
  state: document.querySelector('[data-testid=stApp]')?.dataset.testScriptState,
  quiet: performance.now() - window.__felt.last,
  settled: window.__felt.last - window.__felt.t0,
  ran: window.__felt.ran,
  path: location.pathname,
})"""


def settle(page, path: str | None = None) -> float:
    """Seconds from the clock's start until the last DOM change, once the run is over and the DOM has been still for
    ``QUIET_MS`` (and, for a page change, the URL is the page's)."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        s = page.evaluate(STATE)
        here = s["path"].rstrip("/")
        arrived = path is None or (here.endswith(f"/{path}") if path else here == "")
        changed = s["ran"] or s["settled"] > 0  # a run seen, or at least the DOM changed since the click
        if changed and arrived and s["state"] == "notRunning" and s["quiet"] >= QUIET_MS:
            if page.locator("[data-testid=stException]").count():
                raise RuntimeError(f"an exception is shown at {s['path']}")
            return s["settled"] / 1000
        page.wait_for_timeout(25)
    raise RuntimeError(f"the page at {page.url} did not settle within {TIMEOUT_S} s (waiting for {path!r}: {s})")


def click_link(page, path: str) -> float:
    """Click the sidebar link to ``path`` and time it until settled."""
    href = f"[data-testid=stSidebarNav] a[href$='/{path}']" if path else "[data-testid=stSidebarNav] a"
    link = page.locator(href).first
    link.scroll_into_view_if_needed()
    page.evaluate(START_CLOCK)
    link.click()
    return settle(page, path)


def visit_all(page, paths: dict[str, str], rounds: int) -> dict[str, dict[str, float]]:
    """First visit (in order, straight after start) and warm median of every page reached by a click."""
    order = list(paths)
    first = {key: click_link(page, paths[key]) for key in order[1:] + order[:1]}
    warm: dict[str, list[float]] = {key: [] for key in order}
    for _ in range(rounds):
        for key in order[1:] + order[:1]:
            warm[key].append(click_link(page, paths[key]))
    return {key: {"first_s": round(first[key], 3), "warm_s": round(statistics.median(warm[key]), 3)} for key in order}


def _act(page, action) -> float:
    page.evaluate(START_CLOCK)
    action()
    return settle(page)


def choose(page, box, option: str) -> None:
    """Pick ``option`` in a select box (its text input located by ``box``), as a person types and clicks it."""
    box.click()
    page.keyboard.type(option[:6])
    page.get_by_role("option", name=option, exact=True).click()


def language(page, name: str) -> None:
    """Press the language switch's button for ``name`` (English or Cymraeg)."""
    page.locator("[data-testid=stButtonGroup] button").filter(has_text=name).first.click()


def in_page_actions(page, rounds: int) -> dict[str, float]:
    """Warm medians of the common in-page actions: area change, pathway change, language switch."""
    welsh, english = LANG_NAMES["cy"], LANG_NAMES["en"]
    timings: dict[str, list[float]] = {"area": [], "pathway": [], "language": []}
    click_link(page, browser.PAGE_PATHS["needs"])
    area_box = page.locator("[data-testid=stSidebar] [data-testid=stSelectbox] input").first
    pathway_box = page.get_by_label(t("gaps.pathway", "en"), exact=True)
    for i in range(rounds):
        area = (area_label("la:W06000015", "en"), area_label("la:W06000002", "en"))[i % 2]
        timings["area"].append(_act(page, lambda area=area: choose(page, area_box, area)))
        pathway = (t("enum.pathway.health", "en"), t("enum.pathway.accommodation", "en"))[i % 2]
        timings["pathway"].append(_act(page, lambda p=pathway: choose(page, pathway_box, p)))
        for name in (welsh, english):  # there and back, so the next round's labels are English again
            timings["language"].append(_act(page, lambda name=name: language(page, name)))
    return {name: round(statistics.median(values), 3) for name, values in timings.items()}


def measure(db_url: str | None, paths: dict[str, str], script: list[str], rounds: int, actions: bool) -> dict:
    """Start a server, open it in Chromium and time every page (and the in-page actions for the app)."""
    from playwright.sync_api import sync_playwright

    log = Path(tempfile.gettempdir()) / f"felt-{Path(script[-1]).stem}-{time.time_ns()}.log"
    with browser.served(db_url, log, script=script) as (base, _proc), sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser.CHROMIUM, args=list(browser.CHROMIUM_ARGS))
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        page.add_init_script(OBSERVER)
        started = time.monotonic()
        page.goto(base)
        page.wait_for_selector(browser.READY, timeout=TIMEOUT_S * 1000)
        opened = settle(page) if page.evaluate("window.__felt.ran") else time.monotonic() - started
        out = {"open_s": round(opened, 3), "pages": visit_all(page, paths, rounds)}
        if actions:
            out["actions"] = in_page_actions(page, rounds)
        chromium.close()
    return out


def ratios(app: dict, floor: float) -> dict:
    """Each warm figure as a multiple of the blank app's median warm click."""
    warm = {k: v["warm_s"] for k, v in app["pages"].items()}
    return {k: round(v / floor, 2) for k, v in {**warm, **app.get("actions", {})}.items()}


def summary(app: dict, floor: float) -> dict:
    warm = [v["warm_s"] for v in app["pages"].values()]
    first = [v["first_s"] for v in app["pages"].values()]
    return {
        "median_warm_s": round(statistics.median(warm), 3),
        "worst_warm_s": round(max(warm), 3),
        "worst_first_s": round(max(first), 3),
        "median_ratio": round(statistics.median(warm) / floor, 2),
        "worst_ratio": round(max(warm) / floor, 2),
    }


def print_table(results: dict) -> None:
    floor = results["floor"]
    print(f"\nblank floor (median warm click): {floor['median_warm_s']:.3f} s")
    for scale, app in results["scales"].items():
        print(f"\nscale {scale}: page            first    warm   × floor")
        for key, v in app["pages"].items():
            print(f"  {key:<22} {v['first_s']:6.2f}  {v['warm_s']:6.2f}  {app['ratios'][key]:6.2f}")
        for key, v in app.get("actions", {}).items():
            print(f"  action: {key:<14} {'':>6}  {v:6.2f}  {app['ratios'][key]:6.2f}")
        s = app["summary"]
        print(
            f"  median {s['median_warm_s']:.2f} s ({s['median_ratio']}×), worst {s['worst_warm_s']:.2f} s "
            f"({s['worst_ratio']}×), worst first visit {s['worst_first_s']:.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--label", default="latest")
    parser.add_argument("--dbdir", type=Path, default=Path(tempfile.gettempdir()) / "resettlement-bench")
    args = parser.parse_args()
    from bench.app_bench import ensure_database

    blank = measure(
        None, BLANK_PAGES, ["-m", "streamlit", "run", str(ROOT / "bench" / "blank" / "app.py")], args.rounds, False
    )
    floor = statistics.median(v["warm_s"] for v in blank["pages"].values())
    results = {"floor": {**blank, "median_warm_s": round(floor, 3)}, "scales": {}}
    for scale in args.scales:
        app = measure(
            ensure_database(args.dbdir, scale), browser.PAGE_PATHS, ["-m", "resettlement", "serve"], args.rounds, True
        )
        app["ratios"] = ratios(app, floor)
        app["summary"] = summary(app, floor)
        results["scales"][f"{scale:g}"] = app
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"felt-{args.label}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    print(f"\nwritten {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
