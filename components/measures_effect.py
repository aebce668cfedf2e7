"""Measures page, tab Effect of a measure: treatment vs control over the measure window (uplift with 95 %
interval per KPI, incremental margin, cost, ROI, break-even, payback); without a control group the
weaker pre/post comparison against matched non-participants."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import data
from components.context import PageContext
from components.measures_charts import before_after_chart, cumulative_chart, group_means_chart
from components.measures_common import (
    TICKFORMATS,
    Evaluation,
    fmt_diff,
    fmt_interval,
    fmt_value,
    group_stats,
    kpi_label,
    kpi_unit,
    measure_economics,
    require_measures,
    uplifts,
    verdict,
)
from components.ui import chart, explain, table
from loyalty import i18n, uplift


def render_effect(ctx: PageContext, ev: Evaluation) -> None:
    if not require_measures(ctx, ev):
        return
    measure = ev.measure
    rows = uplifts(ev)
    rows = rows[rows["measure_id"] == ev.measure_id].set_index("kpi").reindex(list(uplift.OUTCOME_KPIS))
    _window_caption(ctx, ev, measure, rows)
    if rows["treatment_n"].fillna(0).iloc[0] == 0:
        st.info(ctx.t("measures.no_participants_in_window"))
        return
    if rows["control_n"].fillna(0).iloc[0] == 0:
        st.warning(ctx.t("measures.no_control_group"), icon=":material/warning:")
        render_prepost(ctx, ev)
        return
    economics = measure_economics(ev)
    _economics_cards(ctx, economics)
    st.subheader(ctx.t("measures.effect_title"))
    means = rows.reset_index()
    units = {k: kpi_unit(ctx, k) for k in uplift.OUTCOME_KPIS}
    titles = {k: kpi_label(ctx, k) for k in uplift.OUTCOME_KPIS}
    chart(group_means_chart(means, ctx.lang, titles, units, (ctx.t("measures.treatment"), ctx.t("measures.control")),
                            ctx.t("measures.axis_group"), TICKFORMATS), key="measures_means_chart")
    explain(ctx, "measures.means_explain")
    _uplift_table(ctx, means)
    _cumulative(ctx, ev, economics)


def _window_caption(ctx: PageContext, ev: Evaluation, measure: pd.Series, rows: pd.DataFrame) -> None:
    start, end, window_end = ev.window(measure)
    lang = ctx.lang
    st.caption(ctx.t("measures.window_caption", start=i18n.fmt_date(start, lang), end=i18n.fmt_date(end, lang),
                     window_end=i18n.fmt_date(window_end, lang), days=ev.follow_up_days,
                     treatment=i18n.fmt_number(rows["treatment_n"].fillna(0).iloc[0], lang),
                     control=i18n.fmt_number(rows["control_n"].fillna(0).iloc[0], lang)))
    if window_end < end + pd.Timedelta(days=ev.follow_up_days):
        st.caption(ctx.t("measures.window_cut", date=i18n.fmt_date(ev.data_end, lang)))


def _economics_cards(ctx: PageContext, e: pd.Series) -> None:
    lang = ctx.lang
    cards = st.columns(4)
    cards[0].metric(ctx.t("measures.incremental_margin"), i18n.fmt_money(e["incremental_margin"], lang), border=True,
                    help=ctx.t("measures.incremental_margin_help"))
    cards[0].caption(ctx.t("measures.ci", low=i18n.fmt_money(e["incremental_margin_low"], lang),
                           high=i18n.fmt_money(e["incremental_margin_high"], lang)))
    cards[1].metric(ctx.t("measures.cost"), i18n.fmt_money(e["cost"], lang), border=True,
                    help=ctx.t("measures.cost_help"))
    cards[2].metric(ctx.t("measures.roi"), i18n.fmt_percent(e["roi"], lang, 0), border=True,
                    help=ctx.t("measures.roi_help"))
    cards[2].caption(ctx.t("measures.ci", low=i18n.fmt_percent(e["roi_low"], lang, 0),
                           high=i18n.fmt_percent(e["roi_high"], lang, 0)))
    cards[3].metric(ctx.t("measures.break_even"), i18n.fmt_money(e["break_even_uplift"], lang, 2), border=True,
                    help=ctx.t("measures.break_even_help"))
    cards[3].caption(ctx.t("measures.measured_uplift", value=i18n.fmt_money(e["margin_uplift"], lang, 2)))
    if pd.notna(e["margin_uplift_low"]) and e["margin_uplift_low"] > e["break_even_uplift"]:
        st.success(ctx.t("measures.pays_proven"), icon=":material/check_circle:")
    elif pd.notna(e["margin_uplift_high"]) and e["margin_uplift_high"] < e["break_even_uplift"]:
        st.error(ctx.t("measures.pays_not"), icon=":material/cancel:")
    else:
        st.info(ctx.t("measures.pays_open"), icon=":material/help:")


def _uplift_table(ctx: PageContext, rows: pd.DataFrame) -> None:
    lang = ctx.lang
    shown = pd.DataFrame({
        "kpi": [kpi_label(ctx, k) for k in rows["kpi"]],
        "treatment": [fmt_value(v, k, lang) for v, k in zip(rows["treatment_mean"], rows["kpi"])],
        "control": [fmt_value(v, k, lang) for v, k in zip(rows["control_mean"], rows["kpi"])],
        "uplift": [fmt_diff(v, k, lang) for v, k in zip(rows["uplift"], rows["kpi"])],
        "interval": [fmt_interval(lo, hi, k, lang) for lo, hi, k in zip(rows["ci_low"], rows["ci_high"], rows["kpi"])],
        "relative": [i18n.fmt_percent(v, lang, 0) for v in rows["relative_uplift"]],
        "verdict": [verdict(ctx, lo, hi) for lo, hi in zip(rows["ci_low"], rows["ci_high"])],
        "method": [ctx.t(f"measures.method.{m}") for m in rows["method"]],
    })
    table(shown, ctx, "measure_uplift", {c: ctx.t(f"measures.col.{c}") for c in shown.columns},
          key="measures_uplift_table")
    explain(ctx, "measures.uplift_explain")


def _cumulative(ctx: PageContext, ev: Evaluation, economics: pd.Series) -> None:
    stats = group_stats(ev)
    weekly = uplift.weekly_margins(stats)
    weekly = weekly[weekly["measure_id"] == ev.measure_id]
    sizes = uplift.window_rows(stats)
    sizes = sizes[(sizes["measure_id"] == ev.measure_id) & (sizes["kpi"] == "margin_per_customer")]
    participants = pd.DataFrame({
        "measure_id": [ev.measure_id],
        "treatment_n": sizes.loc[sizes["assigned_group"] == "treatment", "n"].sum(),
        "control_n": sizes.loc[sizes["assigned_group"] == "control", "n"].sum(),
    })
    cumulative = uplift.cumulative_incremental_margin(weekly, participants)
    if cumulative.empty:
        return
    st.subheader(ctx.t("measures.payback_title"))
    payback = economics["payback_weeks"]
    chart(cumulative_chart(cumulative, float(economics["cost"]), payback, ctx.lang, ctx.t("measures.axis_week"),
                           ctx.t("measures.axis_euro"), ctx.t("measures.incremental_margin"), ctx.t("measures.cost")),
          key="measures_cumulative_chart")
    if pd.notna(payback):
        explain(ctx, "measures.payback_explain", weeks=i18n.fmt_number(payback, ctx.lang))
    else:
        explain(ctx, "measures.payback_never")


def render_prepost(ctx: PageContext, ev: Evaluation) -> None:
    """The weaker evidence for a measure without a control group."""
    strata = data.query("measure_prepost", **ev.params)
    strata = strata[strata["measure_id"] == ev.measure_id]
    did = uplift.stratified_did(strata)
    st.subheader(ctx.t("measures.prepost_title"))
    if did.empty or did["effect"].isna().all():
        st.info(ctx.t("measures.prepost_no_match"))
        return
    did = did.set_index("kpi").reindex(list(uplift.OUTCOME_KPIS)).reset_index()
    first = did.iloc[0]
    lang = ctx.lang
    st.caption(ctx.t("measures.prepost_caption", participants=i18n.fmt_number(first["participants"], lang),
                     unmatched=i18n.fmt_number(first["unmatched"], lang),
                     comparison=i18n.fmt_number(first["comparison"], lang),
                     in_segment=i18n.fmt_percent(first["matched_in_segment"], lang, 0)))
    if first["matched_in_segment"] < 1:
        st.warning(ctx.t("measures.prepost_other_segments"), icon=":material/warning:")
    bars = (ctx.t("measures.before"), ctx.t("measures.after"), ctx.t("measures.expected_after"))
    shown = did.rename(columns={"p_pre": bars[0], "p_post": bars[1], "expected": bars[2]})
    units = {k: kpi_unit(ctx, k) for k in uplift.OUTCOME_KPIS}
    titles = {k: kpi_label(ctx, k) for k in uplift.OUTCOME_KPIS}
    chart(before_after_chart(shown, lang, titles, units, bars, ctx.t("measures.axis_phase"), TICKFORMATS),
          key="measures_prepost_chart")
    explain(ctx, "measures.prepost_explain")
    table_rows = pd.DataFrame({
        "kpi": [kpi_label(ctx, k) for k in did["kpi"]],
        "before": [fmt_value(v, k, lang) for v, k in zip(did["p_pre"], did["kpi"])],
        "after": [fmt_value(v, k, lang) for v, k in zip(did["p_post"], did["kpi"])],
        "comparison_before": [fmt_value(v, k, lang) for v, k in zip(did["c_pre"], did["kpi"])],
        "comparison_after": [fmt_value(v, k, lang) for v, k in zip(did["c_post"], did["kpi"])],
        "expected_after": [fmt_value(v, k, lang) for v, k in zip(did["expected"], did["kpi"])],
        "effect": [fmt_diff(v, k, lang) for v, k in zip(did["effect"], did["kpi"])],
        "interval": [fmt_interval(lo, hi, k, lang) for lo, hi, k in zip(did["ci_low"], did["ci_high"], did["kpi"])],
        "verdict": [verdict(ctx, lo, hi) for lo, hi in zip(did["ci_low"], did["ci_high"])],
    })
    table(table_rows, ctx, "measure_prepost", {c: ctx.t(f"measures.col.{c}") for c in table_rows.columns},
          key="measures_prepost_table")
    economics = measure_economics(ev)
    if economics["evidence"] == "pre_post":
        st.caption(ctx.t("measures.prepost_economics", margin=i18n.fmt_money(economics["incremental_margin"], lang),
                         low=i18n.fmt_money(economics["incremental_margin_low"], lang),
                         high=i18n.fmt_money(economics["incremental_margin_high"], lang),
                         cost=i18n.fmt_money(economics["cost"], lang),
                         roi=i18n.fmt_percent(economics["roi"], lang, 0)))
