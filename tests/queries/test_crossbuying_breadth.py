"""Cross-buying rate, categories per customer, breadth vs. loyalty, trend and groups on the hand-made
workspace of tests/queries/test_crossbuying_fixture.py (the table there says who bought what)."""

from __future__ import annotations

import pytest

from loyalty import queries
from loyalty.filters import Filters
from tests.conftest import d
from tests.queries.test_crossbuying_fixture import Q1, crossbuying_con  # noqa: F401 - fixture

SAMPLE_PARAMS = {"crossbuying_by_group": {"dimension": "segment"}, "crossbuying_trend": {"grain": "quarter"}}


def test_rate_counts_net_categories_per_customer(crossbuying_con):  # noqa: F811
    row = queries.run(crossbuying_con, "crossbuying_rate", **Q1.params()).iloc[0]
    # categories per buyer: P 1 (Garten twice), Q 1 (Werkzeug returned), R 3, S 2, T 1 (Grill returned), U 1
    assert row["active_customers"] == 7  # P..V; V bought only a line without category
    assert row["category_buyers"] == 6
    assert row["cross_buyers"] == 2  # R and S
    assert row["cross_buying_rate"] == pytest.approx(2 / 6)
    assert row["categories_per_customer"] == pytest.approx((1 + 1 + 3 + 2 + 1 + 1) / 6)  # 1.5
    assert row["median_categories_per_customer"] == 1
    assert row["categories"] == 4  # Garten, Dünger, Grill, Deko; Werkzeug nets to 0
    # rows of the Q1 orders: o1, o2, o3 (3 rows, the return of 2026-04-05 belongs to o3), o4 (2), o5,
    # o6 (2), T's order (3), o8, o10 = 15; only o10's row has no category
    assert (row["lines"], row["lines_without_category"]) == (15, 1)


def test_rate_on_an_empty_period_is_undefined_not_an_error(crossbuying_con):  # noqa: F811
    row = queries.run(crossbuying_con, "crossbuying_rate", **Filters(d("2020-01-01"), d("2020-12-31")).params()).iloc[0]
    assert row["category_buyers"] == 0 and row["active_customers"] == 0
    assert row["cross_buying_rate"] != row["cross_buying_rate"]  # NaN


def test_a_category_bought_before_the_period_does_not_count(crossbuying_con):  # noqa: F811
    december = Filters(d("2025-12-01"), d("2025-12-31"))
    row = queries.run(crossbuying_con, "crossbuying_rate", **december.params()).iloc[0]
    assert (row["category_buyers"], row["cross_buyers"]) == (2, 0)  # U and W, Garten each


def test_distribution_of_categories_per_customer(crossbuying_con):  # noqa: F811
    df = queries.run(crossbuying_con, "crossbuying_distribution", **Q1.params())
    assert df["categories"].tolist() == [1, 2, 3]
    assert df["customers"].tolist() == [4, 1, 1]  # P, Q, T, U | S | R
    assert df["share"].tolist() == pytest.approx([4 / 6, 1 / 6, 1 / 6])


def test_breadth_against_repeat_rate_and_revenue(crossbuying_con):  # noqa: F811
    df = queries.run(crossbuying_con, "crossbuying_breadth", **Q1.params()).set_index("breadth")
    assert df.index.tolist() == [1, 2, 3]
    # 1 category: P (2 orders, 40), Q (1, 40), T (1, 25), U (1 in Q1, 35)
    assert df.loc[1, "customers"] == 4
    assert df.loc[1, "repeat_purchase_rate"] == pytest.approx(1 / 4)
    assert df.loc[1, "orders_per_customer"] == pytest.approx(5 / 4)
    assert df.loc[1, "revenue_per_customer"] == pytest.approx((40 + 40 + 25 + 35) / 4)
    # 2 categories: S (1 order, 75); 3+: R (2 orders, 70 + 100)
    assert df.loc[2, ["customers", "repeat_purchase_rate", "revenue_per_customer"]].tolist() == [1, 0.0, 75.0]
    assert df.loc[3, ["customers", "repeat_purchase_rate", "revenue_per_customer"]].tolist() == [1, 1.0, 170.0]
    assert df["share"].sum() == pytest.approx(1.0)


def test_trend_evaluates_each_month_on_its_own_orders(crossbuying_con):  # noqa: F811
    df = queries.run(crossbuying_con, "crossbuying_trend", grain="month", **Q1.params())
    assert [str(p) for p in df["period"].dt.date] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    # Jan: P {Garten}, Q {Garten}, R {Garten, Dünger}, T {Deko}; Feb: P {Garten}, S {Dünger, Grill};
    # Mar: R {Grill}, U {Deko} (R's three categories never fall into one month)
    assert df["category_buyers"].tolist() == [4, 2, 2]
    assert df["cross_buyers"].tolist() == [1, 1, 0]
    assert df["cross_buying_rate"].tolist() == pytest.approx([1 / 4, 1 / 2, 0.0])
    assert df["categories_per_customer"].tolist() == pytest.approx([5 / 4, 3 / 2, 1.0])
    quarter = queries.run(crossbuying_con, "crossbuying_trend", grain="quarter", **Q1.params())
    assert quarter["cross_buying_rate"].tolist() == pytest.approx([2 / 6])  # the quarter = the whole period


@pytest.mark.parametrize("dimension, expected", [
    # S1: P 1, Q 1, R 3, T 1 -> 1 of 4; S2: S 2, U 1 -> 1 of 2 (V has no category)
    ("segment", {"S1": (4, 1, 6 / 4), "S2": (2, 1, 3 / 2)}),
    # members P 1, R 3 -> 1 of 2; others Q 1, S 2, T 1, U 1 -> 1 of 4
    ("loyalty_member", {"true": (2, 1, 2.0), "false": (4, 1, 5 / 4)}),
    # channel = that channel's orders only: Filiale P {Garten}, Q {Garten}, R {Garten, Dünger}, T {Deko},
    # U {Deko}; Online P {Garten} (o2), R {Grill} (o5), S {Dünger, Grill}
    ("channel", {"Filiale": (5, 1, 6 / 5), "Online": (3, 1, 4 / 3)}),
])
def test_rate_by_group(crossbuying_con, dimension, expected):  # noqa: F811
    df = queries.run(crossbuying_con, "crossbuying_by_group", dimension=dimension, **Q1.params())
    got = {row.group_value: (row.category_buyers, row.cross_buyers, row.categories_per_customer)
           for row in df.itertuples()}
    assert got.keys() == expected.keys()
    for group, (buyers, cross, mean) in expected.items():
        assert got[group][:2] == (buyers, cross)
        assert got[group][2] == pytest.approx(mean)
    assert df["cross_buying_rate"].tolist() == pytest.approx(
        (df["cross_buyers"] / df["category_buyers"]).tolist())


def test_filters_apply_like_everywhere(crossbuying_con):  # noqa: F811
    online = Filters(Q1.start, Q1.end, channels=("Online",))
    row = queries.run(crossbuying_con, "crossbuying_rate", **online.params()).iloc[0]
    assert (row["category_buyers"], row["cross_buyers"]) == (3, 1)  # P, R, S; only S has two
    s2 = Filters(Q1.start, Q1.end, segments=("S2",))
    row = queries.run(crossbuying_con, "crossbuying_rate", **s2.params()).iloc[0]
    assert (row["active_customers"], row["category_buyers"], row["cross_buyers"]) == (3, 2, 1)
