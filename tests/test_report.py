"""The slide deck and the XLSX exports: structure, native charts, notes, Welsh, and the app's numbers."""

from __future__ import annotations

import io
from dataclasses import replace

import openpyxl
import polars as pl
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from resettlement import disclosure, gaps, geography, needs, outcomes, overview, report, store, xlsx
from resettlement.filters import Area, cli_filters, select_cases
from resettlement.i18n import t
from resettlement.scope import Scope
from resettlement.standard import PATHWAYS
from resettlement.ui import data
from tests.apptest import AS_OF, open_page, open_tables
from tests.test_disclosure import registry_calls

N = 5


@pytest.fixture(scope="module")
def tables(demo_url):
    frames = store.read_all(store.get_engine(demo_url), Scope.all_wales())
    frames["cases"] = geography.attach_service(frames["cases"])
    return frames


def build(tables, area: str, lang: str = "en", start: str = "2024Q4", end: str = "2026Q3"):
    f = cli_filters(AS_OF, start, end, area=area)
    figures = report.build_figures(tables, f, AS_OF, N, lang)
    deck = report.deck(figures, f, AS_OF, N, lang, synthetic=True)
    return f, figures, Presentation(io.BytesIO(deck))


@pytest.fixture(scope="module")
def cardiff(tables):
    return build(tables, "la:W06000015")


def charts(slide) -> list:
    return [s.chart for s in slide.shapes if s.has_chart]


def series(chart) -> dict[str, tuple]:
    return {s.name: tuple(s.values) for s in chart.plots[0].series}


def close(a, b) -> bool:
    return len(a) == len(b) and all(
        (x is None and y is None) or (x is not None and y is not None and abs(x - y) < 1e-9)
        for x, y in zip(a, b, strict=True)
    )


def test_deck_has_the_expected_slides_in_order(cardiff):
    _, _, prs = cardiff
    assert [s.name for s in prs.slides] == list(report.SLIDES)
    titles = [s.shapes[0].text_frame.text for s in prs.slides]
    assert titles == [t("report.title", "en"), *(t(f"report.slide.{k}", "en") for k in report.SLIDES[1:])]


def test_headline_changes_are_rounded_as_on_the_page(cardiff, tables):
    f, _figures, prs = cardiff
    head = app_figures(tables, f)["overview.headline"]
    texts = [sh.text_frame.text for sh in prs.slides[1].shapes if sh.has_text_frame]
    for r in head.iter_rows(named=True):
        is_rate = r["metric"] in overview.RATE_METRICS
        if r["change__note"] or r["change"] is None:
            continue
        shown = round(r["change"] * 100) if is_rate else round(r["change"])
        diff = "0" if shown == 0 else (f"{shown:+,d}")
        assert t("report.change_pp" if is_rate else "report.change", "en", diff=diff) in texts, r["metric"]
    assert not [x for x in texts if "-0 " in x]


def test_charts_are_native_and_editable_not_pictures(cardiff):
    _, _, prs = cardiff
    by = {s.name: s for s in prs.slides}
    assert {k: len(charts(by[k])) for k in ("trend", "needs", "gaps", "rrp", "completeness", "outcomes")} == {
        "trend": 2,
        "needs": 1,
        "gaps": 1,
        "rrp": 1,
        "completeness": 1,
        "outcomes": 1,
    }
    assert not [sh for s in prs.slides for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]


def test_map_is_22_freeform_authorities_with_a_legend_and_a_table_next(cardiff, tables):
    _f, figures, prs = cardiff
    by = {s.name: s for s in prs.slides}
    shapes = [sh for sh in by["map"].shapes if sh.shape_type == MSO_SHAPE_TYPE.FREEFORM]
    assert len(shapes) == 22
    assert {sh.name.split(":")[0] for sh in shapes} == {geography.la_name(c) for c in geography.LA_CODES}
    grey = {sh.name.split(":")[0] for sh in shapes if str(sh.fill.fore_color.rgb) == "C8C8C8"}
    hidden = {geography.la_name(r["area_code"]) for r in figures["map"].iter_rows(named=True) if r["gap_rate__note"]}
    assert grey == hidden  # suppressed authorities are grey, never coloured
    text = " ".join(sh.text_frame.text for sh in by["map"].shapes if sh.has_text_frame)
    assert t("map.suppressed_legend", "en") in text and t("report.map_legend", "en") in text
    table = [sh.table for sh in by["map_table"].shapes if sh.has_table]
    names = [row.cells[0].text.removeprefix("▶ ") for tb in table for row in list(tb.rows)[1:]]
    assert sorted(names) == sorted(geography.la_name(c) for c in geography.LA_CODES)


def test_every_slide_has_speaker_notes_with_definitions(cardiff):
    _, _, prs = cardiff
    for s in prs.slides:
        notes = s.notes_slide.notes_text_frame.text
        assert notes.strip(), s.name
        for prefix in report.NOTES[s.name]:
            assert t(f"{prefix}.title", "en") in notes, s.name
        assert "**" not in notes


def test_welsh_deck_is_in_welsh(tables):
    _, _, prs = build(tables, "la:W06000015", "cy")
    titles = [s.shapes[0].text_frame.text for s in prs.slides]
    assert titles == [t("report.title", "cy"), *(t(f"report.slide.{k}", "cy") for k in report.SLIDES[1:])]
    assert set(titles).isdisjoint({t(f"report.slide.{k}", "en") for k in report.SLIDES[1:]})
    needs_chart = charts({s.name: s for s in prs.slides}["needs"])[0]
    assert list(needs_chart.plots[0].categories) == [t(f"enum.pathway.{p}", "cy") for p in PATHWAYS]
    assert set(series(needs_chart)) == {"Caerdydd (awdurdod lleol)", "Cymru"}
    assert "Caerdydd" in prs.slides[0].shapes[1].text_frame.text


def app_figures(tables, f):
    """The registered tables the pages draw for these filters, with the pages' arguments, in the publication view
    (the first of each name)."""
    from resettlement import published

    made, inputs = {}, published.Inputs(tables)
    for name, args in registry_calls(tables, f, AS_OF):
        if name not in made:
            made[name] = published.frame(inputs, name, published.from_settings(), *args)
    return made


def test_deck_numbers_equal_the_apps(cardiff, tables):
    f, figures, prs = cardiff
    by = {s.name: s for s in prs.slides}
    app = app_figures(tables, f)
    labels = {"Cardiff (local authority)": "area", "Wales": "wales"}

    def values(frame, value, key, category, categories):
        return {
            labels_inv: tuple(v)
            for labels_inv, v in zip(
                ("area", "wales"),
                report.series_values(frame, value, key, ["area", "wales"], category, categories),
                strict=True,
            )
        }

    # needs and gaps: the page's protected frames, chart series by series
    for slide, name, measure in (("needs", "needs.compare", "need_rate"), ("gaps", "gaps.compare", "gap_rate")):
        got = {labels[k]: v for k, v in series(charts(by[slide])[0]).items()}
        want = values(app[name], measure, "series", "pathway", list(PATHWAYS))
        assert all(close(got[k], want[k]) for k in want), slide
    # trends: episodes per quarter of the period, area and Wales
    quarters = [q for q in app["overview.trend"]["quarter"].unique().sort() if f.start_q <= q <= f.end_q]
    got = {labels[k]: v for k, v in series(charts(by["trend"])[0]).items()}
    want = values(app["overview.trend"], "episodes", "series", "quarter", quarters)
    assert all(close(got[k], want[k]) for k in want)
    # outcomes
    got = {labels[k]: v for k, v in series(charts(by["outcomes"])[0]).items()}
    want = {
        k: tuple(v)
        for k, v in zip(
            ("area", "wales"),
            report.series_values(
                app["outcomes.headline"], "rate", "group", ["area", "wales"], "measure", list(outcomes.MEASURES)
            ),
            strict=True,
        )
    }
    assert all(close(got[k], want[k]) for k in want)
    # completeness (the page shows percentages, the chart proportions)
    rows = {r["series"]: r for r in app["completeness.wales"].iter_rows(named=True)}
    got = series(charts(by["completeness"])[0])
    assert close(
        got["Cardiff (local authority)"],
        tuple(rows["selection"][k] / 100 for k in ("completeness", "validity", "timeliness")),
    )
    # the map's table holds the page's map figures (all pathways, by authority)
    page_map = app["gaps.areas"]  # all pathways, by authority
    assert disclosure.to_records(page_map) == disclosure.to_records(figures["map"])
    # and the figures are the page's frames themselves
    assert disclosure.to_records(figures["needs"]) == disclosure.to_records(app["needs.compare"])
    assert disclosure.to_records(figures["outcomes"]) == disclosure.to_records(app["outcomes.headline"])


def test_headline_slide_shows_the_overview_figures(cardiff, tables):
    f, _, prs = cardiff
    head = app_figures(tables, f)["overview.headline"]
    text = " ".join(sh.text_frame.text for sh in prs.slides[1].shapes if sh.has_text_frame)
    for r in head.iter_rows(named=True):
        value = (
            "c"
            if r["current__note"]
            else (f"{r['current']:.0%}" if r["metric"] in overview.RATE_METRICS else f"{r['current']:,.0f}")
        )
        assert f"{t('overview.label.' + r['metric'], 'en')}" in text and value in text


@pytest.mark.parametrize(
    "area,start,end",
    [
        ("wales", "2024Q4", "2026Q3"),
        ("la:W06000023", "2026Q1", "2026Q3"),
        ("police_area:W15000004", "2018Q1", "2018Q4"),
    ],
)
def test_no_figure_in_the_deck_is_a_small_count(tables, area, start, end):
    _f, figures, prs = build(tables, area, start=start, end=end)
    counts = {
        "trend": ["episodes"],
        "cohorts": ["episodes", "children"],
        "needs": list(needs.FUNNEL_COUNTS),
        "gaps": list(gaps.COUNTS),
        "map": list(gaps.COUNTS),
        "outcomes": list(outcomes.HEADLINE_COUNTS),
        "completeness": ["episodes"],
        "rrp": ["cases_reviewed", "actions_agreed", "actions_completed", "escalations"],
    }
    for key, cols in counts.items():
        frame = figures[key]
        assert disclosure.is_protected(frame)
        assert not [v for c in cols for v in frame[c].to_list() if v is not None and 1 <= v < N], key
    # every count a chart draws (meetings are not about children), and every figure in a table
    meetings = t("rrp.col.meetings", "en")
    for s in prs.slides:
        for chart in charts(s):
            if chart.plots[0].series[0].values and max((v or 0) for v in chart.plots[0].series[0].values) <= 1:
                continue  # a chart of rates
            for name, vals in series(chart).items():
                if name != meetings:
                    assert not [v for v in vals if v is not None and 1 <= v < N], (s.name, name)
        for shape in s.shapes:
            if shape.has_table:
                cells = [c.text for row in list(shape.table.rows)[1:] for c in list(row.cells)[2:]]
                assert not [c for c in cells if c.isdigit() and 1 <= int(c) < N], s.name


def test_deck_figures_are_the_publication_views_tables(tables):
    """The deck is always in the publication view: each of its figures is the registered table the page shows in
    that view (rounded to 5, the band that rounds to 5 or less hidden), cell for cell."""
    f, figures, _ = build(tables, "la:W06000015")
    app = app_figures(tables, f)
    for key, name in {"trend": "overview.trend", "cohorts": "overview.cohorts"}.items():  # the period's quarters
        page = disclosure.to_records(app[name])
        assert all(r in page for r in disclosure.to_records(figures[key])), key
    pairs = {
        "needs": "needs.compare",
        "gaps": "gaps.compare",
        "map": "gaps.areas",
        "completeness": "completeness.wales",
        "outcomes": "outcomes.headline",
        "headline": "overview.headline",
        "rrp_headline": "rrp.headline",
    }
    for key, name in pairs.items():
        assert disclosure.to_records(figures[key]) == disclosure.to_records(app[name]), key
    top = disclosure.hidden_max(N, 5)
    for key, cols in {"trend": ["episodes"], "map": list(gaps.COUNTS), "needs": list(needs.FUNNEL_COUNTS)}.items():
        shown = [v for c in cols for v in figures[key][c].to_list() if v is not None]
        assert shown and all(v > top and v % 5 == 0 for v in shown), key


def test_deck_of_a_service_with_no_episodes_in_the_period(tables):
    """Western Bay ended in March 2019: a later period selects no episode, and the deck says so instead of failing."""
    _, figures, prs = build(tables, "service:western_bay", start="2024Q1", end="2026Q2")
    assert figures["completeness"].filter(pl.col("series") == "selection").height == 0
    completeness = charts(prs.slides[list(report.SLIDES).index("completeness")])[0]
    assert series(completeness)["Western Bay (youth justice service)"] == (None, None, None)


def test_cli_writes_the_deck(demo_url, tmp_path, capsys):
    from resettlement.__main__ import main

    out = tmp_path / "deck.pptx"
    assert (
        main(
            [
                "report",
                "--db",
                demo_url,
                "--area",
                "la:W06000015",
                "--from",
                "2024Q4",
                "--to",
                "2026Q3",
                "--lang",
                "cy",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    prs = Presentation(str(out))
    assert [s.name for s in prs.slides] == list(report.SLIDES)
    assert prs.slides[1].shapes[0].text_frame.text == t("report.slide.headline", "cy")
    assert "11 slides" in capsys.readouterr().out
    assert main(["report", "--db", demo_url, "--area", "la:NOPE", "--out", str(out)]) == 2


def test_workbook_holds_the_cells_shown_and_an_about_sheet():
    df = pl.DataFrame({"area": ["a", "b"], "n": [3, 12], "d": [20, 30]}).with_columns(
        (pl.col("n") / pl.col("d")).alias("rate")
    )
    protected = disclosure.protect(df, counts=["n"], rates={"rate": ("n", "d")}, threshold=5)
    f = cli_filters(AS_OF, "2024Q4", "2026Q3", area="la:W06000015")
    about = xlsx.about_rows(
        "cy", title="Prawf", threshold=5, synthetic=True, as_of=AS_OF, filters=f, definitions=("gaps.definitions",)
    )
    wb = openpyxl.load_workbook(
        io.BytesIO(xlsx.workbook(protected, "cy", about, decimals={"rate": 2}, names={"n": "Nifer"}))
    )
    data, meta = wb[t("disclosure.export.sheet_data", "cy")], wb[t("disclosure.export.sheet_meta", "cy")]
    assert [[c.value for c in row] for row in data.iter_rows()] == [
        ["area", "Nifer", "d", "rate"],
        ["a", "c", 20, "c"],
        ["b", 12, 30, 0.4],
    ]
    rows = {r[0].value: r[1].value for r in meta.iter_rows(min_row=2)}
    assert rows[t("disclosure.export.area", "cy")] == "Caerdydd (awdurdod lleol)"
    assert rows[t("disclosure.export.as_of", "cy")] == AS_OF.isoformat()
    assert rows["c"] == t("disclosure.note.c", "cy") and rows["k"] == t("disclosure.note.k", "cy")
    assert "5" in rows[t("disclosure.export.rule", "cy")]
    with pytest.raises(ValueError):
        xlsx.workbook(df, "en", about)


# --------------------------------------------------------------------------------------- in the app (AppTest)


def download(at, managers, label: str, index: int = 0) -> bytes:
    button = [b for b in at.get("download_button") if b.label == label][index]
    manager = managers[-1]
    url = (
        manager.execute_deferred(button.proto.deferred_file_id)
        if button.proto.HasField("deferred_file_id")
        else button.proto.url
    )
    file_id = url.rsplit("/", 1)[-1].split(".")[0]
    return manager._storage.get_file(file_id).content


def test_publication_view_is_forced_without_case_level_rights(app):
    at = open_page(app, "gaps", "en")
    switch = at.sidebar.toggle[0]
    assert switch.label == t("disclosure.publication", "en") and switch.value is True and switch.disabled
    assert t("disclosure.publication_forced", "en") in [c.value for c in at.sidebar.caption]


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_publication_switch_adds_secondary_suppression_and_hides_case_lists(app, monkeypatch, lang):
    monkeypatch.setenv("RESETTLEMENT_CASE_LEVEL", "1")
    at = open_page(app, "completeness", lang)
    switch = at.sidebar.toggle[0]
    assert switch.value is False and not switch.disabled
    fix = t("completeness.fix_download", lang)
    assert any(b.label == fix for b in at.get("download_button"))
    at = switch.set_value(True).run()
    assert not at.exception
    assert t("disclosure.publication_on", lang) in [c.value for c in at.sidebar.caption]
    assert not any(b.label == fix for b in at.get("download_button")), "no fix list in the publication view"
    # the service gaps table gains suppressed cells when the publication view is on
    open_tables(at.switch_page("pages/service_gaps.py").run(), lang)
    on = at.dataframe[0].value
    at = at.sidebar.toggle[0].set_value(False).run()
    off = at.dataframe[0].value
    assert (on == "c").sum().sum() > (off == "c").sum().sum()


def test_xlsx_export_has_the_table_and_its_metadata(app, media):
    at = open_tables(open_page(app, "needs", "cy"), "cy")
    assert not at.exception
    xlsx = [b for b in at.get("download_button") if b.label == t("disclosure.export.download_xlsx", "cy")]
    assert xlsx and all(b.proto.HasField("deferred_file_id") for b in xlsx)  # built when clicked, not every run
    wb = openpyxl.load_workbook(io.BytesIO(download(at, media, t("disclosure.export.download_xlsx", "cy"))))
    data, meta = wb[t("disclosure.export.sheet_data", "cy")], wb[t("disclosure.export.sheet_meta", "cy")]
    shown = at.dataframe[0].value  # the first table on the page, as displayed
    assert [c.value for c in data[1]] == list(shown.columns)
    assert data.max_row == len(shown) + 1
    cells = [[c.value for c in row] for row in data.iter_rows(min_row=2)]
    for got, want in zip(cells, shown.itertuples(index=False), strict=True):
        assert [str(g) if not isinstance(g, float) else f"{g:g}" for g in got] == [
            str(w) if not isinstance(w, float) else f"{w:g}" for w in want
        ]
    rows = {r[0].value: r[1].value for r in meta.iter_rows(min_row=2)}
    k = "disclosure.export."
    assert rows[t(k + "source", "cy")] == t(k + "source_synthetic", "cy")
    assert rows[t(k + "as_of", "cy")] == AS_OF.isoformat()
    assert rows[t(k + "area", "cy")] == "Cymru"
    assert t("enum.cohort.custody", "cy") in rows[t(k + "cohorts", "cy")]
    assert rows[t(k + "view", "cy")] == t(k + "view_publication", "cy")
    assert rows[t(k + "rule", "cy")] == t(k + "rounding_text", "cy", n=5, m=4, base=5, eg=10, lo=6, hi=14)
    assert rows[t(k + "definitions", "cy")].startswith(t("needs.definitions.title", "cy"))
    assert [rows[c] for c in disclosure.NOTE_CODES] == [t(f"disclosure.note.{c}", "cy") for c in disclosure.NOTE_CODES]


def test_overview_offers_the_slide_deck(app, media):
    at = open_page(app, "overview", "en")
    data.clear()  # the deck reads the tables when it is clicked, outside the run that drew the button
    prs = Presentation(io.BytesIO(download(at, media, t("report.download", "en"))))
    assert [sl.name for sl in prs.slides] == list(report.SLIDES)
    assert prs.slides[0].shapes[0].text_frame.text == t("report.title", "en")


def test_deck_for_a_scope_compares_with_the_areas_in_scope(tables):
    north = [c for c in geography.LA_CODES if geography.LA_BY_CODE[c].police_area == "W15000001"]
    scoped = {k: (v.filter(pl.col("la_code").is_in(north)) if "la_code" in v.columns else v) for k, v in tables.items()}
    f = cli_filters(AS_OF, "2024Q4", "2026Q3", area="la:W06000005")
    prs = Presentation(io.BytesIO(report.report_deck(scoped, f, AS_OF, N, "en", all_wales=False)))
    names = set(series(charts({s.name: s for s in prs.slides}["needs"])[0]))
    assert names == {"Flintshire (local authority)", t("area.in_scope", "en")}
    cases = select_cases(scoped["cases"], replace(f, area=Area()))
    assert set(cases["la_code"]) <= set(north)
