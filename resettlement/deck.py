"""The slide deck for Welsh Government: :func:`deck` turns the figures of :func:`resettlement.report.build_figures`
into a PowerPoint deck with native, editable charts, a map of Wales drawn as 22 editable freeform shapes with a
table alternative (:mod:`resettlement.deck_map`), and speaker notes holding the definitions, in English or Welsh.

One function per slide kind; each reads its protected frame, so a hidden cell is a gap in a chart and is listed,
with its note code, in the slide's footnote and speaker notes. The canvas (furniture, charts, tables) is
:mod:`resettlement.deck_canvas`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from resettlement import deck_map, disclosure, outcomes, overview, published, rrp
from resettlement.deck_canvas import IN, MARGIN, MUTED, Canvas, H, W, rgb
from resettlement.filters import Filters
from resettlement.i18n import label, t
from resettlement.present import area_label, cell_text, comparator_label, definition, quarter_label
from resettlement.standard import COHORTS, PATHWAYS

# Slides of the deck, in order (the map's table alternative follows the map).
SLIDES: tuple[str, ...] = (
    "title",
    "headline",
    "trend",
    "needs",
    "gaps",
    "map",
    "map_table",
    "rrp",
    "completeness",
    "outcomes",
    "about",
)
# Definitions (catalog prefixes, ``<prefix>.body``) read out in each slide's speaker notes.
NOTES: dict[str, tuple[str, ...]] = {
    "title": ("definitions.period_rule",),
    "headline": ("overview.definitions",),
    "trend": ("definitions.period_rule",),
    "needs": ("needs.definitions",),
    "gaps": ("gaps.definitions",),
    "map": ("gaps.definitions",),
    "map_table": ("gaps.definitions",),
    "rrp": ("rrp.definitions",),
    "completeness": ("completeness.definitions",),
    "outcomes": ("outcomes.def_outcomes", "outcomes.def_reoffending"),
    "about": ("disclosure.definitions",),
}
MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
CHART_BOX = (MARGIN, int(1.45 * IN), W - 2 * MARGIN, int(4.85 * IN))


def _value(row: Mapping, col: str) -> float | None:
    """A protected cell for a chart: the value where shown, ``None`` (a gap) where hidden."""
    return None if row.get(col + disclosure.NOTE_SUFFIX) else row.get(col)


def series_values(
    frame: pl.DataFrame, value: str, key: str, keys: Sequence[str], category: str, categories: Sequence[str]
) -> list[list[float | None]]:
    """Chart values from a protected frame: one list per ``keys`` value of column ``key``, ordered by
    ``categories`` of column ``category``; hidden or absent cells are ``None``."""
    lookup = {(r[key], r[category]): _value(r, value) for r in frame.iter_rows(named=True)}
    return [[lookup.get((k, c)) for c in categories] for k in keys]


def suppressed(
    frame: pl.DataFrame, value: str, key: str | None, names: Mapping, category: str, categories: Mapping[str, str]
) -> list[str]:
    """Every hidden value of a chart, named ("Health (Cardiff): c")."""
    items = []
    for r in frame.iter_rows(named=True):
        note = r.get(value + disclosure.NOTE_SUFFIX)
        if note and r[category] in categories:
            where = categories[r[category]] + (f" ({names.get(r[key], r[key])})" if key else "")
            items.append(f"{where}: {note}")
    return items


@dataclass
class Scene:
    """What every slide of one deck shares: the filters and their words, the threshold, and the canvas ``d``.

    Words (set from the filters): ``area`` and ``comparator`` named, ``start`` and ``end`` quarters, ``names`` of
    the chart series (``area``, ``wales``), the series ``keys`` charted (the comparator only for a part of Wales),
    ``who`` (the area, or the area against its comparator) and ``missing`` (the note under a chart with gaps).
    """

    f: Filters
    lang: str
    n: int
    as_of: date
    synthetic: bool
    all_wales: bool

    def __post_init__(self) -> None:
        lang = self.lang
        self.area, self.comparator = area_label(self.f.area, lang), comparator_label(lang, self.all_wales)
        self.start, self.end = quarter_label(self.f.start_q, lang), quarter_label(self.f.end_q, lang)
        self.names = {"area": self.area, "wales": self.comparator}
        self.keys = ["area"] if self.f.area.level == "wales" else ["area", "wales"]
        self.who = (
            self.area if len(self.keys) == 1 else t("report.against", lang, area=self.area, comparator=self.comparator)
        )
        self.missing = t("report.missing_bar", lang)
        footer = t("report.footer", lang, area=self.area, start=self.start, end=self.end, as_of=self.as_of.isoformat())
        self.d = Canvas(lang, footer, self.synthetic)

    def slide(self, key: str, *lead: str, sub: str | None = None):
        """A new slide ``key``: its catalog title, ``lead`` then its definitions in the notes, and the subtitle
        ``report.sub.<sub>`` naming the area (or the area against its comparator) and the period."""
        words = {"area": self.area, "start": self.start, "end": self.end, "who": self.who}
        subtitle = t(f"report.sub.{sub}", self.lang, **words) if sub else None
        return self.d.slide(key, t(f"report.slide.{key}", self.lang), self.notes(key, *lead), subtitle)

    def notes(self, key: str, *lead: str) -> str:
        """A slide's speaker notes: ``lead``, then the definitions of :data:`NOTES`."""
        return "\n\n".join([*lead, *(definition(p, self.lang, self.n) for p in NOTES[key])])

    def footnote(self, slide, items: Sequence[str] = (), base: str | None = None) -> None:
        """The slide's footnote: which values are suppressed (all of them in the speaker notes; on the slide
        when there are few), then ``base``."""
        lang = self.lang
        listed = t("report.suppressed_list", lang, items="; ".join(items)) if items else None
        if listed is not None:
            slide.notes_slide.notes_text_frame.text += "\n\n" + listed
        short = listed if len(items) <= 6 else t("report.suppressed_many", lang, count=len(items))
        lines = [x for x in (short, base) if x]
        if lines:
            box = (MARGIN, H - int(1.05 * IN), W - 2 * MARGIN, int(0.55 * IN))
            self.d.text(slide, lines, *box, size=10, colour=MUTED)


def deck(
    figures: Mapping[str, pl.DataFrame],
    filters: Filters,
    as_of: date,
    threshold: int,
    lang: str = "en",
    synthetic: bool = False,
    all_wales: bool = True,
) -> bytes:
    """The slide deck (see :data:`SLIDES`) of :func:`resettlement.report.build_figures` figures, as PowerPoint
    bytes: native charts, the map of Wales as editable shapes with a table alternative, speaker notes with
    definitions; every figure disclosure-controlled (publication view); all text from the catalogs in ``lang``."""
    c = Scene(filters, lang, threshold, as_of, synthetic, all_wales)
    _title(c)
    _headline(c, figures["headline"])
    _trend(c, figures["trend"], figures["cohorts"])
    _by_pathway(c, "needs", figures["needs"], "need_rate")
    _by_pathway(c, "gaps", figures["gaps"], "gap_rate")
    deck_map.map_slide(c, figures["map"])
    deck_map.table_slide(c, figures["map"])
    _rrp(c, figures["rrp"], figures["rrp_headline"])
    _completeness(c, figures["completeness"])
    _outcomes(c, figures["outcomes"])
    _about(c)
    return c.d.bytes()


def _title(c: Scene) -> None:
    """1: the area, period, data date and threshold; a warning when the data are synthetic."""
    lang, d = c.lang, c.d
    s = d.slide("title", t("report.title", lang), c.notes("title", t("report.notes.title", lang, n=c.n)))
    d.text(s, c.area, MARGIN, int(2.0 * IN), W - 2 * MARGIN, int(0.9 * IN), size=34, bold=True)
    lines = [
        t("report.period", lang, start=c.start, end=c.end),
        t("report.as_of", lang, as_of=c.as_of.isoformat()),
        t("report.prepared", lang, n=c.n),
    ]
    d.text(s, lines, MARGIN, int(3.0 * IN), W - 2 * MARGIN, int(1.6 * IN), size=16, colour=MUTED)
    if c.synthetic:
        box = (MARGIN, int(4.9 * IN), W - 2 * MARGIN, int(0.8 * IN))
        d.text(s, t("report.synthetic", lang), *box, size=16, bold=True, colour="D55E00")


def _headline(c: Scene, head: pl.DataFrame) -> None:
    """2: the Overview's headline figures, one box each with its change, the summary sentences in the notes."""
    summary = overview.summary(head, c.lang, c.area, f"{c.start}–{c.end}")
    s = c.slide("headline", *summary, sub="headline")
    width, height = int((W - 2 * MARGIN - 2 * 0.3 * IN) / 3), int(1.9 * IN)
    for i, r in enumerate(head.iter_rows(named=True)):
        x = MARGIN + (i % 3) * (width + int(0.3 * IN))
        y = int(1.55 * IN) + (i // 3) * (height + int(0.25 * IN))
        _headline_box(c, s, r, (x, y, width, height))
    c.footnote(s, base=t("report.headline_note", c.lang, n=c.n))


def _headline_box(c: Scene, s, r: Mapping, box: tuple[int, int, int, int]) -> None:
    """One headline figure: its label, its value (or note code) and its change, as on the page (never "-0")."""
    lang, (x, y, width, height) = c.lang, box
    is_rate = r["metric"] in overview.RATE_METRICS
    value = cell_text(r["current"], r["current__note"], percent=is_rate)
    if r["change__note"] or r["change"] is None:
        change = t("report.no_change", lang)
    else:
        diff = overview.signed_change(r["change"], is_rate)
        change = t("report.change_pp" if is_rate else "report.change", lang, diff=diff)
    shape = s.shapes.add_shape(1, x, y, width, height)  # MSO_SHAPE.RECTANGLE
    shape.fill.solid()
    shape.fill.fore_color.rgb = rgb("F3F2F1")
    shape.line.color.rgb = rgb("B1B4B6")
    x, w = x + int(0.15 * IN), width - int(0.3 * IN)
    label_text = t(f"overview.label.{r['metric']}", lang)
    c.d.text(s, label_text, x, y + int(0.1 * IN), w, int(0.4 * IN), size=14, colour=MUTED)
    c.d.text(s, value, x, y + int(0.5 * IN), w, int(0.8 * IN), size=36, bold=True)
    c.d.text(s, change, x, y + int(1.35 * IN), w, int(0.4 * IN), size=12, colour=MUTED)


def _trend(c: Scene, trend: pl.DataFrame, by_cohort: pl.DataFrame) -> None:
    """3: episodes per quarter, the area against its comparator, and the area's by cohort."""
    lang = c.lang
    quarters = list(dict.fromkeys(trend["quarter"].sort().to_list()))
    q_labels = [quarter_label(q, lang) for q in quarters]
    s = c.slide("trend", t("report.notes.trend", lang), sub="trend")
    half = int((W - 2 * MARGIN - 0.3 * IN) / 2)
    episodes = series_values(trend, "episodes", "series", c.keys, "quarter", quarters)
    title = (
        t("overview.section.area_trend", lang, area=c.area, comparator=c.comparator)
        if len(c.keys) > 1
        else t("overview.section.episodes_trend", lang)
    )
    series = list(zip([c.names[k] for k in c.keys], episodes, strict=True))
    c.d.line_chart(s, q_labels, series, (MARGIN, int(1.45 * IN), half, int(4.8 * IN)), title)
    chosen = {k: label("cohort", k, lang) for k in COHORTS if k in c.f.cohorts}
    by = series_values(by_cohort, "episodes", "cohort", list(chosen), "quarter", quarters)
    box = (MARGIN + half + int(0.3 * IN), int(1.45 * IN), half, int(4.8 * IN))
    title = t("report.cohort_trend", lang, area=c.area)
    c.d.line_chart(s, q_labels, list(zip(chosen.values(), by, strict=True)), box, title)
    q_names = dict(zip(quarters, q_labels, strict=True))
    hidden = [
        *suppressed(trend, "episodes", "series", c.names, "quarter", q_names),
        *suppressed(by_cohort, "episodes", "cohort", chosen, "quarter", q_names),
    ]
    c.footnote(s, hidden, c.missing)


def _by_pathway(c: Scene, key: str, frame: pl.DataFrame, measure: str) -> None:
    """4 needs, 5 gaps: a measure by pathway, the area against its comparator."""
    lang = c.lang
    pathway_labels = {p: label("pathway", p, lang) for p in PATHWAYS}
    s = c.slide(key, t(f"report.notes.{key}", lang), sub=key)
    values = series_values(frame, measure, "series", c.keys, "pathway", list(PATHWAYS))
    top = max([v for vs in values for v in vs if v is not None], default=0)
    c.d.bar_chart(
        s,
        list(pathway_labels.values()),
        list(zip([c.names[k] for k in c.keys], values, strict=True)),
        CHART_BOX,
        title=t(f"col.{measure}", lang),
        maximum=1.0 if top > 0.8 else None,
    )
    c.footnote(s, suppressed(frame, measure, "series", c.names, "pathway", pathway_labels), c.missing)


def _rrp(c: Scene, act: pl.DataFrame, rh: pl.DataFrame) -> None:
    """8: the activity of the RRPs covering the area per quarter, and their headline figures."""
    lang = c.lang
    s = c.slide("rrp", t("report.notes.rrp", lang), sub="rrp")
    measures = ("meetings", "cases_reviewed", "escalations")
    values = [[_value(r, m) for r in act.iter_rows(named=True)] for m in measures]
    c.d.bar_chart(
        s,
        [quarter_label(q, lang) for q in act["quarter"].to_list()],
        list(zip([t(f"rrp.col.{m}", lang) for m in measures], values, strict=True)),
        (MARGIN, int(1.45 * IN), int(8.3 * IN), int(4.85 * IN)),
        number_format="#,##0",
        horizontal=False,
        title=t("report.rrp_chart", lang),
    )
    h = rrp.texts(rh, percent=list(rrp.HEADLINE_RATES))
    shown = ("meetings", "cases_reviewed", "completion_rate", "escalations", "attendance_rate", "reviewed_before_rate")
    items = [f"{t(f'rrp.metric.{m}', lang)}: {h[m]}" for m in shown]
    c.d.text(s, items, MARGIN + int(8.6 * IN), int(1.6 * IN), int(3.7 * IN), int(4.5 * IN), size=15, bullets=True)
    note = disclosure.NOTE_SUFFIX
    items = [
        f"{quarter_label(r['quarter'], lang)} ({t(f'rrp.col.{m}', lang)}): {r[m + note]}"
        for r in act.iter_rows(named=True)
        for m in measures
        if r.get(m + note)
    ]
    c.footnote(s, items, c.missing if rh["meetings"].item() else t("report.rrp_none", lang, area=c.area))


def _completeness(c: Scene, dq: pl.DataFrame) -> None:
    """9: data completeness, validity and timeliness of the selection against its comparator."""
    lang = c.lang
    s = c.slide("completeness", t("report.notes.completeness", lang), sub="completeness")
    kinds = ("completeness", "validity", "timeliness")
    dq_keys = ["selection"] if c.f.area.level == "wales" else ["selection", "wales"]
    dq_names = {"selection": c.area, "wales": c.comparator}
    rows = {r["series"]: r for r in dq.iter_rows(named=True)}  # a series with no record in the period has no row
    values = [
        [
            (None if rows.get(k, {}).get(m) is None or rows[k].get(m + disclosure.NOTE_SUFFIX) else rows[k][m] / 100)
            for m in kinds
        ]
        for k in dq_keys
    ]
    c.d.bar_chart(
        s,
        [t(f"completeness.metric_{m}", lang) for m in kinds],
        list(zip([dq_names[k] for k in dq_keys], values, strict=True)),
        CHART_BOX,
        number_format="0.0%",
        maximum=1.0,
        title=t("report.completeness_chart", lang),
    )
    c.footnote(s, base=c.missing)


def _outcomes(c: Scene, oc: pl.DataFrame) -> None:
    """10: the headline outcome rates, the area against its comparator."""
    lang = c.lang
    s = c.slide("outcomes", t("report.notes.outcomes", lang), sub="outcomes")
    measure_labels = {m: t(f"outcomes.measure.{m}", lang) for m in outcomes.MEASURES}
    values = series_values(oc, "rate", "group", c.keys, "measure", list(outcomes.MEASURES))
    c.d.bar_chart(
        s,
        list(measure_labels.values()),
        list(zip([c.names[k] for k in c.keys], values, strict=True)),
        CHART_BOX,
        maximum=1.0,
        title=t("report.outcomes_chart", lang),
    )
    hidden = suppressed(oc, "rate", "group", c.names, "measure", measure_labels)
    c.footnote(s, hidden, t("report.outcomes_note", lang))


def _about(c: Scene) -> None:
    """11: about these figures: the protection rule, the view, the source, and what each note code means."""
    lang = c.lang
    s = c.slide("about", t("report.notes.about", lang))
    lines = [
        *published.rule_texts(published.from_settings(True, threshold=c.n), lang),
        t("report.about_view", lang),
        t("disclosure.export.source_synthetic" if c.synthetic else "disclosure.export.source_real", lang),
    ]
    c.d.text(s, lines, MARGIN, int(1.4 * IN), int(6.6 * IN), int(5.0 * IN), size=14, bullets=True)
    c.d.table(
        s,
        [t("report.code", lang), t("report.meaning", lang)],
        [(code, t(f"disclosure.note.{code}", lang)) for code in disclosure.NOTE_CODES],
        (MARGIN + int(7.0 * IN), int(1.45 * IN), int(5.3 * IN), int(4.6 * IN)),
        size=11,
        widths=(1, 6),
    )
