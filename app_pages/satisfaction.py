"""Satisfaction: NPS and CSAT with confidence intervals by group and over time, response rate, detractor
comments and the closed loop, what satisfaction is worth (the 12 months after an answer) and word of mouth.

Five tabs; only the open tab runs its queries (st.tabs with on_change="rerun"). Definitions:
docs/metrics.md, section "Satisfaction".
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pandas as pd
import streamlit as st

from components import data, widgets
from components.context import PageContext, get_context
from components.satisfaction_charts import (
    answer_group_label,
    csat_by_group_chart,
    csat_frame,
    csat_trend_chart,
    followup_chart,
    group_label,
    nps_by_group_chart,
    nps_changes,
    nps_frame,
    nps_shares_chart,
    nps_trend_chart,
    period_change,
    ranked_order,
    referral_chart,
    referrers_chart,
    responses_chart,
)
from components.ui import chart, explain, page_header, require_table, require_transactions, table
from components.widgets import as_dates, choice
from loyalty import i18n
from loyalty.filters import Filters

headers = partial(widgets.headers, area="satisfaction")
column_formats = partial(widgets.column_formats, area="satisfaction")

TABS = ("groups", "trend", "comments", "chain", "referral")
SPLITS = ("touchpoint", "segment", "region", "channel")
GRAINS = ("month", "quarter")
ANSWER_GROUPS = ("detractor", "passive", "promoter", "all")
DEFAULT_MIN_N = 30
DEFAULT_FOLLOWUP_DAYS = 7
COMMENT_LIMIT = 200
FOLLOWUP_DAYS = 365  # the 12 months after an answer (queries/satisfaction_followup.sql)


# ---------------------------------------------------------------- small helpers


def labelled(ctx: PageContext, df: pd.DataFrame, answer_groups: bool = False) -> pd.DataFrame:
    """The `grp` column as shown: data values as they are (empty = not known), query groups translated."""
    out = df.copy()
    label = answer_group_label if answer_groups else group_label
    out["grp"] = [label(v, ctx.lang) for v in out["grp"]]
    return out


def with_notes(ctx: PageContext, df: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """Rank as text ('–' for groups below the minimum n) and the note why a group is not ranked."""
    out = df.copy()
    out["rank"] = ["–" if pd.isna(r) else str(int(r)) for r in out["rank"]]
    out["note"] = ["" if ok else ctx.t("satisfaction.too_few", n=min_n) for ok in out["enough"]]
    return out


def change_text(ctx: PageContext, change: dict | None, unit: str) -> str:
    """'+5.0 points, significant (p = 0.012)' or why it is not judged."""
    if change is None:
        return ctx.t("satisfaction.no_comparison")
    value = (i18n.fmt_number(change["difference"], ctx.lang, 1) if unit == "points"
             else i18n.fmt_points(change["difference"], ctx.lang))
    value = ("+" if change["difference"] > 0 and unit == "points" else "") + value
    if not change["judged"]:
        return ctx.t("satisfaction.change_not_judged", change=value)
    key = "satisfaction.change_significant" if change["significant"] else "satisfaction.change_not_significant"
    return ctx.t(key, change=value, p=i18n.fmt_number(change["p_value"], ctx.lang, 3))


def significance_label(ctx: PageContext, change: dict | None) -> str | None:
    """The short note beside a delta: significant, not significant, or too few answers to judge."""
    if change is None:
        return None
    if not change["judged"]:
        return ctx.t("satisfaction.delta_not_judged")
    return ctx.t("satisfaction.delta_significant" if change["significant"] else "satisfaction.delta_not_significant")


# ---------------------------------------------------------------- KPI cards


def kpi_section(ctx: PageContext, filters: Filters, min_n: int) -> None:
    compared = filters.compared()
    nps_now = nps_frame(data.query("nps_by_group", by="total", **filters.params()), min_n)
    csat_now = csat_frame(data.query("csat_by_group", by="total", **filters.params()), min_n)
    responses = data.query("survey_responses", grain="total", **filters.params())
    nps_before = csat_before = None
    if compared:
        nps_before = nps_frame(data.query("nps_by_group", by="total", **compared.params()), min_n)
        csat_before = csat_frame(data.query("csat_by_group", by="total", **compared.params()), min_n)
    cards = st.columns([1.15, 0.9, 1.15, 1])

    if nps_now.empty:
        cards[0].metric(ctx.t("kpi.nps"), "–", border=True, help=ctx.t("satisfaction.no_nps_answers"))
    else:
        row = nps_now.iloc[0]
        before = nps_before.iloc[0] if nps_before is not None and not nps_before.empty else None
        change = period_change((row["promoters"], row["detractors"], row["n"]),
                               None if before is None else (before["promoters"], before["detractors"], before["n"]),
                               min_n, "nps")
        delta = None if change is None else \
            f"{'+' if change['difference'] > 0 else ''}{i18n.fmt_number(change['difference'], ctx.lang, 1)}"
        cards[0].metric(ctx.t("kpi.nps"), i18n.fmt_number(row["nps"], ctx.lang, 0), delta=delta,
                        delta_color="normal" if change and change["significant"] else "off", border=True,
                        delta_description=significance_label(ctx, change),
                        help=ctx.t("satisfaction.nps_help", low=i18n.fmt_number(row["ci_low"], ctx.lang, 1),
                                   high=i18n.fmt_number(row["ci_high"], ctx.lang, 1),
                                   n=i18n.fmt_number(row["n"], ctx.lang)) + " " + change_text(ctx, change, "points"))

    if csat_now.empty:
        for column, key in ((cards[1], "satisfaction.csat_mean"), (cards[2], "satisfaction.top2")):
            column.metric(ctx.t(key), "–", border=True, help=ctx.t("satisfaction.no_csat_answers"))
    else:
        row = csat_now.iloc[0]
        before = csat_before.iloc[0] if csat_before is not None and not csat_before.empty else None
        mean_delta = None if before is None else row["csat_mean"] - before["csat_mean"]
        cards[1].metric(ctx.t("satisfaction.csat_mean"), i18n.fmt_number(row["csat_mean"], ctx.lang, 2),
                        delta=None if mean_delta is None else
                        f"{'+' if mean_delta > 0 else ''}{i18n.fmt_number(mean_delta, ctx.lang, 2)}",
                        delta_color="off", border=True,
                        help=ctx.t("satisfaction.csat_mean_help", n=i18n.fmt_number(row["n"], ctx.lang)))
        change = period_change((row["top2"], row["n"]), None if before is None else (before["top2"], before["n"]),
                               min_n, "share")
        cards[2].metric(ctx.t("satisfaction.top2"), i18n.fmt_percent(row["top2_share"], ctx.lang),
                        delta=None if change is None else i18n.fmt_points(change["difference"], ctx.lang),
                        delta_color="normal" if change and change["significant"] else "off", border=True,
                        delta_description=significance_label(ctx, change),
                        help=ctx.t("satisfaction.top2_help", low=i18n.fmt_percent(row["top2_low"], ctx.lang),
                                   high=i18n.fmt_percent(row["top2_high"], ctx.lang))
                        + " " + change_text(ctx, change, "share"))

    total = responses.iloc[0] if not responses.empty else None
    cards[3].metric(ctx.t("satisfaction.answers"), i18n.fmt_number(0 if total is None else total["answers"], ctx.lang),
                    delta=None if total is None else ctx.t("satisfaction.response_rate_delta", rate=i18n.fmt_percent(
                        total["response_rate"], ctx.lang)), delta_color="off", delta_arrow="off", border=True,
                    help=ctx.t("satisfaction.answers_help") if total is None else
                    ctx.t("satisfaction.answers_help_detail",
                          anonymous=i18n.fmt_number(total["anonymous_answers"], ctx.lang),
                          customers=i18n.fmt_number(total["answering_customers"], ctx.lang),
                          active=i18n.fmt_number(total["active_customers"], ctx.lang)))
    explain(ctx, "satisfaction.cards_explain", n=min_n)


# ---------------------------------------------------------------- tab: groups


def groups_tab(ctx: PageContext, filters: Filters, min_n: int) -> None:
    by = choice(ctx, "satisfaction.split_by", SPLITS, "satisfaction_split", "satisfaction.split_")
    by_label = ctx.t(f"satisfaction.split_{by}")
    nps = nps_frame(data.query("nps_by_group", by=by, **filters.params()), min_n)
    csat = csat_frame(data.query("csat_by_group", by=by, **filters.params()), min_n)
    if nps.empty and csat.empty:
        st.info(ctx.t("satisfaction.no_answers"))
        return
    st.caption(ctx.t("satisfaction.anonymous_note"))

    st.subheader(ctx.t("satisfaction.nps_groups_title", by=by_label))
    if nps.empty:
        st.info(ctx.t("satisfaction.no_nps_answers"))
    else:
        chart(nps_by_group_chart(nps, ctx.lang, by_label))
        explain(ctx, "satisfaction.nps_groups_explain", n=min_n)
        chart(nps_shares_chart(nps, ctx.lang, by_label))
        explain(ctx, "satisfaction.shares_explain")
        shown = with_notes(ctx, labelled(ctx, ranked_order(nps, "nps")), min_n)
        columns = ["rank", "grp", "n", "promoter_share", "passive_share", "detractor_share", "nps", "ci_low",
                   "ci_high", "note"]
        table(shown[columns], ctx, f"nps_by_{by}", {**headers(ctx, columns), "grp": by_label}, key="sat_nps_table",
              column_config=column_formats(ctx, percent=("promoter_share", "passive_share", "detractor_share"),
                                           one_decimal=("nps", "ci_low", "ci_high")))

    st.subheader(ctx.t("satisfaction.csat_groups_title", by=by_label))
    if csat.empty:
        st.info(ctx.t("satisfaction.no_csat_answers"))
        return
    chart(csat_by_group_chart(csat, ctx.lang, by_label))
    explain(ctx, "satisfaction.csat_groups_explain", n=min_n)
    shown = with_notes(ctx, labelled(ctx, ranked_order(csat, "csat_mean")), min_n)
    columns = ["rank", "grp", "n", "csat_mean", "top2_share", "top2_low", "top2_high", "note"]
    table(shown[columns], ctx, f"csat_by_{by}", {**headers(ctx, columns), "grp": by_label}, key="sat_csat_table",
          column_config=column_formats(ctx, percent=("top2_share", "top2_low", "top2_high"), decimals=("csat_mean",)))


# ---------------------------------------------------------------- tab: over time


def period_label(period, grain: str) -> str:
    stamp = pd.Timestamp(period)
    return f"{stamp.year}-Q{stamp.quarter}" if grain == "quarter" else stamp.strftime("%Y-%m")


def significance_column(ctx: PageContext, merged: pd.DataFrame, min_n: int) -> list[str]:
    """Per period: yes / no / too few answers (in this or the period before) / empty without a period before."""
    texts = []
    for significant, judged, change in zip(merged["significant"], merged["judged"], merged["change"]):
        if pd.isna(change):
            texts.append("")
        elif pd.isna(judged) or not bool(judged):
            texts.append(ctx.t("satisfaction.too_few", n=min_n))
        else:
            texts.append(ctx.t("satisfaction.yes") if bool(significant) else ctx.t("satisfaction.no"))
    return texts


def trend_tab(ctx: PageContext, filters: Filters, min_n: int) -> None:
    grain = choice(ctx, "satisfaction.grain", GRAINS, "satisfaction_grain", "satisfaction.grain_")
    axis = ctx.t(f"satisfaction.grain_{grain}")
    nps = nps_frame(data.query("nps_by_group", by=grain, **filters.params()), min_n)
    csat = csat_frame(data.query("csat_by_group", by=grain, **filters.params()), min_n)
    responses = data.query("survey_responses", grain=grain, **filters.params())
    if nps.empty and csat.empty:
        st.info(ctx.t("satisfaction.no_answers"))
        return
    if not nps.empty:
        nps = nps_changes(nps, min_n)
        st.subheader(ctx.t("satisfaction.nps_trend_title"))
        chart(nps_trend_chart(nps, ctx.lang, axis))
        explain(ctx, "satisfaction.nps_trend_explain", n=min_n)
    if not csat.empty:
        st.subheader(ctx.t("satisfaction.csat_trend_title"))
        chart(csat_trend_chart(csat, ctx.lang, axis))
        explain(ctx, "satisfaction.csat_trend_explain", n=min_n)

    st.subheader(ctx.t("satisfaction.responses_title"))
    responses = responses.assign(label=[period_label(p, grain) for p in responses["period"]])
    chart(responses_chart(responses, ctx.lang, axis))
    explain(ctx, "satisfaction.responses_explain")

    merged = responses[["label", "answers", "active_customers", "response_rate"]].rename(columns={"label": "grp"})
    if not nps.empty:
        nps_part = nps[["grp", "n", "nps", "ci_low", "ci_high", "change", "significant", "judged"]]
        merged = merged.merge(nps_part, on="grp", how="left")
        merged["significant"] = significance_column(ctx, merged, min_n)
        merged = merged.drop(columns="judged")
    if not csat.empty:
        merged = merged.merge(csat[["grp", "csat_mean", "top2_share"]], on="grp", how="left")
    labels = {**headers(ctx, merged.columns), "grp": axis, "n": ctx.t("satisfaction.col.nps_n")}
    table(merged, ctx, f"satisfaction_by_{grain}", labels, key="sat_trend_table",
          column_config=column_formats(ctx, percent=("response_rate", "top2_share"),
                                       one_decimal=("nps", "ci_low", "ci_high", "change"), decimals=("csat_mean",)))
    explain(ctx, "satisfaction.trend_table_explain")


# ---------------------------------------------------------------- tab: comments and closed loop


def comments_tab(ctx: PageContext, filters: Filters, min_n: int) -> None:
    st.subheader(ctx.t("satisfaction.comments_title"))
    left, right = st.columns([2, 3])
    group = choice(ctx, "satisfaction.answer_group", ANSWER_GROUPS, "satisfaction_answer_group",
                   "satisfaction.answer_group_", left)
    search = right.text_input(ctx.t("satisfaction.search"), key="satisfaction_search",
                              placeholder=ctx.t("satisfaction.search_placeholder")).strip()
    comments = data.query("survey_comments", answer_group=group, search=search, limit=COMMENT_LIMIT,
                          **filters.params())
    if comments.empty:
        st.info(ctx.t("satisfaction.no_comments"))
    else:
        shown = as_dates(comments, "response_date")
        shown = shown.fillna({"customer_id": ctx.t("satisfaction.anonymous"), "touchpoint": "", "segment": ""})
        table(shown, ctx, "survey_comments", headers(ctx, shown.columns), key="sat_comments_table",
              column_config=column_formats(ctx, money=("revenue_12m",), dates=("response_date",)))
        explain(ctx, "satisfaction.comments_explain", limit=COMMENT_LIMIT)

    st.subheader(ctx.t("satisfaction.closed_loop_title"))
    days = int(st.number_input(ctx.t("satisfaction.followup_days"), min_value=0, max_value=365,
                               value=DEFAULT_FOLLOWUP_DAYS, step=1, key="satisfaction_followup_days", width=260))
    if not ctx.snapshot.has("contacts"):
        st.warning(ctx.t("satisfaction.no_contacts_table"))
    loop = data.query("nps_closed_loop", followup_days=days, **filters.params())
    if loop.empty:
        st.info(ctx.t("satisfaction.no_detractors"))
        return
    open_cases = loop[~loop["contacted"].astype(bool)]
    cards = st.columns(3)
    cards[0].metric(ctx.t("satisfaction.detractor_answers"), i18n.fmt_number(len(loop), ctx.lang), border=True)
    cards[1].metric(ctx.t("satisfaction.contacted_share", days=days),
                    i18n.fmt_percent(1 - len(open_cases) / len(loop), ctx.lang), border=True)
    cards[2].metric(ctx.t("satisfaction.without_contact"), i18n.fmt_number(len(open_cases), ctx.lang), border=True)
    if open_cases.empty:
        st.success(ctx.t("satisfaction.all_contacted", days=days))
        return
    columns = ["response_date", "due_date", "customer_id", "nps", "csat", "touchpoint", "segment", "region",
               "revenue_12m", "comment"]
    shown = as_dates(open_cases[columns], "response_date", "due_date").fillna({"comment": ""})
    table(shown, ctx, f"detractors_without_contact_{days}_days", headers(ctx, columns), key="sat_loop_table",
          column_config=column_formats(ctx, money=("revenue_12m",), dates=("response_date", "due_date")))
    explain(ctx, "satisfaction.closed_loop_explain", days=days)


# ---------------------------------------------------------------- tab: chain of effects


def followup_window(ctx: PageContext) -> tuple[Filters, str] | None:
    """All answers up to the last day with 12 months of data after it (the period filter does not apply:
    a follow-up needs time); the dimension filters do. None when no answer is old enough."""
    first_answer = data.query("survey_range").iloc[0]["first_date"]
    last_order = data.query("data_range").iloc[0]["last_date"]
    if pd.isna(first_answer) or pd.isna(last_order):
        return None
    cutoff = pd.Timestamp(last_order).date() - timedelta(days=FOLLOWUP_DAYS)
    start = pd.Timestamp(first_answer).date()
    if start > cutoff:
        return None
    window = Filters(start=start, end=pd.Timestamp(last_order).date(), comparison="no_comparison",
                     segments=ctx.filters.segments, regions=ctx.filters.regions, channels=ctx.filters.channels,
                     stores=ctx.filters.stores)
    return window, ctx.t("satisfaction.window_caption", start=i18n.fmt_date(start, ctx.lang),
                         cutoff=i18n.fmt_date(cutoff, ctx.lang), end=i18n.fmt_date(last_order, ctx.lang))


def chain_tab(ctx: PageContext, filters: Filters, min_n: int) -> None:
    st.subheader(ctx.t("satisfaction.chain_title"))
    st.warning(ctx.t("satisfaction.correlation_note"), icon="⚠️")
    window = followup_window(ctx)
    if window is None:
        st.info(ctx.t("satisfaction.no_followup"))
        return
    window_filters, caption = window
    st.caption(caption)
    score = choice(ctx, "satisfaction.chain_by", ("nps", "csat"), "satisfaction_chain_by", "satisfaction.chain_by_")
    result = data.query("satisfaction_followup", score=score, **window_filters.params())
    if result.empty:
        st.info(ctx.t("satisfaction.no_followup"))
        return
    if score == "nps":
        order = [g for g in ("promoter", "passive", "detractor") if g in set(result["grp"])]
        result = result.set_index("grp").loc[order].reset_index()
    group_axis = ctx.t(f"satisfaction.chain_by_{score}")
    left, right = st.columns(2)
    with left:
        chart(followup_chart(result, ctx.lang, "repurchase_rate", ctx.t("satisfaction.col.repurchase_rate"),
                             group_axis, percent=True))
        explain(ctx, "satisfaction.repurchase_explain")
    with right:
        chart(followup_chart(result, ctx.lang, "revenue_per_customer",
                             ctx.t("satisfaction.col.revenue_per_customer") + " (€)", group_axis))
        explain(ctx, "satisfaction.revenue_followup_explain")
    small = result[result["customers"] < min_n]
    if not small.empty:
        st.caption(ctx.t("satisfaction.chain_small", n=min_n,
                         groups=", ".join(answer_group_label(g, ctx.lang) for g in small["grp"])))
    shown = labelled(ctx, result, answer_groups=True)
    table(shown, ctx, f"followup_by_{score}", {**headers(ctx, shown.columns), "grp": group_axis},
          key="sat_chain_table", column_config=column_formats(
              ctx, percent=("repurchase_rate",), money=("revenue", "revenue_per_customer"),
              decimals=("orders_per_customer",)))


# ---------------------------------------------------------------- tab: word of mouth


def referral_tab(ctx: PageContext, filters: Filters, min_n: int) -> None:
    st.subheader(ctx.t("satisfaction.referral_title"))
    new = data.query("referral_new_customers", **filters.params())
    if new.empty:
        st.info(ctx.t("satisfaction.no_new_customers"))
        return
    if set(new["grp"]) == {"unknown"}:
        st.info(ctx.t("satisfaction.no_acquisition_data"))
        return
    rows = new.set_index("grp")
    referral = rows.loc["referral"] if "referral" in rows.index else None
    others = rows.loc["other"] if "other" in rows.index else None
    cards = st.columns(3)
    cards[0].metric(ctx.t("satisfaction.referral_share"),
                    i18n.fmt_percent((0 if referral is None else referral["new_customers"]) / rows["new_customers"].sum(),
                                     ctx.lang), border=True,
                    help=ctx.t("satisfaction.referral_share_help", total=i18n.fmt_number(rows["new_customers"].sum(),
                                                                                          ctx.lang)))
    for column, value, kind in ((cards[1], "repeat_purchase_rate", "percent"), (cards[2], "revenue_per_customer",
                                                                                "money")):
        fmt = i18n.fmt_percent if kind == "percent" else i18n.fmt_money
        mine = None if referral is None else referral[value]
        theirs = None if others is None else others[value]
        column.metric(ctx.t(f"satisfaction.referral_{value}"), fmt(mine, ctx.lang), border=True,
                      help=ctx.t("satisfaction.referral_vs_other", other=fmt(theirs, ctx.lang)))
    if referral is not None and referral["new_customers"] < min_n:
        st.caption(ctx.t("satisfaction.referral_small", n=min_n))
    left, right = st.columns(2)
    with left:
        chart(referral_chart(new, ctx.lang, "repeat_purchase_rate", ctx.t("satisfaction.col.repeat_purchase_rate"),
                             percent=True))
        explain(ctx, "satisfaction.referral_repeat_explain")
    with right:
        chart(referral_chart(new, ctx.lang, "revenue_per_customer",
                             ctx.t("satisfaction.col.revenue_per_customer") + " (€)"))
        explain(ctx, "satisfaction.referral_value_explain")
    shown = labelled(ctx, new, answer_groups=True)
    table(shown, ctx, "new_customers_by_acquisition", {**headers(ctx, shown.columns),
                                                       "grp": ctx.t("satisfaction.axis_acquisition")},
          key="sat_referral_table", column_config=column_formats(
              ctx, percent=("repeat_purchase_rate",), money=("revenue", "revenue_per_customer"),
              decimals=("orders_per_customer",)))

    st.subheader(ctx.t("satisfaction.referrers_title"))
    referrers = data.query("referral_referrers", **filters.params())
    if referrers["referrers"].sum() == 0:
        st.info(ctx.t("satisfaction.no_referrers"))
        return
    chart(referrers_chart(referrers, ctx.lang))
    explain(ctx, "satisfaction.referrers_explain")
    shown = labelled(ctx, referrers, answer_groups=True)
    table(shown, ctx, "referrers_by_nps_group", {**headers(ctx, shown.columns),
                                                 "grp": ctx.t("satisfaction.axis_nps_group")},
          key="sat_referrers_table", column_config=column_formats(ctx, percent=("referrer_share",)))
    if filters.channels or filters.stores:
        st.caption(ctx.t("satisfaction.referrers_channel_note"))


# ---------------------------------------------------------------- page

SECTIONS = {"groups": groups_tab, "trend": trend_tab, "comments": comments_tab, "chain": chain_tab,
            "referral": referral_tab}

ctx = get_context()
page_header(ctx, "satisfaction")
require_transactions(ctx)
require_table(ctx, "surveys")

min_n = int(st.number_input(ctx.t("satisfaction.min_n"), min_value=1, max_value=100_000, value=DEFAULT_MIN_N,
                            step=5, key="satisfaction_min_n", help=ctx.t("satisfaction.min_n_help"), width=260))
kpi_section(ctx, ctx.filters, min_n)

tabs = st.tabs([ctx.t(f"satisfaction.tab_{name}") for name in TABS], key=f"satisfaction_tab_{ctx.lang}",
               on_change="rerun")
for tab, name in zip(tabs, TABS, strict=True):
    if tab.open is False:
        continue
    with tab:
        SECTIONS[name](ctx, ctx.filters, min_n)

with st.expander(ctx.t("satisfaction.definitions")):
    st.markdown(ctx.t("satisfaction.definitions_text"))
