"""queries/measure_potential.sql (uplift by segment, region, value class) and measure_rollout_base.sql on
the hand-made measures fixture."""

import pandas as pd
import pytest

from loyalty import queries, uplift
from loyalty.db import connect
from tests.queries import measures_fixture

SAMPLE_PARAMS = {"measure_potential": {"follow_up_days": 90, "margin_rate": 0.3, "class_a_share": 0.8,
                                       "class_b_share": 0.95, "measure_id": None}}
PARAMS = {"follow_up_days": 0, "margin_rate": 0.5, "class_a_share": 0.8, "class_b_share": 0.95, "measure_id": None}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = connect(measures_fixture.build(tmp_path_factory.mktemp("potential_ws")).snapshot())
    yield connection
    connection.close()


def potential(con, **overrides):
    df = queries.run(con, "measure_potential", **{**PARAMS, **overrides})
    return df[df["measure_id"] == "MA"]


def test_value_classes_abc_with_the_crossing_customer_in_the_upper_class(con):
    df = potential(con)
    classes = df[(df["dimension"] == "value_class") & (df["kpi"] == "orders_per_customer")]
    got = {(r.value, r.assigned_group): r.n for r in classes.itertuples()}
    # revenue in the 12 months before 2026-01-01: T1 80, J1 60 (2025-04/05), C1 20 -> total 160.
    # share before: T1 0 -> A, J1 80/160 = 50 % -> A (J1 crosses 80 % and stays A), C1 140/160 = 87.5 % -> B;
    # T2, T3, C2 without revenue -> C
    assert got == {("A", "treatment"): 1, ("B", "control"): 1, ("C", "treatment"): 2, ("C", "control"): 1}
    # the bounds are parameters: with B below 85 % C1 (87.5 %) is C, with A below 90 % it is A
    for overrides, expected in (({"class_b_share": 0.85}, {"C"}), ({"class_a_share": 0.9}, {"A", "C"})):
        df = potential(con, **overrides)
        classes = df[(df["dimension"] == "value_class") & (df["kpi"] == "orders_per_customer")
                     & (df["assigned_group"] == "control")]
        assert set(classes["value"]) == expected  # C2 stays C


def test_uplift_by_segment(con):
    u = uplift.uplift_table(potential(con), ["measure_id", "dimension", "value"])
    seg = u[(u["dimension"] == "segment") & (u["kpi"] == "orders_per_customer")].set_index("value")
    # S1: treatment T1 (2 orders), T2 (1) -> 1.5; control C1 (1) -> uplift 0.5, no interval with n = 1
    assert seg.loc["S1", "uplift"] == pytest.approx(0.5)
    assert seg.loc["S1", "ci_low"] != seg.loc["S1", "ci_low"]  # NaN: one control customer has no variance
    # S2: T3 0 orders, C2 0 orders -> uplift 0
    assert seg.loc["S2", "uplift"] == 0
    region = u[(u["dimension"] == "region") & (u["kpi"] == "revenue_per_customer")].set_index("value")
    # Nord: T1 150, T3 0 -> 75; C1 30 -> 45
    assert region.loc["Nord", "uplift"] == pytest.approx(45.0)


def test_rollout_base_counts_active_customers_per_segment(con):
    base = queries.run(con, "measure_rollout_base").set_index("segment")
    # orders after 2025-03-31 (365 days before the last data day 2026-03-31): S1 T1 T2 C1 Z1-4 P1 N1 = 9;
    # S2: J1 (2025-04-01, 2025-05-01) and X -> 2 (J2, T3, C2 have none)
    assert base.loc["S1", "active_customers"] == 9
    assert base.loc["S2", "active_customers"] == 2
    assert base.loc["S2", "customers"] == 5  # T3, C2, J1, J2, X


def test_rollout_what_if_by_hand():
    result = uplift.rollout(uplift=10.0, ci_low=-2.0, ci_high=22.0, customers=100, fixed_cost=200.0,
                            cost_per_participant=3.0)
    assert result["cost"] == 500.0  # 200 + 3 x 100
    assert result["incremental_margin"] == 1000.0  # 10 x 100
    assert (result["incremental_margin_low"], result["incremental_margin_high"]) == (-200.0, 2200.0)
    assert result["roi"] == pytest.approx(1.0)  # (1000 - 500) / 500
    assert (result["roi_low"], result["roi_high"]) == pytest.approx((-1.4, 3.4))
    assert result["break_even_uplift"] == 5.0


def test_value_class_bounds_inside_a_level_of_equal_revenue(tmp_path):
    """Customers with the same revenue are ranked by customer_id, so a class bound can fall between two of
    them: the cumulative share before each one decides its class, not the revenue alone."""
    from tests.conftest import d, make_workspace

    # revenue in the 12 months before 2026-01-01: U 100, V0..V9 10 each -> total 200. Share before:
    # U 0; V<j> (100 + 10 j) / 200 = 50 % + 5 % j -> A below 80 % (V0-V5), B below 90 % (V6 80 %, V7 85 %),
    # C from 90 % (V8, V9). Rows in reverse id order: the rank must come from customer_id, not the file.
    names = ["U"] + [f"V{j}" for j in range(10)]
    transactions = [dict(customer_id=name, order_date=d("2025-06-01"), revenue=100.0 if name == "U" else 10.0,
                         order_id=f"o-{name}") for name in reversed(names)]
    transactions.append(dict(customer_id="U", order_date=d("2026-01-10"), revenue=1.0, order_id="late"))
    ws = make_workspace(
        tmp_path, transactions=transactions,
        customers=[dict(customer_id=name, segment="S1") for name in names],
        measures=[dict(measure_id="MT", name="Tie", instrument="newsletter", start_date=d("2026-01-01"),
                       end_date=d("2026-01-31"))],
        measure_participants=[dict(measure_id="MT", customer_id=c, group=g, assigned_date=None)
                              for c, g in (("V5", "treatment"), ("V6", "treatment"), ("V8", "treatment"),
                                           ("V7", "control"), ("V9", "control"))])
    connection = connect(ws.snapshot())
    try:
        df = queries.run(connection, "measure_potential", **{**PARAMS, "class_b_share": 0.9})
    finally:
        connection.close()
    classes = df[(df["dimension"] == "value_class") & (df["kpi"] == "orders_per_customer")]
    got = {(r.value, r.assigned_group): r.n for r in classes.itertuples()}
    assert got == {("A", "treatment"): 1, ("B", "treatment"): 1, ("C", "treatment"): 1,
                   ("B", "control"): 1, ("C", "control"): 1}


def test_one_measure_gives_the_rows_of_that_measure_among_all(con):
    every = queries.run(con, "measure_potential", **PARAMS)
    assert every["measure_id"].nunique() > 1
    for measure_id in every["measure_id"].unique():
        one = queries.run(con, "measure_potential", **{**PARAMS, "measure_id": measure_id})
        assert set(one["measure_id"]) == {measure_id}
        pd.testing.assert_frame_equal(one.reset_index(drop=True),
                                      every[every["measure_id"] == measure_id].reset_index(drop=True))
    assert queries.run(con, "measure_potential", **{**PARAMS, "measure_id": "no such measure"}).empty
