"""queries/survey_range.sql (the default period of `python -m loyalty nps`) on the survey workspace."""

from __future__ import annotations

from loyalty import queries
from tests.queries.test_survey_fixture import survey_con_fixture

survey_con = survey_con_fixture()


def test_first_and_last_answer(survey_con):
    row = queries.run(survey_con, "survey_range").iloc[0]
    # ten answers from 2025-12-20 (C) to 2026-04-02 (D)
    assert (str(row["first_date"].date()), str(row["last_date"].date()), row["answers"]) == \
        ("2025-12-20", "2026-04-02", 10)


def test_empty_surveys_table(fixture_con):
    row = queries.run(fixture_con, "survey_range").iloc[0]
    assert row["answers"] == 0 and row["first_date"] != row["first_date"]  # NaT
