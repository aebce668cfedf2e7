"""Next best category per customer: by hand on the fixture of tests/queries/test_crossbuying_fixture.py,
the tie-breaking by lift on a second tiny workspace, and the SQL's shortcut (only the k best rules of each
bought category) against a brute-force reference on random data."""

from __future__ import annotations

import itertools

import pytest

from loyalty import queries
from loyalty.db import connect
from loyalty.filters import Filters
from tests.conftest import d, make_workspace
from tests.queries.test_crossbuying_affinity import random_con  # noqa: F401 - fixture
from tests.queries.test_crossbuying_fixture import Q1, crossbuying_con  # noqa: F401 - fixture


def _next_best(con, min_confidence=0.0, filters=Q1):
    """The query's rows with confidence >= min_confidence (the page's row filter)."""
    df = queries.run(con, "crossbuying_next_best", **filters.params())
    return df[df["confidence"] >= min_confidence].reset_index(drop=True)


def test_next_best_by_hand(crossbuying_con):  # noqa: F811
    df = _next_best(crossbuying_con)
    # rules (customer level, see test_crossbuying_affinity): G->D 1/3, G->Grill 1/3 (lift 1 each),
    # D->G 1/2, Grill->G 1/2 (lift 1), D->Grill 1, Grill->D 1 (lift 3); Deko has no rule (never bought
    # with anything). Revenue per buyer: Garten (40 + 40 + 50) / 3, Dünger (20 + 15) / 2, Grill 80.
    # P, Q {Garten}: Dünger and Grill tie on confidence 1/3 and lift 1 -> name order: Dünger
    # S {Dünger, Grill}: only Garten left, 1/2 from either; because_of by name: Dünger
    # R has every category with a rule; T, U {Deko} have no rule -> not in the list
    assert df["customer_id"].tolist() == ["S", "P", "Q"]  # by expected value, then customer
    s, p = df.iloc[0], df.iloc[1]
    assert (s["next_category"], s["because_of"], s["bought_categories"]) == ("Garten", "Dünger", "Dünger, Grill")
    assert s["confidence"] == pytest.approx(1 / 2) and s["lift"] == pytest.approx(1.0)
    assert s["expected_value"] == pytest.approx(1 / 2 * 130 / 3)
    assert (p["next_category"], p["because_of"], p["segment"]) == ("Dünger", "Garten", "S1")
    assert p["revenue_per_buyer"] == pytest.approx(17.5)
    assert p["expected_value"] == pytest.approx(1 / 3 * 17.5)


def test_minimum_confidence_and_segment_filters(crossbuying_con):  # noqa: F811
    assert _next_best(crossbuying_con, min_confidence=0.4)["customer_id"].tolist() == ["S"]
    assert _next_best(crossbuying_con, min_confidence=1.0).empty
    # the sidebar segment filter also restricts the rules: within S1 (P, Q, R, T) Garten 3, Dünger 1,
    # Grill 1, Deko 1; G->D and G->Grill 1/3 with lift (1/3)/(1/4) = 4/3 -> P and Q get Dünger again
    s1 = _next_best(crossbuying_con, filters=Filters(Q1.start, Q1.end, segments=("S1",)))
    assert s1["customer_id"].tolist() == ["P", "Q"]
    assert s1["lift"].tolist() == pytest.approx([4 / 3, 4 / 3])
    assert s1["expected_value"].tolist() == pytest.approx([1 / 3 * 20.0, 1 / 3 * 20.0])  # R's Dünger: 20


def test_ties_on_confidence_are_broken_by_lift(tmp_path):
    # K1 {A, B, C}, K2 {A}, K3 {B}, K4 {B}: 4 buyers, A 2, B 3, C 1.
    # K2: A->B and A->C both 1/2; lift A->B (1/2)/(3/4) = 2/3, A->C (1/2)/(1/4) = 2 -> C (not B by name)
    # K3, K4: B->A and B->C both 1/3; lift B->A (1/3)/(2/4) = 2/3, B->C (1/3)/(1/4) = 4/3 -> C
    rows = [dict(customer_id=c, order_date=d("2026-02-01"), revenue=10.0, order_id=f"{c}{cat}", category=cat)
            for c, cats in {"K1": "ABC", "K2": "A", "K3": "B", "K4": "B"}.items() for cat in cats]
    con = connect(make_workspace(tmp_path, transactions=rows).snapshot())
    df = _next_best(con).set_index("customer_id")
    assert df["next_category"].to_dict() == {"K2": "C", "K3": "C", "K4": "C"}
    assert df.loc["K2", "lift"] == pytest.approx(2.0) and df.loc["K3", "lift"] == pytest.approx(4 / 3)
    assert df.loc["K2", "expected_value"] == pytest.approx(1 / 2 * 10.0)  # C's only buyer spent 10
    con.close()


def brute_force_next_best(lines, min_confidence):
    """All rules of all bought categories, no shortcut, minimum confidence applied before choosing
    (test reference only)."""
    net = lines.groupby(["customer_id", "category"])["revenue"].sum()
    net = net[net.round(2) > 0]
    owned = {c: set(g.index.get_level_values(1)) for c, g in net.groupby(level=0)}
    n = len(owned)
    buyers = {cat: sum(cat in s for s in owned.values()) for cat in set().union(*owned.values())}
    best = {}
    for customer, bought in owned.items():
        options = []
        for a, b in itertools.product(sorted(bought), sorted(set(buyers) - bought)):
            both = sum(a in s and b in s for s in owned.values())
            confidence = both / buyers[a]
            if both > 0 and confidence >= min_confidence:
                options.append((-confidence, -confidence / (buyers[b] / n), b, a))
        if options:
            best[customer] = min(options)[2]
    return best


@pytest.mark.parametrize("min_confidence", [0.0, 0.3])
def test_shortcut_matches_brute_force_on_random_data(random_con, min_confidence):  # noqa: F811
    con, lines = random_con
    got = _next_best(con, min_confidence).set_index("customer_id")["next_category"].to_dict()
    assert got == brute_force_next_best(lines, min_confidence)
