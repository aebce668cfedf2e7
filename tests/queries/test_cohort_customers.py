"""queries/cohort_customers.sql: the customers behind one cohort cell, on the workspace of
test_cohort_retention.py (hand-computed numbers there)."""

from __future__ import annotations

import pytest

from loyalty import queries
from loyalty.filters import Filters
from tests.conftest import d
from tests.queries.test_cohort_retention import JAN_TO_APR, retention_con_fixture

retention_con = retention_con_fixture()

SAMPLE_PARAMS = {"cohort_customers": {"grain": "month", "retention": "bracketed", "min_orders": 1,
                                      "cohort": d("2026-01-01"), "period": 1}}


def members(con, cohort, period, filters=JAN_TO_APR, grain="month", retention="bracketed", min_orders=1):
    return queries.run(con, "cohort_customers", cohort=d(cohort), period=period, grain=grain,
                       retention=retention, min_orders=min_orders, **filters.params())


def test_period_zero_lists_the_whole_cohort_and_counts_one_order_for_two_rows(retention_con):
    df = members(retention_con, "2026-01-01", 0).set_index("customer_id")
    assert sorted(df.index) == ["A", "B"]
    # B's two rows on 15 Jan without order id are one order of 10
    assert df.loc["B", "cell_orders"] == 1 and df.loc["B", "orders_total"] == 1
    assert df.loc["B", "cell_revenue"] == pytest.approx(10.0)
    # A: two orders in January (10 + 20), four up to the end of April (100)
    assert (df.loc["A", "cell_orders"], df.loc["A", "cell_revenue"]) == (2, pytest.approx(30.0))
    assert (df.loc["A", "orders_total"], df.loc["A", "revenue_total"]) == (4, pytest.approx(100.0))
    assert df.loc["A", "first_channel"] == "Filiale" and str(df.loc["A", "first_order_date"].date()) == "2026-01-05"


def test_cells_list_the_retained_customers(retention_con):
    assert members(retention_con, "2026-01-01", 1)["customer_id"].tolist() == ["A"]
    assert members(retention_con, "2026-01-01", 2).empty  # nobody ordered in March
    assert members(retention_con, "2026-03-01", 1).empty  # the March cohort has no later orders
    # unbounded: A counts at k=2 because of the April order (k=3); the cell holds 1 order of 40
    df = members(retention_con, "2026-01-01", 2, retention="unbounded")
    assert df["customer_id"].tolist() == ["A"] and df["cell_orders"].tolist() == [1]
    assert df["cell_revenue"].tolist() == pytest.approx([40.0])
    # bracketed N=2: C's two March orders (Online 25 + Filiale 25)
    df = members(retention_con, "2026-02-01", 1, min_orders=2)
    assert df["customer_id"].tolist() == ["C"] and df["cell_revenue"].tolist() == pytest.approx([50.0])


def test_cell_customers_match_the_cell_counts(retention_con):
    for mode in ("bracketed", "unbounded"):
        grid = queries.run(retention_con, "cohort_retention", grain="month", retention=mode, min_orders=1,
                           **JAN_TO_APR.params())
        for row in grid.itertuples():
            listed = members(retention_con, str(row.cohort.date()), row.period, retention=mode)
            assert len(listed) == row.customers, (mode, row.cohort_label, row.period)


def test_period_filter_cuts_the_cohort(retention_con):
    cut = Filters(start=d("2026-01-10"), end=d("2026-02-20"))
    assert members(retention_con, "2026-01-01", 0, cut)["customer_id"].tolist() == ["B"]
