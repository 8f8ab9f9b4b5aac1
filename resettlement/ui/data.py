"""Cached loaders for pages. Keys are plain values and always include the viewer's scope."""

from __future__ import annotations

import polars as pl
import streamlit as st

from resettlement import geography, store
from resettlement.scope import scope_from_key


@st.cache_resource(show_spinner=False, max_entries=16)
def tables(url: str, scope_key: str, data_version: str) -> dict[str, pl.DataFrame]:
    """Every standard table visible in scope, with ``service_code`` attached to cases.

    Shared, never mutated (Polars frames are immutable), so no per-call copy. ``data_version`` changes
    whenever data is written, which retires the cached entry. Read from the columnar snapshot of that version when
    there is one (see :func:`resettlement.store.read_all`).
    """
    frames = store.read_all(store.get_engine(url), scope_from_key(scope_key), data_version)
    frames["cases"] = geography.attach_service(frames["cases"])
    return frames


def read_meta(url: str) -> dict[str, str]:
    """Dataset metadata (tiny; read on every run so imports show at once)."""
    return store.read_meta(store.get_engine(url))
