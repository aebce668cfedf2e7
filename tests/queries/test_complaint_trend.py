"""queries/complaint_trend.sql on the complaint workspace (tests/queries/test_complaint_fixture.py)."""

from __future__ import annotations

import pytest

from loyalty import queries
from tests.queries.test_complaint_fixture import Q1, complaint_con_fixture

complaint_con = complaint_con_fixture()


def test_per_month(complaint_con):
    df = queries.run(complaint_con, "complaint_trend", grain="month", **Q1.params())
    # Jan: contacts #1 #2 #3, complaints #1 #3, active A B; Feb: #4 #7, complaint #4, active C F;
    # Mar: #5 #6 #8 all complaints, active D E G
    assert [str(p) for p in df["period"].dt.date] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    assert df["contacts"].tolist() == [3, 2, 3]
    assert df["complaints"].tolist() == [2, 1, 3]
    assert df["active_customers"].tolist() == [2, 2, 3]
    assert df["complaints_per_1000"].tolist() == pytest.approx([1000.0, 500.0, 1000.0])
    assert df["contacts_per_1000"].tolist() == pytest.approx([1500.0, 1000.0, 1000.0])


def test_per_quarter(complaint_con):
    df = queries.run(complaint_con, "complaint_trend", grain="quarter", **Q1.params())
    assert df[["contacts", "complaints", "active_customers"]].values.tolist() == [[8, 6, 7]]
