from datetime import date

import polars as pl
import pytest

from resettlement.period import (
    Quarter,
    is_quarter,
    label_expr,
    period_end,
    period_start,
    quarter_expr,
    quarter_start_expr,
    years_of,
)


def test_parse_reads_a_label():
    q = Quarter.parse("2024Q4")
    assert (q.year, q.number, q.label, str(q)) == (2024, 4, "2024Q4", "2024Q4")
    assert q.start == date(2024, 10, 1) and q.end == date(2024, 12, 31)
    assert Quarter.parse("2024Q1").end == date(2024, 3, 31)
    assert Quarter.parse("2024Q2").start == date(2024, 4, 1) and Quarter.parse("2024Q2").end == date(2024, 6, 30)
    assert Quarter.parse("2023Q3").end == date(2023, 9, 30)


@pytest.mark.parametrize("label", ["2024Q5", "2024Q0", "24Q1", "2024-Q1", "2024", "2024Q", "2024Q12", "Q12024", ""])
def test_parse_rejects_anything_else(label):
    with pytest.raises(ValueError):
        Quarter.parse(label)


def test_a_quarter_is_numbered_one_to_four():
    with pytest.raises(ValueError):
        Quarter(2024, 5)
    with pytest.raises(ValueError):
        Quarter(2024, 0)


def test_of_and_span():
    assert Quarter.of(date(2024, 4, 1)) == Quarter(2024, 2)
    assert Quarter.of(date(2024, 3, 31)) == Quarter(2024, 1)
    assert Quarter.of(date(2024, 12, 31)).label == "2024Q4"
    assert [q.label for q in Quarter.span(date(2023, 11, 5), date(2024, 2, 1))] == ["2023Q4", "2024Q1"]
    assert [q.label for q in Quarter.span(date(2024, 5, 1), date(2024, 6, 30))] == ["2024Q2"]
    assert Quarter.span(date(2024, 7, 1), date(2024, 6, 30)) == []


def test_stepping():
    assert Quarter(2024, 3).next() == Quarter(2024, 4)
    assert Quarter(2024, 4).next() == Quarter(2025, 1)
    assert Quarter(2024, 1).shift(-1) == Quarter(2023, 4)
    assert Quarter(2024, 2).shift(-8) == Quarter(2022, 2)
    assert Quarter(2023, 4).shift(5) == Quarter(2025, 1)
    assert Quarter(2024, 2).shift(0) == Quarter(2024, 2)


def test_ordering_is_by_time():
    assert Quarter(2023, 4) < Quarter(2024, 1) < Quarter(2024, 2)
    assert max(Quarter.parse(x) for x in ["2024Q1", "2023Q4", "2024Q3"]).label == "2024Q3"
    assert sorted([Quarter(2025, 1), Quarter(2016, 4), Quarter(2024, 2)]) == [
        Quarter(2016, 4),
        Quarter(2024, 2),
        Quarter(2025, 1),
    ]
    assert Quarter.parse("2024Q2") == Quarter(2024, 2) and len({Quarter(2024, 2), Quarter.parse("2024Q2")}) == 1


def test_periods_are_quarters_or_years():
    assert is_quarter("2024Q2") and not is_quarter("2024")
    assert period_start("2024Q3") == date(2024, 7, 1) and period_start("2024") == date(2024, 1, 1)
    assert period_end("2024Q3") == date(2024, 9, 30) and period_end("2024") == date(2024, 12, 31)
    assert years_of(["2023Q4", "2024Q1", "2024Q2"]) == ["2023", "2024"]


def test_polars_expressions_agree_with_quarter():
    days = [date(2024, 1, 1), date(2024, 6, 30), date(2023, 11, 5), date(2025, 12, 31)]
    out = pl.DataFrame({"d": days}).with_columns(quarter_expr("d").alias("q"))
    assert out["q"].to_list() == [Quarter.of(d).label for d in days] == ["2024Q1", "2024Q2", "2023Q4", "2025Q4"]
    starts = out.select(quarter_start_expr(pl.col("q")))
    assert starts.to_series().to_list() == [Quarter.parse(q).start for q in out["q"]]
    made = pl.DataFrame({"y": [2024, 2016], "n": [2, 4]}).select(label_expr(pl.col("y"), pl.col("n")))
    assert made.to_series().to_list() == ["2024Q2", "2016Q4"]
