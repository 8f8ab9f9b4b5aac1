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
from resettlement.filters import (
    DATA_START,
    Area,
    Filters,
    area_options,
    default_period,
    quarters_between,
    trend_quarters,
)
from resettlement.scope import scope_from_settings
from resettlement.standard import COHORTS

log = logging.getLogger(__name__)


def import_pages() -> None:
    """Import what the pages import (about a second, otherwise paid by the first visitor). Not pandas: tables go to
    Streamlit as Arrow, and only the map (Service gaps) needs it, so the first page does not wait for it."""
    import plotly.graph_objects  # noqa: F401
    import pyarrow  # noqa: F401

    from resettlement import (  # noqa: F401
        charts,
        completeness,
        disclosure,
        evaluation,
        gaps,
        needs,
        outcomes,
        overview,
        report,
        rrp,
    )
    from resettlement.ui import components, data, shell  # noqa: F401

    _first_run_imports()


def _first_run_imports() -> None:
    """Modules the first script run would otherwise import on the way (seen with ``sys.modules`` before and after
    it): the page icon's image readers, Material icon names, Streamlit's component manifests, pyarrow's compute
    functions for tables, Polars' ``map_elements`` and the parts of Plotly a trend chart and its JSON use."""
    import numpy.ma  # noqa: F401
    import PIL.Image
    import plotly.graph_objects as go
    import plotly.io._json
    import plotly.offline  # noqa: F401
    import polars._utils.udfs  # noqa: F401
    import pyarrow.compute  # noqa: F401
    import streamlit.components.v2.manifest_scanner
    import streamlit.material_icon_names  # noqa: F401

    PIL.Image.init()  # every image format's reader, as opening the icon does

    go.Figure(go.Scatter(x=[0], y=[0], line={"dash": "dot"}),
              layout={"title": {"text": "", "font": {"size": 1}}, "font": {}, "legend": {}, "margin": {},
                      "xaxis": {"title": {"text": ""}}, "yaxis": {"title": {"text": ""}}}).to_plotly_json()


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
    return View(url, scope.key(), version, f, as_of, trend_quarters(as_of))


def compute(view: View) -> None:
    """The default Overview, through the page's own cached calls, then the tables the other pages read.

    The Overview's results are kept beside the snapshot (see resettlement/kept.py): after the first start on a
    data version they are read, not computed, and the tables load after them.
    """
    from resettlement import overview
    from resettlement.ui import data

    data.cached(overview.headline, view.url, view.scope_key, view.data_version, view.filters, view.as_of)
    data.cached(overview.trends, view.url, view.scope_key, view.data_version, view.filters, view.quarters)
    data.tables(view.url, view.scope_key, view.data_version)


def warm(url: str) -> bool:
    """:func:`plan` then :func:`compute`, here; ``False`` when there was nothing to warm. ``demo`` and ``import``
    call it after writing, so even the first start on new data finds the Overview's results kept."""
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

    Imports come first, in this thread: a warm-up running beside them slowed them (both want the GIL and the two
    cores) more than it gained. The thread only runs code imported before it starts, the database driver included
    (loaded by :func:`plan`, here), so it never imports a module at the same time as the server. Errors are
    logged: a page computes, and reports, for itself.
    """
    import_pages()
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
