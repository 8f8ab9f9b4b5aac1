"""Reusable page components. Figures reach the screen or a download only through :func:`protected_table`."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import date
from typing import Any

import plotly.graph_objects as go
import polars as pl
import pyarrow as pa
import streamlit as st

from resettlement import disclosure, exports, geography, maps, markup, settings, xlsx
from resettlement.charts import Codes, GroupedBars, Titles, grouped_bars
from resettlement.i18n import LANGS, label, t
from resettlement.present import column_label, period_label
from resettlement.standard import PATHWAYS

_BUILDERS: dict[str, Callable[..., go.Figure]] = {}


_PLAIN = (str, int, float, bool, type(None), date)


def plain_key(value: Any) -> Hashable:
    """``value`` as a key of plain values: frames by their schema and Polars' own row hashes, containers and
    dataclasses (chart specs) item by item.

    Never a pickle: pickling a frame holds the GIL inside Polars while its thread pool works, the half of the lock-order
    deadlock seen under concurrent sessions (see docs/performance.md). ``hash_rows`` runs in Polars' pool and needs no
    Python object, and the digest of its hashes is read as one buffer.
    """
    if isinstance(value, pl.Series):
        value = value.to_frame()
    if isinstance(value, pl.DataFrame):
        hashes = value.hash_rows().to_numpy().tobytes() if value.width else b""
        rows = hashlib.blake2b(hashes, digest_size=16).hexdigest()
        return "frame", tuple((name, str(dtype)) for name, dtype in value.schema.items()), value.height, rows
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # a chart spec: its kind and its fields
        return type(value).__name__, tuple(
            (f.name, plain_key(getattr(value, f.name))) for f in dataclasses.fields(value)
        )
    if isinstance(value, Mapping):
        return "map", tuple((plain_key(k), plain_key(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return type(value).__name__, tuple(plain_key(v) for v in value)
    if isinstance(value, _PLAIN):
        return value
    raise TypeError(f"not a plain value for a cache key: {type(value).__name__}")


def _digest(value: Any) -> str:
    return hashlib.blake2b(repr(plain_key(value)).encode("utf-8"), digest_size=20).hexdigest()


def figure(builder: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> go.Figure:
    """``builder(*args, **kwargs)``, built once per distinct input and viewer scope and shared between reruns.

    Plotly validates every property as a figure is built (tens of milliseconds each), most of a warm rerun of a page
    of charts. The inputs (small protected frames and chart specs) are keyed by :func:`plain_key`, several times quicker
    than Streamlit's hashing of nested labels. The figure returned is shared, so it is never changed after
    it is built: what it needs goes to its builder.
    """
    name = f"{builder.__module__}.{builder.__qualname__}"
    _BUILDERS[name] = builder
    ctx = st.session_state.get("_ctx")
    scope_key = ctx.scope.key() if ctx is not None else ""
    return _figure(name, _digest((args, sorted(kwargs.items()))), scope_key, args, kwargs)


@st.cache_resource(show_spinner=False, max_entries=1024)
def _figure(name: str, digest: str, scope_key: str, _args: tuple, _kwargs: dict) -> go.Figure:
    del digest, scope_key  # the key: the inputs' digest, and the scope, so cached figures never cross viewers' scopes
    return _BUILDERS[name](*_args, **_kwargs)


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
    definitions: Sequence[str] | None = None,
    title: str | None = None,
) -> None:
    """A disclosure-controlled table with CSV and XLSX downloads of exactly the same cells; the XLSX adds an
    About sheet (``title``, source, as-of date, filters, ``definitions`` sections, the suppression rule, note
    codes)."""
    shown = display_frame(protected, lang, decimals)
    dataframe(shown)
    if caption:
        st.caption(caption)
    with st.container(horizontal=True):
        st.download_button(
            t("ui.download_csv", lang),
            data=lambda: exports.csv_bytes(shown),  # built on click, so the audit log records each export
            file_name=filename,
            mime="text/csv",
            key=f"dl_{key}",
            icon=":material/download:",
        )
        st.download_button(
            t("disclosure.export.download_xlsx", lang),
            data=xlsx_export(protected, lang, key, filename, decimals, title or caption, definitions),
            file_name=filename.rsplit(".", 1)[0] + ".xlsx",
            mime=xlsx.MIME,
            key=f"dl_xlsx_{key}",
            icon=":material/table_view:",
        )


def dataframe(df: pl.DataFrame, key: str | None = None) -> None:
    """``df`` on screen, full width without its index, sent to Streamlit as Arrow: a Polars frame given to
    ``st.dataframe`` is converted through pandas on the page's thread, holding the GIL inside Polars."""
    st.dataframe(_arrow(df), hide_index=True, width="stretch", key=key)


def _arrow(df: pl.DataFrame) -> pa.Table:
    """``df`` as an Arrow table with plain (not large or view) strings: Streamlit sends an Arrow table as it is,
    where a Polars frame would go through pandas first."""
    table = df.to_arrow(compat_level=pl.CompatLevel.oldest())
    return table.cast(
        pa.schema([pa.field(f.name, pa.string()) if pa.types.is_large_string(f.type) else f for f in table.schema])
    )


def xlsx_export(
    protected: pl.DataFrame,
    lang: str,
    key: str,
    filename: str,
    decimals: Mapping[str, int] | None = None,
    caption: str | None = None,
    definitions: Sequence[str] | None = None,
) -> Callable[[], bytes]:
    """The XLSX behind a table, built only when it is asked for: its cells (with note codes) and an About sheet
    from this run's context. The About rows are fixed now, so the file describes the view that was on screen;
    openpyxl (and its import, a third of a second) is paid on the click, not by every table of every run."""
    ctx = st.session_state.get("_ctx")  # the shell's Context for this run (absent outside the app)
    sections = tuple(definitions) if definitions is not None else xlsx.definitions_for(key)
    title = caption or filename.rsplit(".", 1)[0]
    if ctx is None:
        about = xlsx.about_rows(lang, title=title, threshold=settings.suppression_threshold(), definitions=sections)
    else:
        about = xlsx.about_rows(
            lang,
            title=title,
            threshold=ctx.threshold,
            synthetic=ctx.synthetic,
            as_of=ctx.as_of,
            filters=ctx.filters,
            publication=ctx.publication,
            access=ctx.access_text(),
            data_version=ctx.data_version,
            definitions=sections,
        )
    names = {c: column_label(c, lang) for c in protected.columns if not c.endswith(disclosure.NOTE_SUFFIX)}
    fixed_decimals = dict(decimals or {})

    def build() -> bytes:
        return xlsx.workbook(protected, lang, about, decimals=fixed_decimals, names=names)

    return build


def chart_with_table(
    fig: go.Figure,
    protected: pl.DataFrame,
    lang: str,
    key: str,
    filename: str,
    decimals: Mapping[str, int] | None = None,
) -> None:
    """A chart and its table alternative holding the same numbers, in tabs (the table's export is titled like the
    chart). The table, its Arrow cells and its downloads are made and sent only while its tab is open."""
    chart_tab, table_tab = lazy_tabs(("ui.chart", "ui.table"), lang, f"tab_{key}")
    with chart_tab:
        st.plotly_chart(fig, width="stretch", key=f"fig_{key}", config={"displaylogo": False})
        ctx = st.session_state.get("_ctx")  # the shell's Context for this run (absent outside the app)
        st.caption(
            t("ui.suppression_note_rounded", lang, base=ctx.protection.base)
            if ctx is not None and ctx.protection.rounds
            else t("ui.suppression_note", lang)
        )
    if table_tab.open:
        with table_tab:
            _table_of_chart(fig, protected, lang, key, filename, decimals)


def _table_of_chart(
    fig: go.Figure, protected: pl.DataFrame, lang: str, key: str, filename: str, decimals: Mapping[str, int] | None
) -> None:
    """The chart's table, its export titled like the chart."""
    title = re.sub(r"<[^>]+>", " ", fig.layout.title.text or "").strip() or None
    protected_table(protected, lang, key, filename, decimals, title=title)


def lazy_tabs(messages: Sequence[str], lang: str, key: str) -> Sequence[Any]:
    """Tabs labelled by the ``messages`` keys whose content is run and sent only while open (each tab's ``.open``):
    choosing a tab reruns the page, so a hidden tab costs nothing. The first tab is open at first.

    The open tab is kept by ``key`` across a language switch: its value is the old language's label, which names
    no tab once they are labelled in the new language, so it is set to the same tab's new label before they are
    drawn.
    """
    labels = [t(m, lang) for m in messages]
    chosen = st.session_state.get(key)
    if isinstance(chosen, str) and chosen not in labels:
        for other in LANGS:
            named = [t(m, other) for m in messages]
            if chosen in named:
                st.session_state[key] = labels[named.index(chosen)]
                break
    return st.tabs(labels, key=key, on_change="rerun")


def lazy_expander(label: str, key: str) -> Any:
    """An expander whose content is run and sent only while it is open (its ``.open``), closed at first. Its label
    is part of its identity and changes with the language, so its state is set again by ``key`` before it is drawn:
    an open expander stays open across a language switch."""
    if key in st.session_state:
        st.session_state[key] = bool(st.session_state[key])
    return st.expander(label, key=key, on_change="rerun")


def _legend_html(bins: maps.Bins, is_rate: bool, title: str, lang: str) -> str:
    def swatch(rgb: tuple[int, int, int], text: str) -> str:
        colour = "rgb({},{},{})".format(*rgb)
        return (
            f'<span style="display:inline-flex;align-items:center;margin:0 14px 4px 0;">'
            f'<span style="width:18px;height:14px;background:{colour};border:1px solid #505a5f;'
            f'margin-right:6px;display:inline-block"></span>{text}</span>'
        )

    items = [
        swatch(colour, f"{maps.fmt_value(lo, is_rate)}–{maps.fmt_value(hi, is_rate)}")
        for colour, lo, hi in zip(maps.SCALE, bins.edges, bins.edges[1:], strict=False)
    ]
    items.append(swatch(maps.SUPPRESSED_FILL, t("map.suppressed_legend", lang)))
    items.append(swatch(maps.NO_DATA_FILL, t("map.no_data_legend", lang)))
    return f'<div style="font-size:0.9rem"><strong>{markup.html(title)}</strong><br/>{"".join(items)}</div>'


def area_map(
    values: pl.DataFrame,
    *,
    measure: str,
    denominator: str,
    is_rate: bool,
    level: geography.AreaLevel,
    day: date,
    lang: str,
    key: str,
    measure_label: str,
    denominator_label: str,
) -> str | None:
    """A choropleth of the 22 authorities from a protected frame (``area_code``, ``measure``, ``denominator``
    at ``level``), with legend; returns the area code the user clicked, if any.

    Areas whose figures are suppressed are drawn grey ("too few to show"), never coloured.
    """
    if not disclosure.is_protected(values):
        raise ValueError("figures must pass through disclosure.protect before display")
    frame, bins = maps.map_frame(
        values,
        measure,
        denominator,
        is_rate,
        geography.la_to_area(level, day),
        lang,
        suppressed_text=t("map.suppressed", lang),
        no_data_text=t("map.no_data", lang),
    )
    tooltip = (
        f"<strong>{{name}}</strong><br/>{markup.html(measure_label)}: <strong>{{value_text}}</strong><br/>"
        f"{markup.html(denominator_label)}: {{denominator_text}}"
    )
    deck = maps.build_deck(frame, tooltip)
    event = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key=f"map_{key}")
    st.markdown(_legend_html(bins, is_rate, measure_label, lang), unsafe_allow_html=True)
    st.caption(t("map.caption", lang))
    return maps.select_area(event, level)


def trend_periods(quarters: Sequence[str], lang: str, key: str, as_of: date) -> tuple[list[str], dict[str, str]]:
    """A quarterly / yearly switch for a trend; returns the periods and their labels in ``lang``.

    Yearly pools four quarters, so a small area's trend is not lost to suppression; a year the data do not cover
    whole is left out, as a quarter under way is (see :func:`resettlement.period.trend_quarters`).
    """
    from resettlement.period import complete_years

    grain = st.segmented_control(
        t("ui.trend_grain", lang),
        options=["quarter", "year"],
        default="quarter",
        required=True,
        format_func=lambda g: t(f"ui.grain_{g}", lang),
        key=key,
    )
    periods = complete_years(quarters, as_of) if grain == "year" else list(quarters)
    return periods, period_names(periods, lang, as_of)


def period_names(periods: Sequence[str], lang: str, as_of: date) -> dict[str, str]:
    """Labels in ``lang`` of quarters (``2026Q3``) or years (``2026``) for axes and tables. A period still under way
    at the as-of date is marked incomplete, so the dip at the end of a trend is not read as a fall."""
    from resettlement.period import is_complete

    names = {}
    for p in periods:
        name = period_label(p, lang)
        names[p] = name if is_complete(p, as_of) else t("period.incomplete", lang, period=name)
    return names


def choice(label: str, options: Sequence[str], default: str, names: str, lang: str, key: str, where: Any = st) -> str:
    """A required segmented control over ``options`` in ``where`` (a column, or the page), each option shown as the
    catalog text ``names.format(option)``: the pages' one way to pick a view."""
    return where.segmented_control(
        label,
        options=list(options),
        default=default,
        required=True,
        format_func=lambda v: t(names.format(v), lang),
        key=key,
    )


def gap_rate_by_pathway(side: pl.DataFrame, series: Codes, lang: str) -> go.Figure:
    """The gap rate of every pathway, a bar for each of ``series`` (the area against its comparator): the same chart
    on Service gaps and on the Area profile."""
    return figure(
        grouped_bars,
        side,
        GroupedBars(
            category=Codes("pathway", labels={p: label("pathway", p, lang) for p in PATHWAYS}),
            value="gap_rate",
            series=series,
            titles=Titles(t("gaps.by_pathway_title", lang), value=t("col.gap_rate", lang)),
            is_rate=True,
        ),
    )
