"""Placeholder until this area lands: says what the page will show, no numbers."""

import streamlit as st

from components.context import get_context

ctx = get_context()
st.title(ctx.t("nav.complaints"))
st.info(ctx.t("app.planned", what=ctx.t("planned.complaints")))
