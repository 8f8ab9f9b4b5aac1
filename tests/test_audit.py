"""The disclosure audit: hidden counts worked out from published sums, on hand-made cells and on the demo data."""

from __future__ import annotations

import functools
import json

import pytest

from resettlement import audit, disclosure, geography, published, store
from resettlement.__main__ import main
from resettlement.filters import cli_filters
from resettlement.scope import Scope
from tests.apptest import AS_OF

pytestmark = pytest.mark.usefixtures("own_snapshots")  # their databases' snapshots apart

N = 5


def test_a_hidden_authority_is_its_area_less_the_others():
    """Gwynedd hidden; North Wales 52 and the other five authorities 51 give it back: 1."""
    others = {f"la{i}": v for i, v in enumerate((10, 11, 9, 12, 9))}
    known = {("p", "police_area", "north", "n"): 52, ("p", "la", "gwynedd", "n"): None}
    known.update({("p", "la", code, "n"): v for code, v in others.items()})
    parts = (("p", "la", "gwynedd", "n"), *(("p", "la", code, "n") for code in others))
    north = audit.Sum(("p", "police_area", "north", "n"), parts)
    assert audit.findings(known, [north], N) == [{"kind": "recovered", "cell": ["p", "la", "gwynedd", "n"], "value": 1}]
    known[("p", "la", "la0", "n")] = None  # a second hidden authority: only their sum (11) is known
    assert audit.findings(known, [north], N) == []
    assert audit.bounds(known, [north])[("p", "la", "gwynedd", "n")] == (0, 11)


def test_a_hidden_quarter_is_the_period_less_the_rest():
    """Cardiff's custody releases: 14 over eight quarters, 13 without the first, the first hidden: 1. Chains of sums
    are followed too (the first quarter then gives back a hidden cohort)."""
    known = {
        ("period",): 14,
        ("q1",): None,
        ("rest",): 13,
        ("q1", "custody"): None,
        ("q1", "remand"): 0,
        ("q1", "community"): 0,
    }
    sums = [
        audit.Sum(("period",), (("q1",), ("rest",))),
        audit.Sum(("q1",), (("q1", "custody"), ("q1", "remand"), ("q1", "community"))),
    ]
    found = {tuple(f["cell"]): f["value"] for f in audit.findings(known, sums, N)}
    assert found == {("q1",): 1, ("q1", "custody"): 1}


def test_small_published_counts_are_findings_and_large_recoveries_are_not():
    known = {("t",): 20, ("a",): 3, ("b",): None}
    found = audit.findings(known, [audit.Sum(("t",), (("a",), ("b",)))], N)
    assert found == [{"kind": "small_published", "cell": ["a"], "value": 3}]  # b = 17 is recovered, not small


def test_a_rounded_view_pins_nothing_where_suppression_alone_did():
    """Gwynedd again, in the publication view: North Wales shows as 50 (46 to 54), the others as 10, 10, 10, 10, 10
    (6 to 14 each), Gwynedd hidden (0 to 9): Gwynedd lies anywhere from 0 to 9, nothing is recovered."""
    p = published.Protection(N, True, "round", 5)
    iv = functools.partial(disclosure.rounded_interval, threshold=N, base=5)
    known = {("north",): iv(50), ("gwynedd",): iv(None), **{(f"la{i}",): iv(10) for i in range(5)}}
    north = audit.Sum(("north",), (("gwynedd",), *((f"la{i}",) for i in range(5))))
    assert p.rounds and audit.findings(known, [north], N) == []
    assert audit.bounds(known, [north])[("gwynedd",)] == (0, 9)


def test_one_figure_shown_two_ways_is_a_finding():
    """The map and the profile show Cardiff's unmet needs as one cell: 15 in one and 20 in the other is reported."""
    cells = audit._Cells(published.Protection(N, True, "round", 5))
    key = ("gaps", "la:W06000015", "period", ("all",), "unmet")
    cells.add(key, 15, None, "gaps.areas")
    cells.add(key, 15, None, "profile.gaps")
    assert cells.inconsistent == []
    cells.add(key, 20, None, "profile.gaps")
    assert [x["kind"] for x in cells.inconsistent] == ["inconsistent"]
    assert cells.inconsistent[0]["value"] == "15 in gaps.areas, 20 in profile.gaps"


@pytest.fixture(scope="module")
def scale_one(tmp_path_factory):
    """The demo database at scale 1 (volumes like Wales), fixed seed and as-of date."""
    from resettlement import synth

    url = f"sqlite:///{tmp_path_factory.mktemp('audit') / 'scale1.db'}"
    synth.build_demo(url, scale=1, seed=7, as_of=AS_OF)
    tables = store.read_all(store.get_engine(url), Scope.all_wales())
    tables["cases"] = geography.attach_service(tables["cases"])
    return url, published.Inputs(tables)


def test_every_recovery_in_the_working_view_is_the_true_count(scale_one):
    """The working view (suppression) gives hidden counts back across levels, periods and cohorts: each one the
    audit reports is checked against the unprotected count (the same walk with nothing hidden)."""
    _, inputs = scale_one
    f = cli_filters(AS_OF, None, None)
    raw = audit.cells(inputs, f, AS_OF, published.Protection(1, False)).shown
    found = audit.run(inputs, f, AS_OF, published.Protection(N, False))
    recovered = [x for x in found if x["kind"] == "recovered"]
    assert recovered and all(x["kind"] not in ("small_published", "inconsistent") for x in found)
    for x in recovered:
        assert raw[tuple(x["cell"])][0] == x["value"] and 1 <= x["value"] <= N - 1, x


def test_the_publication_view_survives_differencing_on_the_demo_data(scale_one):
    """Rounded to 5 with everything that rounds to 5 or less hidden, nothing is recovered, nothing small is shown
    and no figure is shown two ways, over every audited table, level, quarter, cohort and authority."""
    _, inputs = scale_one
    f = cli_filters(AS_OF, None, None)
    assert audit.run(inputs, f, AS_OF, published.Protection(N, True, "round", 5)) == []


def test_cli_exits_1_on_findings_and_0_without(scale_one, capsys, monkeypatch):
    url, _ = scale_one
    assert main(["audit", "--db", url, "--publication", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["view"], out["method"], out["findings"]) == ("publication", "round", [])
    assert set(out["tables"]) == set(published.REGISTRY)  # every registered table is walked
    assert main(["audit", "--db", url, "--json"]) == 1  # the working view: suppression does not survive differencing
    assert json.loads(capsys.readouterr().out)["findings"]
    monkeypatch.setenv("RESETTLEMENT_SUPPRESSION_THRESHOLD", "1")  # nothing hidden, nothing small: nothing found
    assert main(["audit", "--db", url, "--json"]) == 0
