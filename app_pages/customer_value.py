"""Customer value: ABC/Pareto of the period, RFM segments with migration, and customer lifetime value
(BG/NBD + Gamma-Gamma) with its holdout check. Definitions: docs/metrics.md, "Customer value"."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from components import data
from components import value_charts as charts
from components.context import get_context
from components.ui import chart, explain, page_header, require_transactions, table
from components.widgets import choice, keep_valid
from loyalty import clv, i18n
from loyalty.customer_value import (
    ABC_CLASSES,
    ABC_MEASURES,
    DEFAULT_DISCOUNT_RATE,
    DEFAULT_HORIZON_MONTHS,
    DEFAULT_P_ALIVE_THRESHOLD,
    DEFAULT_UNIT,
    HIGH_VALUE_SHARE,
    RFM_SEGMENT_RULES,
    RFM_SEGMENTS,
    SCORE_METHODS,
    UNITS,
    AbcSettings,
    ClvDataError,
    ClvResult,
    ClvSettings,
    RfmScoring,
    clv_totals,
    customers_with_attributes,
    default_calibration_end,
    fit_clv,
    high_value_low_alive,
    holdout_summary,
    rfm_migration_params,
    rfm_params,
    value_by_segment,
)
from loyalty.filters import Filters

ctx = get_context()
t = ctx.t
lang = ctx.lang

# column kind -> (display format, step = shown decimals); Streamlit formats in the reader's browser locale
COLUMN_FORMATS = {"count": ("localized", 1), "days": ("localized", 1), "number": ("localized", 0.01),
                  "money": ("euro", 0.01), "share": ("percent", 0.001), "probability": ("percent", 0.001)}


PERCENT_FORMAT = {"de": "%d %%", "en": "%d%%"}  # slider labels
CUSTOMERS_SHOWN = 1000  # rows of a customer list shown on the page; the downloads have all


def show_table(df: pd.DataFrame, columns: dict[str, str], name: str, key: str, height: int | None = None,
               max_rows: int | None = None) -> None:
    """A downloadable table of `columns` (name -> kind: text, date or a COLUMN_FORMATS kind) with translated
    headers (`value.col_<name>`); the download keeps the numbers, shares as fractions."""
    shown = df[list(columns)].copy()
    labels, config = {}, {}
    for column, kind in columns.items():
        label = labels[column] = t(f"value.col_{column}")
        if kind in COLUMN_FORMATS:
            number_format, step = COLUMN_FORMATS[kind]
            # rounded here: the table cuts further digits off instead of rounding them
            shown[column] = pd.to_numeric(shown[column]).round(len(f"{step:g}".partition(".")[2]))
            config[label] = st.column_config.NumberColumn(format=number_format, step=step)
        elif kind == "date":
            shown[column] = pd.to_datetime(shown[column])
            config[label] = st.column_config.DateColumn(format="DD.MM.YYYY" if lang == "de" else "YYYY-MM-DD")
    table(shown, ctx, name, labels, column_config=config, height=height, key=key, max_rows=max_rows)


def segment_labels(values: pd.Series) -> pd.Series:
    return values.fillna("").replace("", t("value.no_segment"))


# --------------------------------------------------------------------------------------------------
# ABC / Pareto
# --------------------------------------------------------------------------------------------------


def render_abc() -> None:
    left, right = st.columns([1, 2])
    by = choice(ctx, "value.abc_by", list(ABC_MEASURES), "value_abc_by", "value.measure_", container=left)
    a_pct, b_pct = right.slider(t("value.abc_bounds"), min_value=5, max_value=100, value=(80, 95), step=1,
                                format=PERCENT_FORMAT[lang], key="value_abc_bounds", help=t("value.abc_bounds_help"))
    if a_pct >= b_pct:
        st.info(t("value.abc_bounds_invalid"))
        return
    settings = AbcSettings(by=by, a_bound=a_pct / 100, b_bound=b_pct / 100)
    classes = data.query("abc_classes", **settings.params(ctx.filters))
    overall = classes[~classes["by_segment"]].set_index("abc_class").loc[list(ABC_CLASSES)]
    if overall["customers"].sum() == 0:
        st.info(t("app.no_data_period"))
        return
    without_margin = int(overall["orders_without_margin"].sum())
    if by == "margin" and without_margin == int(overall["orders"].sum()):
        st.info(t("app.missing_column", column="margin", table="transactions"))
        return
    if by == "margin" and without_margin:
        st.warning(t("value.margin_partly_missing", orders=i18n.fmt_number(without_margin, lang)))

    measure = t(f"value.measure_text_{by}")
    for column, abc_class in zip(st.columns(3), ABC_CLASSES):
        row = overall.loc[abc_class]
        column.metric(t("value.abc_card_label", abc_class=abc_class, measure=measure),
                      i18n.fmt_percent(row["value_share"], lang), border=True,
                      help=t(f"value.abc_card_help_{abc_class.lower()}", a=a_pct, b=b_pct))
        column.caption(t("value.abc_card_caption", customers=i18n.fmt_number(row["customers"], lang),
                         share=i18n.fmt_percent(row["customer_share"], lang)))

    st.subheader(t("value.pareto_title", measure=measure))
    curve = data.query("abc_pareto", **settings.params(ctx.filters))
    chart(charts.pareto_chart(curve, lang, by, settings.a_bound, settings.b_bound), key="value_pareto")
    explain(ctx, "value.pareto_explain", measure=measure, a=a_pct, b=b_pct)

    st.subheader(t("value.abc_table_title"))
    ranked_by = {"margin": "money", "margin_share": "share"} if by == "margin" else {}
    class_columns = {"abc_class": "text", "customers": "count", "customer_share": "share", **ranked_by,
                     "revenue": "money", "revenue_share": "share", "orders": "count", "avg_order_value": "money",
                     "repeat_rate": "share"}
    show_table(overall.reset_index(), class_columns, "abc_classes", key="value_abc_table")
    explain(ctx, "value.abc_table_explain")

    by_segment = classes[classes["by_segment"]].assign(segment_label=lambda df: segment_labels(df["segment"]))
    if by_segment["segment"].notna().any():
        st.subheader(t("value.abc_segment_title"))
        chart(charts.abc_segment_chart(by_segment, lang, by), key="value_abc_segments")
        explain(ctx, "value.abc_segment_explain")
        with st.expander(t("value.abc_segment_table")):
            show_table(by_segment.rename(columns={"segment_label": "customer_segment"}),
                       {"customer_segment": "text", **class_columns}, "abc_classes_by_segment",
                       key="value_abc_segment_table")

    st.subheader(t("value.abc_list_title"))
    # one class by default: the list of all customers can be long (it is one option away)
    options = [*ABC_CLASSES, ""]
    chosen = st.selectbox(t("value.abc_list_class"), options, key="value_abc_list",
                          format_func=lambda c: t("value.all_classes") if c == "" else t("value.abc_class_name", abc_class=c))
    customers = data.query("abc_customers", **settings.params(ctx.filters, chosen))
    show_table(customers.assign(segment=segment_labels(customers["segment"])),
               {"customer_id": "text", "segment": "text", "abc_class": "text", "value_rank": "count", "revenue": "money",
                **({"margin": "money"} if by == "margin" else {}), "orders": "count", "avg_order_value": "money",
                "share_before": "share"},
               f"abc_customers_{chosen or 'all'}", key="value_abc_customers", height=360, max_rows=CUSTOMERS_SHOWN)
    explain(ctx, "value.abc_list_explain")


# --------------------------------------------------------------------------------------------------
# RFM
# --------------------------------------------------------------------------------------------------


def _parse_cuts(text: str) -> tuple[float, ...]:
    return tuple(float(part.strip().replace(",", ".")) for part in text.replace(";", " ").split() if part.strip())


def rfm_scoring() -> RfmScoring:
    method = choice(ctx, "value.rfm_method", list(SCORE_METHODS), "value_rfm_method", "value.rfm_method_")
    st.caption(t("value.rfm_method_help"))
    if method != "cut_points":
        return RfmScoring()
    defaults = RfmScoring()
    columns = st.columns(3)
    texts = {}
    for column, dimension in zip(columns, ("recency", "frequency", "monetary")):
        initial = "  ".join(i18n.fmt_number(v, lang) for v in getattr(defaults, f"{dimension}_cuts"))
        texts[dimension] = column.text_input(t(f"value.rfm_cuts_{dimension}"), value=initial,
                                             key=f"value_rfm_cuts_{dimension}", help=t("value.rfm_cuts_help"))
    try:
        # German input may use '.' as thousands separator: "1.000" -> 1000
        parse = (lambda s: _parse_cuts(s.replace(".", ""))) if lang == "de" else (lambda s: _parse_cuts(s.replace(",", "")))
        return RfmScoring("cut_points", *(parse(texts[d]) for d in ("recency", "frequency", "monetary")))
    except ValueError:
        st.warning(t("value.rfm_cuts_invalid"))
        return RfmScoring()


def rule_text(rule) -> str:
    def span(low, high):
        return f"{low}" if low == high else f"{low}–{high}"

    return f"R {span(*rule.recency)} · F {span(*rule.frequency)}"


def render_rfm() -> None:
    scoring = rfm_scoring()
    params = rfm_params(ctx.filters, scoring)
    segments = data.query("rfm_segments", **params)
    if segments.empty:
        st.info(t("app.no_data_period"))
        return

    left, right = st.columns([1.15, 1])
    with left:
        st.subheader(t("value.rfm_map_title"))
        chart(charts.rfm_map_chart(data.query("rfm_grid", **params), lang), key="value_rfm_map")
        explain(ctx, "value.rfm_map_explain")
    with right:
        st.subheader(t("value.rfm_segments_title"))
        chart(charts.rfm_segment_chart(segments, lang), key="value_rfm_segments")
        explain(ctx, "value.rfm_segments_explain")

    rules = {rule.code: rule for rule in RFM_SEGMENT_RULES}
    segment_table = segments.assign(
        rule=segments["rfm_segment"].map(lambda code: rule_text(rules[code])),
        description=segments["rfm_segment"].map(lambda code: t(f"value.rfm_{code}_desc")),
        rfm_segment=segments["rfm_segment"].map(lambda code: charts.rfm_segment_name(code, lang)),
    )
    show_table(segment_table, {"rfm_segment": "text", "rule": "text", "description": "text", "customers": "count",
                               "customer_share": "share", "revenue": "money", "revenue_share": "share"},
               "rfm_segments", key="value_rfm_table")
    explain(ctx, "value.rfm_table_explain")

    with st.expander(t("value.rfm_ranges_title")):
        ranges = data.query("rfm_score_ranges", **params)
        st.dataframe(score_range_table(ranges), hide_index=True, width="stretch")
        explain(ctx, "value.rfm_ranges_explain")

    st.subheader(t("value.migration_title"))
    migration_params = rfm_migration_params(ctx.filters, scoring)
    if migration_params is None:
        st.info(t("value.migration_needs_comparison"))
    else:
        migration = data.query("rfm_migration", **migration_params)
        previous = ctx.filters.compared()
        chart(charts.migration_chart(migration, lang), key="value_rfm_migration")
        explain(ctx, "value.migration_explain", start=i18n.fmt_date(previous.start, lang),
                end=i18n.fmt_date(previous.end, lang))

    st.subheader(t("value.rfm_list_title"))
    present = [code for code in RFM_SEGMENTS if code in set(segments["rfm_segment"])]
    keep_valid("value_rfm_list", [*present, ""])  # a segment of another period may be missing here
    chosen = st.selectbox(t("value.rfm_list_segment"), [*present, ""], key="value_rfm_list",
                          format_func=lambda c: t("value.all_segments") if c == "" else charts.rfm_segment_name(c, lang))
    customers = data.query("rfm_customers", **rfm_params(ctx.filters, scoring, chosen))
    customers = customers.assign(segment=segment_labels(customers["segment"]),
                                 rfm_segment=customers["rfm_segment"].map(lambda c: charts.rfm_segment_name(c, lang)))
    show_table(customers, {"customer_id": "text", "segment": "text", "rfm_segment": "text", "r_score": "count",
                           "f_score": "count", "m_score": "count", "last_order": "date", "recency_days": "days",
                           "frequency": "count", "monetary": "money"},
               f"rfm_customers_{chosen or 'all'}", key="value_rfm_customers", height=360, max_rows=CUSTOMERS_SHOWN)
    explain(ctx, "value.rfm_list_explain")


def score_range_table(ranges: pd.DataFrame) -> pd.DataFrame:
    """Score (5 .. 1) x dimension: 'lowest – highest' value with that score (empty if no customer has it)."""
    formats = {"recency": lambda v: i18n.fmt_number(v, lang), "frequency": lambda v: i18n.fmt_number(v, lang),
               "monetary": lambda v: i18n.fmt_money(v, lang, 2)}
    rows = []
    for score in range(5, 0, -1):
        row = {t("value.col_score"): score}
        for dimension, fmt in formats.items():
            match = ranges[(ranges["dimension"] == dimension) & (ranges["score"] == score)]
            low, high = (None, None) if match.empty else (match["min_value"].iloc[0], match["max_value"].iloc[0])
            row[t(f"value.rfm_range_{dimension}")] = "" if low is None else fmt(low) if low == high else \
                f"{fmt(low)} – {fmt(high)}"
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------
# CLV
# --------------------------------------------------------------------------------------------------


def _fit(calibration_end: date, unit: str, horizon: int, discount_rate: float,
         margin_rate: float) -> ClvResult:
    """One fit per workspace version and settings (run through components.data.cached; read-only)."""
    con = data.connection()
    try:
        return fit_clv(con, ClvSettings(calibration_end, unit, horizon, discount_rate, margin_rate))
    finally:
        con.close()


def clv_settings(first: date, last: date) -> ClvSettings:
    lowest, highest = first + timedelta(days=1), last - timedelta(days=1)
    if not lowest <= st.session_state.get("value_clv_end", lowest - timedelta(days=1)) <= highest:
        st.session_state["value_clv_end"] = min(max(default_calibration_end(first, last), lowest), highest)
    end_col, unit_col, horizon_col, rate_col, margin_col = st.columns([1.2, 1, 1, 1, 1])
    calibration_end = end_col.date_input(t("value.clv_calibration_end"), min_value=lowest, max_value=highest,
                                         key="value_clv_end", help=t("value.clv_calibration_end_help"),
                                         format="DD.MM.YYYY" if lang == "de" else "YYYY-MM-DD")
    unit = choice(ctx, "value.clv_unit", [DEFAULT_UNIT, *(u for u in UNITS if u != DEFAULT_UNIT)], "value_clv_unit",
                  "value.unit_", container=unit_col)
    horizon = horizon_col.number_input(t("value.clv_horizon"), min_value=1, max_value=120,
                                       value=DEFAULT_HORIZON_MONTHS, step=1, key="value_clv_horizon")
    rate = rate_col.number_input(t("value.clv_discount"), min_value=0, max_value=50,
                                 value=round(DEFAULT_DISCOUNT_RATE * 100), step=1, key="value_clv_rate",
                                 help=t("value.clv_discount_help"))
    margin = margin_col.number_input(t("value.clv_margin"), min_value=1, max_value=100, value=100, step=5,
                                     key="value_clv_margin", help=t("value.clv_margin_help"))
    return ClvSettings(calibration_end, unit, int(horizon), rate / 100, margin / 100)


def _customers(settings: tuple, filters: Filters) -> pd.DataFrame:
    """The forecast per customer with segment labels, for the sidebar filters: cached and shared like the fit
    (read-only), so a rerun does not join 670 k customers again."""
    result = data.cached(_fit, *settings)
    attributes = data.query("value_customers", **filters.params())
    customers = customers_with_attributes(result, attributes)
    customers["segment"] = segment_labels(customers["segment"])
    return customers


def render_clv(is_open: bool) -> None:
    st.caption(t("value.clv_scope"))
    rng = data.query("data_range").iloc[0]
    first, last = pd.Timestamp(rng["first_date"]).date(), pd.Timestamp(rng["last_date"]).date()
    if (last - first).days < 2:
        st.info(t("value.clv_too_short"))
        return
    settings = clv_settings(first, last)
    if not is_open:
        return  # the fit runs only when this tab is shown
    fit_settings = (settings.calibration_end, settings.unit, settings.horizon_months, settings.annual_discount_rate,
                    settings.margin_rate)
    try:
        with st.spinner(t("value.clv_fitting")):
            result = data.cached(_fit, *fit_settings)
    except ClvDataError as exc:
        st.info(t(f"value.clv_{exc.reason}", found=i18n.fmt_number(exc.found, lang),
                  needed=i18n.fmt_number(exc.needed, lang)))
        return
    except clv.ModelError as exc:
        st.warning(t("value.clv_model_error", detail=str(exc)))
        return

    customers = data.cached(_customers, fit_settings, ctx.filters)
    if customers.empty:
        st.info(t("value.clv_no_customers"))
        return
    render_clv_headline(result, customers)
    render_holdout(result)
    render_clv_customers(result, customers)
    render_model_details(result)


def render_clv_headline(result: ClvResult, customers: pd.DataFrame) -> None:
    totals = clv_totals(customers)
    months = result.settings.horizon_months
    cards = [
        (t("value.clv_total", months=months), i18n.fmt_money(totals["clv"], lang),
         t("value.clv_total_help", rate=i18n.fmt_percent(result.settings.annual_discount_rate, lang),
           margin=i18n.fmt_percent(result.settings.margin_rate, lang, 0))),
        (t("value.clv_purchases", months=months), i18n.fmt_number(totals["expected_purchases"], lang),
         t("value.clv_purchases_help")),
        (t("value.p_alive_mean"), i18n.fmt_percent(totals["p_alive_mean"], lang), t("value.p_alive_help")),
        (t("value.value_at_risk"), i18n.fmt_money(totals["value_at_risk"], lang), t("value.value_at_risk_help")),
    ]
    for column, (label, value, help_text) in zip(st.columns(len(cards)), cards):
        column.metric(label, value, help=help_text, border=True)
    st.caption(t("value.clv_forecast_from", end=i18n.fmt_date(result.data_end, lang), months=months,
                 customers=i18n.fmt_number(totals["customers"], lang)))


def render_holdout(result: ClvResult) -> None:
    st.subheader(t("value.holdout_title"))
    check = holdout_summary(result)
    st.markdown(t("value.holdout_verdict", start=i18n.fmt_date(check["start"], lang),
                  end=i18n.fmt_date(check["end"], lang), predicted=i18n.fmt_number(check["predicted"], lang),
                  actual=i18n.fmt_number(check["actual"], lang),
                  deviation=("+" if check["deviation"] > 0 else "") + i18n.fmt_percent(check["deviation"], lang)))
    left, right = st.columns(2)
    with left:
        chart(charts.tracking_chart(result.tracking, lang, result.settings.calibration_end), key="value_tracking")
        explain(ctx, "value.tracking_explain", unit=t(f"value.unit_{result.settings.unit}"))
    with right:
        chart(charts.holdout_frequency_chart(result.by_frequency, lang), key="value_holdout")
        explain(ctx, "value.holdout_explain")


CLV_COLUMNS = {"customer_id": "text", "segment": "text", "purchases": "count", "last_purchase": "date",
               "p_alive": "probability", "expected_purchases": "number", "expected_spend": "money", "clv": "money"}


def render_clv_customers(result: ClvResult, customers: pd.DataFrame) -> None:
    st.subheader(t("value.top_title"))
    top_n = st.selectbox(t("value.top_n"), [20, 50, 100, 500], key="value_clv_top")
    show_table(customers.nlargest(top_n, "clv"), CLV_COLUMNS, f"clv_top_{top_n}", key="value_clv_top_table", height=360)
    explain(ctx, "value.top_explain", months=result.settings.horizon_months)

    st.subheader(t("value.value_segment_title"))
    by_segment = value_by_segment(customers).assign(segment_label=lambda df: segment_labels(df["segment"]))
    chart(charts.value_by_segment_chart(by_segment, lang), key="value_clv_segments")
    explain(ctx, "value.value_segment_explain", months=result.settings.horizon_months)
    show_table(by_segment.rename(columns={"segment_label": "customer_segment"}),
               {"customer_segment": "text", "customers": "count", "clv": "money", "clv_share": "share",
                "clv_mean": "money", "expected_purchases": "number", "p_alive_mean": "probability"},
               "clv_by_segment", key="value_clv_segment_table")

    st.subheader(t("value.at_risk_title"))
    threshold = st.slider(t("value.at_risk_threshold"), min_value=5, max_value=95,
                          value=int(DEFAULT_P_ALIVE_THRESHOLD * 100), step=5, format=PERCENT_FORMAT[lang], key="value_clv_palive")
    at_risk = high_value_low_alive(customers, threshold / 100)
    if at_risk.empty:
        st.info(t("value.at_risk_none", threshold=threshold))
    else:
        show_table(at_risk, {"customer_id": "text", "segment": "text", "purchases": "count", "last_purchase": "date",
                             "p_alive": "probability", "value_if_alive": "money", "value_at_risk": "money"},
                   f"clv_high_value_low_p_alive_{threshold}", key="value_clv_at_risk", height=360,
                   max_rows=CUSTOMERS_SHOWN)
    explain(ctx, "value.at_risk_explain", share=i18n.fmt_percent(HIGH_VALUE_SHARE, lang, 0), threshold=threshold)


def render_model_details(result: ClvResult) -> None:
    with st.expander(t("value.model_details")):
        bgnbd, spend = result.bgnbd, result.gamma_gamma
        st.markdown(t("value.model_bgnbd", customers=i18n.fmt_number(result.calibration_customers, lang),
                      repeat=i18n.fmt_number(result.calibration_repeat_customers, lang),
                      ll=i18n.fmt_number(bgnbd.log_likelihood, lang, 1), unit=t(f"value.unit_{bgnbd.unit}")))
        st.dataframe(parameter_table(bgnbd.parameters()), hide_index=True, width="stretch")
        st.markdown(t("value.model_gamma_gamma", customers=i18n.fmt_number(spend.n_customers, lang),
                      ll=i18n.fmt_number(spend.log_likelihood, lang, 1),
                      mean=i18n.fmt_money(spend.mean_spend, lang, 2)))
        st.dataframe(parameter_table(spend.parameters()), hide_index=True, width="stretch")
        correlation = spend.frequency_spend_correlation
        st.caption(t("value.model_correlation", value=i18n.fmt_number(correlation, lang, 2)))
        if abs(correlation) > 0.3:
            st.warning(t("value.model_correlation_warning"))
        explain(ctx, "value.model_explain")


def parameter_table(parameters: pd.DataFrame) -> pd.DataFrame:
    def fmt(v):
        return i18n.fmt_number(v, lang, 3)

    return pd.DataFrame({
        t("value.col_parameter"): parameters["parameter"],
        t("value.col_estimate"): parameters["estimate"].map(fmt),
        t("value.col_std_error"): parameters["std_error"].map(fmt),
        t("value.col_interval"): [f"{fmt(lo)} – {fmt(hi)}" for lo, hi in zip(parameters["ci_low"], parameters["ci_high"])],
    })


# --------------------------------------------------------------------------------------------------

page_header(ctx, "value")
require_transactions(ctx)
abc_tab, rfm_tab, clv_tab = st.tabs([t("value.tab_abc"), t("value.tab_rfm"), t("value.tab_clv")],
                                    key=f"value_tab_{lang}", on_change="rerun")
if abc_tab.open is not False:  # only the open tab runs its queries
    with abc_tab:
        render_abc()
if rfm_tab.open is not False:
    with rfm_tab:
        render_rfm()
with clv_tab:
    render_clv(clv_tab.open is not False)
