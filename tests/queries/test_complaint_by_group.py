"""queries/complaint_by_group.sql on the complaint workspace (tests/queries/test_complaint_fixture.py)."""

from __future__ import annotations

import pytest

from loyalty import queries
from tests.queries.test_complaint_fixture import Q1, complaint_con_fixture

complaint_con = complaint_con_fixture()

SAMPLE_PARAMS = {"complaint_by_group": {"target_days": 7, "by": "channel"}}


def by_group(con, by):
    return queries.run(con, "complaint_by_group", by=by, target_days=7, **Q1.params()).set_index("grp")


def test_by_channel(complaint_con):
    df = by_group(complaint_con, "channel")
    # phone #1 #2 #7 (one complaint), email #3 #8, chat #4, letter #5, store #6
    assert df.loc["phone", ["contacts", "complaints"]].tolist() == [3, 1]
    assert df.loc["phone", "complaints_per_1000"] == pytest.approx(1000 / 7)
    email = df.loc["email"]
    assert (email["contacts"], email["complaints"]) == (2, 2)
    assert email["median_days"] == pytest.approx(17.5)  # 10 and 25
    assert email["p90_days"] == pytest.approx(23.5)  # 10 + 0.9 * 15
    assert email["within_target_share"] == pytest.approx(0.0)
    assert email["compensation_per_complaint"] == pytest.approx(7.5)  # 15 over 2 complaints
    assert df.loc["letter", "open_complaints"] == 1
    # store: #6 open and its deadline is not reached by the as-of date: nothing due yet
    assert df.loc["store", "within_target_share"] != df.loc["store", "within_target_share"]
    assert df.index[0] == "email"  # most complaints first


def test_by_reason(complaint_con):
    df = by_group(complaint_con, "reason")
    product = df.loc["Produktmangel"]  # #1 (2 days, 20), #4 (0 days, 5), #8 (25 days, 15)
    assert (product["contacts"], product["complaints"]) == (3, 3)
    assert product["median_days"] == pytest.approx(2.0)
    assert product["within_target_share"] == pytest.approx(2 / 3)
    assert product["compensation_per_complaint"] == pytest.approx(40 / 3)
    assert df.loc["Produktfrage", ["contacts", "complaints"]].tolist() == [1, 0]
    assert df["complaints"].sum() == 6 and df["contacts"].sum() == 8
