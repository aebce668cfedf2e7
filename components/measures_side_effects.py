"""Measures page, tab Side effects: not every customer wants to be bound. For the selected measure and
each segment: did the treatment raise complaints, newsletter opt-outs or churn against the control group?"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import data
from components.context import PageContext
from components.measures_charts import forest_chart
from components.measures_common import Evaluation, require_measures
from components.ui import chart, explain, table
from loyalty import i18n, uplift

EFFECTS = ("complaints", "opt_out", "churn")


def side_effect_table(ev: Evaluation) -> pd.DataFrame:
    """Treatment - control share per (segment, effect) with Newcombe intervals; segment '' = all."""
    raw = data.query("measure_side_effects", **ev.params)
    raw = raw[(raw["measure_id"] == ev.measure_id) & (raw["n"] > 0)].copy()
    if raw.empty:
        return pd.DataFrame()
    raw["segment"] = raw["segment"].where(raw["is_total"] == 0, "")
    raw["segment"] = raw["segment"].fillna("–")
    raw["mean"] = raw["events"] / raw["n"]
    raw["variance"] = float("nan")  # rates: the interval comes from the counts (Newcombe)
    stats = raw.rename(columns={"effect": "kpi"})[["measure_id", "segment", "assigned_group", "kpi", "n", "mean",
                                                   "variance"]]
    return uplift.uplift_table(stats, ["measure_id", "segment"], rate_kpis=set(EFFECTS))


def render_side_effects(ctx: PageContext, ev: Evaluation) -> None:
    if not require_measures(ctx, ev):
        return
    effects = side_effect_table(ev)
    if effects.empty or (effects["control_n"] == 0).all():
        st.info(ctx.t("measures.side_effects_need_control"))
        return
    raised = effects[effects["ci_low"] > 0]
    if raised.empty:
        st.success(ctx.t("measures.side_effects_none"), icon=":material/check_circle:")
    else:
        items = ", ".join(f"{ctx.t(f'measures.effect.{r.kpi}')} ({r.segment or ctx.t('measures.all_segments')})"
                          for r in raised.itertuples())
        st.warning(ctx.t("measures.side_effects_raised", items=items), icon=":material/warning:")
    lang = ctx.lang
    for effect in EFFECTS:
        rows = effects[effects["kpi"] == effect].copy()
        if rows.empty or (rows["control_n"] == 0).all():
            continue
        rows["label"] = rows["segment"].replace({"": ctx.t("measures.all_segments")})
        st.subheader(ctx.t(f"measures.effect.{effect}"))
        chart(forest_chart(rows, lang, ctx.t("measures.axis_share_difference"), ctx.t("measures.dimension.segment"),
                           ".1%", muted=rows["ci_low"].isna()), key=f"measures_side_{effect}_chart")
        explain(ctx, f"measures.effect_explain.{effect}")
    shown = pd.DataFrame({
        "effect": [ctx.t(f"measures.effect.{k}") for k in effects["kpi"]],
        "group": effects["segment"].replace({"": ctx.t("measures.all_segments")}),
        "treatment": [i18n.fmt_percent(v, lang, 1) for v in effects["treatment_mean"]],
        "control": [i18n.fmt_percent(v, lang, 1) for v in effects["control_mean"]],
        "difference": [i18n.fmt_points(v, lang) for v in effects["uplift"]],
        "interval": ["–" if pd.isna(lo) else f"{i18n.fmt_points(lo, lang)} … {i18n.fmt_points(hi, lang)}"
                     for lo, hi in zip(effects["ci_low"], effects["ci_high"])],
        "treatment_n": effects["treatment_n"].astype(int),
        "control_n": effects["control_n"].astype(int),
    })
    table(shown, ctx, "measure_side_effects", {c: ctx.t(f"measures.col.{c}") for c in shown.columns},
          key="measures_side_effects_table")
