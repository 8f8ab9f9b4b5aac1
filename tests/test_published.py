"""The registry of published tables: the publication view's rounding on hand-made cells, one boundary for every
page, and the same cells on a page, in its downloads, in the printable profile and from the CLI."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import polars as pl
import pytest

from resettlement import disclosure, published
from resettlement.geography import la_name
from resettlement.i18n import t
from tests.apptest import open_page, open_tables

ROOT = Path(__file__).resolve().parent.parent


def shown(df: pl.DataFrame, col: str) -> list:
    return disclosure.for_display(df)[col].to_list()


KEY = 12345


def _rounded_by_hand(v: int, base: int = 5, key: int = KEY) -> int:
    """The rounding written out again: up with the draw below the remainder, as docs/disclosure.md states it."""
    remainder = v % base
    draw = ((v + key) * 2654435761) % 2147483647 // 7 % base
    return v - remainder + (base if draw < remainder else 0)


def test_hidden_band_and_what_a_rounded_count_tells():
    assert [disclosure.hidden_max(n, b) for n, b in ((5, 5), (10, 5), (5, 10), (3, 2))] == [9, 14, 9, 3]
    # 5 to 9 may round down to 5, the threshold: hidden then; a shown 10 may have been anything from 6 to 14
    assert disclosure.rounded_interval(None, 5, 5) == (0, 9)
    assert disclosure.rounded_interval(10, 5, 5) == (6, 14)
    assert disclosure.rounded_interval(15, 5, 5) == (11, 19)


def test_rounding_is_unbiased_and_the_same_count_always_rounds_the_same_way():
    values = list(range(1000, 6000))
    rounded = [disclosure.round_value(v, 5, KEY) for v in values]
    assert rounded == [_rounded_by_hand(v) for v in values]
    assert all(r % 5 == 0 and abs(r - v) <= 4 for r, v in zip(rounded, values, strict=True))
    assert abs(sum(r - v for r, v in zip(rounded, values, strict=True)) / len(values)) < 0.1
    assert 0.3 < sum(r > v for r, v in zip(rounded, values, strict=True) if v % 5) / 4000 < 0.7  # both ways
    frame = pl.DataFrame({"v": values}).select(disclosure.round_to(pl.col("v"), 5, KEY))["v"].to_list()
    assert frame == rounded  # the Polars expression and the Python function agree
    assert [disclosure.round_value(v, 5, KEY + 1) for v in values] != rounded  # the key decides


def test_counts_are_hidden_under_5_or_rounding_to_5_and_rounded_above():
    values = [0, 3, 5, 7, 8, 9, 12, 13, 102]
    out = disclosure.rounded(pl.DataFrame({"n": values}), counts=["n"], protection=PROTECTION)
    want = ["c" if v < 5 or _rounded_by_hand(v) <= 5 else str(_rounded_by_hand(v)) for v in values]
    assert shown(out, "n") == want
    assert want[:3] == ["c"] * 3 and want[-1] in ("100", "105")  # 0, 3 and 5 always hidden


def test_rates_come_from_the_rounded_counts_and_hide_like_them():
    """unmet 12 of 33 recorded: the rate is the rounded 12 over the rounded 33, and its Wilson interval that of
    those; 30 of 33 hides the rate (the 3 met would follow); 0 of 20 hides it too (a zero is like a small count)."""
    df = pl.DataFrame({"unmet": [12, 30, 0], "recorded": [33, 33, 20]})
    df = df.with_columns(
        (pl.col("unmet") / pl.col("recorded")).alias("rate"), pl.lit(0.0).alias("lo"), pl.lit(1.0).alias("hi")
    )
    rates = {c: ("unmet", "recorded") for c in ("rate", "lo", "hi")}
    out = disclosure.rounded(
        df, ["unmet", "recorded"], rates, PROTECTION, shares=("rate",), intervals={"lo": "low", "hi": "high"}
    )
    from resettlement.outcomes import wilson

    k, n = _rounded_by_hand(12), _rounded_by_hand(33)
    lo, hi = wilson(k, n)
    row = out.row(0, named=True)
    assert (row["unmet"], row["recorded"], row["rate"]) == (k, n, k / n)
    assert abs(row["lo"] - lo) < 1e-12 and abs(row["hi"] - hi) < 1e-12
    assert shown(out, "rate")[1:] == ["c", "c"] and shown(out, "unmet")[2] == "c"


PROTECTION = published.Protection(5, True, "round", 5, KEY)


def test_protection_is_a_plain_value_and_the_setting_chooses_the_method(monkeypatch):
    monkeypatch.setenv("RESETTLEMENT_PUBLICATION_METHOD", "suppress")
    p = published.from_settings()
    assert (p.publication, p.method, p.rounds) == (True, "suppress", False)
    assert hash(p) == hash(published.Protection(5, True, "suppress", 5, 1))
    monkeypatch.setenv("RESETTLEMENT_PUBLICATION_METHOD", "round")
    monkeypatch.setenv("RESETTLEMENT_ROUNDING_BASE", "10")
    assert published.from_settings().base == 10 and published.from_settings().rounds


def _calls(tree: ast.AST) -> set[str]:
    return {
        f"{n.func.value.id}.{n.func.attr}"
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)
    }


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "pages").glob("*.py")))
def test_no_page_protects_a_figure_itself(page):
    """One disclosure boundary: a page gets its figures from the registry (``ctx.published``), never by calling the
    protection itself, so its cells are those the deck, the exports and the CLI show."""
    calls = _calls(ast.parse((ROOT / "pages" / page).read_text(encoding="utf-8")))
    assert not {c for c in calls if c.startswith("disclosure.") and c != "disclosure.protected_columns"}, page


def test_every_registered_table_names_its_counts_and_labels():
    for spec in published.TABLES:
        assert spec.counts or spec.rates or spec.protector, spec.name
        declared = (
            spec.relations
            if isinstance(spec.relations, tuple)
            else disclosure.TABLE_RELATIONS.get(spec.relations or spec.name, ())
        )
        assert spec.relation_list() == declared, spec.name
        assert not spec.shares or set(spec.shares) <= set(spec.rates), spec.name


def test_service_gaps_page_table_is_the_clis(app, demo_url, capsys):
    """The map's table on the page (publication view, forced without case-level rights) and `gaps --json` hold the
    same cells, authority by authority."""
    from resettlement.__main__ import main

    at = open_tables(open_page(app, "gaps", "en"))
    assert not at.exception
    page = next(d.value for d in at.dataframe if t("col.gap_rate", "en") in d.value.columns)
    period = at.sidebar.select_slider[0].value
    assert main(["gaps", "--db", demo_url, "--by", "la", "--from", period[0], "--to", period[1], "--json"]) == 0
    cli = {r["area_code"]: r for r in json.loads(capsys.readouterr().out)}
    rows = {r[t("col.area", "en")]: r for r in page.to_dict("records")}
    assert len(cli) == len(rows) == 22
    for code, r in cli.items():
        mine = rows[la_name(code)]
        for col in ("identified", "offer_recorded", "unmet", "not_in_place"):
            assert str(mine[t(f"col.{col}", "en")]) == str(r[col]), (code, col)
        rate = r["gap_rate"] if r["gap_rate"] in ("c", "z") else str(round(r["gap_rate"], 3))
        assert str(mine[t("col.gap_rate", "en")]) == rate, code


def test_printable_profile_holds_the_pages_cells(app, media):
    """The printable area profile is made from the cells the page shows: every cell of the page's pathway table is
    in the HTML."""
    from tests.test_report import download

    at = open_tables(open_page(app, "profile", "en"))
    assert not at.exception
    html = download(at, media, t("profile.download_html", "en")).decode("utf-8")
    gaps = next(d.value for d in at.dataframe if t("col.gap_rate", "en") in d.value.columns)
    for value in gaps[t("col.unmet", "en")].astype(str):
        assert f">{value}<" in html
