"""queries/complaint_recovery.sql on the complaint workspace (tests/queries/test_complaint_fixture.py).

Data ends 2027-04-01 (H), so every Q1 2026 complaint has its 12 months of follow-up.
Complainants in Q1 (first complaint in the period, anchor = contact date):
    resolved:   A #1 01-06 -> 06-01 30 (1 order, comp. 20); B #3 01-15 -> none (comp. 0);
                C #4 02-04 -> 05-01 10, 09-01 10 (2 orders, comp. 5)
                => 3 customers, 2 repurchasers, 3 orders, 50 revenue, compensation 25 / 3
    unresolved: D #5 03-05 (first of D's two) -> 2027-01-01 50; E #6 03-25 -> none
                => 2 customers, 1 repurchaser, 1 order, 50 revenue
No complaint: active in Q1 without any complaint: F (anchor 02-15 -> 08-01 60), G (03-10 -> none)
                => 2 customers, 1 repurchaser, 1 order, 60 revenue
"""

from __future__ import annotations

import pytest

from loyalty import queries
from loyalty.filters import Filters
from tests.conftest import d
from tests.queries.test_complaint_fixture import Q1, complaint_con_fixture

complaint_con = complaint_con_fixture()


def recovery(con, filters=Q1):
    return queries.run(con, "complaint_recovery", **filters.params()).set_index("grp")


def test_recovery_groups(complaint_con):
    df = recovery(complaint_con)
    assert df.loc["resolved", ["customers", "repurchasers"]].tolist() == [3, 2]
    assert df.loc["resolved", "repurchase_rate"] == pytest.approx(2 / 3)
    assert df.loc["resolved", "orders_per_customer"] == pytest.approx(1.0)
    assert df.loc["resolved", "revenue_per_customer"] == pytest.approx(50 / 3)
    assert df.loc["resolved", "compensation_per_complaint"] == pytest.approx(25 / 3)
    assert df.loc["unresolved", ["customers", "repurchasers"]].tolist() == [2, 1]
    assert df.loc["unresolved", "revenue_per_customer"] == pytest.approx(25.0)
    assert df.loc["unresolved", "compensation_per_complaint"] == pytest.approx(0.0)
    assert df.loc["no_complaint", ["customers", "repurchasers"]].tolist() == [2, 1]
    assert df.loc["no_complaint", "revenue_per_customer"] == pytest.approx(30.0)


def test_incomplete_follow_up_is_left_out(complaint_con):
    # from 2026-04-02 on, no contact or order anchor has 365 days of data after it
    assert recovery(complaint_con, Filters(d("2026-04-02"), d("2027-04-01"))).empty


def test_segment_filter(complaint_con):
    df = recovery(complaint_con, Filters(Q1.start, Q1.end, segments=("S2",)))
    # S2: B (resolved, no repurchase), D (unresolved, repurchase), F (no complaint, repurchase)
    assert df["customers"].to_dict() == {"no_complaint": 1, "resolved": 1, "unresolved": 1}
    assert df["repurchasers"].to_dict() == {"no_complaint": 1, "resolved": 0, "unresolved": 1}
