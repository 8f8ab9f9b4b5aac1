"""Small hand-made frames whose figures are worked out by hand in the tests that use them."""

from __future__ import annotations

from datetime import date

import polars as pl

from resettlement import geography, store
from resettlement.standard import TABLES

CARDIFF, SWANSEA = "W06000015", "W06000011"


def table_set(
    cases: pl.DataFrame,
    needs: pl.DataFrame,
    outcomes: pl.DataFrame,
    rrps: pl.DataFrame,
    meetings: pl.DataFrame,
    attendance: pl.DataFrame,
    reviews: pl.DataFrame,
) -> dict[str, pl.DataFrame]:
    """The seven tables keyed by their names in the store, as ``store.replace_all`` and the evaluators take them."""
    return {
        "cases": cases,
        "needs": needs,
        "outcomes": outcomes,
        "rrps": rrps,
        "rrp_meetings": meetings,
        "rrp_attendance": attendance,
        "rrp_reviews": reviews,
    }


def frame(table: str, rows: list[dict]) -> pl.DataFrame:
    """A frame with the standard's full schema for ``table`` (missing columns are null)."""
    schema = store.polars_schema(TABLES[table])
    return pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema)


def gap_cases() -> pl.DataFrame:
    cases = frame(
        "cases",
        [
            {
                "case_id": "c1",
                "child_id": "p1",
                "la_code": CARDIFF,
                "cohort": "custody",
                "start_date": date(2024, 1, 10),
                "release_date": date(2024, 3, 1),
                "age_at_start": 16,
                "sex": "male",
                "ethnicity": "white",
            },
            {
                "case_id": "c2",
                "child_id": "p2",
                "la_code": CARDIFF,
                "cohort": "community",
                "start_date": date(2024, 2, 1),
                "age_at_start": 14,
                "sex": "female",
                "ethnicity": "mixed",
            },
            {
                "case_id": "c3",
                "child_id": "p3",
                "la_code": SWANSEA,
                "cohort": "remand",
                "start_date": date(2024, 2, 15),
                "release_date": date(2024, 4, 1),
                "age_at_start": 17,
                "sex": "male",
                "ethnicity": "white",
            },
            {
                "case_id": "c4",
                "child_id": "p4",
                "la_code": SWANSEA,
                "cohort": "community",
                "start_date": date(2024, 5, 1),
                "age_at_start": 15,
                "sex": "male",
                "ethnicity": "black",
            },
        ],
    )
    return geography.attach_service(cases)


def gap_needs() -> pl.DataFrame:
    def n(case, pathway, need, offered=None, offered_date=None, engaged=None, reason=None):
        return {
            "case_id": case,
            "pathway": pathway,
            "need": need,
            "service_offered": offered,
            "offered_date": offered_date,
            "engaged": engaged,
            "gap_reason": reason,
        }

    return frame(
        "needs",
        [
            n("c1", "accommodation", "yes", True, date(2024, 2, 20), True),
            n("c1", "ete", "yes", False, reason="no_provision"),
            n("c1", "health", "no"),
            n("c1", "substance_misuse", "yes", True, date(2024, 3, 10), False),
            n("c2", "accommodation", "yes"),
            n("c2", "ete", "yes", True, date(2024, 2, 10)),
            n("c2", "health", "unknown"),
            n("c3", "accommodation", "yes", False, reason="waiting_list"),
            n("c3", "ete", "yes", True, None, True),
            n("c4", "accommodation", "no"),
            n("c4", "ete", "yes", False),
        ],
    )
