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
from tests.apptest import open_page

ROOT = Path(__file__).resolve().parent.parent


def shown(df: pl.DataFrame, col: str) -> list:
    return disclosure.for_display(df)[col].to_list()


def test_hidden_band_and_what_a_rounded_count_tells():
    assert [disclosure.hidden_max(n, b) for n, b in ((5, 5), (10, 5), (5, 10), (3, 2))] == [7, 12, 4, 2]
    # 5 to 7 would round to 5, the threshold: hidden with the small counts; 10 means 8 to 12
    assert disclosure.rounded_interval(None, 5, 5) == (0, 7)
    assert disclosure.rounded_interval(10, 5, 5) == (8, 12)
    assert disclosure.rounded_interval(15, 5, 5) == (13, 17)


def test_counts_are_hidden_to_7_and_rounded_to_5_above():
    df = pl.DataFrame({"n": [0, 3, 5, 7, 8, 12, 13, 102]})
    out = disclosure.rounded(df, counts=["n"], threshold=5, base=5)
    assert shown(out, "n") == ["c", "c", "c", "c", "10", "10", "15", "100"]


def test_rates_come_from_the_rounded_counts_and_hide_like_them():
    """unmet 12 of 33 recorded: shown as 10 of 35, rate 10/35 (not 12/33), Wilson interval of 10 out of 35; 30 of
    33 hides the rate (the 3 met would follow); 0 of 20 hides it too (a zero is treated like a small count)."""
    df = pl.DataFrame({"unmet": [12, 30, 0], "recorded": [33, 33, 20]})
    df = df.with_columns((pl.col("unmet") / pl.col("recorded")).alias("rate"), pl.lit(0.0).alias("lo"),
                         pl.lit(1.0).alias("hi"))
    rates = {c: ("unmet", "recorded") for c in ("rate", "lo", "hi")}
    out = disclosure.rounded(df, ["unmet", "recorded"], rates, 5, 5, shares=("rate",),
                             intervals={"lo": "low", "hi": "high"})
    from resettlement.outcomes import wilson

    lo, hi = wilson(10, 35)
    assert out.row(0, named=True) | {} == {"unmet": 10, "recorded": 35, "rate": 10 / 35, "lo": lo, "hi": hi,
                                           "unmet__note": None, "recorded__note": None, "rate__note": None,
                                           "lo__note": None, "hi__note": None}
    assert shown(out, "rate")[1:] == ["c", "c"] and shown(out, "unmet")[1:] == ["30", "c"]


def test_protection_is_a_plain_value_and_the_setting_chooses_the_method(monkeypatch):
    monkeypatch.setenv("RESETTLEMENT_PUBLICATION_METHOD", "suppress")
    p = published.Protection.from_settings()
    assert (p.publication, p.method, p.rounds) == (True, "suppress", False)
    assert hash(p) == hash(published.Protection(5, True, "suppress", 5))
    monkeypatch.setenv("RESETTLEMENT_PUBLICATION_METHOD", "round")
    monkeypatch.setenv("RESETTLEMENT_ROUNDING_BASE", "10")
    assert published.Protection.from_settings().base == 10 and published.Protection.from_settings().rounds


def _calls(tree: ast.AST) -> set[str]:
    return {f"{n.func.value.id}.{n.func.attr}" for n in ast.walk(tree) if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)}


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "pages").glob("*.py")))
def test_no_page_protects_a_figure_itself(page):
    """One disclosure boundary: a page gets its figures from the registry (``ctx.published``), never by calling the
    protection itself, so its cells are those the deck, the exports and the CLI show."""
    calls = _calls(ast.parse((ROOT / "pages" / page).read_text(encoding="utf-8")))
    assert not {c for c in calls if c.startswith("disclosure.") and c != "disclosure.protected_columns"}, page


def test_every_registered_table_names_its_counts_and_labels():
    for spec in published.TABLES:
        assert spec.counts or spec.rates or spec.protector, spec.name
        assert spec.relation_list() == disclosure.TABLE_RELATIONS.get(spec.relations or spec.name, ()), spec.name
        assert not spec.shares or set(spec.shares) <= set(spec.rates), spec.name


def test_service_gaps_page_table_is_the_clis(app, demo_url, capsys):
    """The map's table on the page (publication view, forced without case-level rights) and `gaps --json` hold the
    same cells, authority by authority."""
    from resettlement.__main__ import main

    at = open_page(app, "gaps", "en")
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

    at = open_page(app, "profile", "en")
    assert not at.exception
    html = download(at, media, t("profile.download_html", "en")).decode("utf-8")
    gaps = next(d.value for d in at.dataframe if t("col.gap_rate", "en") in d.value.columns)
    for value in gaps[t("col.unmet", "en")].astype(str):
        assert f">{value}<" in html
