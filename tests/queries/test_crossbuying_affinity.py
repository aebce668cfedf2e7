"""Category pairs at customer and basket level on the hand-made workspace
(tests/queries/test_crossbuying_fixture.py), plus a brute-force check of the SQL on random data."""

from __future__ import annotations

import itertools
import random

import pandas as pd
import pytest

from loyalty import queries
from loyalty.db import connect
from tests.conftest import d, make_workspace
from tests.queries.test_crossbuying_fixture import Q1, crossbuying_con  # noqa: F401 - fixture


def _pairs(con, name, filters=Q1):
    return queries.run(con, name, **filters.params()).set_index(["category_a", "category_b"])


def test_customer_pairs_by_hand(crossbuying_con):  # noqa: F811
    df = _pairs(crossbuying_con, "crossbuying_pairs")
    # 6 category buyers; Garten 3 (P, Q, R), Dünger 2 (R, S), Grill 2 (R, S), Deko 2 (T, U):
    # 4 categories -> 4 x 3 ordered pairs, also those nobody bought together
    assert len(df) == 12
    # Garten & Dünger: only R. support 1/6, conf(G->D) 1/3, conf(D->G) 1/2, lift (1/3)/(2/6) = exactly 1
    gd, dg = df.loc[("Garten", "Dünger")], df.loc[("Dünger", "Garten")]
    assert (gd["customers_a"], gd["customers_b"], gd["customers_both"]) == (3, 2, 1)
    assert gd["support"] == pytest.approx(1 / 6) and dg["support"] == pytest.approx(1 / 6)
    assert gd["confidence"] == pytest.approx(1 / 3) and dg["confidence"] == pytest.approx(1 / 2)
    assert gd["lift"] == pytest.approx(1.0) and dg["lift"] == pytest.approx(1.0)
    # Dünger & Grill: R and S. support 2/6, confidence 1 both ways, lift 1 / (2/6) = 3
    dgr = df.loc[("Dünger", "Grill")]
    assert (dgr["customers_both"], dgr["support"], dgr["confidence"], dgr["lift"]) == \
        (2, pytest.approx(1 / 3), pytest.approx(1.0), pytest.approx(3.0))
    # Deko was never bought with anything: the pairs are there with 0
    assert df.loc[("Deko", "Garten"), ["customers_both", "support", "confidence", "lift"]].tolist() == [0, 0, 0, 0]
    # Werkzeug (returned by Q) is no category of anyone
    assert "Werkzeug" not in df.index.get_level_values(0)
    assert df["lift"].iloc[0] == pytest.approx(3.0)  # sorted by lift, highest first


def test_lift_is_symmetric_and_confidence_directional(crossbuying_con):  # noqa: F811
    df = _pairs(crossbuying_con, "crossbuying_pairs").reset_index()
    mirrored = df.merge(df, left_on=["category_a", "category_b"], right_on=["category_b", "category_a"])
    assert (mirrored["lift_x"] - mirrored["lift_y"]).abs().max() < 1e-12
    assert (mirrored["customers_both_x"] == mirrored["customers_both_y"]).all()
    assert (df["confidence"] == df["customers_both"] / df["customers_a"]).all()


def test_basket_pairs_by_hand(crossbuying_con):  # noqa: F811
    df = _pairs(crossbuying_con, "crossbuying_basket_pairs")
    # 8 orders with a counted category: o1 G, o2 G, o3 G (Werkzeug returned), o4 G+D, o5 Grill,
    # o6 D+Grill, T's order Deko (Grill returned, no order_id: customer and day), o8 Deko
    # Garten 4, Dünger 2, Grill 2, Deko 2 orders
    gd = df.loc[("Garten", "Dünger")]
    assert (gd["orders_a"], gd["orders_b"], gd["orders_both"]) == (4, 2, 1)
    assert gd["support"] == pytest.approx(1 / 8)
    assert gd["confidence"] == pytest.approx(1 / 4)
    assert gd["lift"] == pytest.approx(1.0)  # (1/4) / (2/8)
    dgr = df.loc[("Dünger", "Grill")]
    assert (dgr["orders_both"], dgr["confidence"], dgr["lift"]) == (1, pytest.approx(1 / 2), pytest.approx(2.0))
    # R bought Garten and Grill, but in different orders: together as customers, not in a basket
    assert df.loc[("Garten", "Grill"), "orders_both"] == 0
    customer_level = _pairs(crossbuying_con, "crossbuying_pairs")
    assert customer_level.loc[("Garten", "Grill"), "customers_both"] == 1


def test_empty_period_gives_no_pairs(crossbuying_con):  # noqa: F811
    from loyalty.filters import Filters

    empty = Filters(d("2020-01-01"), d("2020-01-31"))
    assert queries.run(crossbuying_con, "crossbuying_pairs", **empty.params()).empty
    assert queries.run(crossbuying_con, "crossbuying_basket_pairs", **empty.params()).empty


@pytest.fixture(scope="module")
def random_con(tmp_path_factory):
    """60 customers, 6 categories, returns included; seeded, so failures reproduce."""
    rng = random.Random(7)
    categories = ["A", "B", "C", "D", "E", "F"]
    rows = []
    for number in range(60):
        for order in range(rng.randint(1, 4)):
            day = d("2026-01-01").replace(day=rng.randint(1, 28), month=rng.randint(1, 3))
            for category in rng.sample(categories, rng.randint(1, 3)):
                revenue = float(rng.randint(5, 50))
                rows.append(dict(customer_id=f"K{number}", order_date=day, revenue=revenue,
                                 order_id=f"K{number}-{order}", category=category))
                if rng.random() < 0.15:  # a full return of the line
                    rows.append(dict(customer_id=f"K{number}", order_date=day, revenue=-revenue,
                                     order_id=f"K{number}-{order}", category=category))
    con = connect(make_workspace(tmp_path_factory.mktemp("random_ws"), transactions=rows).snapshot())
    yield con, pd.DataFrame(rows)
    con.close()


def brute_force_pairs(lines: pd.DataFrame) -> dict:
    """The definitions written out in Python over customers (test reference only)."""
    net = lines.groupby(["customer_id", "category"])["revenue"].sum()
    owned = {c: set(g.index.get_level_values(1)) for c, g in net[net.round(2) > 0].groupby(level=0)}
    n = len(owned)
    buyers = {cat: sum(cat in s for s in owned.values()) for cat in set().union(*owned.values())}
    result = {}
    for a, b in itertools.permutations(sorted(buyers), 2):
        both = sum(a in s and b in s for s in owned.values())
        result[(a, b)] = (both, both / n, both / buyers[a], (both / buyers[a]) / (buyers[b] / n))
    return result


def test_pairs_match_brute_force_on_random_data(random_con):
    con, lines = random_con
    expected = brute_force_pairs(lines)
    df = _pairs(con, "crossbuying_pairs")
    assert set(df.index) == set(expected)
    for key, (both, support, confidence, lift) in expected.items():
        row = df.loc[key]
        assert row["customers_both"] == both
        assert (row["support"], row["confidence"], row["lift"]) == pytest.approx((support, confidence, lift))
