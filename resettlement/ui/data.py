"""Cached loaders and computations for pages. Keys are plain values and always include the viewer's scope.

Every session's script runs in a thread of its own, and all of them share one Polars thread pool (per process).
That is safe because nothing a page runs hands Polars a Python callback: a thread holding the GIL can wait for the
pool (Polars does not always release the GIL), so a pool worker waiting for the GIL (a ``map_elements`` of another
page) once deadlocked the whole server. ``tests/test_concurrency.py`` keeps such callbacks out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx

from resettlement import completeness, store
from resettlement.readonly import read_only
from resettlement.scope import scope_from_key
from resettlement.tables import Tables

T = TypeVar("T")
_FUNCTIONS: dict[str, Callable[..., Any]] = {}


def tables(url: str, scope_key: str, data_version: str) -> Tables:
    """Every standard table visible in scope, with ``service_code`` attached to cases.

    Shared and read-only (:class:`~resettlement.tables.Tables`; Polars frames are immutable), so no per-call copy.
    ``data_version`` changes whenever data is written, which retires the cached entry. Read from the columnar
    snapshot of that version when there is one (see :func:`resettlement.store.read_all`).
    """
    return _tables(url, _rows_key(scope_key), data_version)


_PREFETCHED: set[tuple[str, str, str]] = set()


def prefetch(url: str, scope_key: str, data_version: str) -> None:
    """Start loading the tables in a background thread, once per key, so reading them (Polars works outside the
    GIL) overlaps with drawing the shell and importing the page's modules; the page's own call then waits for that
    load instead of starting another (Streamlit computes a cached value once per key)."""
    key = (url, _rows_key(scope_key), data_version)
    if key in _PREFETCHED:
        return
    _PREFETCHED.add(key)

    def load() -> None:
        try:
            tables(url, scope_key, data_version)
        except Exception:  # the page's own call reports it
            _PREFETCHED.discard(key)

    thread = threading.Thread(target=load, name="resettlement-prefetch", daemon=True)
    add_script_run_ctx(thread)
    thread.start()


def _rows_key(scope_key: str) -> str:
    """The part of a scope key that decides which rows are read: its authorities. Case-level rights change what is
    shown, not what is read, so the publication view shares the frames (and their memory) of the working view."""
    return "rows:" + scope_key.partition(":")[2]


@st.cache_resource(show_spinner=False, max_entries=8)
def _tables(url: str, rows_key: str, data_version: str) -> Tables:
    return Tables.of(store.read_all(store.get_engine(url), scope_from_key(rows_key), data_version))


def read_meta(url: str) -> dict[str, str]:
    """Dataset metadata (tiny; read on every run so imports show at once)."""
    return store.read_meta(store.get_engine(url))


def evaluated(url: str, scope_key: str, data_version: str) -> completeness.Evaluated:
    """Every record's completeness, validity and timeliness masks (heavy: computed once per scope and version)."""
    return _evaluated(url, _rows_key(scope_key), data_version)


@st.cache_resource(show_spinner=False, max_entries=4)
def _evaluated(url: str, rows_key: str, data_version: str) -> completeness.Evaluated:
    return read_only(completeness.evaluate(_tables(url, rows_key, data_version)))


def clear() -> None:
    """Free every cached frame and result (after an import: the new data version retires them anyway)."""
    for cache in (_tables, _evaluated, _computed, _published):
        cache.clear()
    _PREFETCHED.clear()


def cached(fn: Callable[..., T], url: str, scope_key: str, data_version: str, *args: Any) -> T:
    """``fn(tables, *args)`` on the viewer's tables, computed once per (url, scope key, data version, args).

    ``fn`` is a module-level function of ``resettlement/`` whose first parameter is the tables mapping; ``args``
    are plain values (strings, dates, tuples, the frozen :class:`~resettlement.filters.Filters`), never frames,
    so the key is cheap to hash. Results are shared between reruns and sessions, so they are read-only (Polars frames
    are immutable; dicts and lists are frozen by :func:`~resettlement.readonly.read_only`).
    """
    name = f"{fn.__module__}.{fn.__qualname__}"
    _FUNCTIONS[name] = fn
    return _computed(name, url, scope_key, data_version, args, source="tables")


def cached_evaluated(fn: Callable[..., T], url: str, scope_key: str, data_version: str, *args: Any) -> T:
    """Like :func:`cached`, for a function whose first parameter is the :func:`evaluated` completeness masks."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    _FUNCTIONS[name] = fn
    return _computed(name, url, scope_key, data_version, args, source="evaluated")


def published(
    name: str, url: str, scope_key: str, data_version: str, protection: Any, *args: Any
) -> pl.DataFrame | None:
    """Published table ``name`` (:mod:`resettlement.published`) for ``args``, protected for ``protection``; its
    source's result is cached once (shared by the tables made from it) and so is the protected table (None when
    the source has no such part for ``args``)."""
    return _published(name, url, scope_key, data_version, protection, args)


@st.cache_resource(show_spinner=False, max_entries=1024)
def _published(
    name: str, url: str, scope_key: str, data_version: str, protection: Any, args: tuple
) -> pl.DataFrame | None:
    from resettlement import published as registry

    spec = registry.REGISTRY[name]
    name_of = f"{spec.source.__module__}.{spec.source.__qualname__}"
    _FUNCTIONS[name_of] = spec.source
    raw = _computed(name_of, url, scope_key, data_version, args, source=spec.input)
    return registry.protect(spec, raw, protection, *args)


@st.cache_resource(show_spinner=False, max_entries=512)
def _computed(name: str, url: str, scope_key: str, data_version: str, args: tuple, source: str) -> Any:
    # ``source`` is always passed by keyword: Streamlit keys a call on the arguments as given, so a call leaving it
    # to a default would miss the entry of one naming it (the warm-up's Overview and the page's did).
    first = evaluated if source == "evaluated" else tables
    return read_only(_FUNCTIONS[name](first(url, scope_key, data_version), *args))
