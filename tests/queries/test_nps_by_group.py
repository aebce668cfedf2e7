"""queries/nps_by_group.sql on the survey workspace (tests/queries/test_survey_fixture.py has the rows)."""

from __future__ import annotations

import pandas as pd
import pytest

from loyalty import queries
from loyalty.filters import Filters
from tests.conftest import d
from tests.queries.test_survey_fixture import Q1, survey_con_fixture

survey_con = survey_con_fixture()

SAMPLE_PARAMS = {"nps_by_group": {"by": "touchpoint"}}


def nps(con, by="total", filters=Q1):
    df = queries.run(con, "nps_by_group", by=by, **filters.params())
    return {_key(row.grp): (row.n, row.promoters, row.passives, row.detractors) for row in df.itertuples()}


def test_total_counts_every_answer_with_an_nps(survey_con):
    # answers #1..#6 and #8 (E's #7 has only a csat); promoters 10, 9; passives 8, 7; detractors 6, 3, 0
    assert nps(survey_con) == {"total": (7, 2, 2, 3)}


def test_by_touchpoint(survey_con):
    # Online-Shop #1 (10) #3 (8); Filiale #2 (6) #4 (9) #6 (0) #8 (7); Hotline #5 (3); Lieferung only csat
    assert nps(survey_con, "touchpoint") == {"Online-Shop": (2, 1, 1, 0), "Filiale": (4, 1, 1, 2),
                                             "Hotline": (1, 0, 0, 1)}


def test_by_channel_of_the_referenced_purchase(survey_con):
    # Online: #1 #3 #8 (10, 8, 7); Filiale: #2 #4 and #5 (D's o7 beats o6 on the same day): 6, 9, 3;
    # the anonymous #6 has no purchase: group null
    result = nps(survey_con, "channel")
    assert result["Online"] == (3, 1, 2, 0)
    assert result["Filiale"] == (3, 1, 0, 2)
    assert result[None] == (1, 0, 0, 1)
    assert len(result) == 3


def test_by_month_and_quarter_with_period(survey_con):
    df = queries.run(survey_con, "nps_by_group", by="month", **Q1.params())
    # Jan #1 #2 (10, 6); Feb #3 #4 (8, 9); Mar #5 #6 #8 (3, 0, 7)
    assert df["grp"].tolist() == ["2026-01", "2026-02", "2026-03"]
    assert [str(p) for p in df["period"].dt.date] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    assert df[["n", "promoters", "passives", "detractors"]].values.tolist() == [[2, 1, 0, 1], [2, 1, 1, 0],
                                                                                [3, 0, 1, 2]]
    quarter = queries.run(survey_con, "nps_by_group", by="quarter", **Q1.params())
    assert quarter["grp"].tolist() == ["2026-Q1"] and quarter["n"].tolist() == [7]


def test_segment_filter_drops_anonymous_answers(survey_con):
    # S1 = A, C, E: #1 (10), #3 (8), #8 (7); the anonymous #6 is out as soon as a segment is chosen
    assert nps(survey_con, filters=Filters(Q1.start, Q1.end, segments=("S1",))) == {"total": (3, 1, 2, 0)}
    # S2 = B, D, F: #2 (6), #4 (9), #5 (3)
    assert nps(survey_con, "segment", Filters(Q1.start, Q1.end, segments=("S2",))) == {"S2": (3, 1, 0, 2)}
    # without a filter the segment split shows the anonymous answer as its own (null) group
    assert nps(survey_con, "segment")[None] == (1, 0, 0, 1)


def test_channel_and_store_filters_use_the_referenced_purchase(survey_con):
    assert nps(survey_con, filters=Filters(Q1.start, Q1.end, channels=("Filiale",))) == {"total": (3, 1, 0, 2)}
    # Fürth: B's answers #2 (6) and #4 (9); Nürnberg: #5 (D's o7)
    assert nps(survey_con, filters=Filters(Q1.start, Q1.end, stores=("Fürth",))) == {"total": (2, 1, 0, 1)}
    assert nps(survey_con, filters=Filters(Q1.start, Q1.end, stores=("Nürnberg",))) == {"total": (1, 0, 0, 1)}
    # channel split under a channel filter keeps the filter's channel
    assert nps(survey_con, "channel", Filters(Q1.start, Q1.end, channels=("Online",))) == {"Online": (3, 1, 2, 0)}


def test_period_is_inclusive_and_empty_period_gives_no_rows(survey_con):
    # 2025-12-20 (C, 2) and 2026-04-02 (D, 10) are outside Q1; a period of exactly 2026-04-02 holds D's answer
    assert nps(survey_con, filters=Filters(d("2026-04-02"), d("2026-04-02"))) == {"total": (1, 1, 0, 0)}
    assert queries.run(survey_con, "nps_by_group", by="total",
                       **Filters(d("2020-01-01"), d("2020-12-31")).params()).empty


def test_contract_bounds_nps_0_to_10_and_csat_1_to_5():
    """Scores outside the scale are rejected on import (loyalty/importing checks the contract's bounds);
    the queries rely on these bounds for the promoter/passive/detractor and top-2-box cut-offs."""
    from loyalty.contract import TABLES

    surveys = TABLES["surveys"]
    assert (surveys.column("nps").min, surveys.column("nps").max) == (0, 10)
    assert (surveys.column("csat").min, surveys.column("csat").max) == (1, 5)
    assert surveys.one_of == ("nps", "csat")


@pytest.mark.parametrize("by", ["total", "touchpoint", "segment", "region", "channel", "month", "quarter"])
def test_every_split_adds_up_to_the_total(survey_con, by):
    df = queries.run(survey_con, "nps_by_group", by=by, **Q1.params())
    assert (df["promoters"] + df["passives"] + df["detractors"] == df["n"]).all()
    assert df["n"].sum() == 7


def _key(group):
    """Null groups (anonymous answers, answers without purchase) come back as NaN: None here."""
    return None if pd.isna(group) else group
