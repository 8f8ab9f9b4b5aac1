"""Warm the caches as the server starts, so the first visitor's Overview is ready, or nearly, when it is asked for.

``python -m resettlement serve`` (what ``./scripts/run`` starts) calls :func:`start` before the server listens:
everything the pages draw with is imported, then a background thread reads the tables and computes the default
Overview through the same cached functions, with the same keys, as the page's own calls. A page
needing one of those values waits for it instead of computing it again (Streamlit computes a cached value once per
key); nothing else waits.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date

from resettlement import settings, store
from resettlement.filters import Area, Filters, area_options
from resettlement.period import DATA_START, default_period, quarters_between, trend_quarters
from resettlement.scope import scope_from_settings
from resettlement.standard import COHORTS

log = logging.getLogger(__name__)


# Third-party modules that pages, downloads and Polars reach only on the way (inside functions, or through Polars'
# lazy optional dependencies). Importing a module in two script threads at once can hand one of them a partially
# initialised module ("partially initialized module 'pandas' has no attribute 'Series'"), so every module a page can
# reach is imported here, once, before the server accepts a connection. tests/test_concurrency.py checks that no page
# imports anything more.
LAZY_IMPORTS = (
    "pandas",  # Plotly's and Streamlit's optional conversions, pydeck
    "pydeck",
    "numpy.ma",
    "openpyxl",  # XLSX exports and templates, reading uploaded workbooks
    "openpyxl.styles",
    "openpyxl.utils",
    "openpyxl.worksheet.datavalidation",
    "openpyxl.packaging.extended",
    "pptx",  # the slide deck
    "pptx.chart.data",
    "pptx.dml.color",
    "pptx.enum.chart",
    "pptx.enum.dml",
    "pptx.enum.text",
    "pptx.util",
    "plotly.subplots",
    "sqlalchemy.dialects.postgresql",
    "sqlalchemy.dialects.sqlite",
    "encodings.utf_8_sig",  # CSV downloads (UTF-8 with a BOM, so Excel reads Welsh letters)
    "charset_normalizer",  # uploaded CSVs not in UTF-8, and the encodings they may be in (importer.CSV_ENCODINGS)
    "encodings.cp1252",
    "encodings.latin_1",
    "encodings.utf_16",
    "encodings.utf_32",
    "sqlite3",  # the embedded database's driver, before a first start has a database to plan a warm-up on
    "streamlit.emojis",  # Streamlit looks for a leading emoji in a label that is not plain ASCII (Welsh "Remánd")
)
# Packages imported whole: Plotly imports a figure's parts as they are first used (one module per property group).
LAZY_PACKAGES = (
    "resettlement",
    "plotly.graph_objs.layout",
    "plotly.graph_objs.bar",
    "plotly.graph_objs.scatter",
    "plotly.graph_objs.heatmap",
)


def import_pages() -> None:
    """Import every module a page can reach: :data:`LAZY_PACKAGES` whole, :data:`LAZY_IMPORTS`, and what the first
    script run otherwise imports on the way (about 2 s, paid once at start instead of by the first visitors, at the
    same time, in several threads)."""
    import importlib
    import pkgutil

    for name in LAZY_PACKAGES:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, f"{name}."):
            if module.name != "resettlement.__main__":
                importlib.import_module(module.name)
    for name in LAZY_IMPORTS:
        importlib.import_module(name)
    _first_run_imports()


def _first_run_imports() -> None:
    """Modules the first script run would otherwise import on the way (seen with ``sys.modules`` before and after
    it): the page icon's image readers, Material icon names, Streamlit's component manifests, pyarrow's compute
    functions for tables and the parts of Plotly a trend chart and its JSON use."""
    import PIL.Image
    import plotly.graph_objects as go
    import plotly.io._json
    import plotly.offline  # noqa: F401
    import pyarrow.compute  # noqa: F401
    import streamlit.components.v2.manifest_scanner
    import streamlit.material_icon_names  # noqa: F401

    PIL.Image.init()  # every image format's reader, as opening the icon does

    go.Figure(
        go.Scatter(x=[0], y=[0], line={"dash": "dot"}),
        layout={
            "title": {"text": "", "font": {"size": 1}},
            "font": {},
            "legend": {},
            "margin": {},
            "xaxis": {"title": {"text": ""}},
            "yaxis": {"title": {"text": ""}},
        },
    ).to_plotly_json()


@dataclass(frozen=True)
class View:
    """The view a session starts with, as the shell builds it (shell.initial_filters without URL parameters and
    the quarters of shell.bootstrap), and the cache keys it is read under."""

    url: str
    scope_key: str
    data_version: str
    filters: Filters
    as_of: date
    quarters: tuple[str, ...]


def plan(url: str) -> View | None:
    """The default view of the configured scope on ``url``'s current data; ``None`` when there is nothing to warm
    yet (no database: the first visit builds the demo one)."""
    if not store.database_exists(url):
        return None
    meta = store.read_meta(store.get_engine(url))
    version = meta.get("data_version", "")
    scope = scope_from_settings(meta.get("synthetic") == "1")
    if not version or scope.is_empty:
        return None
    as_of = store.as_of(meta) or date.today()
    quarters = quarters_between(DATA_START, as_of)
    f = Filters(*default_period(quarters, as_of), Area.parse(area_options(scope.la_codes)[0]), COHORTS)
    return View(url, scope.figures_key(), version, f, as_of, trend_quarters(as_of))


def compute(view: View) -> None:
    """The default Overview, through the page's own cached calls (which read the tables), so the first visitor's
    page finds it in memory."""
    from resettlement import overview
    from resettlement.ui import data

    data.cached(overview.headline, view.url, view.scope_key, view.data_version, view.filters, view.as_of)
    data.cached(overview.trends, view.url, view.scope_key, view.data_version, view.filters, view.quarters)
    data.tables(view.url, view.scope_key, view.data_version)  # the figures' tables (all Wales for some areas)


def warm(url: str) -> bool:
    """:func:`plan` then :func:`compute`, in this thread (what :func:`start`'s thread does); ``False`` when there
    was nothing to warm."""
    view = plan(url)
    if view is None:
        return False
    _quiet()
    compute(view)
    return True


def _quiet() -> None:
    """Streamlit notes each cached call made outside a script run; the warm-up's are deliberate."""
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)


def start(url: str | None = None) -> threading.Thread | None:
    """Import what the pages draw with, then warm the caches in a background thread.

    Imports come first, in this thread, before the server listens (see :data:`LAZY_IMPORTS`). The thread only runs
    code imported before it starts, the database driver included (loaded by :func:`plan`, here), so it never imports
    a module at the same time as a page. Errors are logged: a page computes, and reports, for itself.
    """
    import_pages()
    _navigation_from_start()
    try:
        view = plan(url or settings.db_url())
    except Exception as exc:  # the first page shows the readable reason (e.g. the database is down)
        log.warning("not warming the caches: %s", exc)
        return None
    if view is None:
        return None

    def run() -> None:
        _quiet()
        try:
            compute(view)
        except Exception as exc:  # only a cache: the first page computes, and reports any error, itself
            log.warning("could not warm the caches: %s", exc)

    thread = threading.Thread(target=run, name="resettlement-warmup", daemon=True)
    thread.start()
    return thread


def _navigation_from_start() -> None:
    """Route every run through ``app.py`` (``st.navigation``) from the first connection on.

    Streamlit starts in its legacy ``pages/`` mode (it sees a ``pages/`` folder) until some run has called
    ``st.navigation``; until then a deep link runs the page file alone, without the shell, and two sessions
    opening at once race over the switch (``st.session_state has no key "_ctx"``). The app always calls
    ``st.navigation``, so the legacy mode is never wanted: switch it off before the server starts.
    """
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
