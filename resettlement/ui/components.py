"""Reusable page components. Figures reach the screen or a download only through :func:`protected_table`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from resettlement import disclosure
from resettlement.i18n import has, t


def column_label(name: str, lang: str) -> str:
    key = f"col.{name}"
    return t(key, lang) if has(key, lang) else name


def display_frame(protected: pl.DataFrame, lang: str, decimals: Mapping[str, int] | None = None) -> pl.DataFrame:
    """Text cells with note codes, columns renamed to the chosen language."""
    if not disclosure.is_protected(protected):
        raise ValueError("figures must pass through disclosure.protect before display")
    shown = disclosure.for_display(protected, decimals)
    return shown.rename({c: column_label(c, lang) for c in shown.columns})


def protected_table(
    protected: pl.DataFrame,
    lang: str,
    key: str,
    filename: str,
    decimals: Mapping[str, int] | None = None,
    caption: str | None = None,
) -> None:
    """A disclosure-controlled table with a CSV download of exactly the same cells."""
    shown = display_frame(protected, lang, decimals)
    st.dataframe(shown, hide_index=True, width="stretch")
    if caption:
        st.caption(caption)
    st.download_button(
        t("ui.download_csv", lang),
        data=shown.write_csv().encode("utf-8-sig"),
        file_name=filename,
        mime="text/csv",
        key=f"dl_{key}",
        icon=":material/download:",
    )


def chart_with_table(
    fig: go.Figure,
    protected: pl.DataFrame,
    lang: str,
    key: str,
    filename: str,
    decimals: Mapping[str, int] | None = None,
) -> None:
    """A chart and its table alternative holding the same numbers, in tabs."""
    chart_tab, table_tab = st.tabs([t("ui.chart", lang), t("ui.table", lang)])
    with chart_tab:
        st.plotly_chart(fig, width="stretch", key=f"fig_{key}", config={"displaylogo": False})
        st.caption(t("ui.suppression_note", lang))
    with table_tab:
        protected_table(protected, lang, key, filename, decimals)


def coming_soon(lang: str, items: Sequence[str]) -> None:
    """A short note on what a page will show, for pages whose issue has not landed yet."""
    st.info(t("ui.coming_soon", lang), icon=":material/construction:")
    st.markdown("\n".join(f"- {t(i, lang)}" for i in items))
