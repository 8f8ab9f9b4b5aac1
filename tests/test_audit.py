"""The disclosure audit: hidden counts worked out from published sums, on hand-made cells and on the demo data."""

from __future__ import annotations

import json
from dataclasses import replace

from resettlement import audit, gaps, geography, store
from resettlement.__main__ import main
from resettlement.filters import Area, cli_filters, quarters_between, select_cases
from resettlement.needs import with_case
from resettlement.scope import Scope
from tests.apptest import AS_OF

N = 5


def test_a_hidden_authority_is_its_area_less_the_others():
    """Gwynedd hidden; North Wales 52 and the other five authorities 51 give it back: 1."""
    others = {f"la{i}": v for i, v in enumerate((10, 11, 9, 12, 9))}
    known = {("p", "police_area", "north", "n"): 52, ("p", "la", "gwynedd", "n"): None}
    known.update({("p", "la", code, "n"): v for code, v in others.items()})
    parts = (("p", "la", "gwynedd", "n"), *(("p", "la", code, "n") for code in others))
    north = audit.Sum(("p", "police_area", "north", "n"), parts)
    assert audit.findings(known, [north], N) == [
        {"kind": "recovered", "cell": ["p", "la", "gwynedd", "n"], "value": 1}]
    known[("p", "la", "la0", "n")] = None  # a second hidden authority: only their sum (11) is known
    assert audit.findings(known, [north], N) == []
    assert audit.bounds(known, [north])[("p", "la", "gwynedd", "n")] == (0, 11)


def test_a_hidden_quarter_is_the_period_less_the_rest():
    """Cardiff's custody releases: 14 over eight quarters, 13 without the first, the first hidden: 1. Chains of sums
    are followed too (the first quarter then gives back a hidden cohort)."""
    known = {("period",): 14, ("q1",): None, ("rest",): 13, ("q1", "custody"): None, ("q1", "remand"): 0,
             ("q1", "community"): 0}
    sums = [audit.Sum(("period",), (("q1",), ("rest",))),
            audit.Sum(("q1",), (("q1", "custody"), ("q1", "remand"), ("q1", "community")))]
    found = {tuple(f["cell"]): f["value"] for f in audit.findings(known, sums, N)}
    assert found == {("q1",): 1, ("q1", "custody"): 1}


def test_small_published_counts_are_findings_and_large_recoveries_are_not():
    known = {("t",): 20, ("a",): 3, ("b",): None}
    found = audit.findings(known, [audit.Sum(("t",), (("a",), ("b",)))], N)
    assert found == [{"kind": "small_published", "cell": ["a"], "value": 3}]  # b = 17 is recovered, not small


def _raw_cells(tables, f) -> dict:
    """Every count of every view and level, unprotected, as the audit keys them."""
    raw = {}
    for name, view in audit.gaps_views(f, quarters_between(f.start, AS_OF)).items():
        rows = with_case(tables["needs"], select_cases(tables["cases"], replace(view, area=Area())))
        for level in gaps.LEVELS:
            for r in gaps.by_area(gaps.combine(rows, "all"), level, pathways=("all",)).iter_rows(named=True):
                raw.update({(name, level, r["area_code"], c): r[c] for c in gaps.COUNTS})
    return raw


def test_every_recovery_on_the_demo_data_is_the_true_count(demo_url):
    tables = store.read_all(store.get_engine(demo_url), Scope.all_wales())
    tables["cases"] = geography.attach_service(tables["cases"])
    f = cli_filters(AS_OF, "2025Q1", "2025Q4")
    raw = _raw_cells(tables, f)
    for publication in (False, True):
        for finding in audit.gaps_audit(tables, f, AS_OF, N, publication):
            assert finding["value"] == raw[tuple(finding["cell"])], finding
            assert 1 <= finding["value"] <= N - 1


def test_cli_exits_1_on_findings_and_0_without(demo_url, capsys, monkeypatch):
    code = main(["audit", "--db", demo_url, "--from", "2025Q1", "--to", "2025Q4", "--publication", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == (1 if out["findings"] else 0)
    assert (out["view"], out["from"], out["to"], out["tables"]) == ("publication", "2025Q1", "2025Q4", ["gaps.areas"])
    monkeypatch.setenv("RESETTLEMENT_SUPPRESSION_THRESHOLD", "1")  # nothing hidden, nothing small: nothing found
    assert main(["audit", "--db", demo_url, "--from", "2025Q1", "--to", "2025Q4", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []
