"""The app shell: language switch, database start-up, synthetic-data banner and the shared filter bar.

``app.py`` calls :func:`header` and :func:`filter_bar` on every run; pages call :func:`context` to get the
run's :class:`Context` of plain values.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import polars as pl
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from resettlement import access, files, markup, present, published, settings, store
from resettlement.filters import Area, Filters, area_options
from resettlement.i18n import LANG_NAMES, LANGS, label, t
from resettlement.period import DATA_START, default_period, is_complete, quarters_between, trend_quarters
from resettlement.present import area_label, quarter_label  # re-exported: pages label with shell.*_label
from resettlement.published import Protection, text_params
from resettlement.scope import Scope
from resettlement.standard import COHORTS
from resettlement.tables import Tables
from resettlement.ui import auth, data, downloads

ICON = str(Path(__file__).resolve().parent.parent / "assets" / "icon.png")
_CTX = "_ctx"


@dataclass(frozen=True)
class Context:
    lang: str
    url: str
    data_version: str
    as_of: date
    synthetic: bool
    scope: Scope
    filters: Filters
    quarters: tuple[str, ...]
    threshold: int
    publication: bool = False  # the publication view: rounded counts (see docs/disclosure.md), no case-level lists
    role: str = "demo"  # the viewer's role (access.ROLES), or "demo": the open demo on synthetic data
    user: str = ""  # the signed-in user's name ("" in the open demo)
    rounding_key: int = 1  # the database's (store.rounding_key): which way the publication view rounds each count

    @property
    def protection(self) -> Protection:
        """How this view protects figures (threshold, view, method, base): plain values, in every table's key."""
        return published.from_settings(self.publication, self.rounding_key, self.threshold)

    @property
    def figures_scope(self) -> str:
        """The scope key the published figures are computed on (:meth:`Scope.figures_key`): a viewer of some areas
        gets benchmarks that survive their scope, in the publication view only; their case-level lists stay within
        their own scope."""
        return self.scope.figures_key()

    def published(self, name: str, *args):
        """Published table ``name`` (see :mod:`resettlement.published`) for ``args``, protected for this view and
        cached per (url, scope, data version, protection, args): the page's only way to a figure."""
        return data.published(name, self.url, self.figures_scope, self.data_version, self.protection, *args)

    def for_publication(self, name: str, *args):
        """:meth:`published` in the publication view whatever this view is (the deck, which leaves the room)."""
        protection = replace(self.protection, publication=True)
        return data.published(name, self.url, self.figures_scope, self.data_version, protection, *args)

    def tables(self) -> Tables:
        """The viewer's standard tables (shared, read-only)."""
        return data.tables(self.url, self.scope.key(), self.data_version)

    def access_text(self) -> str:
        """The viewer's access in words (the sidebar, an export's About sheet)."""
        n = len(self.scope.la_codes)
        if self.scope.is_all_wales:
            return t("meta.scope_all", self.lang)
        return t("meta.scope_one", self.lang) if n == 1 else t("meta.scope_some", self.lang, n=n)

    def rrp_names(self) -> pl.DataFrame:
        """Every RRP's id and names (reference data, not about children): the published figures cover all Wales."""
        return data.tables(self.url, self.figures_scope, self.data_version)["rrps"]

    def cached(self, fn, *args):
        """``fn(self.tables(), *args)``, computed once per (url, scope, data version, args): see
        :func:`resettlement.ui.data.cached`. ``args`` are plain values (filters, options), never frames."""
        return data.cached(fn, self.url, self.scope.key(), self.data_version, *args)

    def cached_evaluated(self, fn, *args):
        """``fn(<completeness masks of every record in scope>, *args)``, cached like :meth:`cached`."""
        return data.cached_evaluated(fn, self.url, self.scope.key(), self.data_version, *args)


def language() -> str:
    """The chosen language: the switch's value, else ``?lang=`` in the URL, else English."""
    lang = st.session_state.get("lang") or st.query_params.get("lang") or "en"
    return lang if lang in LANGS else "en"


def header() -> str:
    """Title row with the language switch; returns the language."""
    if "lang" not in st.session_state:
        st.session_state["lang"] = language()
    left, right = st.columns([3, 1], vertical_alignment="center")
    with right:
        st.segmented_control(
            "Language / Iaith",
            options=list(LANGS),
            format_func=LANG_NAMES.__getitem__,
            key="lang",
            required=True,
            label_visibility="collapsed",
            width="content",
        )
    lang = language()
    restore_choices(lang)
    with left:
        st.markdown(f"**{t('app.title', lang)}** · {t('app.tagline', lang)}")
    return lang


_LANG_SEEN = "_lang_seen"


def _is_choice(key: str, value: object) -> bool:
    """A keyed selection widget's value (an option code, or several): what a language switch must carry over. An
    empty selection needs nothing carried (and a file uploader's, read-only, is one)."""
    codes = isinstance(value, str) or (
        isinstance(value, list | tuple) and bool(value) and all(isinstance(v, str) for v in value)
    )
    return codes and not key.startswith("_") and key != "lang"


def restore_choices(lang: str) -> None:
    """After a language switch, keep every choice (area, period, cohorts, a page's options) as it was.

    The browser names a chosen option by its label, and labels change with the language: on the run after a switch
    it sends the old language's label, which matches no option once the widget is drawn with the new labels, and
    the area fell back to Wales (other choices to their defaults). Read before any of those widgets is drawn in
    this run, the label still reads as its option's code (the previous run's labels decode it); set back through
    the Session State API, the code is what the widget shows, in the new language.
    """
    if st.session_state.get(_LANG_SEEN, lang) != lang:
        for key, value in list(st.session_state.items()):
            if isinstance(key, str) and _is_choice(key, value):
                st.session_state[key] = value
    st.session_state[_LANG_SEEN] = lang


_BUILD_LOCK = threading.Lock()


def _outdated_demo(url: str) -> bool:
    """The default embedded demo database, built for an older data standard (its tables lack the fields the app
    reads now): synthetic data only, so it is simply built again."""
    from resettlement.standard import VERSION

    if not (settings.is_default_database(url) and store.database_exists(url)):
        return False
    try:
        meta = store.read_meta(store.get_engine(url))
    except store.DATABASE_ERRORS:
        return False
    return meta.get("synthetic") == "1" and meta.get("standard_version") != VERSION


def _build_demo(url: str, progress) -> None:
    """Build the demo database beside its final path and move it into place when complete, so a crash never
    leaves a half-built file and two first visitors never build it twice (an outdated demo is replaced whole)."""
    from resettlement import synth

    with _BUILD_LOCK:
        if store.database_exists(url) and not _outdated_demo(url):
            return
        path = store.sqlite_path(url)
        if path is None:
            raise ValueError("the demo database is a SQLite file")
        path.parent.mkdir(parents=True, exist_ok=True)
        store.remove_leftovers(path)  # left by a process killed while building or importing
        building = files.temp_path(path, "building")  # owner-only from the start, as the database will be
        tmp_url = f"sqlite:///{building}"
        try:
            try:
                synth.build_demo(tmp_url, scale=settings.demo_scale(), progress=progress)
            finally:
                store.get_engine(tmp_url).dispose()
                store.get_engine.cache_clear()
            store.get_engine(url).dispose()  # an outdated demo's connections, before its file is replaced
            os.replace(building, path)
        finally:
            files.remove(building)  # on any failure, nothing is left beside the database
        store.adopt_snapshot(tmp_url, url)  # the snapshot written with it now belongs to the final path


def check_settings(lang: str) -> None:
    """Stop the run with a readable message naming each setting that cannot be used and the values allowed,
    before any page reads it (checked on every run: settings are read from the environment)."""
    problems = settings.problems()
    if problems:
        st.error(t("settings.heading", lang))
        for problem in problems:
            st.error(settings.describe(problem, lang, escape=markup.md))
        st.stop()


def ensure_database(url: str, lang: str) -> None:
    """Create the demo database on first start (at the default embedded path only: any other missing file is an
    error, never a silent new demo database), with a progress bar; stop the run with a readable message if the
    database cannot be reached."""
    if not store.database_exists(url) and not settings.is_default_database(url):
        st.error(t("db.missing_file", lang, path=markup.md(store.sqlite_path(url))))
        st.info(t("error.db_hint", lang))
        st.stop()
    if not store.database_exists(url) or _outdated_demo(url):
        bar = st.progress(0.0, text=t("startup.creating", lang))

        def progress(fraction: float, _message: str) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=t("startup.creating", lang))

        try:
            _build_demo(url, progress)
        except Exception as exc:  # shown to the user, not swallowed
            bar.empty()
            st.error(t("error.demo_failed", lang, detail=markup.md(exc)))
            st.stop()
        bar.empty()
    try:
        store.check(url)
    except store.StoreUnavailable as exc:
        st.error(t("error.db_unreachable", lang, detail=markup.md(exc)))
        st.info(t("error.db_hint", lang))
        st.stop()


def database_error(exc: BaseException, lang: str) -> None:
    """Stop the run with a readable message for a database that failed while being read (never a traceback)."""
    st.error(t("db.damaged", lang, detail=markup.md(store.error_text(exc))))
    st.info(t("error.db_hint", lang))
    st.stop()


def initial_filters(quarters: list[str], options: list[str], as_of: date) -> dict:
    """The filters a session starts with: from the URL when valid, else defaults. Computed once per session
    (widgets keep their own state afterwards)."""
    if "_initial_filters" not in st.session_state:
        params = st.query_params
        default = default_period(quarters, as_of)
        start, end = params.get("from"), params.get("to")
        ok = start in quarters and end in quarters and quarters.index(start) <= quarters.index(end)
        area = params.get("area")
        cohorts = [c for c in (params.get("cohort") or "").split(",") if c in COHORTS]
        st.session_state["_initial_filters"] = {
            "period": (start, end) if ok else default,
            "area": area if area in options else options[0],
            "cohort": cohorts or list(COHORTS),
        }
    return st.session_state["_initial_filters"]


SHELL_PARAMS = ("lang", "from", "to", "area", "cohort")


def sync_url(lang: str, f: Filters) -> None:
    """Write the view into the URL as stable codes, so a link reproduces it in either language. Parameters a
    page sets for itself (see :func:`page_param`) are kept; Streamlit drops them when the page changes."""
    want = {"lang": lang, "from": f.start_q, "to": f.end_q, "area": f.area.token(), "cohort": ",".join(f.cohorts)}
    current = st.query_params.to_dict()
    merged = {**{k: v for k, v in current.items() if k not in SHELL_PARAMS}, **want}
    if current != merged:
        st.query_params.from_dict(merged)


def page_param(key: str, options: list[str], default: str) -> str:
    """A page's own choice, kept in the URL as ``?<key>=<code>`` so a link reproduces it: the URL's value when
    valid, else ``default``."""
    value = st.query_params.get(key)
    return value if value in options else default


def set_page_param(key: str, value: str) -> None:
    if st.query_params.get(key) != value:
        st.query_params[key] = value


def filter_bar(lang: str, quarters: list[str], scope: Scope, as_of: date) -> Filters:
    """The shared filters in the sidebar; their state survives page changes and is mirrored in the URL."""
    options = area_options(scope.la_codes)
    init = initial_filters(quarters, options, as_of)
    sb = st.sidebar
    sb.header(t("filters.heading", lang))
    start_q, end_q = sb.select_slider(
        t("filters.period", lang),
        options=quarters,
        value=init["period"],
        format_func=lambda q: quarter_label(q, lang),
        key="period",
        help=t("filters.period_help", lang),
    )
    if not is_complete(end_q, as_of):
        sb.caption(t("filters.partial_quarter", lang, quarter=quarter_label(end_q, lang), date=as_of.isoformat()))
    token = sb.selectbox(
        t("filters.area", lang),
        options=options,
        index=options.index(init["area"]),
        format_func=lambda tok: area_label(tok, lang),
        key="area",
        help=t("filters.area_help", lang),
        placeholder=t("ui.choose", lang),
    )
    cohorts = sb.pills(
        t("filters.cohort", lang),
        options=list(COHORTS),
        selection_mode="multi",
        default=init["cohort"],
        format_func=lambda c: label("cohort", c, lang),
        key="cohort",
    )
    if not cohorts:
        sb.caption(t("filters.no_cohort", lang))
    ordered = tuple(c for c in COHORTS if c in (cohorts or COHORTS))
    filters = Filters(start_q, end_q, Area.parse(token), ordered)
    sync_url(lang, filters)
    return filters


def comparator_label(ctx: Context) -> str:
    """What the selected area is compared with: Wales (all of it, whatever the viewer's scope: see
    :attr:`Context.figures_scope`)."""
    return present.comparator_label(ctx.lang)


def publication_switch(lang: str, scope: Scope) -> bool:
    """The publication view switch in the sidebar: what a Welsh Government audience would see. Viewers without
    case-level rights, and viewers of some areas only (their figures include Wales and other areas), always get it
    (the switch is shown on, disabled, with the reason)."""
    sb = st.sidebar
    if not scope.case_level or not scope.is_all_wales:
        sb.toggle(
            t("disclosure.publication", lang),
            value=True,
            disabled=True,
            key="publication_forced",
            help=t("disclosure.publication_help", lang),
        )
        sb.caption(
            t("disclosure.publication_forced" if not scope.case_level else "disclosure.publication_partial", lang)
        )
        return True
    on = sb.toggle(
        t("disclosure.publication", lang), value=False, key="publication", help=t("disclosure.publication_help", lang)
    )
    sb.caption(t("disclosure.publication_on" if on else "disclosure.publication_off", lang))
    return on


def banner(lang: str, synthetic: bool) -> None:
    if synthetic:
        st.warning(t("banner.synthetic", lang), icon=":material/science:")


def sidebar_footer(ctx: Context) -> None:
    sb = st.sidebar
    sb.divider()
    sb.caption(t("meta.as_of", ctx.lang, date=ctx.as_of.isoformat()))
    sb.caption(ctx.access_text())
    rule = "meta.threshold_rounded" if ctx.protection.rounds else "meta.threshold"
    sb.caption(t(rule, ctx.lang, **text_params(ctx.protection)))


@dataclass(frozen=True)
class Start:
    """What the shell knows before the page list is built: the language, the database and who is viewing."""

    lang: str
    url: str
    meta: dict
    access: auth.Access

    @property
    def synthetic(self) -> bool:
        return self.meta.get("synthetic") == "1"


def start() -> Start:
    """Run the shell up to who is viewing: settings, database, sign-in state. Called by ``app.py`` before
    ``st.navigation``, whose page list depends on the viewer's role; it draws no widget (a widget drawn before
    ``st.navigation`` loses its value on the next run), so the language switch comes in :func:`bootstrap`."""
    lang = language()
    check_settings(lang)
    url = settings.db_url()
    ensure_database(url, lang)
    try:
        meta = data.read_meta(url)
    except Exception as exc:  # a damaged file can pass the check and fail on its first read
        database_error(exc, lang)
    try:
        acc = auth.current(url, meta.get("synthetic") == "1")
    except store.DATABASE_ERRORS as exc:
        database_error(exc, lang)
    return Start(lang, url, meta, acc)


#: Pages only some roles see (``demo``: the open demo on synthetic data, where imports are refused anyway).
ROLE_PAGES: dict[str, frozenset[str]] = {"import": frozenset({"admin", "demo"}), "admin": frozenset({"admin"})}


def pages(begun: Start, registered: tuple[tuple[str, str, str], ...]) -> list:
    """The ``st.navigation`` page list for this viewer: the sign-in or no-access page alone when they may see no
    data, else every registered page their role allows (``ROLE_PAGES`` names the roles of a restricted page; the
    others are for every role that sees data). A page left out has no URL: a deep link to it opens the default."""
    acc, lang, url = begun.access, begun.lang, begun.url
    if acc.state == auth.SIGN_IN:
        return [
            st.Page(
                lambda: auth.sign_in_page(url, lang, begun.synthetic),
                title=t("auth.title", lang),
                icon=":material/login:",
                url_path="sign-in",
                default=True,
            )
        ]
    if acc.state == auth.NO_ROLE:
        viewer = acc.viewer
        if viewer is None:
            raise ValueError("a viewer with no role is signed in")
        return [
            st.Page(
                lambda: auth.no_role_page(viewer, url, lang),
                title=t("auth.no_role_title", lang),
                icon=":material/block:",
                url_path="no-access",
                default=True,
            )
        ]
    # url_path = the file's stem, so the first deep link after start-up (served in Streamlit's legacy pages/ mode
    # until st.navigation has run once) finds the same page; see context().
    return [
        st.Page(
            path, title=t(f"page.{key}.nav", lang), icon=icon, url_path=Path(path).stem, default=(key == "overview")
        )
        for key, path, icon in registered
        if acc.role in ROLE_PAGES.get(key, {acc.role})
    ]


def bootstrap(begun: Start, page: str) -> Context | None:
    """Draw the title row with the language switch and the demo banner; then, for a viewer who may see data, build
    the filters and the run's context for the page (``page``: its URL path) and remember it for the page."""
    lang, url, meta, acc = header(), begun.url, begun.meta, begun.access
    synthetic = begun.synthetic
    banner(lang, synthetic)
    if not acc.sees_data:  # the sign-in or no-access page: no context, none left from before a sign-out either
        st.session_state.pop(_CTX, None)
        st.session_state.pop(downloads.AUDIT_KEY, None)
        return None
    scope = acc.scope
    if scope.is_empty:
        st.error(t("error.no_scope", lang))
        st.stop()
    for key in dict.fromkeys((scope.figures_key(), scope.key())):  # loads while the shell and page are drawn
        data.prefetch(url, key, meta.get("data_version", ""))
    as_of = store.as_of(meta) or date.today()
    quarters = quarters_between(DATA_START, as_of)
    filters = filter_bar(lang, quarters, scope, as_of)
    publication = publication_switch(lang, scope)
    if publication and scope.is_all_wales:  # the viewer sees, and reads, as an aggregate-only audience would
        scope = replace(scope, case_level=False)  # (a viewer of some areas keeps the case-level lists of their own)
    ctx = Context(
        lang=lang,
        url=url,
        data_version=meta.get("data_version", ""),
        rounding_key=store.rounding_key(meta),
        as_of=as_of,
        synthetic=synthetic,
        scope=scope,
        filters=filters,
        quarters=trend_quarters(as_of),
        threshold=settings.suppression_threshold(),
        publication=publication,
        role=acc.role,
        user=acc.user,
    )
    sidebar_footer(ctx)
    auth.sidebar(acc, url, lang)
    audited_view(ctx, page)
    st.session_state[_CTX] = ctx
    return ctx


_VIEWED = "_audit_viewed"


def view_detail(ctx: Context) -> dict:
    """The view as the audit log records it: filters and the publication switch, as stable codes."""
    f = ctx.filters
    return {
        "from": f.start_q,
        "to": f.end_q,
        "area": f.area.token(),
        "cohort": ",".join(f.cohorts),
        "publication": ctx.publication,
        "lang": ctx.lang,
    }


def audited_view(ctx: Context, page: str) -> None:
    """Record a signed-in viewer's case-level page view in the audit log, once per page and filters (not on every
    rerun), and keep what a download made in this session must record (see :mod:`resettlement.ui.downloads`)."""
    if not ctx.user:
        st.session_state.pop(downloads.AUDIT_KEY, None)
        return
    detail = view_detail(ctx)
    st.session_state[downloads.AUDIT_KEY] = (ctx.url, ctx.user, page, detail)
    downloads.audit_downloads()
    if not ctx.scope.case_level:
        return
    seen = (page, tuple(sorted(detail.items())))
    if st.session_state.get(_VIEWED) != seen:
        access.audit(store.get_engine(ctx.url), ctx.user, "page_view", page, detail)
        st.session_state[_VIEWED] = seen


def context() -> Context:
    """The context ``app.py`` built for this run.

    ``python -m resettlement serve`` switches Streamlit's legacy ``pages/`` mode off before it listens (see
    ``warmup.start``). Served otherwise (``streamlit run app.py``, AppTest), a deep link opened before any run has
    called ``st.navigation`` runs the page file on its own, without ``app.py``; then switch the process to
    ``st.navigation`` mode and rerun, so the shell is built. A run without a context (another session switched the
    mode while this one started) is run again the same way, never shown an error.
    """
    if PagesManager.uses_pages_directory or _CTX not in st.session_state:
        PagesManager.uses_pages_directory = False
        st.rerun()
    return st.session_state[_CTX]


def page_title(key: str, ctx: Context) -> None:
    st.title(t(f"page.{key}.title", ctx.lang))
    st.caption(t(f"page.{key}.intro", ctx.lang))
