"""queries/csat_by_group.sql on the survey workspace (tests/queries/test_survey_fixture.py has the rows)."""

from __future__ import annotations

import pandas as pd
import pytest

from loyalty import queries
from loyalty.filters import Filters
from tests.queries.test_survey_fixture import Q1, survey_con_fixture

survey_con = survey_con_fixture()

SAMPLE_PARAMS = {"csat_by_group": {"by": "segment"}}


def csat(con, by="total", filters=Q1):
    return queries.run(con, "csat_by_group", by=by, **filters.params()).set_index("grp")


def test_total_includes_csat_only_and_anonymous_answers(survey_con):
    row = csat(survey_con).loc["total"]
    # #1 5, #2 3, #3 4, #5 2, #6 1 (anonymous), #7 4 (csat only), #8 4; #4 has only an nps
    assert row["n"] == 7
    assert row["csat_sum"] == 23
    assert row["csat_mean"] == pytest.approx(23 / 7)
    assert row["top2"] == 4  # #1 #3 #7 #8


def test_by_touchpoint(survey_con):
    df = csat(survey_con, "touchpoint")
    # Filiale #2 3, #6 1, #8 4 -> mean 8/3, top2 1; Lieferung #7 4; Online-Shop #1 5, #3 4; Hotline #5 2
    assert df.loc["Filiale", ["n", "csat_sum", "top2"]].tolist() == [3, 8, 1]
    assert df.loc["Filiale", "csat_mean"] == pytest.approx(8 / 3)
    assert df.loc["Lieferung", ["n", "top2"]].tolist() == [1, 1]
    assert df.loc["Online-Shop", ["n", "csat_sum", "top2"]].tolist() == [2, 9, 2]
    assert df.loc["Hotline", ["n", "top2"]].tolist() == [1, 0]


def test_segment_filter_and_channel_split(survey_con):
    # S1: #1 5, #3 4, #7 4 (E), #8 4 -> n 4, sum 17, top2 4
    row = csat(survey_con, filters=Filters(Q1.start, Q1.end, segments=("S1",))).loc["total"]
    assert (row["n"], row["csat_sum"], row["top2"]) == (4, 17, 4)
    df = queries.run(survey_con, "csat_by_group", by="channel", **Q1.params())
    # Online #1 #3 #8 (5, 4, 4); Filiale #2 #5 (3, 2); null: #6 anonymous (1) and #7 E without purchase (4)
    by_channel = {_key(r.grp): (r.n, r.csat_sum, r.top2) for r in df.itertuples()}
    assert by_channel == {"Online": (3, 13, 3), "Filiale": (2, 5, 0), None: (2, 5, 1)}


def _key(group):
    """Null groups (anonymous answers, answers without purchase) come back as NaN: None here."""
    return None if pd.isna(group) else group
