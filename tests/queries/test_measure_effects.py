"""queries/measure_register.sql, measure_group_stats.sql (window statistics and weekly margins) and the
uplift/ROI/payback arithmetic on the hand-made measures fixture (tests/queries/measures_fixture.py)."""

import pytest

from loyalty import queries, uplift
from loyalty.db import connect
from tests.queries import measures_fixture

SAMPLE_PARAMS = {
    name: {"follow_up_days": 90, "margin_rate": 0.3}
    for name in ("measure_group_stats", "measure_side_effects")
}
NO_FOLLOW_UP = {"follow_up_days": 0, "margin_rate": 0.5}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = connect(measures_fixture.build(tmp_path_factory.mktemp("measures_ws")).snapshot())
    yield connection
    connection.close()


def stats_of(con, measure, **params):
    df = uplift.window_rows(queries.run(con, "measure_group_stats", **(params or NO_FOLLOW_UP)))
    df = df[df["measure_id"] == measure]
    return {(r.assigned_group, r.kpi): r for r in df.itertuples()}


def test_register_counts_participants_and_cost(con):
    reg = queries.run(con, "measure_register").set_index("measure_id")
    assert reg.loc["MA", ["participants", "control"]].tolist() == [3, 2]
    assert reg.loc["MA", "cost"] == 35 + 5 * 3  # fixed + per participant x treatment participants
    assert reg.loc["MP", ["participants", "control", "cost"]].tolist() == [1, 0, 12]


def test_group_stats_per_customer_in_the_window(con):
    s = stats_of(con, "MA")
    # window 2026-01-01 .. 01-31. orders: T1 2, T2 1, T3 0 -> mean 1, var ((1)² + 0 + (-1)²) / 2 = 1
    assert (s["treatment", "orders_per_customer"].n, s["treatment", "orders_per_customer"].mean) == (3, 1.0)
    assert s["treatment", "orders_per_customer"].variance == pytest.approx(1.0)
    # control: C1 1, C2 0 -> mean 0.5, var 0.5
    assert s["control", "orders_per_customer"].mean == 0.5 and s["control", "orders_per_customer"].variance == 0.5
    # revenue: T1 100 + 50, T2 60, T3 0 -> mean 70, var (80² + 10² + 70²) / 2 = 5700; control 30, 0
    assert s["treatment", "revenue_per_customer"].mean == pytest.approx(70.0)
    assert s["treatment", "revenue_per_customer"].variance == pytest.approx(5700.0)
    assert s["control", "revenue_per_customer"].mean == pytest.approx(15.0)
    # margin: T1 40 + 20, T2 has none: 60 x 0.5 = 30, T3 0 -> mean 30; control C1 12 -> mean 6
    assert s["treatment", "margin_per_customer"].mean == pytest.approx(30.0)
    assert s["control", "margin_per_customer"].mean == pytest.approx(6.0)
    # repeat purchase: only T1 has >= 2 orders -> 1/3; control 0
    assert s["treatment", "repeat_purchase_rate"].mean == pytest.approx(1 / 3)
    assert s["control", "repeat_purchase_rate"].mean == 0


def test_follow_up_extends_the_window(con):
    s = stats_of(con, "MA", follow_up_days=30, margin_rate=0.5)
    # window to 2026-03-02 takes in T1's order of 2026-02-15 (70, margin 28): T1 220 -> mean (220 + 60) / 3
    assert s["treatment", "revenue_per_customer"].mean == pytest.approx(280 / 3)
    assert s["treatment", "margin_per_customer"].mean == pytest.approx((88 + 30) / 3)


def test_margin_rate_only_fills_orders_without_margin(con):
    s = stats_of(con, "MA", follow_up_days=0, margin_rate=0.25)
    assert s["treatment", "margin_per_customer"].mean == pytest.approx((60 + 60 * 0.25) / 3)


def test_uplift_roi_and_break_even_by_hand(con):
    u = uplift.uplift_table(queries.run(con, "measure_group_stats", **NO_FOLLOW_UP)).set_index(["measure_id", "kpi"])
    assert u.loc[("MA", "orders_per_customer"), "uplift"] == pytest.approx(0.5)
    # Welch: se² = 1/3 + 0.5/2 = 7/12, df = (7/12)² / ((1/3)²/2 + (1/4)²/1) = 49/17, t(49/17) = 3.2572
    half = 3.257208 * (7 / 12) ** 0.5
    assert u.loc[("MA", "orders_per_customer"), "ci_low"] == pytest.approx(0.5 - half, abs=1e-5)
    assert u.loc[("MA", "orders_per_customer"), "ci_high"] == pytest.approx(0.5 + half, abs=1e-5)
    assert u.loc[("MA", "margin_per_customer"), "uplift"] == pytest.approx(24.0)  # 30 - 6
    assert u.loc[("MA", "repeat_purchase_rate"), "method"] == "newcombe"
    econ = uplift.economics(u.reset_index(), queries.run(con, "measure_register")).set_index("measure_id")
    ma = econ.loc["MA"]
    assert ma["incremental_margin"] == pytest.approx(72.0)  # 24 x 3 participants
    assert ma["incremental_revenue"] == pytest.approx(165.0)  # (70 - 15) x 3
    assert ma["cost"] == pytest.approx(50.0)  # 35 + 5 x 3
    assert ma["roi"] == pytest.approx((72 - 50) / 50)
    assert ma["break_even_uplift"] == pytest.approx(50 / 3)
    # the ROI interval is the margin interval mapped through (m - cost) / cost
    assert ma["roi_low"] == pytest.approx((ma["incremental_margin_low"] - 50) / 50)


def test_zero_effect_gives_an_interval_around_zero(con):
    u = uplift.uplift_table(queries.run(con, "measure_group_stats", **NO_FOLLOW_UP))
    mz = u[u["measure_id"] == "MZ"]
    # Z1/Z2 (1 and 3 orders) mirror Z3/Z4 (3 and 1): every KPI has uplift 0 and an interval around it
    assert (mz["uplift"].abs() < 1e-12).all()
    assert ((mz["ci_low"] < 0) & (mz["ci_high"] > 0)).all()


def test_no_control_group_gives_no_uplift(con):
    u = uplift.uplift_table(queries.run(con, "measure_group_stats", **NO_FOLLOW_UP))
    assert u[u["measure_id"] == "MP"]["uplift"].isna().all()


def test_weekly_margin_cumulative_and_payback(con):
    stats = queries.run(con, "measure_group_stats", **NO_FOLLOW_UP)
    weekly_rows = stats[stats["week"].notna() & (stats["measure_id"] == "MA")]
    # weekly rows: margin only, mean = the week's margin / group size, no variance
    assert set(weekly_rows["kpi"]) == {"margin_per_customer"} and weekly_rows["variance"].isna().all()
    assert (weekly_rows["mean"] * weekly_rows["n"]).tolist() == pytest.approx(weekly_rows["total"].tolist())
    weekly = uplift.weekly_margins(stats)
    ma = weekly[weekly["measure_id"] == "MA"].set_index(["assigned_group", "week"])["margin"]
    # T1 01-05 (week 0) 40, T2 01-08 (week 1) 30, T1 01-20 (week 2) 20; C1 01-12 (week 1) 12
    assert ma.to_dict() == {("control", 1): 12.0, ("treatment", 0): 40.0, ("treatment", 1): 30.0,
                            ("treatment", 2): 20.0}
    sizes = uplift.uplift_table(queries.run(con, "measure_group_stats", **NO_FOLLOW_UP))
    sizes = sizes[sizes["kpi"] == "margin_per_customer"][["measure_id", "treatment_n", "control_n"]]
    cum = uplift.cumulative_incremental_margin(weekly, sizes)
    # (cum_T / 3 - cum_C / 2) x 3: week 0: 40; week 1: 70 - 18 = 52; week 2: 90 - 18 = 72
    assert cum[cum["measure_id"] == "MA"]["incremental_margin"].tolist() == pytest.approx([40, 52, 72])
    import pandas as pd

    payback = uplift.payback_weeks(cum, pd.Series({"MA": 50.0, "MZ": 1.0}))
    assert payback["MA"] == 2  # 52 >= 50 in the second week
    assert pd.isna(payback["MZ"])  # no incremental margin: never pays back


def test_portfolio_side_by_side(con):
    params = {**NO_FOLLOW_UP, "min_matches": 1}
    table = uplift.portfolio_table(queries.run(con, "measure_register"),
                                   queries.run(con, "measure_group_stats", **params),
                                   queries.run(con, "measure_prepost", **params)).set_index("measure_id")
    assert table.loc["MA", "evidence"] == "control_group" and table.loc["MA", "payback_weeks"] == 2
    assert table.loc["MA", "roi"] == pytest.approx(0.44)
    assert table.loc["MZ", "incremental_margin"] == pytest.approx(0.0) and pd_isna(table.loc["MZ", "roi"])
    # MP has no control group: pre/post margin effect 12 per participant (see test_measure_prepost.py)
    assert table.loc["MP", "evidence"] == "pre_post"
    assert table.loc["MP", "incremental_margin"] == pytest.approx(12.0)
    assert table.loc["MP", "roi"] == pytest.approx((12 - 12) / 12)


def pd_isna(value) -> bool:
    return value != value


def test_measure_queries_share_one_window_definition():
    """The measure window CTE is the same text in every query that uses it (one definition)."""
    names = ["measure_group_stats", "measure_potential", "measure_side_effects"]
    blocks = []
    for name in names:
        sql = queries.load(name).sql
        # from the first CTE to the end of measure_windows (the window definition)
        blocks.append(sql[sql.index("with data_bounds as ("):sql.index("\n),\n", sql.index("measure_windows as ("))])
    assert all(b == blocks[0] for b in blocks)


def test_group_stats_of_a_single_participant_and_of_a_group_without_orders(tmp_path):
    """Participants without an order in the window count with 0: a group in which nobody bought has mean and
    variance 0; a group of one participant has no sample variance."""
    from tests.conftest import d, make_workspace

    ws = make_workspace(
        tmp_path,
        transactions=[dict(customer_id="A", order_date=d("2026-01-05"), revenue=30.0, margin=12.0),
                      dict(customer_id="A", order_date=d("2026-01-09"), revenue=10.0, margin=None),
                      dict(customer_id="B", order_date=d("2025-12-01"), revenue=20.0, margin=8.0),  # before
                      dict(customer_id="X", order_date=d("2026-02-28"), revenue=1.0, margin=None)],  # data end
        customers=[dict(customer_id=c, segment="S1") for c in "ABCX"],
        measures=[dict(measure_id="M", name="M", instrument="newsletter", start_date=d("2026-01-01"),
                       end_date=d("2026-01-31"))],
        measure_participants=[dict(measure_id="M", customer_id="A", group="treatment", assigned_date=None),
                              dict(measure_id="M", customer_id="B", group="control", assigned_date=None),
                              dict(measure_id="M", customer_id="C", group="control", assigned_date=None)])
    connection = connect(ws.snapshot())
    try:
        df = uplift.window_rows(queries.run(connection, "measure_group_stats", **NO_FOLLOW_UP))
    finally:
        connection.close()
    s = {(r.assigned_group, r.kpi): r for r in df.itertuples()}
    # A: 2 orders, revenue 40, margin 12 + 10 x 0.5 = 17, repeat 1; one participant: no variance
    a = [s["treatment", k] for k in ("orders_per_customer", "revenue_per_customer", "margin_per_customer",
                                      "repeat_purchase_rate")]
    assert [(r.n, r.mean) for r in a] == [(1, 2.0), (1, 40.0), (1, 17.0), (1, 1.0)]
    assert all(r.variance != r.variance for r in a)  # NaN
    # B (order before the window) and C: nothing in the window
    for kpi in ("orders_per_customer", "revenue_per_customer", "margin_per_customer", "repeat_purchase_rate"):
        assert (s["control", kpi].n, s["control", kpi].mean, s["control", kpi].variance) == (2, 0.0, 0.0)
