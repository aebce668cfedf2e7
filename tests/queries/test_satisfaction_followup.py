"""queries/satisfaction_followup.sql: orders in the 12 months after a customer's first answer.

Data ends on 2026-06-30 (P's last order), so only answers up to 2025-06-30 have a complete follow-up.

    customer segment  answers (nps / csat)                       orders
    P        S1       2025-01-10 10/5, 2025-06-01 3/2 (not first) 2025-01-05 100, 03-01 50, 08-01 70, 2026-06-30 10
    Q        S1       2025-01-06 4/2                              2025-01-03 80
    R        S2       2025-02-05 7/4                              2025-02-01 30, 2025-02-10 20
    U        S2       2025-03-03 5/3                              2025-03-01 25, 04-01 35, 04-15 5
    T        S1       2025-01-06 -/3 (csat only)                  2025-01-04 60, 2025-05-05 15
    S        S1       2025-09-05 2/1: follow-up incomplete        2025-09-01 40
    anonymous         2025-01-08 9/-: no customer to follow

Follow-up (answer date, answer date + 365 days]:
    P 2025-01-10 -> 2026-01-10: 03-01 50, 08-01 70 = 2 orders, 120 (2026-06-30 is after the window)
    Q: none; R: 02-10 20; U: 04-01 35 + 04-15 5 = 2 orders, 40; T 2025-01-06: 05-05 15
By NPS:  promoter P (1 customer, 1 repurchaser, 2 orders, 120); passive R (1, 1, 1, 20);
         detractor Q + U (2 customers, 1 repurchaser, 2 orders, 40)
By CSAT: 5 P (2 orders, 120); 4 R (1, 20); 3 T + U (2 customers, 2 repurchasers, 3 orders, 55); 2 Q (0)
"""

from __future__ import annotations

import pytest

from loyalty import queries
from loyalty.db import connect
from loyalty.filters import Filters
from tests.conftest import d, make_workspace

SAMPLE_PARAMS = {"satisfaction_followup": {"score": "nps"}}
ALL = Filters(d("2024-01-01"), d("2026-06-30"))


def _order(customer, day, revenue, order_id):
    return dict(customer_id=customer, order_date=d(day), revenue=revenue, order_id=order_id, channel="Filiale")


def _answer(day, customer, nps, csat):
    return dict(response_date=d(day), customer_id=customer, nps=nps, csat=csat, touchpoint="Filiale")


@pytest.fixture(scope="module")
def followup_con(tmp_path_factory):
    ws = make_workspace(
        tmp_path_factory.mktemp("followup"),
        transactions=[
            _order("P", "2025-01-05", 100.0, "p1"), _order("P", "2025-03-01", 50.0, "p2"),
            _order("P", "2025-08-01", 70.0, "p3"), _order("P", "2026-06-30", 10.0, "p4"),
            _order("Q", "2025-01-03", 80.0, "q1"),
            _order("R", "2025-02-01", 30.0, "r1"), _order("R", "2025-02-10", 20.0, "r2"),
            _order("U", "2025-03-01", 25.0, "u1"), _order("U", "2025-04-01", 35.0, "u2"),
            _order("U", "2025-04-15", 5.0, "u3"),
            _order("T", "2025-01-04", 60.0, "t1"), _order("T", "2025-05-05", 15.0, "t2"),
            _order("S", "2025-09-01", 40.0, "s1"),
        ],
        customers=[dict(customer_id=c, segment=s) for c, s in
                   [("P", "S1"), ("Q", "S1"), ("R", "S2"), ("U", "S2"), ("T", "S1"), ("S", "S1")]],
        surveys=[
            _answer("2025-01-10", "P", 10, 5), _answer("2025-06-01", "P", 3, 2), _answer("2025-01-06", "Q", 4, 2),
            _answer("2025-02-05", "R", 7, 4), _answer("2025-03-03", "U", 5, 3), _answer("2025-01-06", "T", None, 3),
            _answer("2025-09-05", "S", 2, 1), _answer("2025-01-08", None, 9, None),
        ],
    )
    con = connect(ws.snapshot())
    yield con
    con.close()


def followup(con, score, filters=ALL):
    return queries.run(con, "satisfaction_followup", score=score, **filters.params()).set_index("grp")


def test_by_nps_group(followup_con):
    df = followup(followup_con, "nps")
    assert df.loc["promoter", ["customers", "repurchasers", "orders"]].tolist() == [1, 1, 2]
    assert df.loc["promoter", "revenue"] == pytest.approx(120.0)
    assert df.loc["passive", ["customers", "repurchasers", "orders"]].tolist() == [1, 1, 1]
    assert df.loc["detractor", ["customers", "repurchasers", "orders"]].tolist() == [2, 1, 2]
    assert df.loc["detractor", "repurchase_rate"] == pytest.approx(0.5)
    assert df.loc["detractor", "orders_per_customer"] == pytest.approx(1.0)
    assert df.loc["detractor", "revenue_per_customer"] == pytest.approx(20.0)


def test_by_csat_level(followup_con):
    df = followup(followup_con, "csat")
    assert sorted(df.index) == ["2", "3", "4", "5"]  # S (csat 1) has no complete follow-up
    assert df.loc["3", ["customers", "repurchasers", "orders"]].tolist() == [2, 2, 3]
    assert df.loc["3", "revenue"] == pytest.approx(55.0)
    assert df.loc["2", ["customers", "repurchasers", "orders"]].tolist() == [1, 0, 0]
    assert df.loc["5", "revenue_per_customer"] == pytest.approx(120.0)


def test_incomplete_follow_up_is_left_out(followup_con):
    # only S answered after 2025-06-30; a period that holds only S's answer gives no row
    assert followup(followup_con, "nps", Filters(d("2025-07-01"), d("2026-06-30"))).empty
    # the period picks the first answer inside it: from 2025-05-01 P's first answer is the 3 of 2025-06-01
    # (follow-up 2025-06-01 .. 2026-06-01: 08-01 70 -> 1 order)
    df = followup(followup_con, "nps", Filters(d("2025-05-01"), d("2026-06-30")))
    assert df.index.tolist() == ["detractor"] and df.loc["detractor", "revenue"] == pytest.approx(70.0)


def test_segment_filter(followup_con):
    df = followup(followup_con, "nps", Filters(ALL.start, ALL.end, segments=("S2",)))
    assert df["customers"].to_dict() == {"detractor": 1, "passive": 1}  # U and R
