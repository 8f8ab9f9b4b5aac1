from datetime import date

import polars as pl

from resettlement.filters import Area, Filters, area_options, cli_filters, select_cases
from resettlement.geography import LA_CODES
from resettlement.period import (
    DATA_START,
    complete_years,
    default_period,
    is_complete,
    quarter_bounds,
    quarter_of,
    quarters_between,
    trend_quarters,
)


def test_quarters():
    assert quarter_of(date(2024, 4, 1)) == "2024Q2"
    assert quarter_of(date(2024, 12, 31)) == "2024Q4"
    assert quarter_bounds("2024Q1") == (date(2024, 1, 1), date(2024, 3, 31))
    assert quarter_bounds("2024Q4") == (date(2024, 10, 1), date(2024, 12, 31))
    assert quarters_between(date(2023, 11, 5), date(2024, 7, 1)) == ["2023Q4", "2024Q1", "2024Q2", "2024Q3"]


def test_default_period_is_the_latest_eight_complete_quarters():
    def default(as_of: date) -> tuple[str, str]:
        return default_period(quarters_between(DATA_START, as_of), as_of)

    assert default(date(2026, 9, 30)) == ("2024Q4", "2026Q3")  # 30 September ends 2026Q3
    assert default(date(2026, 10, 31)) == ("2024Q4", "2026Q3")  # a month of 2026Q4 is not a quarter
    assert default(date(2026, 12, 30)) == ("2024Q4", "2026Q3")
    assert default(date(2026, 12, 31)) == ("2025Q1", "2026Q4")
    assert default_period(["2016Q1", "2016Q2"], date(2016, 5, 1)) == ("2016Q1", "2016Q1")
    assert default_period(["2016Q1"], date(2016, 2, 1)) == ("2016Q1", "2016Q1")  # nothing complete: all there is
    assert is_complete("2026Q3", date(2026, 9, 30)) and not is_complete("2026Q4", date(2026, 10, 31))
    assert is_complete("2025", date(2026, 10, 31)) and not is_complete("2026", date(2026, 12, 30))
    # trends run over complete quarters and, pooled by year, complete years
    assert trend_quarters(date(2026, 10, 31))[-2:] == ("2026Q2", "2026Q3")
    assert trend_quarters(date(2026, 9, 30))[-1] == "2026Q3" and len(trend_quarters(date(2026, 9, 30))) == 43
    assert trend_quarters(date(2016, 2, 1)) == ("2016Q1",)
    assert complete_years(trend_quarters(date(2026, 10, 31)), date(2026, 10, 31))[-1] == "2025"
    assert complete_years(["2016Q1"], date(2016, 2, 1)) == ["2016"]
    # the command-line reports start from the same default
    f = cli_filters(date(2026, 10, 31), None, None)
    assert (f.start_q, f.end_q) == ("2024Q4", "2026Q3")


def test_previous_period_has_the_same_length():
    f = Filters("2024Q1", "2024Q4")
    assert (f.previous().start_q, f.previous().end_q) == ("2023Q1", "2023Q4")
    assert Filters("2024Q3", "2024Q3").previous().start_q == "2024Q2"


def test_area_tokens_round_trip():
    assert Area.parse("la:W06000015") == Area("la", "W06000015")
    assert Area.parse(None) == Area()
    assert Area.parse("nonsense:x") == Area()
    assert Area("service", "cardiff").token() == "service:cardiff"


def test_area_options_respect_scope():
    everything = area_options(frozenset(LA_CODES))
    assert everything[0] == "wales"
    assert len([o for o in everything if o.startswith("la:")]) == 22
    assert len([o for o in everything if o.startswith("police_area:")]) == 4
    gwent_only = area_options(frozenset({"W06000018", "W06000019"}))
    assert "wales" not in gwent_only
    assert gwent_only == ["service:blaenau_gwent_caerphilly", "la:W06000019", "la:W06000018"]


def test_select_cases_by_period_area_service_and_cohort():
    cases = pl.DataFrame(
        {
            "case_id": ["a", "b", "c", "d", "e"],
            "la_code": ["W06000011", "W06000011", "W06000015", "W06000013", "W06000011"],
            "cohort": ["custody", "community", "custody", "remand", "custody"],
            "start_date": [date(2018, 2, 1), date(2018, 3, 31), date(2018, 1, 1), date(2018, 2, 2), date(2019, 5, 1)],
        }
    )
    q1 = Filters("2018Q1", "2018Q1")
    assert select_cases(cases, q1)["case_id"].to_list() == ["a", "b", "c", "d"]
    wb = Filters("2018Q1", "2019Q4", Area("service", "western_bay"))
    assert select_cases(cases, wb)["case_id"].to_list() == ["a", "b", "d"]  # e is Swansea YJS after the split
    swansea = Filters("2018Q1", "2019Q4", Area("la", "W06000011"), ("custody",))
    assert select_cases(cases, swansea)["case_id"].to_list() == ["a", "e"]
    south = Filters("2016Q1", "2026Q1", Area("police_area", "W15000003"), ("remand",))
    assert select_cases(cases, south)["case_id"].to_list() == ["d"]


def test_cli_filters_validate_the_area_code():
    import pytest

    from resettlement.filters import cli_filters

    assert cli_filters(date(2026, 9, 30), None, None, area="la:W06000015").area == Area("la", "W06000015")
    for bad in ("la:X", "service:nowhere", "police_area:W06000015", "region:1"):
        with pytest.raises(ValueError, match="unknown area"):
            cli_filters(date(2026, 9, 30), None, None, area=bad)
