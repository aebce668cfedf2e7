"""queries/member_comparison.sql (canonical fixture) and member_before_after.sql (measures fixture)."""

import pytest

from loyalty import queries, uplift
from loyalty.db import connect
from loyalty.filters import Filters
from tests.conftest import d
from tests.queries import measures_fixture

Q1 = Filters(start=d("2026-01-01"), end=d("2026-03-31"))


def test_members_vs_non_members(fixture_con):
    df = queries.run(fixture_con, "member_comparison", **Q1.params())
    got = {(r.status, r.kpi): (r.n, r.mean) for r in df.itertuples()}
    # active in Q1: A (member, 2 orders, 80), B (20) and C (90) non-members
    assert got["member", "revenue_per_customer"] == (1, 80.0)
    assert got["non_member", "revenue_per_customer"] == (2, 55.0)
    assert got["member", "orders_per_customer"] == (1, 2.0)
    assert got["non_member", "orders_per_customer"] == (2, 1.0)
    # Q1 has 90 days; the 90 days before (2025-10-03 .. 12-31): D (member) bought, not again in Q1
    assert got["member", "retention_rate"] == (1, 0.0)
    assert ("non_member", "retention_rate") not in got
    diff = uplift.difference_table(df, [], "status", "member", "non_member", rate_kpis={"retention_rate"})
    revenue = diff[diff["kpi"] == "revenue_per_customer"].iloc[0]
    assert revenue["difference"] == pytest.approx(25.0)


def test_members_filter_by_segment(fixture_con):
    df = queries.run(fixture_con, "member_comparison", **Filters(Q1.start, Q1.end, segments=("S2",)).params())
    got = {(r.status, r.kpi): (r.n, r.mean) for r in df.itertuples()}
    assert got == {("non_member", "orders_per_customer"): (1, 1.0), ("non_member", "revenue_per_customer"): (1, 20.0),
                   ("member", "retention_rate"): (1, 0.0)}


@pytest.fixture(scope="module")
def measures_con(tmp_path_factory):
    con = connect(measures_fixture.build(tmp_path_factory.mktemp("members_ws")).snapshot())
    yield con
    con.close()


def test_members_before_and_after_joining(measures_con):
    df = queries.run(measures_con, "member_before_after", **Q1.params()).set_index("kpi")
    # J1 and J2 joined 2025-03-01 (data 2024-01-05 .. 2026-03-31). Before (2024-03-01 .. 2025-02-28):
    # J1 50 (1 order), J2 80 (2 orders); after (2025-03-01 .. 2026-02-28): J1 60 (2), J2 0
    revenue = df.loc["revenue_per_customer"]
    assert (revenue["n"], revenue["mean_before"], revenue["mean_after"]) == (2, 65.0, 30.0)
    assert revenue["mean_diff"] == pytest.approx(-35.0)
    assert revenue["var_diff"] == pytest.approx(4050.0)  # diffs +10, -80 around -35: 45² + 45²
    assert df.loc["orders_per_customer", "mean_diff"] == pytest.approx(-0.5)  # +1, -2
    assert (df.loc["active_rate", "mean_before"], df.loc["active_rate", "mean_after"]) == (1.0, 0.5)
    low, high = uplift.paired_ci(-35.0, 4050.0, 2)
    # t(1) = 12.706; half = 12.706 x sqrt(4050 / 2) = 571.78
    assert (low, high) == pytest.approx((-35 - 571.779, -35 + 571.779), abs=0.01)


def test_members_before_after_segment_filter(measures_con):
    df = queries.run(measures_con, "member_before_after", **Filters(Q1.start, Q1.end, segments=("S1",)).params())
    assert df.empty


def test_members_known_a_year_before_joining_by_first_order_or_signup(tmp_path):
    """Without a signup date the first order decides whether a member was a customer 365 days before joining."""
    from tests.conftest import make_workspace

    def tx(customer, day):
        return dict(customer_id=customer, order_date=d(day), revenue=10.0)

    transactions = [tx("X", "2024-01-01"), tx("X", "2026-06-30"),  # data 2024-01-01 .. 2026-06-30
                    tx("K1", "2024-02-01"), tx("K1", "2024-06-01"), tx("K1", "2025-06-01"),
                    tx("K2", "2024-04-01"), tx("K2", "2025-06-01"),
                    tx("K3", "2025-04-01")]
    member = dict(segment="S1", loyalty_member=True, member_since=d("2025-03-01"))
    customers = [dict(customer_id="X", segment="S1"),
                 dict(customer_id="K1", **member),  # first order 2024-02-01 <= 2024-03-01: a customer
                 dict(customer_id="K2", **member),  # first order 2024-04-01: not yet a customer
                 dict(customer_id="K3", signup_date=d("2024-01-15"), **member)]  # signed up in time
    connection = connect(make_workspace(tmp_path, transactions=transactions, customers=customers).snapshot())
    try:
        df = queries.run(connection, "member_before_after", **Q1.params()).set_index("kpi")
    finally:
        connection.close()
    # K1: before (2024-03-01 .. 2025-02-28) 2024-06-01, after 2025-06-01; K3: before none, after 2025-04-01
    orders = df.loc["orders_per_customer"]
    assert (orders["n"], orders["mean_before"], orders["mean_after"]) == (2, 0.5, 1.0)
    assert df.loc["revenue_per_customer", "mean_before"] == pytest.approx(5.0)
