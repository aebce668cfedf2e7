"""Data: import analysts' exports (wizard in components/data_import.py), what the workspace holds and the
change log (components/data_overview.py). Viewers see the contents and the log, not the import."""

import streamlit as st

from components.auth import allowed, current_user
from components.context import get_context
from components.data_import import render_import
from components.data_overview import render_changes, render_overview
from components.ui import page_header

ctx = get_context()
page_header(ctx, "data")

SECTIONS = {"import": render_import, "overview": render_overview, "changes": render_changes}
names = list(SECTIONS)
if not allowed("import"):
    st.info(ctx.t("data.viewer_note", role=ctx.t(f"auth.role.{current_user().role}")), icon=":material/visibility:")
    names.remove("import")
# every tab is drawn on each run (no lazy tabs): the uploader must keep its files while another tab is open
for tab, name in zip(st.tabs([ctx.t(f"data.tab_{name}") for name in names]), names, strict=True):
    with tab:
        SECTIONS[name](ctx)
