"""loyalty/stats.py: NPS interval, Wilson interval and the significance of a change, against values
computed by hand (step by step in the comments)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from loyalty import stats


def test_z_value():
    assert stats.z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert stats.z_value(0.90) == pytest.approx(1.644854, abs=1e-6)
    with pytest.raises(ValueError):
        stats.z_value(1.0)


def test_nps_interval_by_hand():
    # 2 promoters, 2 passives, 3 detractors of 7: NPS = 100 * (2 - 3) / 7 = -14.2857
    # variance of p_P - p_D = (2/7 + 3/7 - (1/7)^2) / 7 = (0.714286 - 0.020408) / 7 = 0.099125
    # se = 100 * sqrt(0.099125) = 31.4841; half width = 1.959964 * 31.4841 = 61.7077
    nps, low, high = stats.nps_interval(2, 3, 7)
    assert nps == pytest.approx(-14.285714, abs=1e-5)
    assert stats.nps_standard_error(2, 3, 7) == pytest.approx(31.4841, abs=1e-4)
    assert low == pytest.approx(-14.285714 - 61.7077, abs=1e-3)
    assert high == pytest.approx(-14.285714 + 61.7077, abs=1e-3)


def test_nps_interval_larger_sample_and_clipping():
    # 50 promoters, 30 passives, 20 detractors of 100: NPS 30;
    # var = (0.5 + 0.2 - 0.3^2) / 100 = 0.0061; se = 7.8102 points; CI 30 +- 15.3078
    nps, low, high = stats.nps_interval(50, 20, 100)
    assert (nps, low, high) == pytest.approx((30.0, 14.6922, 45.3078), abs=1e-3)
    # all 3 are promoters: se 0, interval collapses to 100 (no spread in the sample)
    assert stats.nps_interval(3, 0, 3) == pytest.approx((100.0, 100.0, 100.0))
    # 2 promoters, 1 detractor: NPS 33.3, var = (1 - 1/9) / 3 = 0.296296, se 54.43 -> high clipped to 100
    nps, low, high = stats.nps_interval(2, 1, 3)
    assert high == 100.0 and low == pytest.approx(33.3333 - 1.959964 * 54.4331, abs=1e-3)


def test_nps_vectorised_and_undefined_without_answers():
    nps, low, high = stats.nps_interval(np.array([2, 0]), np.array([3, 0]), np.array([7, 0]))
    assert nps[0] == pytest.approx(-14.285714, abs=1e-5)
    assert math.isnan(nps[1]) and math.isnan(low[1]) and math.isnan(high[1])
    assert math.isnan(stats.nps_score(0, 0, 0))


def test_wilson_interval_by_hand():
    # 4 of 7: p = 0.571429, z^2 = 3.841459; denominator 1 + 3.841459 / 7 = 1.548780
    # centre = (0.571429 + 3.841459 / 14) / 1.548780 = (0.571429 + 0.274390) / 1.548780 = 0.546117
    # half = 1.959964 * sqrt(0.571429 * 0.428571 / 7 + 3.841459 / 196) / 1.548780
    #      = 1.959964 * sqrt(0.034985 + 0.019599) / 1.548780 = 1.959964 * 0.233633 / 1.548780 = 0.295659
    share, low, high = stats.wilson_interval(4, 7)
    assert share == pytest.approx(4 / 7)
    assert low == pytest.approx(0.546117 - 0.295659, abs=1e-5)
    assert high == pytest.approx(0.546117 + 0.295659, abs=1e-5)


def test_wilson_interval_edges():
    # 0 of 10: low 0, high = z^2/n / (1 + z^2/n) = 0.384146 / 1.384146 = 0.277530
    share, low, high = stats.wilson_interval(0, 10)
    assert (share, low) == (0.0, 0.0) and high == pytest.approx(0.277530, abs=1e-5)
    share, low, high = stats.wilson_interval(10, 10)
    assert share == 1.0 and high == pytest.approx(1.0) and low == pytest.approx(1 - 0.277530, abs=1e-5)
    assert all(math.isnan(v) for v in stats.wilson_interval(0, 0))


def test_difference_test_by_hand():
    # before 30 (se 5), after 45 (se 5): difference 15, se = sqrt(50) = 7.0711, z = 2.1213, p = 0.0339
    result = stats.difference_test(30, 5, 45, 5)
    assert result.difference == 15
    assert result.standard_error == pytest.approx(7.0711, abs=1e-4)
    assert result.z == pytest.approx(2.1213, abs=1e-4)
    assert result.p_value == pytest.approx(0.0339, abs=1e-4)
    assert result.significant is True
    # a change of 10 with the same spread: z = 1.4142, p = 0.1573 -> not significant
    assert stats.difference_test(30, 5, 40, 5).significant is False


def test_nps_change_test_overlapping_intervals_can_still_be_significant():
    # before: 40 P, 30 Pa, 30 D of 100 -> NPS 10, var (0.7 - 0.01)/100 = 0.0069, se 8.3066
    # after: 55 P, 30 Pa, 15 D of 100 -> NPS 40, var (0.7 - 0.16)/100 = 0.0054, se 7.3485
    # difference 30, se = sqrt(69 + 54) = 11.0905, z = 2.7050, p = 0.0068: significant, although
    # the intervals [-6.3, 26.3] and [25.6, 54.4] overlap
    result = stats.nps_change_test((40, 30, 100), (55, 15, 100))
    assert result.difference == pytest.approx(30.0)
    assert result.standard_error == pytest.approx(11.0905, abs=1e-4)
    assert result.z == pytest.approx(2.7050, abs=1e-4)
    assert result.significant is True
    _, _, high_before = stats.nps_interval(40, 30, 100)
    _, low_after, _ = stats.nps_interval(55, 15, 100)
    assert high_before == pytest.approx(26.2808, abs=1e-3) and low_after == pytest.approx(25.5971, abs=1e-3)
    assert high_before > low_after  # the intervals overlap


def test_share_change_test_by_hand():
    # 30 of 100 -> 45 of 100: se = sqrt(0.3*0.7/100 + 0.45*0.55/100) = sqrt(0.0021 + 0.002475) = 0.067639
    # z = 0.15 / 0.067639 = 2.2177 -> significant
    result = stats.share_change_test((30, 100), (45, 100))
    assert result.difference == pytest.approx(0.15)
    assert result.z == pytest.approx(2.2177, abs=1e-4)
    assert result.significant is True


def test_difference_test_degenerate_cases():
    assert stats.difference_test(50, 0, 50, 0).significant is False  # no change, no spread
    assert stats.difference_test(-100, 0, 100, 0).significant is True  # opposite certainties
    nan_result = stats.difference_test(float("nan"), 1, 10, 1)
    assert nan_result.significant is False and math.isnan(nan_result.p_value)
    vector = stats.difference_test(np.array([30, 30]), np.array([5, 5]), np.array([45, 40]), np.array([5, 5]))
    assert vector.significant.tolist() == [True, False]


# --- the satisfaction page's tables built on these functions (components/satisfaction_charts.py) ----------

def _counts():
    import pandas as pd

    # A: 20 P, 10 Pa, 10 D of 40 -> NPS 25; B: 9 P, 1 Pa of 10 -> NPS 90 (too few answers);
    # C: 10 P, 20 Pa, 20 D of 50 -> NPS -20
    return pd.DataFrame({"grp": ["A", "B", "C"], "period": [None] * 3, "n": [40, 10, 50],
                         "promoters": [20, 9, 10], "passives": [10, 1, 20], "detractors": [10, 0, 20]})


def test_nps_frame_ranks_only_groups_with_enough_answers():
    from components.satisfaction_charts import nps_frame, ranked_order

    df = nps_frame(_counts(), min_n=30).set_index("grp")
    assert df["nps"].tolist() == pytest.approx([25.0, 90.0, -20.0])
    assert df["enough"].tolist() == [True, False, True]
    assert df.loc["A", "rank"] == 1 and df.loc["C", "rank"] == 2 and df["rank"].isna().tolist() == [False, True, False]
    assert df.loc["A", "promoter_share"] == pytest.approx(0.5)
    # B has the best NPS but too few answers: listed last, not first
    assert ranked_order(df.reset_index(), "nps")["grp"].tolist() == ["A", "C", "B"]
    # A: var = (0.5 + 0.25 - 0.0625) / 40 = 0.0171875, se 13.1101 -> 25 +- 25.6956
    assert df.loc["A", "ci_low"] == pytest.approx(25 - 25.6956, abs=1e-3)


def test_csat_frame_adds_wilson_interval_and_rank_by_mean():
    import pandas as pd

    from components.satisfaction_charts import csat_frame

    counts = pd.DataFrame({"grp": ["X", "Y"], "period": [None, None], "n": [7, 40], "csat_sum": [23, 160],
                           "csat_mean": [23 / 7, 4.0], "top2": [4, 30]})
    df = csat_frame(counts, min_n=30).set_index("grp")
    share, low, high = stats.wilson_interval(4, 7)
    assert (df.loc["X", "top2_share"], df.loc["X", "top2_low"], df.loc["X", "top2_high"]) == \
        pytest.approx((share, low, high))
    assert df.loc["Y", "rank"] == 1 and pd.isna(df.loc["X", "rank"])


def test_nps_changes_judge_only_periods_with_enough_answers():
    import pandas as pd

    from components.satisfaction_charts import nps_changes, nps_frame

    counts = pd.DataFrame({"grp": ["2026-01", "2026-02", "2026-03", "2026-04"], "period": [None] * 4,
                           "n": [100, 100, 10, 100], "promoters": [40, 55, 9, 55], "passives": [30, 30, 1, 30],
                           "detractors": [30, 15, 0, 15]})
    df = nps_changes(nps_frame(counts, 30), min_n=30)
    # Jan -> Feb: NPS 10 -> 40, z 2.705 (test above): significant; Feb -> Mar: only 10 answers in March;
    # Mar -> Apr: March still too small; the first period has nothing to compare with
    assert df["change"].iloc[1] == pytest.approx(30.0)
    assert df["judged"].tolist() == [False, True, False, False]
    assert df["significant"].tolist() == [False, True, False, False]


def test_period_change_without_comparison_or_with_too_few_answers():
    from components.satisfaction_charts import period_change

    assert period_change((55, 15, 100), None, 30) is None
    change = period_change((55, 15, 100), (40, 30, 100), 30)
    assert change["judged"] and change["significant"] and change["difference"] == pytest.approx(30.0)
    small = period_change((9, 0, 10), (40, 30, 100), 30)
    assert small["judged"] is False and small["significant"] is False
    share = period_change((45, 100), (30, 100), 30, kind="share")
    assert share["significant"] and share["difference"] == pytest.approx(0.15)


def test_nps_chart_greys_small_groups_and_labels_axes():
    from components.charts import GREY
    from components.satisfaction_charts import nps_by_group_chart, nps_frame, nps_shares_chart

    df = nps_frame(_counts(), min_n=30)
    fig = nps_by_group_chart(df, "en", "Touchpoint")
    bar = fig.data[0]
    # drawn bottom-up: B (too few, grey) at the bottom, then C, then A on top
    assert list(bar.y) == ["B (n=10)", "C (n=50)", "A (n=40)"]
    assert list(bar.marker.color)[0] == GREY
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text == "Touchpoint"
    shares = nps_shares_chart(df, "de", "Kontaktpunkt")
    assert [t.name for t in shares.data] == ["Promotoren (9–10)", "Passive (7–8)", "Detraktoren (0–6)"]
    assert shares.layout.xaxis.title.text == "Anteil der Antworten"


def test_trend_chart_marks_significant_changes_and_small_periods():
    import pandas as pd

    from components.satisfaction_charts import nps_changes, nps_frame, nps_trend_chart

    counts = pd.DataFrame({"grp": ["2026-01", "2026-02", "2026-03"], "period": [None] * 3, "n": [100, 100, 10],
                           "promoters": [40, 55, 9], "passives": [30, 30, 1], "detractors": [30, 15, 0]})
    fig = nps_trend_chart(nps_changes(nps_frame(counts, 30), 30), "en", "Month")
    names = {trace.name: trace for trace in fig.data if trace.name}
    assert list(names["significant change"].x) == ["2026-02"]  # Jan -> Feb, z 2.705
    assert list(names["too few answers"].x) == ["2026-03"]
    assert fig.layout.xaxis.title.text == "Month" and fig.layout.yaxis.title.text.startswith("NPS")
