"""queries/survey_comments.sql on the survey workspace (tests/queries/test_survey_fixture.py has the rows)."""

from __future__ import annotations

import pandas as pd
import pytest

from loyalty import queries
from loyalty.filters import Filters
from tests.queries.test_survey_fixture import Q1, survey_con_fixture

survey_con = survey_con_fixture()

SAMPLE_PARAMS = {"survey_comments": {"answer_group": "detractor", "search": "", "limit": 100}}


def comments(con, answer_group="detractor", search="", limit=100, filters=Q1):
    return queries.run(con, "survey_comments", answer_group=answer_group, search=search, limit=limit,
                       **filters.params())


def test_latest_detractor_comments_with_revenue(survey_con):
    df = comments(survey_con)
    # detractors with a comment: #6 (03-10, anonymous), #5 (03-02, D), #2 (01-20, B); newest first
    assert df["comment"].tolist() == ["Schlecht", "Niemand ruft zurück", "Lange Wartezeit"]
    assert pd.isna(df["customer_id"].iloc[0]) and pd.isna(df["revenue_12m"].iloc[0])
    # D on 03-02: o6 80 + o7 20 on 03-01 = 100; B on 01-20: o3 40 on 01-05 (o4 is later)
    assert df["revenue_12m"].iloc[1:].tolist() == pytest.approx([100.0, 40.0])


def test_search_is_case_insensitive_and_literal(survey_con):
    assert comments(survey_con, search="WARTE")["customer_id"].tolist() == ["B"]
    assert comments(survey_con, search="%").empty  # no wildcard: no comment contains a percent sign
    assert comments(survey_con, search="d")["comment"].tolist() == ["Niemand ruft zurück"]  # "niemand" / id D


def test_other_groups_and_limit(survey_con):
    assert comments(survey_con, "promoter")["comment"].tolist() == ["Besser", "Super schnell"]
    # all answers with a comment: #1 #2 #4 #5 #6 #7 (E's csat-only "ok" too)
    assert len(comments(survey_con, "all")) == 6
    assert comments(survey_con, "all")["comment"].iloc[0] == "ok"
    assert comments(survey_con, limit=2)["comment"].tolist() == ["Schlecht", "Niemand ruft zurück"]


def test_filters(survey_con):
    # a segment filter drops the anonymous comment
    df = comments(survey_con, filters=Filters(Q1.start, Q1.end, segments=("S2",)))
    assert df["customer_id"].tolist() == ["D", "B"]
