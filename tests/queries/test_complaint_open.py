"""queries/complaint_open.sql on the complaint workspace (tests/queries/test_complaint_fixture.py)."""

from __future__ import annotations

from loyalty import queries
from loyalty.filters import Filters
from tests.queries.test_complaint_fixture import Q1, complaint_con_fixture

complaint_con = complaint_con_fixture()


def test_open_complaints_oldest_first_with_days_open(complaint_con):
    df = queries.run(complaint_con, "complaint_open", **Q1.params())
    # #5 D 03-05 and #6 E 03-25, open up to the as-of date 03-31: 26 and 6 days
    assert df["customer_id"].tolist() == ["D", "E"]
    assert df["days_open"].tolist() == [26, 6]
    assert df["reason"].tolist() == ["Rechnung", "Wartezeit"]


def test_segment_filter(complaint_con):
    df = queries.run(complaint_con, "complaint_open", **Filters(Q1.start, Q1.end, segments=("S1",)).params())
    assert df["customer_id"].tolist() == ["E"]
