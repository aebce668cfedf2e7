"""queries/abc_classes.sql, abc_customers.sql and abc_pareto.sql on a hand-computed fixture.

Fixture, period 2026-01-01 .. 2026-03-31 (revenue / margin per customer in the period):
    P  two orders 30 + 20 = 50 / margin 10 + 6 = 16   segment S1
    Q  one order  30            / 12                   segment S1
    R  one order  10            /  1                   segment S2
    S  one order   6            /  3                   segment S2
    T  one order   4            /  4                   segment S2
    U  one return -5            / -2                   segment S2   (non-positive value -> C)
    V  one order 100 on 2025-12-31, outside the period
By revenue, the positive total is 50+30+10+6+4 = 100; cumulative share *before* each customer:
    P 0, Q .50, R .80, S .90, T .96  ->  A, A, B, B, C (R: .80 is not below .80, so R is B);  U -> C.
"""

import pytest

from loyalty import queries
from loyalty.customer_value import AbcSettings
from loyalty.filters import Filters
from tests.conftest import ROOT, d, make_workspace

SAMPLE_PARAMS = {name: {"by": "revenue", "a_bound": 0.8, "b_bound": 0.95, "abc_class": ""}
                 for name in ("abc_classes", "abc_customers", "abc_pareto")}

Q1 = Filters(start=d("2026-01-01"), end=d("2026-03-31"))


def order(customer, day, revenue, margin, order_id):
    return dict(customer_id=customer, order_date=d(day), revenue=revenue, margin=margin, order_id=order_id)


TRANSACTIONS = [
    order("P", "2026-01-10", 30.0, 10.0, "p1"),
    order("P", "2026-02-10", 20.0, 6.0, "p2"),
    order("Q", "2026-01-15", 30.0, 12.0, "q1"),
    order("R", "2026-02-01", 10.0, 1.0, "r1"),
    order("S", "2026-02-02", 6.0, 3.0, "s1"),
    order("T", "2026-03-03", 4.0, 4.0, "t1"),
    order("U", "2026-03-04", -5.0, -2.0, "u1"),
    order("V", "2025-12-31", 100.0, 40.0, "v1"),
]
CUSTOMERS = [dict(customer_id=c, segment="S1" if c in "PQ" else "S2") for c in "PQRSTUV"]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    from loyalty.db import connect

    ws = make_workspace(tmp_path_factory.mktemp("abc_ws"), transactions=TRANSACTIONS, customers=CUSTOMERS)
    connection = connect(ws.snapshot())
    yield connection
    connection.close()


def run(con, name, settings=AbcSettings(), filters=Q1, abc_class=""):
    return queries.run(con, name, **settings.params(filters, abc_class))


def test_classes_by_revenue_follow_the_before_share_rule(con):
    customers = run(con, "abc_customers").set_index("customer_id")
    assert customers["abc_class"].to_dict() == {"P": "A", "Q": "A", "R": "B", "S": "B", "T": "C", "U": "C"}
    assert customers["share_before"].loc[list("PQRST")].tolist() == pytest.approx([0, 0.5, 0.8, 0.9, 0.96])
    assert customers["value_rank"].loc[list("PQRSTU")].tolist() == [1, 2, 3, 4, 5, 6]
    assert customers.loc["P", "avg_order_value"] == pytest.approx(25.0)  # 50 / 2 orders


def test_class_table_by_revenue(con):
    table = run(con, "abc_classes")
    overall = table[~table["by_segment"]].set_index("abc_class")
    # A = P, Q: 80 revenue, 3 orders, P repeats; B = R, S: 16; C = T, U: 4 - 5 = -1; total 95
    assert overall["customers"].tolist() == [2, 2, 2]
    assert overall["revenue"].tolist() == pytest.approx([80.0, 16.0, -1.0])
    assert overall["revenue_share"].tolist() == pytest.approx([80 / 95, 16 / 95, -1 / 95])
    assert overall["customer_share"].tolist() == pytest.approx([1 / 3] * 3)
    assert overall["orders"].tolist() == [3, 2, 2]
    assert overall["avg_order_value"].tolist() == pytest.approx([80 / 3, 8.0, -0.5])
    assert overall["repeat_rate"].tolist() == pytest.approx([0.5, 0.0, 0.0])
    assert overall["margin"].tolist() == pytest.approx([28.0, 4.0, 2.0])  # 16+12, 1+3, 4-2


def test_class_table_by_segment(con):
    table = run(con, "abc_classes")
    seg = table[table["by_segment"]].set_index(["segment", "abc_class"])
    assert seg.loc[("S1", "A"), "customers"] == 2 and seg.loc[("S1", "A"), "customer_share"] == pytest.approx(1.0)
    # S2: R, S in B (16), T, U in C (-1); segment revenue 15
    assert seg.loc[("S2", "B"), "revenue"] == pytest.approx(16.0)
    assert seg.loc[("S2", "B"), "revenue_share"] == pytest.approx(16 / 15)
    assert seg.loc[("S2", "C"), "customer_share"] == pytest.approx(0.5)
    assert ("S2", "A") not in seg.index


def test_classes_by_margin(con):
    # margin: P 16, Q 12, T 4, S 3, R 1 (positive total 36), U -2
    # before: P 0, Q 16/36 = .444, T 28/36 = .778, S 32/36 = .889, R 35/36 = .972 -> A A A B C; U -> C
    customers = run(con, "abc_customers", AbcSettings(by="margin")).set_index("customer_id")
    assert customers["abc_class"].to_dict() == {"P": "A", "Q": "A", "T": "A", "S": "B", "R": "C", "U": "C"}
    overall = run(con, "abc_classes", AbcSettings(by="margin")).query("not by_segment").set_index("abc_class")
    assert overall["value"].tolist() == pytest.approx([32.0, 3.0, -1.0])
    assert overall["value_share"].tolist() == pytest.approx([32 / 34, 3 / 34, -1 / 34])
    assert overall["revenue"].tolist() == pytest.approx([84.0, 6.0, 5.0])  # P+Q+T, S, R+U


def test_adjusted_bounds_and_class_filter(con):
    # a_bound .5: Q (before .5) is no longer below it -> B; b_bound .85: S (before .9) -> C
    settings = AbcSettings(a_bound=0.5, b_bound=0.85)
    customers = run(con, "abc_customers", settings).set_index("customer_id")
    assert customers["abc_class"].to_dict() == {"P": "A", "Q": "B", "R": "B", "S": "C", "T": "C", "U": "C"}
    only_b = run(con, "abc_customers", settings, abc_class="B")
    assert only_b["customer_id"].tolist() == ["Q", "R"]


def test_equal_values_fall_into_the_same_class(tmp_path):
    from loyalty.db import connect

    # X 40, Y 40, Z 20: both 40s have 0 before them (ties share it); Z has .8 -> with A bound .3: A, A, B
    ws = make_workspace(tmp_path, transactions=[order("X", "2026-01-02", 40.0, 1.0, "x"),
                                                order("Y", "2026-01-03", 40.0, 1.0, "y"),
                                                order("Z", "2026-01-04", 20.0, 1.0, "z")])
    con = connect(ws.snapshot())
    customers = run(con, "abc_customers", AbcSettings(a_bound=0.3)).set_index("customer_id")
    assert customers["abc_class"].to_dict() == {"X": "A", "Y": "A", "Z": "B"}
    assert customers["share_before"].tolist() == pytest.approx([0.0, 0.0, 0.8])
    assert customers["value_rank"].to_dict() == {"X": 1, "Y": 2, "Z": 3}  # ties in customer_id order
    # one class listed: its ranks continue after the classes above it
    only_b = run(con, "abc_customers", AbcSettings(a_bound=0.3), abc_class="B")
    assert only_b[["customer_id", "value_rank"]].values.tolist() == [["Z", 3]]


def test_missing_margin_is_counted_and_all_customers_are_c(tmp_path):
    from loyalty.db import connect

    ws = make_workspace(tmp_path, transactions=[dict(customer_id="X", order_date=d("2026-01-02"), revenue=10.0)])
    con = connect(ws.snapshot())
    overall = run(con, "abc_classes", AbcSettings(by="margin")).query("not by_segment").set_index("abc_class")
    assert overall["customers"].tolist() == [0, 0, 1]
    assert overall["orders_without_margin"].sum() == 1


def test_pareto_curve_points(con):
    curve = run(con, "abc_pareto")
    # every rank is a point (6 customers < 200) plus the origin
    assert curve["customer_share"].tolist() == pytest.approx([0, 1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1])
    assert curve["value_share"].tolist() == pytest.approx([0, 0.5, 0.8, 0.9, 0.96, 1.0, 1.0])
    assert curve["abc_class"].tolist() == ["A", "A", "A", "B", "B", "C", "C"]


def test_pareto_curve_of_many_customers_with_a_tie_over_several_points(tmp_path):
    from loyalty.db import connect

    # 400 customers: K000 300, K001 .. K399 1 each (one tie of 399); positive total 699. Every 400 // 200
    # = 2nd rank is a point. A bound .4: K000 (before 0) is A, the tie (before 300 / 699 = .43) is B.
    # Points: origin, rank 1 (last of A), ranks 2, 4, .., 400 (inside the tie: 300 + (rank - 1)) / 699.
    transactions = [order("K000", "2026-01-02", 300.0, 1.0, "k000")]
    transactions += [order(f"K{i:03d}", "2026-01-03", 1.0, 1.0, f"k{i:03d}") for i in range(1, 400)]
    ws = make_workspace(tmp_path, transactions=transactions)
    con = connect(ws.snapshot())
    curve = run(con, "abc_pareto", AbcSettings(a_bound=0.4))
    ranks = [0, 1, *range(2, 401, 2)]
    assert curve["value_rank"].tolist() == ranks
    assert curve["customer_share"].tolist() == pytest.approx([r / 400 for r in ranks])
    assert curve["value_share"].tolist() == pytest.approx([0, 300 / 699, *((300 + r - 1) / 699 for r in ranks[2:])])
    assert curve["abc_class"].tolist() == ["A", "A", *["B"] * 200]
    customers = run(con, "abc_customers", AbcSettings(a_bound=0.4), abc_class="B")
    assert customers["value_rank"].tolist() == list(range(2, 401))
    assert customers["customer_id"].tolist() == [f"K{i:03d}" for i in range(1, 400)]


def test_empty_period_gives_zero_classes_and_no_curve(con):
    empty = Filters(d("2020-01-01"), d("2020-12-31"))
    overall = run(con, "abc_classes", filters=empty)
    assert overall["customers"].tolist() == [0, 0, 0]
    assert run(con, "abc_pareto", filters=empty).empty


def test_classification_block_is_identical_in_every_abc_query():
    blocks = {}
    for path in sorted((ROOT / "queries").glob("abc_*.sql")):
        text = path.read_text(encoding="utf-8")
        start, end = text.index("-- >>> abc classification"), text.index("-- <<< abc classification")
        blocks[path.name] = text[start:end]
    assert len(blocks) >= 3 and len(set(blocks.values())) == 1, list(blocks)
