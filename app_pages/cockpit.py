"""Cockpit: KPI cards against the comparison period, targets with traffic lights and the monthly revenue /
active customer trend."""

import streamlit as st

from components import data
from components.charts import trend_chart
from components.context import get_context
from components.kpi import kpi_cards
from components.targets import cockpit_targets
from components.ui import chart, explain, page_header, require_transactions

ctx = get_context()
page_header(ctx, "cockpit")
require_transactions(ctx)

filters = ctx.filters
current = data.query("kpis", **filters.params()).iloc[0]
if current["customers"] == 0:
    st.info(ctx.t("app.no_data_period"))
    st.stop()
compared = filters.compared()
previous = data.query("kpis", **compared.params()).iloc[0] if compared else None
kpi_cards(ctx, current, previous)
cockpit_targets(ctx)

st.subheader(ctx.t("cockpit.trend_title"))
trend = data.query("kpi_trend", grain="month", **filters.params())
chart(trend_chart(trend, ctx.lang))
explain(ctx, "cockpit.trend_caption")

with st.expander(ctx.t("cockpit.definitions")):
    st.markdown(ctx.t("cockpit.def_text"))
