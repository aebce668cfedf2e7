"""The report's area sections after the revenue trend: repeat purchase, satisfaction, cross-buying,
customer value and measures. Each builder takes (con, snapshot, filters, lang) and returns a Section with
the area's main chart (the same pure Plotly builder and query the app page uses) and one sentence
generated from the numbers; a missing table or an empty period gives a Section without figure and a note
instead of an exception. No Streamlit here: the report also runs from the CLI.
"""

from __future__ import annotations

import pandas as pd

from loyalty import crossbuying, i18n, queries, uplift
from loyalty.customer_value import AbcSettings
from loyalty.filters import Filters
from loyalty.report.model import Section
from loyalty.store import Snapshot

SATISFACTION_MIN_N = 30  # answers a period needs before its NPS change is judged (pages/satisfaction.py default)
PAIR_MIN_SUPPORT = 0.01  # strongest pair among pairs bought by >= 1 % of category buyers (page default)
ABC_MEASURE = "revenue"


def _t(key: str, lang: str, **values) -> str:
    return i18n.t(key, lang, **values)


def _missing_table(area: str, title: str, table: str, lang: str) -> Section:
    return Section(area, title, _t(f"report.{area}_missing", lang),
                   note=_t("app.missing_table", lang, table=table))


def _first_row(con, name: str, filters: Filters | None, **params) -> pd.Series | None:
    if filters is None:
        return None
    frame = queries.run(con, name, **params, **filters.params())
    return None if frame.empty else frame.iloc[0]


def _signed(value: float, lang: str, decimals: int = 0) -> str:
    return ("+" if value > 0 else "") + i18n.fmt_number(value, lang, decimals)


# ---------------------------------------------------------------- repeat purchase


def repeat_purchase_section(con, snapshot: Snapshot, filters: Filters, lang: str) -> Section:
    from components.repeat_charts import align_comparison, repeat_trend_figure

    title = _t("repeat.trend_title", lang)
    compared = filters.compared()
    current = _first_row(con, "repeat_summary", filters)
    if current is None or not current["customers"]:
        return Section("repeat_purchase", title, _t("report.no_orders", lang))
    previous = _first_row(con, "repeat_summary", compared)
    rate, once = current["repeat_purchase_rate"], current["one_time_buyer_share"]
    if previous is None or not previous["customers"]:
        sentence = _t("report.repeat_sentence", lang, rate=i18n.fmt_percent(rate, lang),
                      once=i18n.fmt_percent(once, lang))
    else:
        sentence = _t("report.repeat_sentence_compared", lang, rate=i18n.fmt_percent(rate, lang),
                      before=i18n.fmt_percent(previous["repeat_purchase_rate"], lang),
                      change=i18n.fmt_points(rate - previous["repeat_purchase_rate"], lang),
                      once=i18n.fmt_percent(once, lang))
    trend = queries.run(con, "repeat_trend", grain="month", **filters.params())
    before = queries.run(con, "repeat_trend", grain="month", **compared.params()) if compared else None
    aligned = align_comparison(trend, before, "month", filters.start, compared.start if compared else None)
    figure = repeat_trend_figure(trend, aligned, "repeat_purchase_rate", "month", lang)
    return Section("repeat_purchase", title, sentence, figure, _t("report.repeat_note", lang))


# ---------------------------------------------------------------- satisfaction


def _nps_total(con, filters: Filters | None):
    from components.satisfaction_charts import nps_frame

    if filters is None:
        return None
    frame = nps_frame(queries.run(con, "nps_by_group", by="total", **filters.params()), SATISFACTION_MIN_N)
    frame = frame[frame["n"] > 0]
    return None if frame.empty else frame.iloc[0]


def satisfaction_section(con, snapshot: Snapshot, filters: Filters, lang: str) -> Section:
    from components.satisfaction_charts import nps_changes, nps_frame, nps_trend_chart, period_change

    title = _t("satisfaction.nps_trend_title", lang)
    if not snapshot.has("surveys"):
        return _missing_table("satisfaction", title, "surveys", lang)
    now = _nps_total(con, filters)
    if now is None:
        return Section("satisfaction", title, _t("report.satisfaction_no_answers", lang))
    before = _nps_total(con, filters.compared())
    nps = i18n.fmt_number(now["nps"], lang, 0)
    if before is None:
        sentence = _t("report.satisfaction_sentence", lang, nps=nps, n=i18n.fmt_number(now["n"], lang),
                      low=i18n.fmt_number(now["ci_low"], lang, 0), high=i18n.fmt_number(now["ci_high"], lang, 0))
    else:
        change = period_change((now["promoters"], now["detractors"], now["n"]),
                               (before["promoters"], before["detractors"], before["n"]), SATISFACTION_MIN_N, "nps")
        if not change["judged"]:
            verdict = _t("report.satisfaction_not_judged", lang, n=SATISFACTION_MIN_N)
        else:
            key = "report.satisfaction_significant" if change["significant"] else "report.satisfaction_random"
            verdict = _t(key, lang, p=i18n.fmt_number(change["p_value"], lang, 3))
        sentence = _t("report.satisfaction_sentence_compared", lang, nps=nps,
                      before=i18n.fmt_number(before["nps"], lang, 0),
                      change=_signed(change["difference"], lang, 1), verdict=verdict)
    trend = nps_frame(queries.run(con, "nps_by_group", by="month", **filters.params()), SATISFACTION_MIN_N)
    trend = nps_changes(trend[trend["n"] > 0], SATISFACTION_MIN_N)
    figure = nps_trend_chart(trend, lang, _t("satisfaction.grain_month", lang)) if not trend.empty else None
    return Section("satisfaction", title, sentence, figure)


# ---------------------------------------------------------------- cross-buying


def cross_buying_section(con, snapshot: Snapshot, filters: Filters, lang: str) -> Section:
    from components.crossbuying_charts import breadth_chart

    title = _t("crossbuying.breadth_title", lang)
    coverage = queries.run(con, "crossbuying_coverage").iloc[0]
    if not coverage["lines_with_category"]:
        return Section("cross_buying", title, _t("report.cross_buying_no_category", lang),
                       note=_t("crossbuying.no_category", lang))
    profile = queries.run(con, "crossbuying_breadth", **filters.params())
    current = crossbuying.summary(profile)
    if not current["category_buyers"]:
        return Section("cross_buying", title, _t("crossbuying.no_pairs", lang))
    compared = filters.compared()
    previous = crossbuying.summary(queries.run(con, "crossbuying_breadth", **compared.params())) if compared else None
    rate = i18n.fmt_percent(current["cross_buying_rate"], lang)
    if previous is None or not previous["category_buyers"]:
        sentence = _t("report.cross_buying_sentence", lang, rate=rate)
    else:
        sentence = _t("report.cross_buying_sentence_compared", lang, rate=rate,
                      before=i18n.fmt_percent(previous["cross_buying_rate"], lang))
    pairs = queries.run(con, "crossbuying_pairs", **filters.params())
    pairs = pairs[(pairs["support"] >= PAIR_MIN_SUPPORT) & (pairs["customers_both"] > 0)]
    if not pairs.empty:
        best = pairs.iloc[0]  # the query sorts by lift
        sentence += _t("report.cross_buying_pair", lang, a=best["category_a"], b=best["category_b"],
                       lift=i18n.fmt_number(best["lift"], lang, 2))
    figure = breadth_chart(crossbuying.breadth(profile), lang)
    return Section("cross_buying", title, sentence + ".", figure)


# ---------------------------------------------------------------- customer value


def customer_value_section(con, snapshot: Snapshot, filters: Filters, lang: str) -> Section:
    from components.value_charts import pareto_chart

    measure = _t(f"value.measure_text_{ABC_MEASURE}", lang)
    title = _t("value.pareto_title", lang, measure=measure)
    settings = AbcSettings(by=ABC_MEASURE)
    classes = queries.run(con, "abc_classes", **settings.params(filters))
    overall = classes[~classes["by_segment"]].set_index("abc_class")
    if overall.empty or overall["customers"].sum() == 0 or "A" not in overall.index:
        return Section("customer_value", title, _t("report.no_orders", lang))
    a_class = overall.loc["A"]
    sentence = _t("report.customer_value_sentence", lang, customers=i18n.fmt_number(a_class["customers"], lang),
                  customer_share=i18n.fmt_percent(a_class["customer_share"], lang),
                  value_share=i18n.fmt_percent(a_class["value_share"], lang),
                  bound=i18n.fmt_percent(settings.a_bound, lang, 0))
    curve = queries.run(con, "abc_pareto", **settings.params(filters))
    figure = pareto_chart(curve, lang, ABC_MEASURE, settings.a_bound, settings.b_bound)
    return Section("customer_value", title, sentence, figure)


# ---------------------------------------------------------------- measures


def measure_portfolio(con) -> pd.DataFrame:
    """uplift.portfolio_table with the page's default evaluation settings (follow-up days, margin rate),
    as components/measures_common.portfolio computes it for the Portfolio tab, without Streamlit."""
    params = {"follow_up_days": uplift.DEFAULT_FOLLOW_UP_DAYS, "margin_rate": uplift.DEFAULT_MARGIN_RATE,
              "min_matches": uplift.MIN_STRATUM_MATCHES, "class_a_share": uplift.ABC_BOUNDS[0],
              "class_b_share": uplift.ABC_BOUNDS[1]}
    register = queries.run(con, "measure_register")
    return uplift.portfolio_table(register, queries.run(con, "measure_group_stats", **params),
                                  queries.run(con, "measure_prepost", **params))


def instrument_name(instrument: str, lang: str) -> str:
    label = _t(f"measures.instrument.{instrument}", lang)
    return instrument if label.startswith("measures.instrument.") else label


def measures_section(con, snapshot: Snapshot, filters: Filters, lang: str) -> Section:
    from components.measures_charts import roi_chart

    title = _t("report.measures_title", lang)
    if not snapshot.has("measures"):
        return _missing_table("measures", title, "measures", lang)
    portfolio = measure_portfolio(con)
    note = _t("report.measures_note", lang, days=uplift.DEFAULT_FOLLOW_UP_DAYS,
              rate=i18n.fmt_percent(uplift.DEFAULT_MARGIN_RATE, lang, 0))
    rated = portfolio.dropna(subset=["roi"]).sort_values("roi", ascending=False)
    if rated.empty:
        return Section("measures", title, _t("measures.portfolio_empty", lang), note=note)
    rated = rated.assign(label=[f"{name} ({measure_id})" for name, measure_id in
                                zip(rated["name"], rated["measure_id"], strict=True)])
    best = rated.iloc[0]
    paid = int((rated["roi_low"] > 0).sum())
    sentence = _t("report.measures_sentence", lang, paid=paid, rated=len(rated), total=len(portfolio),
                  best=best["name"], roi=i18n.fmt_percent(best["roi"], lang, 0),
                  low=i18n.fmt_percent(best["roi_low"], lang, 0), high=i18n.fmt_percent(best["roi_high"], lang, 0))
    labels = {i: instrument_name(i, lang) for i in rated["instrument"].unique()}
    figure = roi_chart(rated, lang, _t("measures.axis_roi", lang), _t("measures.axis_measure", lang), labels,
                       _t("measures.evidence.pre_post", lang))
    return Section("measures", title, sentence, figure, note)


AREA_SECTIONS = [repeat_purchase_section, satisfaction_section, cross_buying_section, customer_value_section,
                 measures_section]
