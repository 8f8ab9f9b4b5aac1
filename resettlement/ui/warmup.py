"""Warm the caches as the server starts, so the first visitor's Overview is ready, or nearly, when it is asked for.

``python -m resettlement serve`` (what ``./scripts/run`` starts) calls :func:`start` before the server listens:
everything the pages draw with is imported here, in the main thread, then a background thread reads the tables and
computes the default Overview through the same cached functions, with the same keys, as the page's own calls. A
page needing one of those values waits for it instead of computing it again (Streamlit computes a cached value
once per key); nothing else waits. The thread imports nothing, so it never races the server's own imports.
"""

from __future__ import annotations

import logging
import threading
from datetime import date

from resettlement import settings, store
from resettlement.filters import (
    DATA_START,
    Area,
    Filters,
    area_options,
    default_period,
    quarter_bounds,
    quarters_between,
)
from resettlement.scope import scope_from_settings
from resettlement.standard import COHORTS

log = logging.getLogger(__name__)


def import_pages() -> None:
    """Import what the pages import (about a second and a half, otherwise paid by the first visitor)."""
    import pandas  # noqa: F401 - Streamlit's tables
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


def warm(url: str) -> bool:
    """Read the tables and compute the default Overview for the configured scope; ``False`` when there is nothing
    to warm yet (no database: the first visit builds the demo one)."""
    from resettlement import overview
    from resettlement.ui import data

    if not store.database_exists(url):
        return False
    meta = store.read_meta(store.get_engine(url))
    version = meta.get("data_version", "")
    scope = scope_from_settings(meta.get("synthetic") == "1")
    if not version or scope.is_empty:
        return False
    as_of = store.as_of(meta) or date.today()
    quarters = quarters_between(DATA_START, as_of)
    # the view a session starts with (shell.initial_filters without URL parameters; shell.bootstrap's quarters)
    f = Filters(*default_period(quarters), Area.parse(area_options(scope.la_codes)[0]), COHORTS)
    shown = tuple(q for q in quarters if quarter_bounds(q)[0] <= as_of)
    key = scope.key()
    data.tables(url, key, version)
    data.cached(overview.headline, url, key, version, f, as_of)
    data.cached(overview.trends, url, key, version, f, shown)
    return True


def start(url: str | None = None) -> threading.Thread:
    """Import the pages' modules now, then warm the caches in a background thread (errors are logged: a page
    reports its own)."""
    import_pages()
    target = url or settings.db_url()

    def run() -> None:
        # Streamlit notes each cached call made outside a script run; these are deliberate
        logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
        logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
        try:
            warm(target)
        except Exception as exc:  # only a cache: the first page computes, and reports any error, itself
            log.warning("could not warm the caches: %s", exc)

    thread = threading.Thread(target=run, name="resettlement-warmup", daemon=True)
    thread.start()
    return thread
