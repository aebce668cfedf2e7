"""What every page needs: the language, the sidebar filters and the workspace snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import streamlit as st

from loyalty import i18n
from loyalty.filters import Filters
from loyalty.store import Snapshot

CONTEXT_KEY = "_page_context"


@dataclass(frozen=True)
class PageContext:
    lang: str
    filters: Filters | None  # None when the workspace has no transactions
    snapshot: Snapshot

    def t(self, key: str, **values) -> str:
        return i18n.t(key, self.lang, **values)

    @property
    def tr(self):
        return partial(i18n.t, lang=self.lang)


def set_context(ctx: PageContext) -> None:
    st.session_state[CONTEXT_KEY] = ctx


def get_context() -> PageContext:
    """The context app.py built in this run; a page run on its own builds the sidebar itself."""
    from components.auth import login_gate  # late imports: sidebar imports this module
    from components.sidebar import render_sidebar

    login_gate()  # no page renders for someone not signed in, however it was reached (components/auth.py)
    ctx = st.session_state.get(CONTEXT_KEY)
    if ctx is None:
        ctx = render_sidebar()
    return ctx
