"""Measures (loyalty instruments controlling): did each instrument bring more than it cost?

Tabs: Portfolio, Effect of a measure, Potential, Members, Bonus points, Side effects, Register & targets.
The evaluation settings above the tabs (measure, follow-up days, margin rate) apply to the measure tabs;
the sidebar period and filters apply to Members and Bonus points. Definitions: docs/metrics.md#measures.
"""

import streamlit as st

from components.context import get_context
from components.measures_common import evaluation_settings
from components.measures_effect import render_effect
from components.measures_members import render_members, render_points
from components.measures_portfolio import render_portfolio
from components.measures_potential import render_potential
from components.measures_register import render_register
from components.measures_side_effects import render_side_effects
from components.ui import page_header, require_transactions

ctx = get_context()
page_header(ctx, "measures")
require_transactions(ctx)

evaluation = evaluation_settings(ctx)
st.caption(ctx.t("measures.settings_caption"))
tabs = st.tabs([ctx.t(f"measures.tab.{name}") for name in
                ("portfolio", "effect", "potential", "members", "points", "side_effects", "register")])
with tabs[0]:
    render_portfolio(ctx, evaluation)
with tabs[1]:
    render_effect(ctx, evaluation)
with tabs[2]:
    render_potential(ctx, evaluation)
with tabs[3]:
    render_members(ctx)
with tabs[4]:
    render_points(ctx)
with tabs[5]:
    render_side_effects(ctx, evaluation)
with tabs[6]:
    render_register(ctx)
