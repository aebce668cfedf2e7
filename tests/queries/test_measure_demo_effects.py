"""The measure statistics recover the effects built into the demo data (loyalty/demo.py docstring,
BUILT_IN_EFFECTS): M01 +40 % for everybody, M02 none, M03 only Stammkunden, M04 without control group
(pre/post), M05 during its four weeks only."""

import pytest

from loyalty import demo, queries, uplift
from loyalty.db import connect
from loyalty.store import Workspace

PARAMS = {"margin_rate": 0.3, "min_matches": uplift.MIN_STRATUM_MATCHES,
          "class_a_share": uplift.ABC_BOUNDS[0], "class_b_share": uplift.ABC_BOUNDS[1]}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    ws = Workspace(tmp_path_factory.mktemp("demo_effects"))
    demo.generate(ws, customers=5000, seed=42)
    connection = connect(ws.snapshot())
    yield connection
    connection.close()


def uplifts(con, follow_up_days):
    stats = queries.run(con, "measure_group_stats", follow_up_days=follow_up_days, **PARAMS)
    return uplift.uplift_table(stats).set_index(["measure_id", "kpi"])


def test_built_in_effects_are_the_documented_ones():
    assert demo.BUILT_IN_EFFECTS["M02"] == {s: 0.0 for s in demo.SEGMENTS}
    assert demo.BUILT_IN_EFFECTS["M03"]["Stammkunden"] > 0 and demo.BUILT_IN_EFFECTS["M03"]["Privatkunden"] == 0


def test_null_effect_newsletter_has_intervals_around_zero(con):
    u = uplifts(con, 90)
    for kpi in uplift.OUTCOME_KPIS:
        row = u.loc[("M02", kpi)]
        assert row["ci_low"] < 0 < row["ci_high"], kpi


def test_bonus_program_raises_purchases(con):
    row = uplifts(con, 90).loc[("M01", "orders_per_customer")]
    assert row["ci_low"] > 0
    assert 0.2 < row["relative_uplift"] < 0.7  # built in: +40 % purchase rate


def test_event_works_for_stammkunden_only(con):
    stats = queries.run(con, "measure_potential", follow_up_days=90, measure_id="M03", **PARAMS)
    table = uplift.uplift_table(stats[stats["measure_id"] == "M03"], ["measure_id", "dimension", "value"])
    seg = table[(table["dimension"] == "segment") & (table["kpi"] == "orders_per_customer")].set_index("value")
    assert seg.loc["Stammkunden", "ci_low"] > 0
    # the largest relative uplift is the Stammkunden's (a single other segment may by chance exclude 0 too)
    assert seg["relative_uplift"].idxmax() == "Stammkunden"


def test_discount_works_during_the_campaign(con):
    assert uplifts(con, 0).loc[("M05", "orders_per_customer"), "ci_low"] > 0


def test_service_upgrade_has_no_control_group_and_a_positive_pre_post_effect(con):
    assert uplifts(con, 90).loc[("M04", "orders_per_customer"), "control_n"] == 0
    did = uplift.stratified_did(queries.run(con, "measure_prepost", follow_up_days=90, **PARAMS)).set_index("kpi")
    assert did.loc["orders_per_customer", "effect"] > 0
