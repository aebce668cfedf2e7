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
TABS = {"portfolio": lambda: render_portfolio(ctx, evaluation), "effect": lambda: render_effect(ctx, evaluation),
        "potential": lambda: render_potential(ctx, evaluation), "members": lambda: render_members(ctx),
        "points": lambda: render_points(ctx), "side_effects": lambda: render_side_effects(ctx, evaluation),
        "register": lambda: render_register(ctx)}
# only the open tab runs its queries (the labels are the state, hence one key per language)
tabs = st.tabs([ctx.t(f"measures.tab.{name}") for name in TABS], key=f"measures_tab_{ctx.lang}", on_change="rerun")
for tab, render in zip(tabs, TABS.values(), strict=True):
    if tab.open is False:
        continue
    with tab:
        render()
