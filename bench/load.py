"""Load test: N real Streamlit websocket clients switching pages, areas and languages on one server (issue 14).

Usage: .venv/bin/python bench/load.py [--sessions 15] [--seconds 120] [--cold] [--db URL | --scale 1]
                                     [--url http://127.0.0.1:8501 [--pid PID]] [--label NAME]
                                     [--py-spy /path/to/py-spy] [--think 0.5] [--run-timeout 60]

Each session speaks Streamlit's own protocol, as the browser does: a websocket to ``/_stcore/stream``, ``BackMsg``
rerun requests carrying the page and the widget states a browser keeps, ``ForwardMsg`` deltas back. It opens a deep
link (``?lang=..&area=..`` on a random page) and then, until the time is up, switches page (most often), area or
language, or changes the period, the cohorts or one of the page's own keyed widgets (new filters make the pages
compute, not just read their caches), waits for the run to finish (``script_finished``) and checks what it received:

- an ``Exception`` element anywhere in the deltas is an *exception box* (type and message recorded);
- every session has its own language and its own areas (no two sessions share an area), so a page title, header,
  area subheader or synced URL (``page_info_changed``) in another language or for another session's area is a
  *cross-session mix-up*; a page showing an area no session chose (e.g. reset to Wales), or the default language
  with no sign of another session, is recorded as *lost state*, and the session picks its area again, as a user
  would.

Meanwhile ``/_stcore/health`` is probed every 2 s (2 s timeout) from a thread, and the server's memory read from
``/proc/<pid>/status``. At the end the server is sent SIGTERM while the sessions are still running; it must exit
within 10 s, else it is killed and the failure recorded. ``--cold`` connects the sessions while the server is still
starting (as soon as its port accepts) instead of after its health check answers. With ``--py-spy``, the server's
stacks are dumped once when health has not answered for 10 s.

The database is a fresh ``python -m resettlement demo --scale <scale>`` in a temporary folder unless ``--db`` names
one; ``--url`` targets a server already running (memory figures only with ``--pid``; it is not stopped).

Prints a summary and writes ``bench/results/load-<label>.json``. A load test, not a timed one: tests/test_load.py
runs a short version and fails on a hang, an exception box, a mix-up or a slow exit, never on timings.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402
from websockets.asyncio.client import ClientConnection  # noqa: E402
from websockets.typing import Subprotocol  # noqa: E402

from resettlement import geography  # noqa: E402
from resettlement.browser import PAGE_PATHS, free_port, serve_command  # noqa: E402
from resettlement.filters import area_options  # noqa: E402
from resettlement.i18n import LANG_NAMES, LANGS, t  # noqa: E402
from resettlement.ui.shell import area_label  # noqa: E402

RESULTS = ROOT / "bench" / "results"
AS_OF = "2026-09-30"
PAGES = PAGE_PATHS  # page key -> URL path
AREA_PAGES = ("overview", "needs", "outcomes")  # pages whose subheader is the chosen area's label
SHELL_KEYS = {"lang", "period", "area", "cohort"}  # the shared sidebar widgets' keys
# What a session does between two runs, and how often: mostly page switches, as issue 14's users did.
ACTIONS = (
    ("page", 0.4),
    ("area", 0.15),
    ("lang", 0.15),
    ("period", 0.1),
    ("cohort", 0.05),
    ("widget", 0.1),
    ("download", 0.05),
)
PROBE_EVERY_S = 2.0
HANG_S = 20.0  # health unanswered this long is a hang (tests/test_load.py)
EXIT_LIMIT_S = 5.0  # serve must exit within this of SIGTERM (the issue: "a few seconds")
KILL_AFTER_S = 10.0
FINISHED = {
    ForwardMsg.FINISHED_SUCCESSFULLY: "ok",
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR: "compile_error",
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY: "fragment",
}


@dataclass
class Options:
    sessions: int = 15
    seconds: float = 120.0
    cold: bool = False
    db: str | None = None
    scale: float = 1.0
    url: str | None = None
    pid: int | None = None
    label: str | None = None
    think: float = 0.5  # seconds a session waits (at most, uniformly) between two actions
    run_timeout: float = 60.0  # a run not finished by then is recorded as stuck
    seed: int = 14
    py_spy: str | None = None
    hang_dump_s: float = 10.0
    work_dir: Path | None = None  # the fresh database and the server log (default: a temporary folder)
    out_dir: Path = RESULTS

    def name(self) -> str:
        return self.label or f"{'cold-' if self.cold else ''}{self.sessions}x{self.seconds:g}s"


# --------------------------------------------------------------------------------------------------- the server


def build_demo(folder: Path, scale: float) -> str:
    """A fresh demo database (``python -m resettlement demo``, which also keeps the first page) in ``folder``."""
    url = f"sqlite:///{folder / f'demo-s{scale:g}.db'}"
    subprocess.run(
        [sys.executable, "-m", "resettlement", "demo", "--db", url, "--scale", str(scale), "--as-of", AS_OF],
        cwd=ROOT,
        env=server_env(url, folder),
        check=True,
        capture_output=True,
    )
    return url


def server_env(db_url: str, folder: Path | None) -> dict[str, str]:
    env = {**os.environ, "RESETTLEMENT_DB_URL": db_url}
    env.pop("RESETTLEMENT_SCOPE", None)
    if folder is not None:  # a fresh database keeps its snapshot beside it, not in data/cache
        env["RESETTLEMENT_CACHE_DIR"] = str(folder / "cache")
    return env


class Server:
    """The app as ./scripts/run and the browser tests start it: ``python -m resettlement serve`` on a free port."""

    def __init__(self, db_url: str, folder: Path, fresh_db: bool):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / f"server-{self.port}.log"
        self.env = server_env(db_url, folder if fresh_db else None)
        self.proc: subprocess.Popen | None = None
        self.started = 0.0

    def start(self) -> None:
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                serve_command(self.port),
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.started = time.monotonic()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> dict[str, Any]:
        """SIGTERM, then wait up to KILL_AFTER_S for the exit before SIGKILL; how long it took."""
        assert self.proc is not None
        if self.proc.poll() is not None:
            return {
                "sigterm_exit_s": None,
                "killed": False,
                "returncode": self.proc.returncode,
                "note": "had already exited",
            }
        sent = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=KILL_AFTER_S)
            return {"sigterm_exit_s": round(time.monotonic() - sent, 2), "killed": False, "returncode": rc}
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
            return {"sigterm_exit_s": None, "killed": True, "returncode": rc}

    def log_tail(self, lines: int = 30) -> list[str]:
        try:
            return self.log_path.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return []


def port_open(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def http_get(host: str, port: int, path: str, timeout: float) -> int | None:
    """The HTTP status of a GET (the body read), or ``None`` without an answer. Direct, never through a proxy."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        conn.close()


def health(host: str, port: int, timeout: float) -> float | None:
    """Seconds ``/_stcore/health`` took to answer 200, or ``None``."""
    started = time.monotonic()
    ok = http_get(host, port, "/_stcore/health", timeout) == 200
    return time.monotonic() - started if ok else None


def wait_until(check: Callable[[], bool], timeout: float, alive: Callable[[], bool], every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        if check():
            return True
        time.sleep(every)
    return False


def memory(pid: int | None) -> dict[str, float] | None:
    """VmRSS and VmHWM (peak) of ``pid`` in MiB, from /proc."""
    if pid is None:
        return None
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    out = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            out[name] = round(int(value.split()[0]) / 1024, 1)
    return out


class Probe(threading.Thread):
    """Health and memory every PROBE_EVERY_S seconds, in a thread of its own (so a busy client loop cannot delay
    it); calls ``on_hang`` once when health has not answered for ``hang_s`` seconds."""

    def __init__(
        self, host: str, port: int, pid: int | None, t0: float, hang_s: float, on_hang: Callable[[], None] | None
    ):
        super().__init__(daemon=True, name="health-probe")
        self.host, self.port, self.pid, self.t0 = host, port, pid, t0
        self.hang_s, self.on_hang = hang_s, on_hang
        self.samples: list[tuple[float, float | None]] = []  # (seconds since t0, latency or None)
        self.rss: list[float] = []
        self.halt = threading.Event()

    def run(self) -> None:
        last_ok: float | None = None
        dumped = False
        while not self.halt.is_set():
            tick = time.monotonic()
            latency = health(self.host, self.port, timeout=PROBE_EVERY_S)
            self.samples.append((round(tick - self.t0, 2), None if latency is None else round(latency, 4)))
            if latency is not None:
                last_ok = tick
            elif last_ok is not None and not dumped and self.on_hang and tick - last_ok >= self.hang_s:
                dumped = True
                threading.Thread(target=self.on_hang, daemon=True).start()
            mem = memory(self.pid)
            if mem and "VmRSS" in mem:
                self.rss.append(mem["VmRSS"])
            self.halt.wait(max(0.0, PROBE_EVERY_S - (time.monotonic() - tick)))

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=PROBE_EVERY_S + 1)

    def summary(self, end: float) -> dict[str, Any]:
        """Answered or not, and the longest time without an answer after the first one (from the last answer to the
        next, or to the end of probing)."""
        answered = [(at, lat) for at, lat in self.samples if lat is not None]
        first_ok = answered[0][0] if answered else None
        worst, last_ok, failing = 0.0, first_ok, False
        for at, lat in self.samples:
            if first_ok is None or at < first_ok:
                continue
            if lat is None:
                failing = True
            else:
                if failing:
                    worst = max(worst, at - last_ok)
                last_ok, failing = at, False
        if failing and last_ok is not None:
            worst = max(worst, end - last_ok)
        lat = sorted(lat for _, lat in answered)
        failed = [at for at, lat in self.samples if lat is None and first_ok is not None and at > first_ok]
        return {
            "probes": len(self.samples),
            "answered": len(answered),
            "failed_after_first_answer": len(failed),
            "first_answer_s": first_ok,
            "max_unanswered_s": round(worst, 1),
            "latency_ms": {"p50": ms(pct(lat, 50)), "p95": ms(pct(lat, 95)), "max": ms(lat[-1] if lat else None)},
            "failed_at_s": failed[:50],
            "rss_max_sampled_mib": max(self.rss) if self.rss else None,
        }


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def pct(values: list[float], q: float) -> float | None:
    """The q-th percentile of sorted ``values`` (nearest rank)."""
    if not values:
        return None
    rank = max(1, min(len(values), round(q / 100 * len(values) + 0.5)))
    return values[rank - 1]


def py_spy_dump(py_spy: str, pid: int, path: Path) -> None:
    """The server's stacks (all threads) into ``path``."""
    out = subprocess.run([py_spy, "dump", "--pid", str(pid)], capture_output=True, text=True, timeout=60)
    path.write_text(out.stdout + out.stderr)


# ------------------------------------------------------------------------------------------------ the protocol


def rerun_msg(base: str, query: str, page_hash: str, page_name: str, widgets: Iterable[WidgetState]) -> bytes:
    """A ``rerun_script`` BackMsg as the browser sends it (first load: ``page_name`` is the url path and the hash
    empty; later: the page's hash, the widget states the browser keeps and the URL's query string)."""
    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = query
    state.page_script_hash = page_hash
    state.page_name = page_name
    state.widget_states.SetInParent()
    state.widget_states.widgets.extend(widgets)
    info = state.context_info
    info.timezone, info.timezone_offset, info.locale = "Europe/London", 0, "en-GB"
    info.url, info.is_embedded, info.color_scheme = f"{base}/{page_name}", False, "light"
    return msg.SerializeToString()


def user_key(widget_id: str) -> str | None:
    """The key a widget was given (ids are ``$$ID-<hash>-<key>``, ``-None`` without one)."""
    parts = widget_id.split("-", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "$$ID" and parts[2] != "None" else None


@dataclass(frozen=True)
class Choice:
    """A keyed widget's options (formatted labels, as the browser shows them) and how many can be picked."""

    kind: str
    labels: tuple[str, ...]
    multi: bool

    @staticmethod
    def of(kind: str, el: Any) -> Choice | None:
        if el.disabled:
            return None
        if kind == "selectbox" and el.options:
            return Choice(kind, tuple(el.options), False)
        if kind == "button_group" and el.options:
            return Choice(kind, tuple(o.content for o in el.options), el.click_mode == el.MULTI_SELECT)
        if kind == "slider" and len(el.options) > 1:  # select_slider: a range when its value has two ends
            return Choice(kind, tuple(el.options), len(el.default) == 2)
        return None

    def pick(self, rng: random.Random) -> list[str]:
        """A random value, as the browser would send it."""
        if self.kind == "slider" and self.multi:
            a = rng.randrange(len(self.labels))
            return [self.labels[a], self.labels[rng.randrange(a, len(self.labels))]]
        if self.multi:
            return rng.sample(self.labels, rng.randint(1, len(self.labels)))
        return [rng.choice(self.labels)]


class Widgets:
    """The widget states a browser keeps: taken from each widget element as it arrives (the value the server sets,
    else the value kept, else the element's default), sent with every rerun, dropped when a run no longer draws the
    widget. Kept values are the formatted labels Streamlit sends, so they go stale when the language changes, as
    in the browser."""

    def __init__(self) -> None:
        self.states: dict[str, WidgetState] = {}
        self.ids: dict[str, str] = {}  # user key -> widget id
        self.choices: dict[str, Choice] = {}  # user key -> what a user can pick, as last drawn
        self.seen: set[str] = set()

    def new_run(self) -> None:
        self.seen = set()

    def finished(self) -> None:
        self.states = {i: s for i, s in self.states.items() if i in self.seen}
        self.choices = {k: c for k, c in self.choices.items() if self.ids.get(k) in self.seen}

    def element(self, kind: str, el: Any) -> None:
        if kind not in ("selectbox", "button_group", "multiselect", "slider", "checkbox") or not el.id:
            return
        self.seen.add(el.id)
        if key := user_key(el.id):
            self.ids[key] = el.id
            if choice := Choice.of(kind, el):
                self.choices[key] = choice
        if el.id in self.states and not el.set_value:
            return
        state = self._state(kind, el)
        if state is None:
            self.states.pop(el.id, None)
        else:
            self.states[el.id] = state

    @staticmethod
    def _state(kind: str, el: Any) -> WidgetState | None:
        s = WidgetState(id=el.id)
        if kind == "selectbox":
            if el.set_value:
                if not el.raw_value:
                    return None
                s.string_value = el.raw_value
            elif el.HasField("default") and el.default < len(el.options):
                s.string_value = el.options[el.default]
            else:
                return None
        elif kind in ("button_group", "multiselect"):
            labels = [o.content for o in el.options] if kind == "button_group" else list(el.options)
            s.string_array_value.data[:] = (
                list(el.raw_values) if el.set_value else [labels[i] for i in el.default if i < len(labels)]
            )
        elif kind == "slider":
            if el.options:  # select_slider: formatted labels
                s.string_array_value.data[:] = (
                    list(el.raw_value) if el.set_value else [el.options[int(i)] for i in el.default]
                )
            else:
                s.double_array_value.data[:] = list(el.value) if el.set_value else list(el.default)
        else:  # checkbox, toggle
            s.bool_value = el.value if el.set_value else el.default
        return s

    def set_string(self, key: str, value: str) -> bool:
        return self._set(key, lambda s: setattr(s, "string_value", value))

    def set_strings(self, key: str, values: list[str]) -> bool:
        return self._set(key, lambda s: s.string_array_value.data.__setitem__(slice(None), values))

    def _set(self, key: str, fill: Callable[[WidgetState], None]) -> bool:
        widget_id = self.ids.get(key)
        if widget_id is None:
            return False
        state = WidgetState(id=widget_id)
        fill(state)
        self.states[widget_id] = state
        return True


# -------------------------------------------------------------------------------------------------- the checks


class Catalog:
    """What a correct page shows, in each language: the app's title, page titles and area labels."""

    def __init__(self, tokens: list[str]):
        self.app_title = {lang: t("app.title", lang) for lang in LANGS}
        self.titles = {(key, lang): t(f"page.{key}.title", lang) for key in PAGES for lang in LANGS}
        self.title_of = {text: kl for kl, text in self.titles.items()}
        self.area_of = {area_label(tok, lang): (tok, lang) for tok in tokens for lang in LANGS}
        self.first_area = next(a for a in area_options(frozenset(geography.LA_CODES)) if a != "wales")

    def header_lang(self, markdown: str) -> str | None:
        return next((lang for lang, title in self.app_title.items() if markdown.startswith(f"**{title}**")), None)


@dataclass
class Run:
    """One interaction: a rerun request until its script has finished (through any ``st.rerun``)."""

    session: int
    page: str
    action: str
    lang: str
    area: str
    started: float
    ended: float | None = None
    status: str = "pending"
    server_runs: int = 0
    messages: int = 0
    received_bytes: int = 0
    exceptions: list[dict[str, Any]] = field(default_factory=list)
    headings: list[tuple[str, str]] = field(default_factory=list)
    header_langs: list[str] = field(default_factory=list)
    query: str | None = None  # the URL the shell wrote (page_info_changed), if it changed
    detail: str = ""  # what the action set
    page_not_found: bool = False
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def duration(self) -> float | None:
        return None if self.ended is None else self.ended - self.started


def check(run: Run, cat: Catalog, owners: dict[str, set[int]]) -> list[dict[str, Any]]:
    """Problems with a finished run: ``mixup`` (another session's area, or another language), ``lost`` (an area no
    session chose, e.g. Wales, or the default language with no sign of another session: the session's state reset)
    or ``incomplete`` (no page title).

    The area the server used is the one the shell wrote into the URL (``page_info_changed``), else the session's;
    area subheaders must agree with it (the Area profile shows the first area when the filter is Wales)."""
    areas: list[tuple[str, str]] = []  # (token, where) differing from the session's
    langs: list[tuple[str, str]] = []  # (language, where) differing from the session's
    problems: list[dict[str, Any]] = []

    def problem(kind: str, what: str, expected: str, seen: str) -> None:
        problems.append(
            {
                "kind": kind,
                "what": what,
                "session": run.session,
                "page": run.page,
                "action": run.action,
                "detail": run.detail,
                "expected": expected,
                "seen": seen,
                "url": run.query,
                "at_s": round(run.started, 1),
            }
        )

    langs += [(lang, "header") for lang in set(run.header_langs) - {run.lang}]
    titles = [cat.title_of[body] for tag, body in run.headings if tag == "h1" and body in cat.title_of]
    if (run.page, run.lang) not in titles:
        if any(key != run.page for key, _ in titles):
            problem("mixup", "page", run.page, f"{titles[0][0]} (title)")
        elif titles:
            langs.append((titles[0][1], "title"))
        elif not run.page_not_found:
            problem("incomplete", "title", cat.titles[(run.page, run.lang)], "no page title")
    used = run.area
    if run.query is not None:
        params = {k: v[0] for k, v in parse_qs(run.query).items()}
        if params.get("lang", run.lang) != run.lang:
            langs.append((params["lang"], "url"))
        used = params.get("area", run.area)
        if used != run.area:
            areas.append((used, "url"))
    for tag, body in run.headings:
        if tag not in ("h2", "h3") or body not in cat.area_of:
            continue
        token, lang = cat.area_of[body]
        if lang != run.lang:
            langs.append((lang, f"subheader {body}"))
        elif token == used or (run.page == "profile" and used == "wales" and token == cat.first_area):
            continue
        elif run.page in AREA_PAGES or (owners.get(token, set()) - {run.session}):
            areas.append((token, "subheader"))
    foreign = False
    for token, where in areas:
        others = sorted(owners.get(token, set()) - {run.session})
        foreign = foreign or bool(others)
        if others:
            problem("mixup", "area", run.area, f"{token} ({where}) of session {others}")
        else:
            problem("lost", "area", run.area, f"{token} ({where})")
    for lang, where in langs:
        problem("mixup" if foreign or lang != LANGS[0] else "lost", "lang", run.lang, f"{lang} ({where})")
    return problems


# ------------------------------------------------------------------------------------------------- the sessions


@dataclass
class Shared:
    opts: Options
    base: str
    t0: float
    cat: Catalog
    owners: dict[str, set[int]]
    rng_seed: int
    owns_server: bool
    offset: float  # seconds from the server's start to the sessions' start
    shutting_down: bool = False
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    runs: list[Run] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    stray_exceptions: list[dict[str, Any]] = field(default_factory=list)
    events: Counter = field(default_factory=Counter)
    first_page_s: list[float] = field(default_factory=list)

    def now(self) -> float:
        return time.monotonic() - self.t0


class Session:
    """One browser tab: its own language and areas, a websocket, the widget states it keeps."""

    def __init__(self, index: int, pool: list[str], shared: Shared):
        self.i, self.pool, self.sh = index, pool, shared
        self.rng = random.Random(shared.rng_seed * 1000 + index)
        self.lang = LANGS[index % len(LANGS)]
        self.area = pool[0]
        self.page = self.rng.choice(list(PAGES))
        self.widgets = Widgets()
        self.nav: dict[str, str] = {}  # url path -> page script hash
        self.page_hash = ""
        self.query = ""
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task | None = None
        self.run: Run | None = None
        self.reselect = False
        self.detail = ""  # what the next action set, for the report
        self.session_id = ""
        self.downloads: list[tuple[str, str]] = []  # the page's download buttons: (deferred file id, url)
        self.operations: dict[str, asyncio.Future] = {}  # backend operation request id -> its response

    # -- connection

    async def connect(self) -> bool:
        """Open the websocket; a few quick retries (the server may still be starting)."""
        url = self.sh.base.replace("http", "ws", 1) + "/_stcore/stream"
        for attempt in range(10):
            if self.sh.stop.is_set():
                return False
            try:
                self.ws = await websockets.connect(
                    url,
                    subprotocols=[Subprotocol("streamlit")],
                    max_size=None,
                    proxy=None,
                    open_timeout=5,
                    close_timeout=2,
                )
                self.sh.events["connected"] += 1
                self.widgets, self.nav, self.page_hash = Widgets(), {}, ""
                self.reader = asyncio.create_task(self.read())
                return True
            except (OSError, TimeoutError, websockets.InvalidHandshake) as exc:
                self.sh.events[f"connect failed: {type(exc).__name__}"] += 1
                await asyncio.sleep(0.2 * (attempt + 1))
        return False

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 3)
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.reader

    async def read(self) -> None:
        assert self.ws is not None
        try:
            async for raw in self.ws:
                self.on_message(raw if isinstance(raw, bytes) else raw.encode())
        except websockets.ConnectionClosed:
            pass
        finally:
            if not self.sh.shutting_down and not self.sh.stop.is_set():
                self.sh.events["connection lost"] += 1
            if self.run is not None and not self.run.done.is_set():
                self.end_run("shutdown" if self.sh.shutting_down else "closed")

    # -- messages

    def on_message(self, raw: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        run = self.run
        if run is not None:
            run.messages += 1
            run.received_bytes += len(raw)
        kind = msg.WhichOneof("type")
        if kind == "delta":
            self.on_delta(msg, run)
        elif kind == "new_session":
            self.widgets.new_run()
            self.downloads = []
            self.session_id = msg.new_session.initialize.session_id or self.session_id
            if run is not None:
                run.server_runs += 1
        elif kind == "navigation":
            self.nav = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            self.page_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
            if run is not None:
                run.query = self.query
        elif kind == "backend_operation_response":
            future = self.operations.pop(msg.backend_operation_response.request_id, None)
            if future is not None and not future.done():
                future.set_result(msg.backend_operation_response)
        elif kind == "page_not_found" and run is not None:
            run.page_not_found = True
        elif kind == "session_event" and msg.session_event.HasField("script_compilation_exception"):
            self.exception(msg.session_event.script_compilation_exception, run)
        elif kind == "script_finished" and msg.script_finished in FINISHED:
            if msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                self.widgets.finished()
            if run is not None:
                self.end_run(FINISHED[msg.script_finished])

    def on_delta(self, msg: ForwardMsg, run: Run | None) -> None:
        if msg.delta.WhichOneof("type") != "new_element":
            return
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        if kind is None:
            return
        el = getattr(element, kind)
        self.widgets.element(kind, el)
        if kind == "exception":
            self.exception(el, run)
        elif kind == "download_button" and not el.disabled and (el.deferred_file_id or el.url):
            self.downloads.append((el.deferred_file_id, el.url))
        elif run is None:
            return
        elif kind == "heading":
            run.headings.append((el.tag, el.body))
        elif kind == "markdown" and (lang := self.sh.cat.header_lang(el.body)):
            run.header_langs.append(lang)

    def exception(self, el: Any, run: Run | None) -> None:
        record = {
            "session": self.i,
            "page": run.page if run else self.page,
            "type": el.type,
            "message": el.message[:500],
            "is_warning": el.is_warning,
            "stack_tail": [line.strip() for line in el.stack_trace[-4:]],
            "at_s": round(self.sh.now(), 1),
        }
        (run.exceptions if run is not None else self.sh.stray_exceptions).append(record)

    def end_run(self, status: str) -> None:
        run = self.run
        if run is None or run.done.is_set():
            return
        run.status, run.ended = status, self.sh.now()
        run.done.set()

    # -- actions

    async def interact(self, action: str, page: str, payload: bytes, detail: str = "") -> Run:
        run = Run(self.i, page, action, self.lang, self.area, self.sh.now(), detail=detail)
        self.run = run
        self.sh.runs.append(run)
        try:
            assert self.ws is not None
            await self.ws.send(payload)
            await asyncio.wait_for(run.done.wait(), self.sh.opts.run_timeout)
        except TimeoutError:
            self.end_run("shutdown" if self.sh.shutting_down else "stuck")
        except websockets.ConnectionClosed:
            self.end_run("shutdown" if self.sh.shutting_down else "closed")
        if run.status == "ok":
            problems = check(run, self.sh.cat, self.sh.owners)
            self.sh.problems.extend(problems)
            self.reselect = any(p["kind"] == "lost" for p in problems)
        return run

    def open_payload(self) -> bytes:
        """A deep link, as a browser opens one (or reloads after losing its connection)."""
        query = self.query or f"lang={self.lang}&area={self.area}"
        return rerun_msg(self.sh.base, query, "", PAGES[self.page], [])

    def rerun_payload(self, page_hash: str, query: str) -> bytes:
        name = "" if page_hash else PAGES[self.page]  # the browser names the page by its hash once it has one
        return rerun_msg(self.sh.base, query, page_hash, name, self.widgets.states.values())

    def next_action(self) -> tuple[str, bytes | None]:
        """Pick the area again if it was lost, else a random action (a page switch when it cannot be done); a
        download (no rerun) has no payload."""
        self.detail = ""
        if (
            self.reselect
            and self.widgets.set_strings("lang", [LANG_NAMES[self.lang]])
            and self.widgets.set_string("area", area_label(self.area, self.lang))
        ):
            return "reselect", self.here()  # as a user would: their language and area again
        action = self.rng.choices([a for a, _ in ACTIONS], weights=[w for _, w in ACTIONS])[0]
        if action == "download" and self.downloads:
            return action, None
        payload = None if action == "download" else getattr(self, f"_{action}")()
        return (action, payload) if payload is not None else ("page", self._page())

    def here(self) -> bytes:
        """A rerun of the page shown, after a widget change: its hash and the URL's query string."""
        return self.rerun_payload(self.page_hash, self.query)

    def _page(self) -> bytes:
        # The browser drops the query string on a page switch (the app writes it back) and sends the page's hash.
        self.page = self.rng.choice([p for p in PAGES if p != self.page])
        return self.rerun_payload(self.nav.get(PAGES[self.page], ""), "")

    def _area(self) -> bytes | None:
        area = self.rng.choice([a for a in self.pool if a != self.area] or [self.area])
        if area == self.area or not self.widgets.set_string("area", area_label(area, self.lang)):
            return None
        self.area = area
        return self.here()

    def _lang(self) -> bytes | None:
        lang = next(lang for lang in LANGS if lang != self.lang)
        if not self.widgets.set_strings("lang", [LANG_NAMES[lang]]):
            return None
        self.lang = lang
        return self.here()

    def _period(self) -> bytes | None:
        return self.pick("period")

    def _cohort(self) -> bytes | None:
        return self.pick("cohort")

    def _widget(self) -> bytes | None:
        """One of the page's own keyed widgets (not the importer's) set to a random value."""
        keys = sorted(k for k in self.widgets.choices if k not in SHELL_KEYS and not k.startswith("import"))
        return self.pick(self.rng.choice(keys)) if keys else None

    async def download(self) -> None:
        """Click a download button: a deferred file is built on the server first (a ``deferred_file`` backend
        operation, as the browser asks for it), then the file is fetched."""
        deferred, url = self.rng.choice(self.downloads)
        run = Run(
            self.i,
            self.page,
            "download",
            self.lang,
            self.area,
            self.sh.now(),
            detail=f"{deferred or url} at ?{self.query}",
        )
        self.sh.runs.append(run)
        try:
            if deferred:
                url = await self.deferred_url(deferred)
            host, port = urlsplit(self.sh.base).hostname or "127.0.0.1", urlsplit(self.sh.base).port or 80
            status = await asyncio.to_thread(http_get, host, port, url, self.sh.opts.run_timeout)
            if status is None and self.sh.shutting_down:  # cut by the SIGTERM that ends the run
                run.status = "shutdown"
            else:
                run.status = "ok" if status == 200 else f"http {status}"
        except TimeoutError:
            run.status = "shutdown" if self.sh.shutting_down else "stuck"
        except (RuntimeError, websockets.ConnectionClosed) as exc:
            run.status = "shutdown" if self.sh.shutting_down else "download failed"
            run.detail += f": {exc}"
        run.ended = self.sh.now()

    async def deferred_url(self, file_id: str) -> str:
        assert self.ws is not None
        request_id = f"load-{self.i}-{len(self.sh.runs)}"
        msg = BackMsg()
        msg.backend_operation_request.request_id = request_id
        msg.backend_operation_request.session_id = self.session_id
        msg.backend_operation_request.deferred_file.file_id = file_id
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self.operations[request_id] = future
        await self.ws.send(msg.SerializeToString())
        response = await asyncio.wait_for(future, self.sh.opts.run_timeout)
        if response.error_msg or not response.deferred_file.url:
            raise RuntimeError(response.error_msg or "no url")
        return response.deferred_file.url

    def pick(self, key: str) -> bytes | None:
        choice = self.widgets.choices.get(key)
        if choice is None:
            return None
        values = choice.pick(self.rng)
        self.detail = f"{key}={values}"
        ok = (
            self.widgets.set_string(key, values[0])
            if choice.kind == "selectbox"
            else self.widgets.set_strings(key, values)
        )
        return self.here() if ok else None

    async def main(self) -> None:
        try:
            await self.loop()
        finally:
            await self.close()

    def running(self) -> bool:
        """Until the time is up; with a server of our own, until it is stopped (SIGTERM comes under load)."""
        return not self.sh.stop.is_set() and (self.sh.owns_server or self.sh.now() < self.sh.opts.seconds)

    async def loop(self) -> None:
        reconnects = 0
        while self.running():
            if self.ws is None or self.reader is None or self.reader.done():
                if self.sh.shutting_down or reconnects > 3 or not await self.connect():
                    return
                reconnects += 1
                first = await self.interact("open" if reconnects == 1 else "reopen", self.page, self.open_payload())
                if first.status == "ok" and reconnects == 1:
                    self.sh.first_page_s.append((first.ended or 0.0) + self.sh.offset)
                continue
            await asyncio.sleep(self.rng.uniform(0, self.sh.opts.think))
            if not self.running():
                return
            action, payload = self.next_action()
            if payload is None:
                await self.download()
            else:
                await self.interact(action, self.page, payload, self.detail)


def area_pools(sessions: int) -> tuple[list[list[str]], bool]:
    """Each session's own areas (every area but Wales, split evenly); ``True`` if there are too few to keep them
    apart (then a shared area cannot show a mix-up)."""
    tokens = [a for a in area_options(frozenset(geography.LA_CODES)) if a != "wales"]
    size = len(tokens) // sessions
    if size == 0:
        return [[tokens[i % len(tokens)]] for i in range(sessions)], True
    return [tokens[i * size : (i + 1) * size] for i in range(sessions)], False


# ------------------------------------------------------------------------------------------------- the whole run


async def run_load(opts: Options) -> dict[str, Any]:
    """Run the load as ``opts`` says and return the report (see :func:`failures` for what fails it)."""
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    folder = opts.work_dir or Path(tempfile.mkdtemp(prefix="resettlement-load-"))
    folder.mkdir(parents=True, exist_ok=True)
    db_url = opts.db or (None if opts.url else await asyncio.to_thread(build_demo, folder, opts.scale))
    server = None if opts.url else Server(db_url or "", folder, fresh_db=opts.db is None)
    try:
        report = await _load(opts, server, folder)
    finally:
        if server is not None and server.alive():  # an error on the way: never leave the server behind
            server.proc.kill()  # type: ignore[union-attr]
            server.proc.wait()  # type: ignore[union-attr]
    report.update(started_at=started_at, database=db_url, server_log=str(server.log_path) if server else None)
    if server is not None and failures(report):
        report["server_log_tail"] = server.log_tail()
    return report


async def _load(opts: Options, server: Server | None, folder: Path) -> dict[str, Any]:
    base = server.base if server else (opts.url or "").rstrip("/")
    host, port = urlsplit(base).hostname or "127.0.0.1", urlsplit(base).port or 80
    t0 = time.monotonic()
    if server is not None:
        server.start()
        t0 = server.started
    pid = opts.pid or (server.pid if server else None)
    alive = server.alive if server else (lambda: True)
    hang_dump: dict[str, Any] = {}
    probe = Probe(host, port, pid, t0, opts.hang_dump_s, make_hang_dump(opts, pid, folder, hang_dump))
    startup = await wait_for_server(opts.cold, host, port, alive, probe, server)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    load_t0 = time.monotonic()
    startup["sessions_start_s"] = round(load_t0 - t0, 2)
    mem_start = memory(pid)
    pools, shared_pools = area_pools(opts.sessions)
    owners: dict[str, set[int]] = {}
    for i, pool in enumerate(pools):
        for a in pool:
            owners.setdefault(a, set()).add(i)
    cat = Catalog([*owners, "wales"])
    sh = Shared(opts, base, load_t0, cat, owners, opts.seed, server is not None, load_t0 - t0)
    tasks = [asyncio.create_task(Session(i, pools[i], sh).main()) for i in range(opts.sessions)]
    await asyncio.wait(tasks, timeout=opts.seconds)
    mem_end = memory(pid)
    probe.stop()  # before SIGTERM: the shutdown is not a hang
    probe_end = time.monotonic() - t0
    stop_info: dict[str, Any] = {}
    if server is not None:
        sh.shutting_down = True
        stop_info = await asyncio.to_thread(server.stop)
    else:
        await asyncio.wait(tasks, timeout=opts.run_timeout + 5)
    sh.stop.set()
    _, pending = await asyncio.wait(tasks, timeout=15)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    health_summary = probe.summary(probe_end)
    mem = {
        "start_mib": (mem_start or {}).get("VmRSS"),
        "end_mib": (mem_end or {}).get("VmRSS"),
        "peak_mib": (mem_end or {}).get("VmHWM"),
        "max_sampled_mib": health_summary.pop("rss_max_sampled_mib"),
        "by_tenth_mib": tenths(probe.rss),
    }
    client = {
        "cpu_s": round(cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime, 1),
        "wall_s": round(time.monotonic() - load_t0, 1),
    }
    report = build_report(opts, sh, health_summary, startup, stop_info, mem, client)
    report.update(pools_shared=shared_pools, hang_dump=hang_dump or None)
    return report


async def wait_for_server(
    cold: bool, host: str, port: int, alive: Callable[[], bool], probe: Probe, server: Server | None
) -> dict[str, Any]:
    """Cold: probe from the start and return as soon as the port accepts. Warm: once health answers, then probe."""
    started = probe.t0
    if cold:
        probe.start()
        if not await asyncio.to_thread(wait_until, lambda: port_open(host, port), 90, alive, 0.05):
            raise RuntimeError(f"the server did not open its port: {server.log_tail() if server else host}")
        return {"port_open_s": round(time.monotonic() - started, 2)}
    if not await asyncio.to_thread(wait_until, lambda: health(host, port, 2) is not None, 90, alive, 0.3):
        raise RuntimeError(f"the server did not start: {server.log_tail() if server else host}")
    probe.start()
    return {"health_s": round(time.monotonic() - started, 2)}


def make_hang_dump(opts: Options, pid: int | None, folder: Path, out: dict[str, Any]) -> Callable[[], None] | None:
    if not opts.py_spy or pid is None:
        return None

    def dump() -> None:
        path = folder / f"py-spy-{pid}.txt"
        try:
            py_spy_dump(opts.py_spy or "", pid, path)
            out.update(path=str(path), top=path.read_text().splitlines()[:60])
        except (OSError, subprocess.SubprocessError) as exc:
            out.update(error=str(exc))

    return dump


def build_report(
    opts: Options,
    sh: Shared,
    health_summary: dict[str, Any],
    startup: dict[str, Any],
    stop_info: dict[str, Any],
    mem: dict[str, Any],
    client: dict[str, Any],
) -> dict[str, Any]:
    everything = [r for r in sh.runs if r.status != "pending"]
    runs = [r for r in everything if r.action != "download"]
    downloads = [r for r in everything if r.action == "download"]
    done = [r for r in runs if r.status == "ok"]
    per_page = {page: timing([r for r in done if r.page == page]) for page in PAGES}
    exceptions = [e for r in runs for e in r.exceptions] + sh.stray_exceptions
    kinds = Counter(p["kind"] for p in sh.problems)
    first = sorted(sh.first_page_s)
    return {
        "label": opts.name(),
        "commit": git_commit(),
        "cpus": os.cpu_count(),
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(opts).items()},
        "startup": {**startup, "first_page_s": {"p50": rnd(pct(first, 50)), "max": rnd(max(first or [0]))}},
        "runs": {
            "total": len(runs),
            "ok": len(done),
            "by_status": dict(Counter(r.status for r in runs)),
            "by_action": dict(Counter(r.action for r in runs)),
            "server_script_runs": sum(r.server_runs for r in runs),
            **timing(done),
            "per_page": per_page,
        },
        "exceptions": {"count": len(exceptions), "distinct": distinct(exceptions), "all": exceptions[:200]},
        "mixups": {"count": kinds["mixup"], "all": [p for p in sh.problems if p["kind"] == "mixup"][:200]},
        "lost_state": {"count": kinds["lost"], "all": [p for p in sh.problems if p["kind"] == "lost"][:100]},
        "incomplete": {"count": kinds["incomplete"], "all": [p for p in sh.problems if p["kind"] == "incomplete"][:50]},
        "downloads": {
            "by_status": dict(Counter(r.status for r in downloads)),
            **timing([r for r in downloads if r.status == "ok"]),
            "failed": [
                {"session": r.session, "page": r.page, "status": r.status, "detail": r.detail}
                for r in downloads
                if r.status not in ("ok", "shutdown")
            ][:50],
        },
        "connections": dict(sh.events),
        "health": health_summary,
        "memory": mem,
        "server": stop_info,
        "client": client,
        "timeline": [
            [r.session, r.page, r.action, round(r.started, 2), rnd(r.duration()), r.status] for r in everything
        ],
    }


def tenths(rss: list[float]) -> list[float]:
    """The highest resident memory in each tenth of the run, so growth and a plateau can be told apart."""
    if len(rss) < 10:
        return rss
    size = len(rss) / 10
    return [max(rss[int(i * size) : int((i + 1) * size)]) for i in range(10)]


def timing(runs: list[Run]) -> dict[str, Any]:
    """How many runs and their p50, p95 and longest duration in seconds."""
    d = sorted(r.duration() or 0.0 for r in runs)
    return {"runs": len(d), "p50_s": rnd(pct(d, 50)), "p95_s": rnd(pct(d, 95)), "max_s": rnd(max(d or [0]))}


def rnd(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def distinct(exceptions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts = Counter((e["type"], e["message"][:200]) for e in exceptions)
    pages: dict[tuple[str, str], set[str]] = {}
    for e in exceptions:
        pages.setdefault((e["type"], e["message"][:200]), set()).add(e["page"])
    return [{"type": k[0], "message": k[1], "count": n, "pages": sorted(pages[k])} for k, n in counts.most_common()]


def git_commit() -> str | None:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        return f"{sha}{'+dirty' if dirty else ''}"
    except (OSError, subprocess.CalledProcessError):
        return None


def failures(report: dict[str, Any], hang_s: float = HANG_S, exit_limit_s: float = EXIT_LIMIT_S) -> list[str]:
    """Why the run failed: a hang (health unanswered ``hang_s`` or a run stuck), an exception box, a cross-session
    mix-up, a lost choice (an area or language nobody chose), a failed download (a 404: the built file swept before
    it was fetched), a lost connection, the server dying, a slow or forced exit after SIGTERM, or no run finished.
    Never timings otherwise."""
    out = []
    h = report["health"]
    if not h["answered"]:
        out.append("health never answered")
    elif h["max_unanswered_s"] >= hang_s:
        out.append(f"hang: health unanswered for {h['max_unanswered_s']} s")
    if stuck := report["runs"]["by_status"].get("stuck"):
        out.append(f"hang: {stuck} run(s) not finished within {report['options']['run_timeout']} s")
    if stuck := report["downloads"]["by_status"].get("stuck"):
        out.append(f"hang: {stuck} download(s) not built within {report['options']['run_timeout']} s")
    if failed := [f for f in report["downloads"]["failed"] if f["status"] != "stuck"]:
        out.append(f"{len(failed)} download(s) failed ({', '.join(sorted({f['status'] for f in failed}))})")
    if report["exceptions"]["count"]:
        out.append(f"{report['exceptions']['count']} exception box(es)")
    if report["mixups"]["count"]:
        out.append(f"{report['mixups']['count']} cross-session mix-up(s)")
    if report["lost_state"]["count"]:
        out.append(f"{report['lost_state']['count']} choice(s) lost (an area or language nobody chose)")
    if lost := report["connections"].get("connection lost"):
        out.append(f"{lost} websocket connection(s) lost before the end")
    server = report["server"]
    if server.get("note") == "had already exited":
        out.append(f"the server exited before SIGTERM (return code {server['returncode']})")
    elif server.get("killed"):
        out.append(f"the server did not exit within {KILL_AFTER_S:g} s of SIGTERM (killed)")
    elif server.get("sigterm_exit_s") is not None and server["sigterm_exit_s"] > exit_limit_s:
        out.append(f"the server took {server['sigterm_exit_s']} s to exit after SIGTERM")
    if not report["runs"]["ok"]:
        out.append("no run finished")
    return out


def summary(report: dict[str, Any]) -> str:
    r, h, m, s = report["runs"], report["health"], report["memory"], report["server"]
    lines = [
        f"load test {report['label']} ({report['options']['sessions']} sessions, {report['options']['seconds']:g} s"
        f"{', cold start' if report['options']['cold'] else ''}) at {report['commit']}, {report['cpus']} CPUs",
        f"startup: {report['startup']}",
        f"runs: {r['total']} ({r['by_status']}), by action {r['by_action']}, {r['server_script_runs']} script runs",
        f"run time: p50 {r['p50_s']} s, p95 {r['p95_s']} s, max {r['max_s']} s",
    ]
    lines += [
        f"  {page:<13} n={v['runs']:<4} p50 {v['p50_s']} s  p95 {v['p95_s']} s  max {v['max_s']} s"
        for page, v in r["per_page"].items()
    ]
    d = report["downloads"]
    lines.append(f"downloads: {d['by_status']}, p50 {d['p50_s']} s, max {d['max_s']} s")
    lines.append(f"exception boxes: {report['exceptions']['count']}")
    lines += [
        f"  {e['count']}x {e['type']}: {e['message'][:150]} (pages {', '.join(e['pages'])})"
        for e in report["exceptions"]["distinct"][:10]
    ]
    lines.append(f"cross-session mix-ups: {report['mixups']['count']}")
    lines += [
        f"  session {p['session']} {p['page']} after {p['action']}: {p['what']} expected {p['expected']}, "
        f"saw {p['seen']}"
        for p in report["mixups"]["all"][:10]
    ]
    lines.append(f"lost state (area or language reset, no other session's): {report['lost_state']['count']}")
    lines += [
        f"  session {p['session']} {p['page']} after {p['action']}: {p['what']} expected {p['expected']}, "
        f"saw {p['seen']}"
        for p in report["lost_state"]["all"][:5]
    ]
    lines.append(f"incomplete pages (no title): {report['incomplete']['count']}; connections: {report['connections']}")
    lines.append(
        f"health: {h['answered']}/{h['probes']} answered, max unanswered {h['max_unanswered_s']} s, "
        f"latency p50 {h['latency_ms']['p50']} ms, max {h['latency_ms']['max']} ms"
    )
    lines.append(
        f"memory: start {m['start_mib']} MiB, end {m['end_mib']} MiB, peak (VmHWM) {m['peak_mib']} MiB; "
        f"highest in each tenth of the run {m.get('by_tenth_mib')}"
    )
    lines.append(f"SIGTERM: {s or 'not sent (external server)'}")
    lines.append(f"client: {report['client']['cpu_s']} CPU s in {report['client']['wall_s']} s")
    if report.get("hang_dump"):
        lines.append(f"py-spy dump: {report['hang_dump'].get('path') or report['hang_dump']}")
    fails = failures(report)
    lines.append("PASS" if not fails else "FAIL: " + "; ".join(fails))
    return "\n".join(lines)


def write(report: dict[str, Any], out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"load-{report['label']}.json"
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str) + "\n")
    return path


def parse_args(argv: list[str] | None) -> Options:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", type=int, default=15)
    p.add_argument("--seconds", type=float, default=120.0)
    p.add_argument("--cold", action="store_true", help="connect while the server is still starting")
    p.add_argument("--db", help="SQLAlchemy URL of an existing database (default: a fresh demo database)")
    p.add_argument("--scale", type=float, default=1.0, help="scale of the fresh demo database")
    p.add_argument("--url", help="a server already running (not started or stopped here)")
    p.add_argument("--pid", type=int, help="its process id, for memory figures")
    p.add_argument("--label", help="names the results file (default: <sessions>x<seconds>s, cold- first)")
    p.add_argument("--think", type=float, default=0.5, help="at most this many seconds between two actions")
    p.add_argument("--run-timeout", type=float, default=60.0, help="a run not finished by then is stuck")
    p.add_argument("--seed", type=int, default=14)
    p.add_argument("--py-spy", default=shutil.which("py-spy"), help="py-spy, to dump the server's stacks on a hang")
    p.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    a = p.parse_args(argv)
    same = (
        "sessions",
        "seconds",
        "cold",
        "db",
        "scale",
        "url",
        "pid",
        "label",
        "think",
        "run_timeout",
        "seed",
        "py_spy",
    )
    return Options(**{name: getattr(a, name) for name in same}, out_dir=a.out)


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    report = asyncio.run(run_load(opts))
    path = write(report, opts.out_dir)
    print(summary(report))
    print(f"wrote {path}")
    return 1 if failures(report) else 0


if __name__ == "__main__":
    sys.exit(main())
