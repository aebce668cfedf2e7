"""Cross-buying rate, categories per customer, breadth vs. loyalty, trend and groups on the hand-made
workspace of tests/queries/test_crossbuying_fixture.py (the table there says who bought what): the breadth
profile (queries/crossbuying_breadth.sql) and the figures summed from it (loyalty/crossbuying.py)."""

from __future__ import annotations

import pytest

from loyalty import crossbuying, queries
from loyalty.filters import Filters
from tests.conftest import d
from tests.queries.test_crossbuying_fixture import Q1, crossbuying_con  # noqa: F401 - fixture

SAMPLE_PARAMS = {"crossbuying_by_group": {"dimension": "channel"}, "crossbuying_trend": {"grain": "quarter"}}


def summary(con, filters: Filters):
    return crossbuying.summary(queries.run(con, "crossbuying_breadth", **filters.params()))


def test_profile_counts_every_active_customer_once_per_dimension(crossbuying_con):  # noqa: F811
    profile = queries.run(crossbuying_con, "crossbuying_breadth", **Q1.params())
    overall = profile[profile["dimension"] == "all"].set_index("categories")
    # V bought only a line without category: active, 0 counted categories, 1 row without category
    assert overall["customers"].to_dict() == {0: 1, 1: 4, 2: 1, 3: 1}
    assert overall.loc[0, ["repeat_customers", "orders", "lines", "lines_without_category"]].tolist() == [0, 1, 1, 1]
    segment = profile[profile["dimension"] == "segment"]
    assert segment.groupby("group_value")["customers"].sum().to_dict() == {"S1": 4, "S2": 3}
    for dimension in ("segment", "region", "loyalty_member"):
        rows = profile[profile["dimension"] == dimension]
        assert rows["customers"].sum() == 7, dimension
        assert rows["revenue"].sum() == pytest.approx(overall["revenue"].sum()), dimension


def test_rate_counts_net_categories_per_customer(crossbuying_con):  # noqa: F811
    row = summary(crossbuying_con, Q1)
    # categories per buyer: P 1 (Garten twice), Q 1 (Werkzeug returned), R 3, S 2, T 1 (Grill returned), U 1
    assert row["active_customers"] == 7  # P..V; V bought only a line without category
    assert row["category_buyers"] == 6
    assert row["cross_buyers"] == 2  # R and S
    assert row["cross_buying_rate"] == pytest.approx(2 / 6)
    assert row["categories_per_customer"] == pytest.approx((1 + 1 + 3 + 2 + 1 + 1) / 6)  # 1.5
    assert row["median_categories_per_customer"] == 1
    # rows of the Q1 orders: o1, o2, o3 (3 rows, the return of 2026-04-05 belongs to o3), o4 (2), o5,
    # o6 (2), T's order (3), o8, o10 = 15; only o10's row has no category
    assert (row["lines"], row["lines_without_category"]) == (15, 1)


def test_rate_on_an_empty_period_is_undefined_not_an_error(crossbuying_con):  # noqa: F811
    row = summary(crossbuying_con, Filters(d("2020-01-01"), d("2020-12-31")))
    assert row["category_buyers"] == 0 and row["active_customers"] == 0
    assert row["cross_buying_rate"] != row["cross_buying_rate"]  # NaN
    assert row["median_categories_per_customer"] != row["median_categories_per_customer"]
    assert crossbuying.distribution(queries.run(crossbuying_con, "crossbuying_breadth",
                                                **Filters(d("2020-01-01"), d("2020-12-31")).params())).empty


def test_a_category_bought_before_the_period_does_not_count(crossbuying_con):  # noqa: F811
    december = Filters(d("2025-12-01"), d("2025-12-31"))
    row = summary(crossbuying_con, december)
    assert (row["category_buyers"], row["cross_buyers"]) == (2, 0)  # U and W, Garten each


def test_distribution_of_categories_per_customer(crossbuying_con):  # noqa: F811
    df = crossbuying.distribution(queries.run(crossbuying_con, "crossbuying_breadth", **Q1.params()))
    assert df["categories"].tolist() == [1, 2, 3]
    assert df["customers"].tolist() == [4, 1, 1]  # P, Q, T, U | S | R
    assert df["share"].tolist() == pytest.approx([4 / 6, 1 / 6, 1 / 6])


def test_breadth_against_repeat_rate_and_revenue(crossbuying_con):  # noqa: F811
    df = crossbuying.breadth(queries.run(crossbuying_con, "crossbuying_breadth", **Q1.params())).set_index("breadth")
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
    if dimension in crossbuying.CUSTOMER_DIMENSIONS:  # each customer in one group: from the profile
        df = crossbuying.by_customer_group(queries.run(crossbuying_con, "crossbuying_breadth", **Q1.params()),
                                           dimension)
    else:  # an order attribute: each group's orders on their own
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
    row = summary(crossbuying_con, online)
    assert (row["category_buyers"], row["cross_buyers"]) == (3, 1)  # P, R, S; only S has two
    s2 = Filters(Q1.start, Q1.end, segments=("S2",))
    row = summary(crossbuying_con, s2)
    assert (row["active_customers"], row["category_buyers"], row["cross_buyers"]) == (3, 2, 1)


def test_median_of_an_even_number_of_buyers_is_the_mean_of_the_middle_two():
    import pandas as pd
    profile = pd.DataFrame({"dimension": "all", "group_value": None, "categories": [0, 1, 2, 4],
                            "customers": [5, 1, 2, 1], "repeat_customers": 0, "orders": 1, "revenue": 1.0,
                            "lines": 1, "lines_without_category": 0})
    row = crossbuying.summary(profile)  # buyers 1, 2, 2, 4 -> (2 + 2) / 2; the 5 without category do not count
    assert (row["active_customers"], row["category_buyers"], row["cross_buyers"]) == (9, 4, 3)
    assert row["median_categories_per_customer"] == 2
    assert crossbuying.summary(profile.assign(customers=[5, 1, 1, 0]))["median_categories_per_customer"] == 1.5
    assert crossbuying.breadth(profile)["breadth"].tolist() == [1, 2, 3]  # 4 categories fall into "3 or more"
    with pytest.raises(ValueError):
        crossbuying.by_customer_group(profile, "channel")


@pytest.mark.parametrize("filters, expected", [
    # Q1: 13 order-category rows; o3 Werkzeug and T's Grill net to 0, o10 has no category -> 10
    (Q1, (13, 10)),
    (Filters(d("2026-02-14"), d("2026-02-14")), (1, 0)),  # only V's row without category
    (Filters(d("2020-01-01"), d("2020-12-31")), (0, 0)),
])
def test_period_rows_tell_whether_there_is_anything_to_show(crossbuying_con, filters, expected):  # noqa: F811
    row = queries.run(crossbuying_con, "crossbuying_period_rows", **filters.params()).iloc[0]
    assert (row["order_rows"], row["category_rows"]) == expected
