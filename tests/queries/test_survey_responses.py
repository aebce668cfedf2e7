"""queries/survey_responses.sql on the survey workspace (tests/queries/test_survey_fixture.py has the rows)."""

from __future__ import annotations

import pytest

from loyalty import queries
from loyalty.filters import Filters
from tests.queries.test_survey_fixture import Q1, survey_con_fixture

survey_con = survey_con_fixture()


def responses(con, grain, filters=Q1):
    return queries.run(con, "survey_responses", grain=grain, **filters.params())


def test_per_month(survey_con):
    df = responses(survey_con, "month")
    # answers: Jan #1 #2, Feb #3 #4, Mar #5 #6 #7 #8; active: Jan A B, Feb B C, Mar D F
    assert [str(p) for p in df["period"].dt.date] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    assert df["answers"].tolist() == [2, 2, 4]
    assert df["nps_answers"].tolist() == [2, 2, 3]
    assert df["csat_answers"].tolist() == [2, 1, 4]
    assert df["anonymous_answers"].tolist() == [0, 0, 1]
    assert df["answering_customers"].tolist() == [2, 2, 3]  # Mar: D, E, A (the anonymous one is nobody)
    assert df["active_customers"].tolist() == [2, 2, 2]
    assert df["response_rate"].tolist() == pytest.approx([1.0, 1.0, 2.0])


def test_total_is_one_row_over_distinct_active_customers(survey_con):
    row = responses(survey_con, "total").iloc[0]
    # 8 answers; active in Q1: A, B, C, D, F = 5 (B counts once although active in Jan and Feb)
    assert str(row["period"].date()) == "2026-01-01"
    assert (row["answers"], row["active_customers"]) == (8, 5)
    assert row["response_rate"] == pytest.approx(8 / 5)
    assert row["answering_customers"] == 5  # A, B, C, D, E


def test_segment_filter_applies_to_answers_and_active_customers(survey_con):
    row = responses(survey_con, "total", Filters(Q1.start, Q1.end, segments=("S2",))).iloc[0]
    # S2 answers: B #2 #4, D #5 = 3; S2 active: B, D, F = 3
    assert (row["answers"], row["active_customers"], row["response_rate"]) == (3, 3, pytest.approx(1.0))


def test_quarter_and_months_without_answers(survey_con):
    df = responses(survey_con, "quarter", Filters(Q1.start, Q1.end, segments=("S1",)))
    # S1 answers #1 #3 #7 #8 = 4, S1 active A (Jan), C (Feb) = 2
    assert df[["answers", "active_customers"]].values.tolist() == [[4, 2]]
    months = responses(survey_con, "month", Filters(Q1.start, Q1.end, segments=("S1",)))
    # March: answers #7 (E) and #8 (A) but no S1 customer bought: rate undefined, not an error
    march = months.iloc[-1]
    assert (march["answers"], march["active_customers"]) == (2, 0)
    assert march["response_rate"] != march["response_rate"]  # NaN
