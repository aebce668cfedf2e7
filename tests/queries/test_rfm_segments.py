"""queries/rfm_*.sql and the RFM segment rules on a hand-computed fixture.

Period 2026-01-01 .. 2026-03-31 (end 03-31); segment S1 customers in the period:
    customer  orders (revenue each)                          last    recency  frequency  monetary
    A         01-10, 02-10, 03-01, 03-20, 03-30 (10)         03-30    1        5          50
    B         02-01, 03-25 (100)                             03-25    6        2         200
    C         01-05, 01-20, 02-05, 02-20 (5)                 02-20   39        4          20
    D         03-29 (30)                                     03-29    2        1          30
    E         01-02, 01-03, 01-04 (20)                       01-04   86        3          60
Quintiles of 5 distinct values: score = rank from worst (1) to best (5), 1 + floor(5 * (rank - 1) / 5):
    R (fewer days = better): E 1, C 2, B 3, D 4, A 5
    F: D 1, B 2, E 3, C 4, A 5          M: C 1, D 2, A 3, E 4, B 5
Segments from (R, F): A (5,5) champions, B (3,2) about_to_sleep, C (2,4) at_risk, D (4,1) promising,
E (1,3) at_risk.
Segment S2 (ties): G and H one order of 50 on 03-01 (recency 30), K orders 03-10 and 03-20 of 40
(recency 11, frequency 2, monetary 80). n = 3: G and H tie at rank 1 -> all scores 1 (hibernating);
K rank 3 -> 1 + floor(5 * 2 / 3) = 4 in R, F and M -> (4, 4) loyal.
Previous period (comparison 'previous_period' = 2025-10-03 .. 2025-12-31), S1: A 12-01 (10), B 11-15 (100),
F 12-20 (40, only then). Recency to 12-31: A 30, B 46, F 11; frequency all 1 (ties -> F score 1).
R: B 1, A 1 + floor(5 * 1 / 3) = 2, F 1 + floor(5 * 2 / 3) = 4 -> B, A hibernating, F promising.
"""

import pytest

from loyalty import queries
from loyalty.customer_value import (
    NO_PURCHASE,
    RFM_SEGMENTS,
    RfmScoring,
    rfm_migration_params,
    rfm_params,
    rfm_segment_grid,
    rfm_segment_of,
)
from loyalty.filters import Filters
from tests.conftest import ROOT, d, make_workspace

_SCORING = RfmScoring().params()
SAMPLE_PARAMS = {
    **{name: {**_SCORING, "rfm_segment": ""}
       for name in ("rfm_customers", "rfm_segments", "rfm_grid", "rfm_score_ranges")},
    "rfm_migration": {**_SCORING, "previous_start": d("2025-10-01"), "previous_end": d("2025-12-31"),
                      "current_start": d("2026-01-01"), "current_end": d("2026-03-31")},
}

S1 = Filters(start=d("2026-01-01"), end=d("2026-03-31"), segments=("S1",))
S2 = Filters(start=d("2026-01-01"), end=d("2026-03-31"), segments=("S2",))


def orders(customer, days, revenue):
    return [dict(customer_id=customer, order_date=d(day), revenue=revenue, order_id=f"{customer}-{day}")
            for day in days]


TRANSACTIONS = [
    *orders("A", ["2026-01-10", "2026-02-10", "2026-03-01", "2026-03-20", "2026-03-30"], 10.0),
    *orders("B", ["2026-02-01", "2026-03-25"], 100.0),
    *orders("C", ["2026-01-05", "2026-01-20", "2026-02-05", "2026-02-20"], 5.0),
    *orders("D", ["2026-03-29"], 30.0),
    *orders("E", ["2026-01-02", "2026-01-03", "2026-01-04"], 20.0),
    *orders("G", ["2026-03-01"], 50.0),
    *orders("H", ["2026-03-01"], 50.0),
    *orders("K", ["2026-03-10", "2026-03-20"], 40.0),
    # previous period
    *orders("A", ["2025-12-01"], 10.0),
    *orders("B", ["2025-11-15"], 100.0),
    *orders("F", ["2025-12-20"], 40.0),
]
CUSTOMERS = [dict(customer_id=c, segment="S2" if c in "GHK" else "S1") for c in "ABCDEFGHK"]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    from loyalty.db import connect

    ws = make_workspace(tmp_path_factory.mktemp("rfm_ws"), transactions=TRANSACTIONS, customers=CUSTOMERS)
    connection = connect(ws.snapshot())
    yield connection
    connection.close()


def customers(con, filters=S1, scoring=RfmScoring(), rfm_segment=""):
    return queries.run(con, "rfm_customers", **rfm_params(filters, scoring, rfm_segment)).set_index("customer_id")


def test_segment_rules_cover_every_cell_exactly_once():
    grid = rfm_segment_grid()
    assert len(grid) == 25 and set(grid) == set(RFM_SEGMENTS)
    assert grid[(5 - 1) * 5 + 5 - 1] == "champions"  # R5 F5 (0-based index here)
    assert rfm_segment_of(1, 1) == "hibernating" and rfm_segment_of(5, 1) == "new"
    assert rfm_segment_of(1, 5) == "cannot_lose" and rfm_segment_of(3, 3) == "need_attention"


def test_rfm_values_and_quintile_scores(con):
    df = customers(con)
    assert df["recency_days"].to_dict() == {"A": 1, "B": 6, "C": 39, "D": 2, "E": 86}
    assert df["frequency"].to_dict() == {"A": 5, "B": 2, "C": 4, "D": 1, "E": 3}
    assert df["monetary"].to_dict() == pytest.approx({"A": 50, "B": 200, "C": 20, "D": 30, "E": 60})
    assert df["r_score"].to_dict() == {"A": 5, "B": 3, "C": 2, "D": 4, "E": 1}
    assert df["f_score"].to_dict() == {"A": 5, "B": 2, "C": 4, "D": 1, "E": 3}
    assert df["m_score"].to_dict() == {"A": 3, "B": 5, "C": 1, "D": 2, "E": 4}
    assert df["rfm_segment"].to_dict() == {"A": "champions", "B": "about_to_sleep", "C": "at_risk",
                                           "D": "promising", "E": "at_risk"}
    assert str(df.loc["C", "last_order"].date()) == "2026-02-20"


def test_ties_share_the_lower_score(con):
    df = customers(con, S2)
    for customer in "GH":
        assert df.loc[customer, ["r_score", "f_score", "m_score"]].tolist() == [1, 1, 1]
        assert df.loc[customer, "rfm_segment"] == "hibernating"
    assert df.loc["K", ["r_score", "f_score", "m_score"]].tolist() == [4, 4, 4]
    assert df.loc["K", "rfm_segment"] == "loyal"


def test_quintiles_of_seven_customers_with_ties(tmp_path):
    from loyalty.db import connect

    # 7 customers (not a multiple of 5), ties in every dimension; score = 1 + floor(5 * (rank - 1) / 7):
    #   rank 1 -> 1, 2 -> 1, 3 -> 2, 4 -> 3, 5 -> 3, 6 -> 4, 7 -> 5
    # customer  recency  frequency  monetary      ranks R / F / M   scores R / F / M
    #   a         10        1        10            6 / 1 / 1         4 / 1 / 1
    #   b         10        1        30            6 / 1 / 2         4 / 1 / 1
    #   c         20        1        30            3 / 1 / 2         2 / 1 / 1
    #   d         20        2        30 (2 x 15)   3 / 4 / 2         2 / 3 / 1
    #   e         20        2        40 (2 x 20)   3 / 4 / 6         2 / 3 / 4
    #   f         40        3        30 (3 x 10)   2 / 6 / 2         1 / 4 / 1
    #   g         85        5       100 (5 x 20)   1 / 7 / 7         1 / 5 / 5
    transactions = [*orders("a", ["2026-03-21"], 10.0), *orders("b", ["2026-03-21"], 30.0),
                    *orders("c", ["2026-03-11"], 30.0), *orders("d", ["2026-03-01", "2026-03-11"], 15.0),
                    *orders("e", ["2026-03-01", "2026-03-11"], 20.0),
                    *orders("f", ["2026-02-01", "2026-02-10", "2026-02-19"], 10.0),
                    *orders("g", [f"2026-01-0{i}" for i in range(1, 6)], 20.0)]
    ws = make_workspace(tmp_path, transactions=transactions)
    df = customers(connect(ws.snapshot()), Filters(start=d("2026-01-01"), end=d("2026-03-31")))
    assert df["recency_days"].to_dict() == {"a": 10, "b": 10, "c": 20, "d": 20, "e": 20, "f": 40, "g": 85}
    assert df["r_score"].to_dict() == {"a": 4, "b": 4, "c": 2, "d": 2, "e": 2, "f": 1, "g": 1}
    assert df["f_score"].to_dict() == {"a": 1, "b": 1, "c": 1, "d": 3, "e": 3, "f": 4, "g": 5}
    assert df["m_score"].to_dict() == {"a": 1, "b": 1, "c": 1, "d": 1, "e": 4, "f": 1, "g": 5}


def test_cut_point_scores(con):
    scoring = RfmScoring("cut_points", recency_cuts=(3, 10, 40, 80), frequency_cuts=(2, 3, 4, 5),
                         monetary_cuts=(25, 50, 100, 200))
    df = customers(con, scoring=scoring)
    # recency: A 1, D 2 <= 3 -> 5; B 6 <= 10 -> 4; C 39 <= 40 -> 3; E 86 > 80 -> 1
    assert df["r_score"].to_dict() == {"A": 5, "B": 4, "C": 3, "D": 5, "E": 1}
    # frequency: count of cuts <= value, plus 1: A 5 -> 5, B 2 -> 2, C 4 -> 4, D 1 -> 1, E 3 -> 3
    assert df["f_score"].to_dict() == {"A": 5, "B": 2, "C": 4, "D": 1, "E": 3}
    # monetary: A 50 -> 3 (>= 25, >= 50), B 200 -> 5, C 20 -> 1, D 30 -> 2, E 60 -> 3
    assert df["m_score"].to_dict() == {"A": 3, "B": 5, "C": 1, "D": 2, "E": 3}
    assert df["rfm_segment"].to_dict() == {"A": "champions", "B": "potential_loyalists", "C": "loyal",
                                           "D": "new", "E": "at_risk"}


def test_segment_filter_lists_one_segment(con):
    assert sorted(customers(con, rfm_segment="at_risk").index) == ["C", "E"]


def test_segment_table(con):
    df = queries.run(con, "rfm_segments", **rfm_params(S1, RfmScoring())).set_index("rfm_segment")
    assert df["customers"].to_dict() == {"about_to_sleep": 1, "at_risk": 2, "champions": 1, "promising": 1}
    # total revenue 360: about_to_sleep B 200, at_risk C + E = 80, champions A 50, promising D 30
    assert df["revenue"].to_dict() == pytest.approx({"about_to_sleep": 200, "at_risk": 80, "champions": 50,
                                                     "promising": 30})
    assert df.loc["at_risk", "revenue_share"] == pytest.approx(80 / 360)
    assert df.loc["at_risk", "customer_share"] == pytest.approx(2 / 5)
    assert df.loc["at_risk", "avg_recency_days"] == pytest.approx((39 + 86) / 2)
    assert df.loc["at_risk", "avg_frequency"] == pytest.approx(3.5)
    assert df.loc["at_risk", "orders"] == 7
    assert list(df.index) == ["about_to_sleep", "at_risk", "champions", "promising"]  # by revenue


def test_grid(con):
    df = queries.run(con, "rfm_grid", **rfm_params(S1, RfmScoring()))
    cells = {(r, f): (seg, n) for r, f, seg, n in df[["r_score", "f_score", "rfm_segment", "customers"]].itertuples(index=False)}
    assert cells == {(5, 5): ("champions", 1), (3, 2): ("about_to_sleep", 1), (2, 4): ("at_risk", 1),
                     (4, 1): ("promising", 1), (1, 3): ("at_risk", 1)}


def test_score_ranges(con):
    df = queries.run(con, "rfm_score_ranges", **rfm_params(S2, RfmScoring())).set_index(["dimension", "score"])
    # G, H: recency 30, frequency 1, monetary 50 (score 1); K: 11, 2, 80 (score 4)
    assert df.loc[("recency", 1), ["customers", "min_value", "max_value"]].tolist() == [2, 30, 30]
    assert df.loc[("monetary", 4), ["customers", "min_value", "max_value"]].tolist() == [1, 80, 80]
    assert len(df) == 6


def test_migration_from_previous_period(con):
    params = rfm_migration_params(Filters(S1.start, S1.end, comparison="previous_period", segments=("S1",)),
                                  RfmScoring())
    assert (params["previous_start"], params["previous_end"]) == (d("2025-10-03"), d("2025-12-31"))
    assert (params["start"], params["end"]) == (d("2025-10-03"), d("2026-03-31"))
    df = queries.run(con, "rfm_migration", **params)
    pairs = {(p, c): n for p, c, n in df[["previous_segment", "current_segment", "customers"]].itertuples(index=False)}
    assert pairs == {
        ("hibernating", "champions"): 1,  # A
        ("hibernating", "about_to_sleep"): 1,  # B
        ("promising", NO_PURCHASE): 1,  # F
        (NO_PURCHASE, "at_risk"): 2,  # C, E
        (NO_PURCHASE, "promising"): 1,  # D
    }
    assert rfm_migration_params(Filters(S1.start, S1.end, comparison="no_comparison"), RfmScoring()) is None


def test_migration_with_overlapping_periods_uses_each_period_once(con):
    # last_year comparison of a two-year period overlaps it: the 2025 orders of A, B, F lie in both periods
    filters = Filters(d("2025-01-01"), d("2026-12-31"), comparison="last_year", segments=("S1",))
    df = queries.run(con, "rfm_migration", **rfm_migration_params(filters, RfmScoring()))
    assert df["customers"].sum() == 6  # A..F, each once
    assert df.loc[df["previous_segment"] != NO_PURCHASE, "customers"].sum() == 3  # A, B, F
    assert NO_PURCHASE not in set(df["current_segment"])  # all six bought in the current period


def test_scoring_rejects_bad_cut_points():
    with pytest.raises(ValueError, match="strictly increasing"):
        RfmScoring("cut_points", recency_cuts=(10, 5, 20, 30))
    with pytest.raises(ValueError, match="score method"):
        RfmScoring("deciles")


def test_scoring_block_is_identical_in_every_rfm_query():
    blocks = {}
    for path in sorted((ROOT / "queries").glob("rfm_*.sql")):
        text = path.read_text(encoding="utf-8")
        start, end = text.index("-- >>> rfm scoring"), text.index("-- <<< rfm scoring")
        blocks[path.name] = text[start:end]
    assert len(blocks) >= 5 and len(set(blocks.values())) == 1, list(blocks)


def test_segment_rules_table_in_docs_matches_code():
    from loyalty.customer_value import RFM_SEGMENT_RULES

    doc = (ROOT / "docs/metrics.md").read_text(encoding="utf-8")

    def span(low, high):
        return f"{low}" if low == high else f"{low}–{high}"

    for rule in RFM_SEGMENT_RULES:
        assert f"| {span(*rule.recency)} | {span(*rule.frequency)} | `{rule.code}` |" in doc, rule
