"""queries/measure_side_effects.sql: complaints, newsletter opt-outs and churn per measure, segment and
group on the hand-made measures fixture."""

import pytest

from loyalty import queries, uplift
from loyalty.db import connect
from tests.queries import measures_fixture


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = connect(measures_fixture.build(tmp_path_factory.mktemp("side_ws")).snapshot())
    yield connection
    connection.close()


def effects(con, follow_up_days):
    df = queries.run(con, "measure_side_effects", follow_up_days=follow_up_days, margin_rate=0.5)
    df = df[df["measure_id"] == "MA"]
    return {(None if r.is_total else r.segment, r.assigned_group, r.effect): (r.n, r.events)
            for r in df.itertuples()}


def test_complaints_and_opt_outs(con):
    e = effects(con, 0)
    # T1's complaint on 2026-01-10 is in the window; C1's inquiry is no complaint; C2's complaint is later
    assert e[None, "treatment", "complaints"] == (3, 1)
    assert e[None, "control", "complaints"] == (2, 0)
    assert e["S1", "treatment", "complaints"] == (2, 1)
    # opt-in: T1 false, T2 true, T3 unknown (not counted); C1 true, C2 false
    assert e[None, "treatment", "opt_out"] == (2, 1)
    assert e[None, "control", "opt_out"] == (2, 1)


def test_churn_needs_a_follow_up(con):
    e = effects(con, 0)
    assert e[None, "treatment", "churn"] == (0, 0)  # no days after the measure end
    e = effects(con, 30)
    # active before 2026-01-01: T1 (2025-12-20) and C1 (2025-12-15). After the end (02-01 .. 03-02):
    # T1 buys on 02-15, C1 does not -> treatment 0 of 1, control 1 of 1
    assert e[None, "treatment", "churn"] == (1, 0)
    assert e[None, "control", "churn"] == (1, 1)


def test_side_effect_differences_use_newcombe(con):
    df = queries.run(con, "measure_side_effects", follow_up_days=0, margin_rate=0.5)
    df = df[(df["measure_id"] == "MA") & (df["is_total"] == 1)].rename(columns={"events": "x"})
    df["mean"] = df["x"] / df["n"]
    df["variance"] = float("nan")
    table = uplift.uplift_table(df.rename(columns={"effect": "kpi"}), ["measure_id"], rate_kpis={"complaints"})
    row = table[table["kpi"] == "complaints"].iloc[0]
    diff, low, high = uplift.newcombe_ci(1, 3, 0, 2)  # 1/3 - 0/2
    assert (row["uplift"], row["ci_low"], row["ci_high"]) == pytest.approx((diff, low, high))
