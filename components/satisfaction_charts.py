"""Satisfaction page: pure preparation of the survey frames (NPS/CSAT intervals, minimum n, ranks,
significance of changes) and Plotly figure builders (DataFrame in, Figure out; no Streamlit)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.charts import GREY, PALETTE, base_layout
from loyalty import i18n, stats

PROMOTER, PASSIVE, DETRACTOR = "#27ae60", "#f5b041", "#c0392b"
NPS_GROUPS = ("promoter", "passive", "detractor")
GROUP_COLOURS = {"promoter": PROMOTER, "passive": PASSIVE, "detractor": DETRACTOR, "no_answer": GREY}
SMALL_OPACITY = 0.35


def tr(key: str, lang: str, **values) -> str:
    return i18n.t(key, lang, **values)


def group_label(value, lang: str) -> str:
    """A data value (touchpoint, segment, ...) as shown: empty ones are 'not known / anonymous'."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return tr("satisfaction.group_unknown", lang)
    return str(value)


def answer_group_label(value, lang: str) -> str:
    """A group the queries define (promoter, passive, detractor, no_answer, CSAT 1-5, referral, other,
    unknown), translated."""
    key = f"satisfaction.group_{value}"
    return tr(key, lang) if key in i18n.catalog() else group_label(value, lang)


# --- frames ----------------------------------------------------------------------------------------

def _rank(values: pd.Series, enough: pd.Series) -> pd.Series:
    """Rank 1 = best among the groups with enough answers; groups below the minimum n get no rank."""
    ranks = values.where(enough).rank(ascending=False, method="min")
    return ranks.astype("Int64")


def nps_frame(counts: pd.DataFrame, min_n: int, confidence: float = stats.CONFIDENCE) -> pd.DataFrame:
    """nps_by_group counts plus nps, ci_low, ci_high (points), the three shares, `enough` (n >= min_n)
    and `rank` (only among groups with enough answers). Sorted: ranked groups by NPS, then small ones."""
    df = counts.copy()
    nps, low, high = stats.nps_interval(df["promoters"], df["detractors"], df["n"], confidence)
    df["nps"], df["ci_low"], df["ci_high"] = nps, low, high
    for name, column in (("promoter_share", "promoters"), ("passive_share", "passives"),
                         ("detractor_share", "detractors")):
        df[name] = df[column] / df["n"].where(df["n"] > 0)
    df["enough"] = df["n"] >= min_n
    df["rank"] = _rank(df["nps"], df["enough"])
    return df


def csat_frame(counts: pd.DataFrame, min_n: int, confidence: float = stats.CONFIDENCE) -> pd.DataFrame:
    """csat_by_group counts plus top2_share with its Wilson interval (top2_low, top2_high), `enough` and
    `rank` by mean CSAT among groups with enough answers."""
    df = counts.copy()
    share, low, high = stats.wilson_interval(df["top2"], df["n"], confidence)
    df["top2_share"], df["top2_low"], df["top2_high"] = share, low, high
    df["enough"] = df["n"] >= min_n
    df["rank"] = _rank(df["csat_mean"], df["enough"])
    return df


def ranked_order(df: pd.DataFrame, value: str) -> pd.DataFrame:
    """Groups with enough answers by `value` (best first), then the small groups by n."""
    big = df[df["enough"]].sort_values(value, ascending=False)
    small = df[~df["enough"]].sort_values("n", ascending=False)
    return pd.concat([big, small])


def nps_changes(frame: pd.DataFrame, min_n: int, confidence: float = stats.CONFIDENCE) -> pd.DataFrame:
    """Per period (rows in time order) the change of the NPS against the row before and whether it is
    significant (z-test with both variances, docs/metrics.md#significant-change); only judged when both
    periods have at least min_n answers."""
    df = frame.reset_index(drop=True)
    before = df.shift(1)
    result = stats.nps_change_test((before["promoters"], before["detractors"], before["n"]),
                                   (df["promoters"], df["detractors"], df["n"]), confidence)
    judged = (df["n"] >= min_n) & (before["n"] >= min_n)
    df["change"] = result.difference
    df["judged"] = judged
    df["p_value"] = np.where(judged, result.p_value, np.nan)
    df["significant"] = judged & np.asarray(result.significant, dtype=bool)
    return df


def period_change(current: tuple, previous: tuple | None, min_n: int, kind: str = "nps",
                  confidence: float = stats.CONFIDENCE) -> dict | None:
    """Change between the selected and the comparison period: `current`/`previous` are (promoters,
    detractors, n) for kind 'nps' and (successes, n) for kind 'share'. None without comparison; `judged`
    is False when a period has fewer than min_n answers."""
    if previous is None:
        return None
    test = stats.nps_change_test(previous, current, confidence) if kind == "nps" else \
        stats.share_change_test(previous, current, confidence)
    judged = bool(current[-1] >= min_n and previous[-1] >= min_n)
    return {"difference": test.difference, "p_value": test.p_value, "judged": judged,
            "significant": judged and bool(test.significant)}


# --- figures ---------------------------------------------------------------------------------------

def _labels(df: pd.DataFrame, lang: str) -> list[str]:
    return [f"{group_label(g, lang)} (n={i18n.fmt_number(n, lang)})" for g, n in zip(df["grp"], df["n"])]


def nps_by_group_chart(df: pd.DataFrame, lang: str, by_label: str) -> go.Figure:
    """Horizontal NPS bars with the confidence interval as error bars; groups below the minimum n grey."""
    df = ranked_order(df, "nps").iloc[::-1]  # plotly draws the first row at the bottom
    labels = _labels(df, lang)
    colours = [PALETTE[0] if ok else GREY for ok in df["enough"]]
    fig = go.Figure(go.Bar(
        x=df["nps"], y=labels, orientation="h", marker_color=colours,
        error_x=dict(type="data", symmetric=False, array=(df["ci_high"] - df["nps"]).tolist(),
                     arrayminus=(df["nps"] - df["ci_low"]).tolist(), color="#555", thickness=1.2),
        customdata=np.stack([df["ci_low"], df["ci_high"]], axis=-1),
        text=[i18n.fmt_number(v, lang, 0) for v in df["nps"]], textposition="inside", insidetextanchor="middle",
        hovertemplate="%{y}<br>NPS %{x:.1f} [%{customdata[0]:.1f}; %{customdata[1]:.1f}]<extra></extra>",
    ))
    base_layout(fig, lang, tr("satisfaction.axis_nps", lang), by_label, height=max(260, 60 + 38 * len(df)))
    fig.update_xaxes(range=[-100, 100], zeroline=True, zerolinecolor="#888")
    fig.update_layout(hovermode="closest", showlegend=False)
    return fig


def nps_shares_chart(df: pd.DataFrame, lang: str, by_label: str) -> go.Figure:
    """100 % stacked bars of promoter / passive / detractor shares per group (small groups faded)."""
    df = ranked_order(df, "nps").iloc[::-1]
    labels = _labels(df, lang)
    opacity = [1.0 if ok else SMALL_OPACITY for ok in df["enough"]]
    fig = go.Figure()
    for group, column in zip(NPS_GROUPS, ("promoter_share", "passive_share", "detractor_share")):
        fig.add_bar(x=df[column], y=labels, orientation="h", name=tr(f"satisfaction.group_{group}", lang),
                    marker=dict(color=GROUP_COLOURS[group], opacity=opacity),
                    text=[i18n.fmt_percent(v, lang, 0) for v in df[column]], textposition="inside",
                    hovertemplate="%{y}: %{x:.1%}<extra>" + tr(f"satisfaction.group_{group}", lang) + "</extra>")
    base_layout(fig, lang, tr("satisfaction.axis_share_answers", lang), by_label,
                height=max(260, 80 + 38 * len(df)))
    fig.update_layout(barmode="stack", hovermode="closest", legend_traceorder="normal")
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    return fig


def csat_by_group_chart(df: pd.DataFrame, lang: str, by_label: str) -> go.Figure:
    """Top-2-box share (CSAT 4-5) per group with its Wilson interval; mean CSAT as bar text."""
    df = ranked_order(df, "csat_mean").iloc[::-1]
    labels = _labels(df, lang)
    colours = [PALETTE[1] if ok else GREY for ok in df["enough"]]
    mean_label = tr("satisfaction.csat_mean_short", lang)
    fig = go.Figure(go.Bar(
        x=df["top2_share"], y=labels, orientation="h", marker_color=colours,
        error_x=dict(type="data", symmetric=False, array=(df["top2_high"] - df["top2_share"]).tolist(),
                     arrayminus=(df["top2_share"] - df["top2_low"]).tolist(), color="#555", thickness=1.2),
        text=[f"{i18n.fmt_percent(s, lang, 0)} · {mean_label} {i18n.fmt_number(m, lang, 2)}"
              for s, m in zip(df["top2_share"], df["csat_mean"])],
        textposition="inside", insidetextanchor="middle",
        customdata=np.stack([df["top2_low"], df["top2_high"], df["csat_mean"]], axis=-1),
        hovertemplate="%{y}<br>%{x:.1%} [%{customdata[0]:.1%}; %{customdata[1]:.1%}]<br>"
                      + mean_label + " %{customdata[2]:.2f}<extra></extra>",
    ))
    base_layout(fig, lang, tr("satisfaction.axis_top2", lang), by_label, height=max(260, 60 + 38 * len(df)))
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_layout(hovermode="closest", showlegend=False)
    return fig


def nps_trend_chart(df: pd.DataFrame, lang: str, period_label: str) -> go.Figure:
    """NPS per period with its confidence band; periods below the minimum n as grey open markers, a
    significant change against the period before as a diamond."""
    x = df["grp"].tolist()
    fig = go.Figure()
    fig.add_scatter(x=x + x[::-1], y=df["ci_high"].tolist() + df["ci_low"].tolist()[::-1], fill="toself",
                    fillcolor="rgba(46,134,193,0.15)", line=dict(width=0), hoverinfo="skip",
                    name=tr("satisfaction.legend_ci", lang))
    fig.add_scatter(x=x, y=df["nps"], mode="lines", line=dict(color=PALETTE[0], width=2), hoverinfo="skip",
                    showlegend=False)
    for enough, name, style in ((True, tr("satisfaction.legend_nps", lang), dict(color=PALETTE[0], size=9)),
                                (False, tr("satisfaction.legend_small", lang),
                                 dict(color="white", size=9, line=dict(color=GREY, width=2)))):
        part = df[df["enough"] == enough]
        if part.empty:
            continue
        fig.add_scatter(x=part["grp"], y=part["nps"], mode="markers", name=name, marker=style,
                        customdata=np.stack([part["ci_low"], part["ci_high"], part["n"]], axis=-1),
                        hovertemplate="%{x}: NPS %{y:.1f} [%{customdata[0]:.1f}; %{customdata[1]:.1f}], "
                                      "n=%{customdata[2]:,.0f}<extra></extra>")
    if "significant" in df and df["significant"].any():
        sig = df[df["significant"]]
        fig.add_scatter(x=sig["grp"], y=sig["nps"], mode="markers", name=tr("satisfaction.legend_significant", lang),
                        marker=dict(symbol="diamond-open", size=18, color=PALETTE[2], line=dict(width=2)),
                        hoverinfo="skip")
    base_layout(fig, lang, period_label, tr("satisfaction.axis_nps", lang))
    fig.update_yaxes(range=[-100, 100], zeroline=True, zerolinecolor="#888")
    fig.update_xaxes(type="category")
    fig.update_layout(hovermode="closest")
    return fig


def csat_trend_chart(df: pd.DataFrame, lang: str, period_label: str) -> go.Figure:
    """Top-2-box share per period with its Wilson band (left axis) and the mean CSAT (right axis)."""
    x = df["grp"].tolist()
    fig = go.Figure()
    fig.add_scatter(x=x + x[::-1], y=df["top2_high"].tolist() + df["top2_low"].tolist()[::-1], fill="toself",
                    fillcolor="rgba(46,134,193,0.15)", line=dict(width=0), hoverinfo="skip",
                    name=tr("satisfaction.legend_ci", lang))
    fig.add_scatter(x=x, y=df["top2_share"], mode="lines+markers", name=tr("satisfaction.axis_top2", lang),
                    line=dict(color=PALETTE[1], width=2),
                    marker=dict(color=[PALETTE[1] if ok else "white" for ok in df["enough"]], size=9,
                                line=dict(color=[PALETTE[1] if ok else GREY for ok in df["enough"]], width=2)),
                    customdata=df["n"], hovertemplate="%{x}: %{y:.1%}, n=%{customdata:,.0f}<extra></extra>")
    fig.add_scatter(x=x, y=df["csat_mean"], mode="lines+markers", yaxis="y2",
                    name=tr("satisfaction.csat_mean", lang), line=dict(color=PALETTE[2], width=2, dash="dot"),
                    hovertemplate="%{x}: %{y:.2f}<extra></extra>")
    base_layout(fig, lang, period_label, tr("satisfaction.axis_top2", lang))
    fig.update_yaxes(tickformat=".0%", range=[0, 1])
    fig.update_xaxes(type="category")
    fig.update_layout(hovermode="closest",
                      yaxis2=dict(title=dict(text=tr("satisfaction.csat_mean", lang)), overlaying="y", side="right",
                                  range=[1, 5], dtick=1, showgrid=False))
    return fig


def responses_chart(df: pd.DataFrame, lang: str, period_label: str) -> go.Figure:
    """Answers per period (bars, left axis) and response rate = answers / active customers (line, right)."""
    answers, rate = tr("satisfaction.answers", lang), tr("satisfaction.response_rate", lang)
    fig = go.Figure()
    fig.add_bar(x=df["label"], y=df["answers"], name=answers, marker_color=PALETTE[1],
                hovertemplate="%{x}: %{y:,.0f}<extra>" + answers + "</extra>")
    fig.add_scatter(x=df["label"], y=df["response_rate"], name=rate, yaxis="y2", mode="lines+markers",
                    line=dict(color=PALETTE[2], width=3), hovertemplate="%{x}: %{y:.1%}<extra>" + rate + "</extra>")
    base_layout(fig, lang, period_label, answers)
    fig.update_xaxes(type="category")
    fig.update_layout(yaxis2=dict(title=dict(text=rate), overlaying="y", side="right", showgrid=False,
                                  tickformat=".1%", rangemode="tozero", tickmode="auto", nticks=6))
    return fig


def followup_chart(df: pd.DataFrame, lang: str, value: str, axis_label: str, group_axis: str,
                   percent: bool = False) -> go.Figure:
    """One bar per answer group (promoter/passive/detractor or CSAT 1-5) with the customer count."""
    colours = [GROUP_COLOURS.get(g, PALETTE[1]) for g in df["grp"]]
    text = [(i18n.fmt_percent(v, lang, 1) if percent else i18n.fmt_money(v, lang, 0)) +
            f" (n={i18n.fmt_number(n, lang)})" for v, n in zip(df[value], df["customers"])]
    fig = go.Figure(go.Bar(x=[answer_group_label(g, lang) for g in df["grp"]], y=df[value], marker_color=colours,
                           text=text, textposition="outside", cliponaxis=False,
                           hovertemplate="%{x}: %{text}<extra></extra>"))
    base_layout(fig, lang, group_axis, axis_label, height=340)
    fig.update_yaxes(tickformat=".0%" if percent else ",.0f", rangemode="tozero")
    if percent:
        fig.update_yaxes(range=[0, min(1.0, max(0.1, float(df[value].max()) * 1.25))])
    fig.update_layout(showlegend=False, hovermode="closest", margin=dict(t=30))
    return fig


def referral_chart(df: pd.DataFrame, lang: str, value: str, axis_label: str, percent: bool = False) -> go.Figure:
    """New customers won by recommendation against the other new customers, one bar per group."""
    colours = {"referral": PALETTE[3], "other": PALETTE[1], "unknown": GREY}
    order = [g for g in ("referral", "other", "unknown") if g in set(df["grp"])]
    df = df.set_index("grp").loc[order].reset_index()
    text = [(i18n.fmt_percent(v, lang, 1) if percent else i18n.fmt_money(v, lang, 0)) +
            f" (n={i18n.fmt_number(n, lang)})" for v, n in zip(df[value], df["new_customers"])]
    fig = go.Figure(go.Bar(x=[answer_group_label(g, lang) for g in df["grp"]], y=df[value],
                           marker_color=[colours.get(g, GREY) for g in df["grp"]], text=text,
                           textposition="outside", cliponaxis=False, hovertemplate="%{x}: %{text}<extra></extra>"))
    base_layout(fig, lang, tr("satisfaction.axis_acquisition", lang), axis_label, height=320)
    fig.update_yaxes(tickformat=".0%" if percent else ",.0f", rangemode="tozero")
    if percent:
        fig.update_yaxes(range=[0, min(1.0, max(0.1, float(df[value].max()) * 1.25))])
    fig.update_layout(showlegend=False, hovermode="closest", margin=dict(t=30))
    return fig


def referrers_chart(df: pd.DataFrame, lang: str) -> go.Figure:
    """Share of customers per NPS group who recommended at least one new customer of the period."""
    order = [g for g in (*NPS_GROUPS, "no_answer") if g in set(df["grp"])]
    df = df.set_index("grp").loc[order].reset_index()
    text = [f"{i18n.fmt_percent(v, lang, 1)} ({i18n.fmt_number(r, lang)} / {i18n.fmt_number(c, lang)})"
            for v, r, c in zip(df["referrer_share"], df["referrers"], df["customers"])]
    fig = go.Figure(go.Bar(x=[answer_group_label(g, lang) for g in df["grp"]], y=df["referrer_share"],
                           marker_color=[GROUP_COLOURS.get(g, GREY) for g in df["grp"]], text=text,
                           textposition="outside", cliponaxis=False, hovertemplate="%{x}: %{text}<extra></extra>"))
    base_layout(fig, lang, tr("satisfaction.axis_nps_group", lang), tr("satisfaction.referrer_share", lang),
                height=320)
    fig.update_yaxes(tickformat=".1%", rangemode="tozero",
                     range=[0, max(0.01, float(df["referrer_share"].max()) * 1.3)])
    fig.update_layout(showlegend=False, hovermode="closest", margin=dict(t=30))
    return fig
