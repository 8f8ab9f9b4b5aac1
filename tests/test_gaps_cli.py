"""The gaps CLI prints the figures the page shows, and they match an independent count."""

import functools
import json
from datetime import date

import polars as pl

from resettlement import disclosure, geography, store
from resettlement.__main__ import main
from resettlement.period import quarter_bounds
from resettlement.scope import Scope


def test_gaps_cli_json_matches_an_independent_count(demo_url, capsys):
    assert (
        main(
            ["gaps", "--db", demo_url, "--by", "la", "--pathway", "ete", "--from", "2022Q1", "--to", "2025Q4", "--json"]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert len(out) == 22
    cardiff = next(r for r in out if r["area_code"] == "W06000015")
    assert cardiff["area"] == "Cardiff" and cardiff["pathway"] == "ete"

    engine = store.get_engine(demo_url)
    cases = store.read_table(engine, "cases", Scope.all_wales())
    needs = store.read_table(engine, "needs", Scope.all_wales())
    start, end = quarter_bounds("2022Q1")[0], quarter_bounds("2025Q4")[1]
    mine = cases.filter((pl.col("la_code") == "W06000015") & pl.col("start_date").is_between(start, end))
    rows = needs.join(mine.select("case_id"), on="case_id").filter(
        (pl.col("pathway") == "ete") & (pl.col("need") == "yes")
    )
    identified = rows.height
    recorded = rows.filter(pl.col("service_offered").is_not_null()).height
    unmet = rows.filter(pl.col("service_offered").eq(False)).height
    assert identified >= 8 and unmet >= 8 and recorded - unmet >= 8, "fixture too small for a shown figure"
    # the CLI prints the publication view: counts rounded to a multiple of 5 with the database's key, the rate
    # worked out from the rounded counts (docs/disclosure.md)
    key = store.rounding_key(store.read_meta(engine))
    r5 = functools.partial(disclosure.round_value, base=5, key=key)
    assert (cardiff["identified"], cardiff["offer_recorded"], cardiff["unmet"]) == (
        r5(identified),
        r5(recorded),
        r5(unmet),
    )
    assert abs(cardiff["gap_rate"] - r5(unmet) / r5(recorded)) < 1e-12


def test_gaps_cli_welsh_names_and_service_level(demo_url, capsys):
    assert (
        main(
            [
                "gaps",
                "--db",
                demo_url,
                "--by",
                "service",
                "--from",
                "2017Q1",
                "--to",
                "2017Q4",
                "--json",
                "--lang",
                "cy",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert {r["area_code"] for r in out} == set(geography.service_codes())
    wb = next(r for r in out if r["area_code"] == "western_bay")
    assert wb["area"] == "Bae'r Gorllewin"
    assert wb["identified"] != 0  # 2017 Swansea, Neath Port Talbot and Bridgend records belong to Western Bay
    swansea = next(r for r in out if r["area_code"] == "swansea")
    assert swansea["identified"] == "c"  # none: in the publication view a zero is hidden like a small count


def test_gaps_cli_never_prints_a_small_count(demo_url, capsys):
    assert main(["gaps", "--db", demo_url, "--by", "la", "--pathway", "finance", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for r in out:
        for key in ("identified", "offer_recorded", "offer_unknown", "unmet", "release_needs", "not_in_place"):
            assert r[key] == "c" or (r[key] >= 10 and r[key] % 5 == 0), (r["area"], key, r[key])


def test_gaps_cli_bad_input_is_a_readable_error(demo_url, capsys, tmp_path):
    assert main(["gaps", "--db", demo_url, "--from", "1999Q1"]) == 2
    assert "is not a quarter" in capsys.readouterr().err
    assert main(["gaps", "--db", f"sqlite:///{tmp_path / 'missing' / 'x.db'}"]) == 2
    assert "cannot use database" in capsys.readouterr().err


def test_as_of_is_the_fixture_date(demo_url):
    assert store.as_of(store.read_meta(store.get_engine(demo_url))) == date(2026, 9, 30)
