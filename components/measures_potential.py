"""Measures page, tab Potential (Kundenbindungspotenzial): where a measure raises loyalty and where it does
not (uplift by segment, region and customer value class), and a what-if for rolling it out to a segment."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import data
from components.context import PageContext
from components.measures_charts import forest_chart
from components.measures_common import (
    TICKFORMATS,
    Evaluation,
    fmt_diff,
    fmt_interval,
    fmt_value,
    kpi_label,
    kpi_unit,
    measure_economics,
    require_measures,
    verdict,
)
from components.ui import chart, explain, table
from loyalty import i18n, uplift

DIMENSIONS = ("segment", "region", "value_class")


def potential_table(ev: Evaluation) -> pd.DataFrame:
    stats = data.query("measure_potential", measure_id=ev.measure_id, **ev.params).copy()
    stats["value"] = stats["value"].fillna("–")
    return uplift.uplift_table(stats, ["measure_id", "dimension", "value"])


def render_potential(ctx: PageContext, ev: Evaluation) -> None:
    if not require_measures(ctx, ev):
        return
    table_all = potential_table(ev)
    if table_all.empty or (table_all["control_n"] == 0).all():
        st.info(ctx.t("measures.potential_needs_control"))
        return
    left, right = st.columns(2)
    dimension = left.segmented_control(ctx.t("measures.split_by"), DIMENSIONS, default="segment",
                                       format_func=lambda d: ctx.t(f"measures.dimension.{d}"),
                                       key="measures_potential_dimension") or "segment"
    kpi = right.selectbox(ctx.t("measures.kpi_select"), uplift.OUTCOME_KPIS, index=3,
                          format_func=lambda k: kpi_label(ctx, k), key="measures_potential_kpi")
    rows = table_all[(table_all["dimension"] == dimension) & (table_all["kpi"] == kpi)].copy()
    rows["label"] = rows["value"].map(lambda v: ctx.t(f"measures.class_{v}") if dimension == "value_class" else v)
    rows = rows.sort_values("value")
    economics = measure_economics(ev)
    reference = economics["break_even_uplift"] if kpi == "margin_per_customer" else None
    tick = ".1%" if kpi == "repeat_purchase_rate" else TICKFORMATS[kpi]
    muted = rows["ci_low"].isna()
    chart(forest_chart(rows, ctx.lang, ctx.t("measures.axis_uplift", unit=kpi_unit(ctx, kpi)),
                       ctx.t(f"measures.dimension.{dimension}"), tick, reference, ctx.t("measures.break_even_line"),
                       muted), key="measures_potential_chart")
    explain(ctx, "measures.potential_explain")
    if dimension == "value_class":
        st.caption(ctx.t("measures.value_class_explain"))
    lang = ctx.lang
    shown = pd.DataFrame({
        "group": rows["label"],
        "treatment_n": rows["treatment_n"].astype(int),
        "control_n": rows["control_n"].astype(int),
        "treatment": [fmt_value(v, kpi, lang) for v in rows["treatment_mean"]],
        "control": [fmt_value(v, kpi, lang) for v in rows["control_mean"]],
        "uplift": [fmt_diff(v, kpi, lang) for v in rows["uplift"]],
        "interval": [fmt_interval(lo, hi, kpi, lang) for lo, hi in zip(rows["ci_low"], rows["ci_high"])],
        "verdict": [verdict(ctx, lo, hi) for lo, hi in zip(rows["ci_low"], rows["ci_high"])],
    })
    table(shown, ctx, "measure_potential", {c: ctx.t(f"measures.col.{c}") for c in shown.columns},
          key="measures_potential_table")
    _what_if(ctx, ev, table_all, economics)


def _what_if(ctx: PageContext, ev: Evaluation, table_all: pd.DataFrame, economics: pd.Series) -> None:
    """Expected incremental margin and ROI of rolling the measure out to one segment."""
    st.subheader(ctx.t("measures.whatif_title"))
    base = data.query("measure_rollout_base")
    base = base[base["segment"].notna()]
    if base.empty:
        st.info(ctx.t("measures.whatif_no_segments"))
        return
    measure = ev.measure
    sizes = dict(zip(base["segment"], base["active_customers"]))
    cols = st.columns(4)
    segment = cols[0].selectbox(ctx.t("measures.whatif_segment"), list(sizes), key="measures_whatif_segment")
    customers = cols[1].number_input(ctx.t("measures.whatif_customers"), min_value=0, step=10,
                                     value=int(sizes[segment]), key=f"measures_whatif_customers_{segment}",
                                     help=ctx.t("measures.whatif_customers_help"))
    fixed = cols[2].number_input(ctx.t("measures.whatif_fixed_cost"), min_value=0.0, step=100.0,
                                 value=float(measure["fixed_cost"]) if pd.notna(measure["fixed_cost"]) else 0.0,
                                 key=f"measures_whatif_fixed_{ev.measure_id}")
    variable = cols[3].number_input(ctx.t("measures.whatif_variable_cost"), min_value=0.0, step=0.5,
                                    value=float(measure["cost_per_participant"])
                                    if pd.notna(measure["cost_per_participant"]) else 0.0,
                                    key=f"measures_whatif_variable_{ev.measure_id}")
    margin_rows = table_all[(table_all["kpi"] == "margin_per_customer") & (table_all["dimension"] == "segment")]
    measured = margin_rows[(margin_rows["value"] == segment) & margin_rows["ci_low"].notna()]
    if not measured.empty:
        source = measured.iloc[0]
        basis = ctx.t("measures.whatif_basis_segment", segment=segment)
    else:
        source = pd.Series({"uplift": economics["margin_uplift"], "ci_low": economics["margin_uplift_low"],
                            "ci_high": economics["margin_uplift_high"]})
        basis = ctx.t("measures.whatif_basis_overall", segment=segment)
    result = uplift.rollout(source["uplift"], source["ci_low"], source["ci_high"], customers, fixed, variable)
    lang = ctx.lang
    cards = st.columns(3)
    cards[0].metric(ctx.t("measures.incremental_margin"), i18n.fmt_money(result["incremental_margin"], lang),
                    border=True)
    cards[0].caption(ctx.t("measures.ci", low=i18n.fmt_money(result["incremental_margin_low"], lang),
                           high=i18n.fmt_money(result["incremental_margin_high"], lang)))
    cards[1].metric(ctx.t("measures.cost"), i18n.fmt_money(result["cost"], lang), border=True)
    cards[2].metric(ctx.t("measures.roi"), i18n.fmt_percent(result["roi"], lang, 0), border=True)
    cards[2].caption(ctx.t("measures.ci", low=i18n.fmt_percent(result["roi_low"], lang, 0),
                           high=i18n.fmt_percent(result["roi_high"], lang, 0)))
    st.caption(basis + " " + ctx.t("measures.whatif_explain",
                                   uplift=i18n.fmt_money(source["uplift"], lang, 2),
                                   low=i18n.fmt_money(source["ci_low"], lang, 2),
                                   high=i18n.fmt_money(source["ci_high"], lang, 2)))
