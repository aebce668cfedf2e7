"""queries/cohort_retention.sql on a hand-made workspace (also used by the other tests of this area).

The workspace (dates 2025/2026; segments P and S; channels Filiale and Online):
  A  P  2026-01-05 10, 2026-01-20 20, 2026-02-10 30, 2026-04-02 40   (all Filiale, with order ids)
  B  S  2026-01-15 5 + 5 in two rows without order id = ONE order of 10 (Online)
  C  P  2026-02-03 50 Online, 2026-03-03 25 Online, 2026-03-21 25 Filiale
  D  S  2026-02-25 100 Filiale                                         (never comes back)
  E  S  2025-12-20 70, 2026-01-15 10 (Filiale)                         (first order before 2026)
  F  -  2026-03-31 40 Online   (no row in customers: no segment/region, not a member; the only member
                                of the March cohort, which has no later orders)
  G  P  2026-04-10 60 Filiale
"""

from __future__ import annotations

import pytest

from loyalty import queries
from loyalty.db import connect
from loyalty.filters import Filters
from tests.conftest import d, make_workspace


def _row(customer, day, revenue, order_id, channel):
    return dict(customer_id=customer, order_date=d(day), revenue=revenue, order_id=order_id, channel=channel,
                store="Nürnberg" if channel == "Filiale" else None)


RETENTION_TRANSACTIONS = [
    _row("A", "2026-01-05", 10.0, "a1", "Filiale"),
    _row("A", "2026-01-20", 20.0, "a2", "Filiale"),
    _row("A", "2026-02-10", 30.0, "a3", "Filiale"),
    _row("A", "2026-04-02", 40.0, "a4", "Filiale"),
    _row("B", "2026-01-15", 5.0, None, "Online"),
    _row("B", "2026-01-15", 5.0, None, "Online"),
    _row("C", "2026-02-03", 50.0, "c1", "Online"),
    _row("C", "2026-03-03", 25.0, "c2", "Online"),
    _row("C", "2026-03-21", 25.0, "c3", "Filiale"),
    _row("D", "2026-02-25", 100.0, "d1", "Filiale"),
    _row("E", "2025-12-20", 70.0, "e1", "Filiale"),
    _row("E", "2026-01-15", 10.0, "e2", "Filiale"),
    _row("F", "2026-03-31", 40.0, "f1", "Online"),
    _row("G", "2026-04-10", 60.0, "g1", "Filiale"),
]
RETENTION_CUSTOMERS = [
    dict(customer_id="A", segment="P", region="Nord", loyalty_member=True),
    dict(customer_id="B", segment="S", region="Süd", loyalty_member=False),
    dict(customer_id="C", segment="P", region="Süd", loyalty_member=True),
    dict(customer_id="D", segment="S", region="Nord", loyalty_member=False),
    dict(customer_id="E", segment="S", region="Nord", loyalty_member=True),
    dict(customer_id="G", segment="P", region="Nord", loyalty_member=False),
]
JAN_TO_APR = Filters(start=d("2026-01-01"), end=d("2026-04-30"))

SAMPLE_PARAMS = {"cohort_retention": {"grain": "month", "retention": "bracketed", "min_orders": 1}}


def make_retention_workspace(root):
    return make_workspace(root, transactions=RETENTION_TRANSACTIONS, customers=RETENTION_CUSTOMERS)


def retention_con_fixture():
    """A module-scoped fixture with a connection on the workspace above; other test modules of this area
    bind it with `retention_con = retention_con_fixture()`."""

    @pytest.fixture(scope="module")
    def retention_con(tmp_path_factory):
        con = connect(make_retention_workspace(tmp_path_factory.mktemp("retention_ws")).snapshot())
        yield con
        con.close()

    return retention_con


retention_con = retention_con_fixture()


def cells(con, filters=JAN_TO_APR, grain="month", retention="bracketed", min_orders=1, column="customers"):
    df = queries.run(con, "cohort_retention", grain=grain, retention=retention, min_orders=min_orders,
                     **filters.params())
    return {(row.cohort_label, row.period): getattr(row, column) for row in df.itertuples()}


def test_monthly_cohorts_bracketed(retention_con):
    # Jan cohort {A, B} (E's first order is in Dec 2025, outside the period). A orders in Feb (k=1) and
    # Apr (k=3); B never again. Feb cohort {C, D}: C orders twice in March (k=1). Mar cohort {F}: no later
    # orders, so k=1 (April, ended on 30 Apr) is 0, not empty. Apr cohort {G}: k=0 only.
    # The end 2026-04-30 allows k <= 3 for Jan, k <= 2 for Feb, k <= 1 for Mar, k = 0 for Apr.
    assert cells(retention_con) == {
        ("2026-01", 0): 2, ("2026-01", 1): 1, ("2026-01", 2): 0, ("2026-01", 3): 1,
        ("2026-02", 0): 2, ("2026-02", 1): 1, ("2026-02", 2): 0,
        ("2026-03", 0): 1, ("2026-03", 1): 0,
        ("2026-04", 0): 1,
    }
    share = cells(retention_con, column="share")
    assert share[("2026-01", 0)] == 1.0 and share[("2026-01", 1)] == 0.5 and share[("2026-03", 1)] == 0.0
    sizes = cells(retention_con, column="cohort_customers")
    assert {label: sizes[(label, 0)] for label in ("2026-01", "2026-02", "2026-03", "2026-04")} == \
        {"2026-01": 2, "2026-02": 2, "2026-03": 1, "2026-04": 1}


def test_retained_with_at_least_two_orders(retention_con):
    # k = 0 stays the whole cohort; bracketed N=2: Jan k=1..3 nobody (A has 1 order in Feb, 0 in Mar, 1 in
    # Apr); Feb k=1: C (2 orders in March)
    assert cells(retention_con, min_orders=2) == {
        ("2026-01", 0): 2, ("2026-01", 1): 0, ("2026-01", 2): 0, ("2026-01", 3): 0,
        ("2026-02", 0): 2, ("2026-02", 1): 1, ("2026-02", 2): 0,
        ("2026-03", 0): 1, ("2026-03", 1): 0,
        ("2026-04", 0): 1,
    }


def test_unbounded_retention_counts_period_k_or_later(retention_con):
    # N=1: A (orders at k=1 and k=3) counts at k=1, 2, 3; C counts at Feb k=1 only.
    assert cells(retention_con, retention="unbounded") == {
        ("2026-01", 0): 2, ("2026-01", 1): 1, ("2026-01", 2): 1, ("2026-01", 3): 1,
        ("2026-02", 0): 2, ("2026-02", 1): 1, ("2026-02", 2): 0,
        ("2026-03", 0): 1, ("2026-03", 1): 0,
        ("2026-04", 0): 1,
    }
    # N=2: A has 2 orders from k=1 on (Feb, Apr), 1 from k=2 on; C has 2 from k=1 on.
    counts = cells(retention_con, retention="unbounded", min_orders=2)
    assert [counts[("2026-01", k)] for k in range(4)] == [2, 1, 0, 0]
    assert [counts[("2026-02", k)] for k in range(3)] == [2, 1, 0]


def test_revenue_retention(retention_con):
    # Jan: k0 = A 10 + 20 + B 10 = 40; k1 = 30; k2 = 0; k3 = 40. Feb: k0 = C 50 + D 100 = 150, k1 = C 50.
    revenue = cells(retention_con, column="revenue")
    assert [revenue[("2026-01", k)] for k in range(4)] == pytest.approx([40.0, 30.0, 0.0, 40.0])
    share = cells(retention_con, column="revenue_share")
    assert [share[("2026-01", k)] for k in range(4)] == pytest.approx([1.0, 0.75, 0.0, 1.0])
    assert [share[("2026-02", k)] for k in range(3)] == pytest.approx([1.0, 1 / 3, 0.0])


def test_period_filter_cuts_cohorts_and_hides_unobserved_cells(retention_con):
    # start 2026-01-10 drops A (first order 5 Jan) from the January cohort; end 2026-02-20 drops D (first
    # order 25 Feb) and leaves no ended period k >= 1, so only the k = 0 cells remain.
    cut = Filters(start=d("2026-01-10"), end=d("2026-02-20"))
    assert cells(retention_con, cut) == {("2026-01", 0): 1, ("2026-02", 0): 1}
    # the first order decides membership even when later orders fall in the period: E (first order in
    # December 2025) is in no 2026 cohort, but is the December cohort when December is in the period
    dec = Filters(start=d("2025-12-01"), end=d("2026-01-31"))
    assert cells(retention_con, dec) == {("2025-12", 0): 1, ("2025-12", 1): 1, ("2026-01", 0): 2}


def test_segment_and_first_order_channel_filters(retention_con):
    # segment P: Jan {A}, Feb {C}, Apr {G}; F has no segment
    seg = cells(retention_con, Filters(JAN_TO_APR.start, JAN_TO_APR.end, segments=("P",)), column="share")
    assert seg == {("2026-01", 0): 1.0, ("2026-01", 1): 1.0, ("2026-01", 2): 0.0, ("2026-01", 3): 1.0,
                   ("2026-02", 0): 1.0, ("2026-02", 1): 1.0, ("2026-02", 2): 0.0, ("2026-04", 0): 1.0}
    # channel Online selects cohorts by the first order's channel: Jan {B}, Feb {C}, Mar {F}. C's March
    # orders (one Online, one Filiale) both count: with N=2, C is retained at k=1.
    online = Filters(JAN_TO_APR.start, JAN_TO_APR.end, channels=("Online",))
    counts = cells(retention_con, online, min_orders=2)
    assert counts == {("2026-01", 0): 1, ("2026-01", 1): 0, ("2026-01", 2): 0, ("2026-01", 3): 0,
                      ("2026-02", 0): 1, ("2026-02", 1): 1, ("2026-02", 2): 0,
                      ("2026-03", 0): 1, ("2026-03", 1): 0}


def test_quarter_and_week_grains(retention_con):
    # Q1 cohort {A, B, C, D, F}; of them only A orders in Q2 (2 Apr): 1/5. Q2 cohort {G}.
    h1 = Filters(start=d("2026-01-01"), end=d("2026-06-30"))
    assert cells(retention_con, h1, grain="quarter", column="share") == \
        {("2026-Q1", 0): 1.0, ("2026-Q1", 1): pytest.approx(0.2), ("2026-Q2", 0): 1.0}
    # with the end in April, Q2 has not ended: Q1 shows k = 0 only
    assert cells(retention_con, grain="quarter") == {("2026-Q1", 0): 5, ("2026-Q2", 0): 1}
    # ISO weeks: A starts Mon 5 Jan = 2026-W02 and orders again on 20 Jan (W04: k=2) and 10 Feb (W07: k=5)
    weeks = cells(retention_con, grain="week")
    assert weeks[("2026-W02", 0)] == 1 and weeks[("2026-W02", 1)] == 0 and weeks[("2026-W02", 2)] == 1
    assert weeks[("2026-W02", 5)] == 1 and weeks[("2026-W02", 4)] == 0
    # B (15 Jan) is W03, D (Wed 25 Feb) is W09, G (Fri 10 Apr) is W15 and W15 ends on 12 Apr
    assert weeks[("2026-W03", 0)] == 1 and weeks[("2026-W09", 0)] == 1
    assert max(k for label, k in weeks if label == "2026-W15") == 2  # W16, W17 ended by 26 Apr; W18 not


def test_no_cohorts_gives_empty_result(retention_con):
    df = queries.run(retention_con, "cohort_retention", grain="month", retention="bracketed", min_orders=1,
                     **Filters(d("2020-01-01"), d("2020-12-31")).params())
    assert df.empty


def test_cut_cohorts_and_heatmap_leave_young_cells_empty(retention_con):
    from components.repeat_charts import cohort_heatmap
    from loyalty.retention import cut_cohorts

    # 10 Jan - 20 Feb cuts the January cohort (starts before) and the February cohort (ends after)
    assert cut_cohorts(d("2026-01-10"), d("2026-02-20"), "month") == [d("2026-01-01"), d("2026-02-01")]
    assert cut_cohorts(d("2026-01-01"), d("2026-04-30"), "month") == []
    assert cut_cohorts(d("2026-01-01"), d("2026-04-30"), "week") == [d("2025-12-29"), d("2026-04-27")]

    df = queries.run(retention_con, "cohort_retention", grain="month", retention="bracketed", min_orders=1,
                     **JAN_TO_APR.params())
    heatmap = cohort_heatmap(df, "share", "month", "en").data[0]
    grid = [[None if v != v else v for v in row] for row in heatmap.z]  # NaN = empty cell
    assert list(heatmap.y) == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert grid == [[1.0, 0.5, 0.0, 0.5], [1.0, 0.5, 0.0, None], [1.0, 0.0, None, None], [1.0, None, None, None]]
