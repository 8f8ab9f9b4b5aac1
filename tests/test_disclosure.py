import polars as pl

from resettlement import disclosure


def test_primary_suppression_of_counts_and_rates():
    df = pl.DataFrame(
        {"area": ["a", "b", "c", "d"], "unmet": [0, 3, 5, 12], "needs": [2, 4, 20, 0], "rate": [0.0, 0.75, 0.25, None]}
    )
    out = disclosure.protect(df, counts=["unmet", "needs"], rates={"rate": "needs"}, threshold=5)
    # 0 is shown; 3 and 2 and 4 are in 1..4 and hidden; 5 and 12 and 20 shown
    assert out["unmet"].to_list() == [0, None, 5, 12]
    assert out["needs"].to_list() == [None, None, 20, 0]
    assert out["unmet__note"].to_list() == [None, "c", None, None]
    # rate: denominators 2 and 4 are under 5 -> c; 20 -> shown; 0 -> z (not applicable)
    assert out["rate"].to_list() == [None, None, 0.25, None]
    assert out["rate__note"].to_list() == ["c", "c", None, "z"]


def test_threshold_is_a_parameter():
    df = pl.DataFrame({"n": [4, 9, 10]})
    assert disclosure.protect(df, counts=["n"], threshold=10)["n"].to_list() == [None, None, 10]
    assert disclosure.protect(df, counts=["n"], threshold=3)["n"].to_list() == [4, 9, 10]


def test_for_display_shows_note_codes_and_rounds():
    df = pl.DataFrame({"n": [2, 7], "r": [0.5, 0.12345], "d": [3, 8]})
    shown = disclosure.for_display(disclosure.protect(df, ["n"], {"r": "d"}, threshold=5), decimals={"r": 2})
    assert shown.columns == ["n", "r", "d"]
    assert shown["n"].to_list() == ["c", "7"]
    assert shown["r"].to_list() == ["c", "0.12"]
    # an unprotected column passes through untouched
    assert shown["d"].to_list() == [3, 8]


def test_no_cell_between_one_and_threshold_survives():
    df = pl.DataFrame({"n": list(range(0, 30))})
    shown = disclosure.protect(df, ["n"], threshold=7)["n"].drop_nulls().to_list()
    assert not [v for v in shown if 1 <= v <= 6]
    assert shown == [0, *range(7, 30)]


def test_rate_hidden_when_its_numerator_or_complement_is_small():
    # unmet 2 of 17 would be given back by 0.1176 x 17; 16 of 17 gives back 1 child without the need; 0 of 17 is
    # hidden too (issue 15): a 0% shown beside hidden small rates tells them apart, and "none" is about every child
    df = pl.DataFrame({"unmet": [2, 16, 8, 0, 17], "recorded": [17, 17, 17, 17, 17]}).with_columns(
        (pl.col("unmet") / pl.col("recorded")).alias("rate")
    )
    out = disclosure.protect(df, counts=["unmet"], rates={"rate": ("unmet", "recorded")}, threshold=5)
    assert out["rate__note"].to_list() == ["c", "c", None, "c", "c"]
    assert out["rate"].to_list()[2] == 8 / 17
    assert out["unmet__note"].to_list() == ["c", None, None, None, None]  # a zero count is still shown as 0


def test_to_records_keeps_numbers_and_notes():
    df = pl.DataFrame({"n": [2, 7, 7], "d": [20, 20, 10]}).with_columns((pl.col("n") / pl.col("d")).alias("r"))
    recs = disclosure.to_records(disclosure.protect(df, ["n"], {"r": ("n", "d")}, threshold=5))
    # the third rate would give back 10 - 7 = 3 children without the outcome
    assert recs == [{"n": "c", "d": 20, "r": "c"}, {"n": 7, "d": 20, "r": 0.35}, {"n": 7, "d": 10, "r": "c"}]


# ---------------------------------------------------------------------------------------- secondary suppression

from datetime import date  # noqa: E402

import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from resettlement.i18n import LANGS, t  # noqa: E402

R, C = disclosure.RowSum, disclosure.ColumnSum


def shown(df: pl.DataFrame, col: str) -> list:
    return disclosure.for_display(df)[col].to_list()


def test_row_total_only_secondary_suppression_protects_the_part():
    # identified 8 = offer recorded 5 + offer unknown 3: primary hides the 3, but 8 - 5 gives it back
    df = pl.DataFrame({"identified": [8], "offer_recorded": [5], "offer_unknown": [3]})
    rel = [R("identified", ("offer_recorded", "offer_unknown"))]
    primary = disclosure.protect(df, counts=df.columns, threshold=5)
    assert shown(primary, "offer_unknown") == ["c"] and shown(primary, "offer_recorded") == ["5"]
    assert disclosure.recoverable(primary, rel) != []
    out = disclosure.protect(df, counts=df.columns, threshold=5, relations=rel)
    # the smallest non-zero other cell (5, not 8) is hidden as well, with the same note code
    assert [shown(out, c)[0] for c in df.columns] == ["8", "c", "c"]
    assert disclosure.recoverable(out, rel) == []


def test_column_total_row_protects_an_area():
    # areas a, b, c add up to the Wales row: a = 3 is hidden; 25 - 10 - 12 would give it back
    df = pl.DataFrame({"area": ["a", "b", "c", "wales"], "n": [3, 10, 12, 25]})
    out = disclosure.protect(df, counts=["n"], threshold=5, relations=[C(("n",), key="area", total="wales")])
    assert shown(out, "n") == ["c", "c", "12", "25"]  # b (10) is the smallest non-zero other cell


def test_total_published_elsewhere_minus_the_others():
    # cohorts add up to a total shown in another table: the one hidden cohort needs a partner
    df = pl.DataFrame({"quarter": ["q1"] * 3 + ["q2"] * 3, "cohort": ["a", "b", "c"] * 2, "n": [2, 0, 14, 7, 9, 30]})
    out = disclosure.protect(df, counts=["n"], threshold=5, relations=[C(("n",), by=("quarter",))])
    assert shown(out, "n") == ["c", "0", "c", "7", "9", "30"]  # q1: 14 hidden too (0 is no partner); q2 untouched


def test_total_column_repeated_in_every_row():
    df = pl.DataFrame({"k": [0, 1, 2, 3], "episodes": [10, 3, 20, 7], "total": [40] * 4})
    out = disclosure.protect(
        df, counts=["episodes", "total"], threshold=5, relations=[C(("episodes",), total_column="total")]
    )
    assert shown(out, "episodes") == ["10", "c", "20", "c"] and shown(out, "total") == ["40"] * 4


def test_unpublished_remainder_is_protected():
    # 16 of 17 needs unmet: the 1 met need is not a column, but 17 - 16 gives it back
    df = pl.DataFrame({"offer_recorded": [17, 20], "unmet": [16, 10]}).with_columns(
        (pl.col("unmet") / pl.col("offer_recorded")).alias("gap_rate")
    )
    rel = [R("offer_recorded", ("unmet",), remainder=True)]
    out = disclosure.protect(
        df,
        counts=["offer_recorded", "unmet"],
        rates={"gap_rate": ("unmet", "offer_recorded")},
        threshold=5,
        relations=rel,
    )
    assert shown(out, "unmet") == ["c", "10"] and shown(out, "gap_rate") == ["c", "0.5"]
    assert disclosure.recoverable(out, rel) == []


def test_rates_follow_their_hidden_numerator_or_denominator():
    df = pl.DataFrame({"identified": [40], "offer_recorded": [37], "offer_unknown": [3], "unmet": [10]}).with_columns(
        (pl.col("unmet") / pl.col("offer_recorded")).alias("gap_rate")
    )
    counts = ["identified", "offer_recorded", "offer_unknown", "unmet"]
    rel = [R("identified", ("offer_recorded", "offer_unknown"))]
    # with the rate declared, the cell that keeps it shown is preferred: 40 is hidden rather than 37
    kept = disclosure.protect(
        df, counts=counts, rates={"gap_rate": ("unmet", "offer_recorded")}, threshold=5, relations=rel
    )
    assert [shown(kept, c)[0] for c in [*counts, "gap_rate"]] == ["c", "37", "c", "10", str(10 / 37)]
    # when only a denominator will do, the rate goes with it (unmet ÷ rate would give it back)
    areas = pl.DataFrame({"offer_recorded": [3, 37, 50], "unmet": [0, 10, 10]}).with_columns(
        (pl.col("unmet") / pl.col("offer_recorded")).alias("gap_rate")
    )
    out = disclosure.protect(
        areas,
        counts=["offer_recorded", "unmet"],
        rates={"gap_rate": ("unmet", "offer_recorded")},
        threshold=5,
        relations=[C(("offer_recorded",))],
    )
    assert shown(out, "offer_recorded") == ["c", "c", "50"]
    assert shown(out, "gap_rate") == ["c", "c", "0.2"]


def test_fixed_point_over_a_two_way_table():
    # rows and columns both add up (with totals); one small cell sets off a chain that must end with every
    # relation holding zero or at least two hidden cells
    df = pl.DataFrame(
        {
            "row": ["r1", "r2", "r3", "all"],
            "a": [3, 20, 11, 34],
            "b": [12, 8, 30, 50],
            "total": [15, 28, 41, 84],
        }
    )
    rel = [R("total", ("a", "b")), C(("a", "b", "total"), key="row", total="all")]
    out = disclosure.protect(df, counts=["a", "b", "total"], threshold=5, relations=rel)
    assert disclosure.recoverable(out, rel) == []
    assert shown(out, "a")[0] == "c"
    assert disclosure.hidden_cells(out) >= 4  # a cell hidden alone in a 2-way table needs a rectangle of four


def test_secondary_is_deterministic_and_ties_go_to_the_first_cell():
    df = pl.DataFrame({"area": ["a", "b", "c", "wales"], "n": [2, 9, 9, 20]})
    rel = [C(("n",), key="area", total="wales")]
    outs = [disclosure.protect(df, counts=["n"], threshold=5, relations=rel) for _ in range(3)]
    assert all(o.equals(outs[0]) for o in outs)
    assert shown(outs[0], "n") == ["c", "c", "9", "20"]


def test_absent_columns_are_skipped_and_a_remainder_needs_a_total():
    df = pl.DataFrame({"n": [3, 10]})
    out = disclosure.protect(df, counts=["n"], threshold=5, relations=[R("total", ("n",)), C(("m",))])
    assert shown(out, "n") == ["c", "10"]
    with pytest.raises(ValueError):
        C(("n",), remainder=True)


@pytest.mark.parametrize("lang", LANGS)
def test_every_note_code_has_a_meaning(lang):
    assert disclosure.NOTE_CODES == ("c", "x", "z", "p", "r", "b", "u", "e", "k")
    assert all(t(f"disclosure.note.{code}", lang) for code in disclosure.NOTE_CODES)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 30), min_size=3, max_size=3), min_size=2, max_size=6), st.integers(2, 8))
def test_property_no_relation_gives_a_hidden_cell_back(grid, threshold):
    rows = [{"row": f"r{i}", "a": a, "b": b, "c": c, "total": a + b + c} for i, (a, b, c) in enumerate(grid)]
    cols = {k: sum(r[k] for r in rows) for k in ("a", "b", "c", "total")}
    df = pl.DataFrame([*rows, {"row": "all", **cols}])
    rel = [R("total", ("a", "b", "c")), C(("a", "b", "c", "total"), key="row", total="all")]
    primary = disclosure.protect(df, counts=["a", "b", "c", "total"], threshold=threshold)
    out = disclosure.protect(df, counts=["a", "b", "c", "total"], threshold=threshold, relations=rel)
    assert disclosure.recoverable(out, rel, threshold) == []
    for c in ("a", "b", "c", "total"):  # primary cells stay hidden; shown cells keep their values
        assert all(o is not None for p, o in zip(primary[c + "__note"], out[c + "__note"], strict=True) if p)
        assert all(v == df[c][i] for i, v in enumerate(out[c]) if v is not None)
        assert not [v for v in out[c] if v is not None and 1 <= v < threshold]
    assert out.equals(disclosure.protect(df, counts=["a", "b", "c", "total"], threshold=threshold, relations=rel))


# ------------------------------------------------------- exhaustive check of every table the pages produce


def registry_calls(tables: dict, f, as_of: date) -> list[tuple[str, tuple]]:
    """Every registered published table with the arguments the pages pass it (``published.page_calls``)."""
    from resettlement import published

    return published.page_calls(tables, f, as_of)


FILTER_CASES = [
    ("wales", "2024Q4", "2026Q3"),
    ("la:W06000015", "2024Q4", "2026Q3"),
    ("la:W06000023", "2026Q1", "2026Q3"),
    ("service:cwm_taf", "2025Q1", "2025Q4"),
    ("service:western_bay", "2017Q1", "2018Q4"),
    ("police_area:W15000001", "2019Q1", "2020Q4"),
]


@pytest.fixture(scope="module")
def demo_tables(demo_url):
    from resettlement import geography, store
    from resettlement.scope import Scope

    tables = store.read_all(store.get_engine(demo_url), Scope.all_wales())
    tables["cases"] = geography.attach_service(tables["cases"])
    return tables


def small_shown(frame: pl.DataFrame, counts, n: int) -> list:
    return [
        (c, v)
        for c in counts
        if c in frame.columns
        for v in frame[c].to_list()
        if isinstance(v, int | float) and 1 <= v <= n - 1
    ]


@pytest.mark.parametrize("area,start,end", FILTER_CASES)
def test_no_page_table_shows_a_small_count_or_lets_one_be_worked_out(demo_tables, area, start, end):
    """Every registered table, with the pages' arguments: the working view shows no count from 1 to n − 1 and no
    relation gives a hidden cell back; the publication view shows only multiples of 5 above the hidden band."""
    from resettlement import published
    from resettlement.filters import cli_filters
    from tests.apptest import AS_OF

    f = cli_filters(AS_OF, start, end, area=area)
    n = 5
    inputs = published.Inputs(demo_tables)
    checked, names = 0, set()
    top = disclosure.hidden_max(n, 5)
    for name, args in registry_calls(demo_tables, f, AS_OF):
        spec = published.REGISTRY[name]
        working = published.frame(inputs, name, published.Protection(n, False), *args)
        rounded = published.frame(inputs, name, published.Protection(n, True, "round", 5), *args)
        if working is None:
            continue
        names.add(name)
        assert disclosure.is_protected(working) and disclosure.is_protected(rounded), name
        assert small_shown(working, spec.counts, n) == [], name
        assert disclosure.recoverable(working, spec.relation_list(), n) == [], name
        shown = [v for c in spec.counts if c in rounded.columns for v in rounded[c].to_list() if v is not None]
        assert all(v > top and v % 5 == 0 for v in shown), (name, shown)
        checked += working.height * max(1, len(spec.counts))
    assert checked > 1000
    if f.area.level == "wales":  # every table of the registry is walked (the RRP ones when the area has RRPs)
        assert names == set(published.REGISTRY), set(published.REGISTRY) - names


def test_exhaustive_check_catches_an_unprotected_table(demo_tables):
    # the check itself must fail on a table that skipped protection
    from resettlement import gaps
    from resettlement.filters import cli_filters
    from tests.apptest import AS_OF

    f = cli_filters(AS_OF, "2026Q3", "2026Q3")
    raw = gaps.by_area(
        gaps.combine(
            __import__("resettlement.needs", fromlist=["x"]).with_case(
                demo_tables["needs"], demo_tables["cases"].filter(pl.col("start_date") >= f.start)
            ),
            "all",
        ),
        "la",
        pathways=("all",),
    )
    assert small_shown(raw, gaps.COUNTS, 5) != []


def test_cells_hidden_together():
    # children starting an episode nearly equal episodes: hiding one and showing the other would give it away
    df = pl.DataFrame({"episodes": [6, 3, 14], "children": [6, 3, 14], "cohort": ["a", "b", "c"]})
    rel = [C(("episodes",)), disclosure.Together(("episodes", "children"))]
    out = disclosure.protect(df, counts=["episodes", "children"], threshold=5, relations=rel)
    assert shown(out, "episodes") == ["c", "c", "14"] and shown(out, "children") == ["c", "c", "14"]
    partial = disclosure.protect(df, counts=["episodes", "children"], threshold=5, relations=rel[:1])
    assert disclosure.recoverable(partial, rel) != []
    assert disclosure.recoverable(out, rel) == []
