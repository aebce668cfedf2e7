"""queries/referral_new_customers.sql and referral_referrers.sql on a hand-made workspace. Period Q1 2026.

    customer segment acquired_via  referred_by  orders                                  new in Q1?
    A        S1      ad            -            2025-06-01 10, 2026-01-08 15             no (first 2025)
    B        S2      referral      A            2026-01-10 30, 2026-02-10 20             yes, referral
    C        S1      Empfehlung    -            2026-02-01 50                            yes, referral (word)
    D        S2      store         -            2026-01-20 40, 2026-03-01 60             yes, other
    E        S1      online        -            2026-03-15 10                            yes, other
    F        S2      -             -            2026-02-02 70                            yes, unknown
    G        S1      referral      C            2025-12-01 5, 2026-01-05 25              no (first 2025)
    H        S2      referral      A            2026-04-10 30                            no (after Q1)

New in Q1: referral B (2 orders, 50) + C (1, 50): 2 customers, 1 repeat buyer, 3 orders, 100;
other D (2, 100) + E (1, 10): 2, 1, 3, 110; unknown F: 1, 0, 1, 70. Share by referral 2 / 5.
Referrers: of the new Q1 customers only B names a referrer (A); G was new in 2025, H after Q1.
Latest NPS up to 2026-03-31: A 10 (2026-02-01, after a 9 in 2025) promoter, C 5 detractor,
D 8 passive (D's 2 on 2026-05-01 is after the period); B, E, F, G, H without answer.
"""

from __future__ import annotations

import pytest

from loyalty import queries
from loyalty.db import connect
from loyalty.filters import Filters
from tests.conftest import d, make_workspace

Q1 = Filters(start=d("2026-01-01"), end=d("2026-03-31"))


def _order(customer, day, revenue, order_id):
    return dict(customer_id=customer, order_date=d(day), revenue=revenue, order_id=order_id, channel="Filiale")


def referral_con_fixture():
    """`referral_con = referral_con_fixture()` in a test module: a connection on this workspace."""

    @pytest.fixture(scope="module")
    def referral_con(tmp_path_factory):
        con = connect(build_referral_workspace(tmp_path_factory.mktemp("referral")).snapshot())
        yield con
        con.close()

    return referral_con


def build_referral_workspace(root):
    return make_workspace(
        root,
        transactions=[
            _order("A", "2025-06-01", 10.0, "a1"), _order("A", "2026-01-08", 15.0, "a2"),
            _order("B", "2026-01-10", 30.0, "b1"), _order("B", "2026-02-10", 20.0, "b2"),
            _order("C", "2026-02-01", 50.0, "c1"),
            _order("D", "2026-01-20", 40.0, "d1"), _order("D", "2026-03-01", 60.0, "d2"),
            _order("E", "2026-03-15", 10.0, "e1"),
            _order("F", "2026-02-02", 70.0, "f1"),
            _order("G", "2025-12-01", 5.0, "g1"), _order("G", "2026-01-05", 25.0, "g2"),
            _order("H", "2026-04-10", 30.0, "h1"),
        ],
        customers=[
            dict(customer_id="A", segment="S1", acquired_via="ad"),
            dict(customer_id="B", segment="S2", acquired_via="referral", referred_by="A"),
            dict(customer_id="C", segment="S1", acquired_via="Empfehlung"),
            dict(customer_id="D", segment="S2", acquired_via="store"),
            dict(customer_id="E", segment="S1", acquired_via="online"),
            dict(customer_id="F", segment="S2"),
            dict(customer_id="G", segment="S1", acquired_via="referral", referred_by="C"),
            dict(customer_id="H", segment="S2", acquired_via="referral", referred_by="A"),
        ],
        surveys=[
            dict(response_date=d("2025-07-01"), customer_id="A", nps=9),
            dict(response_date=d("2026-02-01"), customer_id="A", nps=10),
            dict(response_date=d("2026-03-01"), customer_id="C", nps=5),
            dict(response_date=d("2026-01-25"), customer_id="D", nps=8),
            dict(response_date=d("2026-05-01"), customer_id="D", nps=2),
        ],
    )


referral_con = referral_con_fixture()


def new_customers(con, filters=Q1):
    return queries.run(con, "referral_new_customers", **filters.params()).set_index("grp")


def test_new_customers_by_acquisition(referral_con):
    df = new_customers(referral_con)
    assert df.loc["referral", ["new_customers", "repeat_buyers", "orders"]].tolist() == [2, 1, 3]
    assert df.loc["referral", "revenue"] == pytest.approx(100.0)
    assert df.loc["referral", "repeat_purchase_rate"] == pytest.approx(0.5)
    assert df.loc["referral", "revenue_per_customer"] == pytest.approx(50.0)
    assert df.loc["other", ["new_customers", "repeat_buyers", "orders"]].tolist() == [2, 1, 3]
    assert df.loc["other", "revenue_per_customer"] == pytest.approx(55.0)
    assert df.loc["unknown", ["new_customers", "repeat_buyers"]].tolist() == [1, 0]
    share = df.loc["referral", "new_customers"] / df["new_customers"].sum()
    assert share == pytest.approx(2 / 5)


def test_new_customers_segment_filter(referral_con):
    df = new_customers(referral_con, Filters(Q1.start, Q1.end, segments=("S1",)))
    assert df["new_customers"].to_dict() == {"other": 1, "referral": 1}  # E, C
