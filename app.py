"""Loyalty Cockpit: entry point. Navigation, shared sidebar filters, language, demo data on first run."""

from __future__ import annotations

import logging

import streamlit as st

from components import auth, data
from components.sidebar import render_sidebar
from loyalty import i18n

log = logging.getLogger("loyalty.app")

st.set_page_config(page_title="Loyalty Cockpit", page_icon="📊", layout="wide")

# (file, url path, nav key, section key); the section keys group the navigation menu
PAGES = (
    ("app_pages/cockpit.py", "", "nav.cockpit", "nav.overview"),  # the default page lives at the root URL
    ("app_pages/report.py", "report", "nav.report", "nav.overview"),
    ("app_pages/repeat_purchase.py", "repeat-purchase", "nav.repeat", "nav.analyses"),
    ("app_pages/cross_buying.py", "cross-buying", "nav.crossbuying", "nav.analyses"),
    ("app_pages/satisfaction.py", "satisfaction", "nav.satisfaction", "nav.analyses"),
    ("app_pages/complaints.py", "complaints", "nav.complaints", "nav.analyses"),
    ("app_pages/customer_value.py", "customer-value", "nav.value", "nav.analyses"),
    ("app_pages/measures.py", "measures", "nav.measures", "nav.steering"),
    ("app_pages/data.py", "data", "nav.data", "nav.admin"),
)


def _ensure_demo_data() -> None:
    settings = data.settings()
    ws = data.workspace()
    if not settings.auto_demo or not ws.is_empty():
        return
    from loyalty.demo import ensure_demo

    lang = st.session_state.get("f_lang", i18n.DEFAULT_LANGUAGE)
    bar = st.progress(0.0, text=i18n.t("app.demo_generating", lang))
    ensure_demo(ws, customers=settings.demo_customers,
                progress=lambda share, message: bar.progress(min(max(share, 0.0), 1.0), text=message))
    bar.empty()


def _upgrade_workspace() -> None:
    """A workspace written by an older version gets the derived tables this version reads (once)."""
    ws = data.workspace()
    if not ws.snapshot().outdated_derived():
        return
    lang = st.session_state.get("f_lang", i18n.DEFAULT_LANGUAGE)
    with st.spinner(i18n.t("app.upgrading", lang)):
        ws.rebuild_derived(user="app")


def main() -> None:
    auth.login_gate(PAGES)  # until someone is signed in, shows the login screen and stops here
    _ensure_demo_data()
    _upgrade_workspace()
    ctx = render_sidebar()
    sections: dict[str, list] = {}
    for path, url, title_key, section_key in PAGES:
        page = st.Page(path, title=ctx.t(title_key), url_path=url, default=(url == ""))
        sections.setdefault(ctx.t(section_key), []).append(page)
    navigation = st.navigation(sections)
    if ctx.snapshot.demo:
        st.sidebar.info(ctx.t("app.demo_notice"), icon="ℹ️")
    auth.sidebar_account()
    try:
        navigation.run()
    except Exception as exc:  # a page must never show a traceback to a manager
        log.exception("page %s failed", navigation.url_path)
        st.error(ctx.t("app.error", message=str(exc) or type(exc).__name__))


main()
