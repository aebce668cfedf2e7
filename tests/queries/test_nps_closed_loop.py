"""queries/nps_closed_loop.sql on the survey workspace (tests/queries/test_survey_fixture.py has the rows)."""

from __future__ import annotations

import pandas as pd
import pytest

from loyalty import queries
from loyalty.filters import Filters
from tests.conftest import make_workspace
from tests.queries.test_survey_fixture import (
    Q1,
    SURVEY_ANSWERS,
    SURVEY_CUSTOMERS,
    SURVEY_TRANSACTIONS,
    survey_con_fixture,
)

survey_con = survey_con_fixture()

SAMPLE_PARAMS = {"nps_closed_loop": {"followup_days": 7}}


def closed_loop(con, days=7, filters=Q1):
    return queries.run(con, "nps_closed_loop", followup_days=days, **filters.params()).set_index("customer_id")


def test_detractors_and_their_follow_up_contact(survey_con):
    df = closed_loop(survey_con)
    # known detractors in Q1: B #2 (01-20, nps 6) and D #5 (03-02, nps 3); the anonymous #6 cannot be called
    assert sorted(df.index) == ["B", "D"]
    # B: the complaint on 01-15 was before the answer; the inquiry on 01-25 is 5 days after -> contacted
    assert bool(df.loc["B", "contacted"]) is True
    assert str(df.loc["B", "first_contact_date"].date()) == "2026-01-25"
    # D: the contact on 03-12 is 10 days after 03-02 -> not within 7 days; due 03-09
    assert bool(df.loc["D", "contacted"]) is False and pd.isna(df.loc["D", "first_contact_date"])
    assert str(df.loc["D", "due_date"].date()) == "2026-03-09"
    assert df.loc["D", "revenue_12m"] == pytest.approx(100.0)
    assert df.loc["B", "revenue_12m"] == pytest.approx(40.0)


def test_window_is_inclusive(survey_con):
    assert bool(closed_loop(survey_con, days=10).loc["D", "contacted"]) is True  # 03-02 + 10 = 03-12
    assert bool(closed_loop(survey_con, days=9).loc["D", "contacted"]) is False


def test_without_contacts_table_nobody_was_contacted(tmp_path):
    from loyalty.db import connect

    ws = make_workspace(tmp_path, transactions=SURVEY_TRANSACTIONS, customers=SURVEY_CUSTOMERS,
                        surveys=SURVEY_ANSWERS)
    con = connect(ws.snapshot())
    df = closed_loop(con)
    assert sorted(df.index) == ["B", "D"] and not df["contacted"].any()


def test_segment_filter(survey_con):
    assert list(closed_loop(survey_con, filters=Filters(Q1.start, Q1.end, segments=("S1",))).index) == []
