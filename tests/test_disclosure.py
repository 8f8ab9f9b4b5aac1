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
    # unmet 2 of 17 would be given back by 0.1176 x 17; 16 of 17 gives back 1 child without the need
    df = pl.DataFrame({"unmet": [2, 16, 8, 0], "recorded": [17, 17, 17, 17]}).with_columns(
        (pl.col("unmet") / pl.col("recorded")).alias("rate")
    )
    out = disclosure.protect(df, counts=["unmet"], rates={"rate": ("unmet", "recorded")}, threshold=5)
    assert out["rate__note"].to_list() == ["c", "c", None, None]
    assert out["rate"].to_list()[2:] == [8 / 17, 0.0]


def test_to_records_keeps_numbers_and_notes():
    df = pl.DataFrame({"n": [2, 7, 7], "d": [20, 20, 10]}).with_columns((pl.col("n") / pl.col("d")).alias("r"))
    recs = disclosure.to_records(disclosure.protect(df, ["n"], {"r": ("n", "d")}, threshold=5))
    # the third rate would give back 10 - 7 = 3 children without the outcome
    assert recs == [{"n": "c", "d": 20, "r": "c"}, {"n": 7, "d": 20, "r": 0.35}, {"n": 7, "d": 10, "r": "c"}]
