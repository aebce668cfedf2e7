"""queries/complaint_kpis.sql on the complaint workspace (rows and hand calculation in
tests/queries/test_complaint_fixture.py)."""

from __future__ import annotations

import pytest

from loyalty import queries
from loyalty.filters import Filters
from tests.conftest import d
from tests.queries.test_complaint_fixture import Q1, complaint_con_fixture

complaint_con = complaint_con_fixture()

SAMPLE_PARAMS = {"complaint_kpis": {"target_days": 7}}


def kpis(con, target_days=7, filters=Q1):
    return queries.run(con, "complaint_kpis", target_days=target_days, **filters.params()).iloc[0]


def test_q1_kpis(complaint_con):
    row = kpis(complaint_con)
    assert (row["contacts"], row["complaints"], row["active_customers"]) == (8, 6, 7)
    assert row["contacts_per_1000"] == pytest.approx(8000 / 7)
    assert row["complaints_per_1000"] == pytest.approx(6000 / 7)
    assert (row["resolved"], row["open_complaints"]) == (4, 2)
    assert row["median_days"] == pytest.approx(6.0)  # (2 + 10) / 2 of 0, 2, 10, 25
    assert row["p90_days"] == pytest.approx(20.5)  # position 0.9 * 3 = 2.7: 10 + 0.7 * (25 - 10)
    assert (row["resolved_within_target"], row["due"]) == (2, 5)
    assert row["within_target_share"] == pytest.approx(0.4)
    assert row["compensation"] == pytest.approx(40.0)
    assert row["compensation_per_complaint"] == pytest.approx(40 / 6)


def test_target_days_move_the_share(complaint_con):
    # 10 days: #1 #3 #4 within; due: 4 resolved + #5 (03-15 <= 03-31) -> 3 / 5
    assert kpis(complaint_con, 10)["within_target_share"] == pytest.approx(0.6)
    # 30 days: every resolved one is within; due: 4 resolved (both open ones are younger than 30 days) -> 1.0
    row = kpis(complaint_con, 30)
    assert (row["resolved_within_target"], row["due"]) == (4, 4)


def test_segment_filter_applies_to_contacts_and_active_customers(complaint_con):
    row = kpis(complaint_con, filters=Filters(Q1.start, Q1.end, segments=("S1",)))
    # S1: A C E G; contacts #1 #2 #4 #6 (the anonymous #7 is out), complaints #1 #4 #6; active A C E G
    assert (row["contacts"], row["complaints"], row["active_customers"]) == (4, 3, 4)
    assert row["complaints_per_1000"] == pytest.approx(750.0)


def test_empty_period_gives_zeros_not_errors(complaint_con):
    row = kpis(complaint_con, filters=Filters(d("2020-01-01"), d("2020-03-31")))
    assert (row["contacts"], row["complaints"], row["active_customers"]) == (0, 0, 0)
    assert row["complaints_per_1000"] != row["complaints_per_1000"]  # NaN: no active customers
